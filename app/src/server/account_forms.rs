//! The account page's forms: change the password, end a login, end every
//! other login. Every role; each acts on the logged-in account only.

#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use tower_sessions::Session;

use super::auth;
use super::forms::{Submitted, see_other};
use super::services::account;
use super::state::AppState;
use crate::domain::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/password", post(change_password))
        .route("/account/logins/{id}/end", post(end_login))
        .route("/account/logins/end-others", post(end_others))
        .route("/account/recovery-codes", post(recovery_codes))
}

/// New recovery codes: shown once on the page that shows them.
async fn recovery_codes(
    State(state): State<AppState>,
    session: Session,
    form: Submitted,
) -> Response {
    let user = match auth::require(&session, &state.db, &Role::ALL).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "current_password").await,
    };
    let codes = match account::new_recovery_codes(&state, &user, form.get("current_password")).await
    {
        Ok(codes) => codes,
        Err(e) => return form.fail(&state, e, "current_password").await,
    };
    match auth::keep_codes(&session, &codes).await {
        Ok(()) => see_other("/mfa/recovery-codes"),
        Err(e) => form.fail(&state, e, "current_password").await,
    }
}

async fn change_password(
    State(state): State<AppState>,
    session: Session,
    form: Submitted,
) -> Response {
    let user = match auth::require(&session, &state.db, &Role::ALL).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "current_password").await,
    };
    let login = match auth::login_id(&session).await {
        Ok(l) => l,
        Err(e) => return form.fail(&state, e, "current_password").await,
    };
    match account::change_password(
        &state,
        &user,
        login,
        form.get("current_password"),
        form.get("password"),
    )
    .await
    {
        Ok(()) => see_other("/account?notice=password_changed"),
        Err(e) => form.fail(&state, e, "current_password").await,
    }
}

async fn end_login(
    State(state): State<AppState>,
    Path(id): Path<String>,
    session: Session,
    form: Submitted,
) -> Response {
    let user = match auth::require(&session, &state.db, &Role::ALL).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "login").await,
    };
    match account::end_login(&state, &user, &id).await {
        Ok(()) => see_other("/account?notice=login_ended"),
        Err(e) => form.fail(&state, e, "login").await,
    }
}

async fn end_others(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    let user = match auth::require(&session, &state.db, &Role::ALL).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "login").await,
    };
    let login = match auth::login_id(&session).await {
        Ok(l) => l,
        Err(e) => return form.fail(&state, e, "login").await,
    };
    match account::end_other_logins(&state, &user, login).await {
        Ok(()) => see_other("/account?notice=logins_ended"),
        Err(e) => form.fail(&state, e, "login").await,
    }
}
