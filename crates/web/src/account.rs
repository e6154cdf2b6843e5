//! The account page's forms: change the password, end a login, end every
//! other login, new recovery codes. Every role; each acts on the logged-in
//! account only.

#![allow(clippy::result_large_err)]

use app::routes;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use uuid::Uuid;

use crate::guard::*;
use crate::{Submitted, see_other};
use app::server::auth::{self, CurrentUser};
use app::server::error::AppError;
use app::server::services::account;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::account_password::PATH, post(change_password))
        .route(routes::account_end_login::PATH, post(end_login))
        .route(routes::account_end_others::PATH, post(end_others))
        .route(routes::account_recovery_codes::PATH, post(recovery_codes))
}

/// Runs `act` for the logged-in user (any role) and this session's login:
/// a redirect to where it says, or the form again with the error by `field`.
async fn run<Fut>(
    state: &AppState,
    Guarded { user, session, .. }: Guarded<Everyone>,
    form: Submitted,
    field: &str,
    act: impl FnOnce(CurrentUser, Option<Uuid>) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<String, AppError>>,
{
    let done = async {
        let login = auth::login_id(&session).await?;
        act(user, login).await
    }
    .await;
    match done {
        Ok(to) => see_other(&to),
        Err(e) => form.fail(state, e, field).await,
    }
}

async fn change_password(
    State(state): State<AppState>,
    guarded: Guarded<Everyone>,
    form: Submitted,
) -> Response {
    let st = &state;
    let (current, new) = (
        form.get("current_password").to_owned(),
        form.get("password").to_owned(),
    );
    run(
        &state,
        guarded,
        form,
        "current_password",
        |user, login| async move {
            account::change_password(st, &user, login, &current, &new).await?;
            Ok("/account?notice=password_changed".to_owned())
        },
    )
    .await
}

async fn end_login(
    State(state): State<AppState>,
    Path(id): Path<String>,
    guarded: Guarded<Everyone>,
    form: Submitted,
) -> Response {
    let st = &state;
    run(&state, guarded, form, "login", |user, _| async move {
        account::end_login(st, &user, &id).await?;
        Ok("/account?notice=login_ended".to_owned())
    })
    .await
}

async fn end_others(
    State(state): State<AppState>,
    guarded: Guarded<Everyone>,
    form: Submitted,
) -> Response {
    let st = &state;
    run(&state, guarded, form, "login", |user, login| async move {
        account::end_other_logins(st, &user, login).await?;
        Ok("/account?notice=logins_ended".to_owned())
    })
    .await
}

/// New recovery codes: shown once on the page that shows them.
async fn recovery_codes(
    State(state): State<AppState>,
    guarded: Guarded<Everyone>,
    form: Submitted,
) -> Response {
    let session = guarded.session.clone();
    let (st, se) = (&state, &session);
    let current = form.get("current_password").to_owned();
    run(
        &state,
        guarded,
        form,
        "current_password",
        |user, _| async move {
            let codes = account::new_recovery_codes(st, &user, &current).await?;
            auth::keep_codes(se, &codes).await?;
            Ok("/mfa/recovery-codes".to_owned())
        },
    )
    .await
}
