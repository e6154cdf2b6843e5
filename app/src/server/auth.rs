//! The session: who is logged in on this browser, the half-way state of a
//! two-step login, and the one check every server function and handler
//! calls. The login rows behind it are the core's (`auth`).

use tower_sessions::Session;
use uuid::Uuid;

use super::state::AppState;
use crate::domain::Role;
pub use redress_core::auth::*;
use redress_core::db::Db;
use redress_core::error::AppError;

const SESSION_USER: &str = "uid";
/// This login's row in `login_sessions` (what ends it, and when it expires).
const SESSION_LOGIN: &str = "login";
/// A password checked, the second step not yet: who, and since when.
const SESSION_PENDING: &str = "mfa_uid";
const SESSION_PENDING_AT: &str = "mfa_at";
/// The key being enrolled, between the page that shows it and the code.
const SESSION_NEW_KEY: &str = "mfa_key";
/// Recovery codes waiting to be shown once.
const SESSION_CODES: &str = "mfa_codes";
/// How long the second step may wait after the password.
const PENDING_SECONDS: i64 = 600;

pub async fn current_user(session: &Session, db: &Db) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = session
        .get::<Uuid>(SESSION_USER)
        .await
        .map_err(session_err)?
    else {
        return Ok(None);
    };
    let login = session
        .get::<Uuid>(SESSION_LOGIN)
        .await
        .map_err(session_err)?;
    match held_login(db, id, login).await? {
        Held::Ended => {
            let _ = session.flush().await;
            Ok(None)
        }
        Held::Unverified => Ok(None),
        Held::Live(user) => {
            // The idle timeout slides: every request of a logged-in user
            // moves the session's end to a whole period from now (the store
            // writes that at most once a minute; see `server::sessions`).
            session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
                time::Duration::minutes(user.role.idle_timeout_minutes()),
            )));
            Ok(Some(user))
        }
    }
}

/// `current_user`, read once per request when the request has a memo (see
/// [`UserMemo`]): the guards of one page view's server functions share it.
pub async fn current_user_once(
    session: &Session,
    db: &Db,
    memo: Option<&UserMemo>,
) -> Result<Option<CurrentUser>, AppError> {
    match memo {
        Some(memo) => {
            let (session, db) = (session.clone(), db.clone());
            memo.get_or_read(async move { current_user(&session, &db).await })
                .await
        }
        None => current_user(session, db).await,
    }
}

/// This session's login, if it has one (the account page marks it).
pub async fn login_id(session: &Session) -> Result<Option<Uuid>, AppError> {
    session
        .get::<Uuid>(SESSION_LOGIN)
        .await
        .map_err(session_err)
}

/// The guard: the logged-in user if their role is one of `roles`, else an
/// error (401 when nobody is logged in, 403 for the wrong role). It returns;
/// it never redirects.
pub async fn require(session: &Session, db: &Db, roles: &[Role]) -> Result<CurrentUser, AppError> {
    require_once(session, db, roles, None).await
}

/// `require` with the request's memo (see [`current_user_once`]).
pub async fn require_once(
    session: &Session,
    db: &Db,
    roles: &[Role],
    memo: Option<&UserMemo>,
) -> Result<CurrentUser, AppError> {
    let user = current_user_once(session, db, memo)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Starts an authenticated session: a new session id (so a planted id is
/// worthless), a login row (what the account page lists and every
/// revocation ends) expiring after the role's absolute lifetime, the user's
/// id, and the idle timeout of their role.
pub async fn log_in(
    state: &AppState,
    session: &Session,
    parts: &axum::http::request::Parts,
    user_id: Uuid,
    role: Role,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    let user_agent = parts
        .headers
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = super::state::client_ip(&state.settings, parts);
    let login = open_login(state, user_id, role, user_agent, &ip).await?;
    session
        .insert(SESSION_USER, user_id)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_LOGIN, login)
        .await
        .map_err(session_err)?;
    session
        .remove_value(SESSION_PENDING)
        .await
        .map_err(session_err)?;
    session
        .remove_value(SESSION_PENDING_AT)
        .await
        .map_err(session_err)?;
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::minutes(role.idle_timeout_minutes()),
    )));
    Ok(())
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    anyhow::anyhow!("session: {e}").into()
}

/// The password was right and a second step is due: a new session id that
/// holds only who is half-way in (the guard sees nobody yet).
pub async fn begin_second_step(session: &Session, user_id: Uuid) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session
        .remove_value(SESSION_USER)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_PENDING, user_id)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_PENDING_AT, chrono::Utc::now().timestamp())
        .await
        .map_err(session_err)?;
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::seconds(PENDING_SECONDS),
    )));
    Ok(())
}

/// Who typed their password in this session in the last ten minutes and
/// still owes the second step.
pub async fn pending_user(session: &Session) -> Result<Option<Uuid>, AppError> {
    let at: Option<i64> = session.get(SESSION_PENDING_AT).await.map_err(session_err)?;
    if at.is_none_or(|at| chrono::Utc::now().timestamp() - at > PENDING_SECONDS) {
        return Ok(None);
    }
    session.get(SESSION_PENDING).await.map_err(session_err)
}

/// The key offered for enrolment in this session (a new one the first time).
pub async fn enrolment_key(
    session: &Session,
    fresh: impl FnOnce() -> String,
) -> Result<String, AppError> {
    if let Some(key) = session
        .get::<String>(SESSION_NEW_KEY)
        .await
        .map_err(session_err)?
    {
        return Ok(key);
    }
    let key = fresh();
    session
        .insert(SESSION_NEW_KEY, &key)
        .await
        .map_err(session_err)?;
    Ok(key)
}

/// The key offered, if any (the enrolment form posts against it).
pub async fn offered_key(session: &Session) -> Result<Option<String>, AppError> {
    session.get(SESSION_NEW_KEY).await.map_err(session_err)
}

/// Keeps the recovery codes for the page that shows them once.
pub async fn keep_codes(session: &Session, codes: &[String]) -> Result<(), AppError> {
    session
        .remove_value(SESSION_NEW_KEY)
        .await
        .map_err(session_err)?;
    session
        .insert(SESSION_CODES, codes)
        .await
        .map_err(session_err)
}

/// The recovery codes, taken out of the session: a second look finds none.
pub async fn take_codes(session: &Session) -> Result<Vec<String>, AppError> {
    Ok(session
        .remove::<Vec<String>>(SESSION_CODES)
        .await
        .map_err(session_err)?
        .unwrap_or_default())
}

/// Ends the session: its login row is ended (every process refuses it
/// from now on) and the session deleted on the server.
pub async fn log_out(session: &Session, db: &Db) -> Result<(), AppError> {
    if let (Some(user), Some(login)) = (
        session
            .get::<Uuid>(SESSION_USER)
            .await
            .map_err(session_err)?,
        login_id(session).await?,
    ) {
        end_login(db, user, login).await?;
    }
    session.flush().await.map_err(session_err)?;
    Ok(())
}
