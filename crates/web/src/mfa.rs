//! The second step of a login and the enrolment of a two-step login, as
//! plain forms (they work with JavaScript off).

use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use tower_sessions::Session;
use uuid::Uuid;

use crate::public::logged_in;
use crate::{Submitted, see_other};
use app::domain::Role;
use app::i18n::Lang;
use app::server::auth;
use app::server::error::AppError;
use app::server::services::mfa;
use app::server::state::AppState;
use app::server::store::users;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::login_code::PATH, post(login_code))
        .route(routes::mfa_setup::PATH, post(setup))
}

/// Finishes a login: the session now holds the user.
async fn finish_login(
    state: &AppState,
    session: &Session,
    form: &Submitted,
    user: Uuid,
    next: Option<&str>,
) -> Result<Response, AppError> {
    let row = users::by_id(&state.db, user)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let role = Role::parse(&row.role).map_err(|_| anyhow::anyhow!("unknown role"))?;
    auth::log_in(state, session, &form.parts, user, role).await?;
    Ok(logged_in(
        &form.parts,
        next.unwrap_or(role.home_path()),
        Lang::parse(&row.lang).unwrap_or_default(),
    ))
}

/// The code from the app (or a recovery code) after the password.
async fn login_code(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    let user = match auth::pending_user(&session).await {
        Ok(Some(user)) => user,
        Ok(None) => return see_other("/login?notice=login"),
        Err(e) => return e.into_response(),
    };
    if let Err(e) = mfa::verify(&state, user, form.get("code")).await {
        return form.fail(&state, e, "code").await;
    }
    match finish_login(&state, &session, &form, user, None).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

/// The first code from the app confirms the key shown: the two-step login
/// is on, the recovery codes are shown once, and a staff member half-way
/// through their first login is now in.
async fn setup(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    let pending = match auth::pending_user(&session).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let user = match pending {
        Some(user) => user,
        None => match auth::current_user(&session, &state.db).await {
            Ok(Some(u)) => u.id,
            Ok(None) => return see_other("/login?notice=login"),
            Err(e) => return e.into_response(),
        },
    };
    let key = match auth::offered_key(&session).await {
        Ok(Some(key)) => key,
        // No key was shown in this session (it expired): show one.
        Ok(None) => return see_other("/mfa/setup"),
        Err(e) => return e.into_response(),
    };
    let codes = match mfa::enrol(&state, user, &key, form.get("code")).await {
        Ok(codes) => codes,
        Err(e) => return form.fail(&state, e, "code").await,
    };
    let next = "/mfa/recovery-codes";
    let res = match pending {
        Some(_) => finish_login(&state, &session, &form, user, Some(next)).await,
        None => Ok(see_other(next)),
    };
    match res {
        Ok(res) => match auth::keep_codes(&session, &codes).await {
            Ok(()) => res,
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
    }
}
