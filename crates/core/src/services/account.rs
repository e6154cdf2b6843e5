//! The logged-in account's own settings: its password, where it is logged
//! in, and its two-step login (see `/account`).

use chrono::Utc;
use uuid::Uuid;

use super::mails;
use crate::auth::{CurrentUser, hash_password, verify_password};
use crate::domain::password::check_new_password;
use crate::error::AppError;
use crate::limits::{Limit, check_rate, forget_attempt};
use crate::state::Core;
use crate::store::{login_sessions, users};

/// Wrong current passwords on the account page: 5 in 15 minutes (a stolen
/// session must not become a password-guessing oracle).
pub const CHANGE_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: chrono::Duration::minutes(15),
};

/// Changes the password of the logged-in account: the current one is
/// required, the new one follows the registration rules, every other login
/// of the account ends (this one stays) and the owner is mailed.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn change_password(
    state: &Core,
    user: &CurrentUser,
    login: Option<Uuid>,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    let row = check_current_password(state, user, current).await?;
    check_new_password(new, &row.email).map_err(|k| AppError::field("password", k))?;
    if verify_password(new, &row.password_hash) {
        return Err(AppError::field("password", "password_unchanged"));
    }
    let hash = hash_password(new)?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    users::set_password(&mut tx, user.id, &hash).await?;
    users::end_sessions(&mut tx, user.id, login).await?;
    let text = mails::password_changed(user.lang, &state.settings.public_url);
    mails::queue(&mut tx, &row.email, None, &text, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The account's row, once its current password is typed right (wrong
/// ones count against [`CHANGE_PER_ACCOUNT`]).
async fn check_current_password(
    state: &Core,
    user: &CurrentUser,
    current: &str,
) -> Result<users::UserRow, AppError> {
    let key = format!("current-password:{}", user.id);
    check_rate(state, &key, CHANGE_PER_ACCOUNT).await?;
    let row = users::by_id(&state.db, user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !verify_password(current, &row.password_hash) {
        return Err(AppError::field(
            "current_password",
            "current_password_wrong",
        ));
    }
    forget_attempt(state, &key).await?;
    Ok(row)
}

/// New recovery codes for the account's two-step login (the old ones stop
/// working), once the current password is typed: returned to be shown once.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn new_recovery_codes(
    state: &Core,
    user: &CurrentUser,
    current: &str,
) -> Result<Vec<String>, AppError> {
    check_current_password(state, user, current).await?;
    super::mfa::replace_recovery_codes(state, user.id).await
}

/// Ends one of the account's own logins (another's id ends nothing).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn end_login(state: &Core, user: &CurrentUser, login: &str) -> Result<(), AppError> {
    let login = Uuid::parse_str(login.trim()).map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let ended = login_sessions::end_one(&mut tx, user.id, login, Utc::now()).await?;
    tx.commit().await?;
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every login of the account but this one.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn end_other_logins(
    state: &Core,
    user: &CurrentUser,
    login: Option<Uuid>,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    users::end_sessions(&mut tx, user.id, login).await?;
    tx.commit().await?;
    Ok(())
}

/// The account's logins that still hold, newest activity first.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn logins(
    state: &Core,
    user: &CurrentUser,
) -> Result<Vec<login_sessions::LoginRow>, AppError> {
    let now = Utc::now();
    // A login idle past the role's timeout has ended (its session is gone);
    // "last seen" is written at most every five minutes.
    let seen_since = now - chrono::Duration::minutes(user.role.idle_timeout_minutes() + 5);
    Ok(login_sessions::live_of(&state.db, user.id, now, seen_since).await?)
}
