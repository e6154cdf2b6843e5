//! Two-step login: the enrolment page's key and QR code, the recovery codes
//! shown once, and the account's own status.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// What the enrolment page shows. The key is the user's own, shown to them
/// once here to put into their app; nobody else ever sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MfaEnrolment {
    /// The key in groups of four, for typing.
    pub key: String,
    /// The same key as a QR code (SVG drawn on the server).
    pub qr_svg: String,
    /// A staff member must enrol to go on; a claimant chooses to.
    pub required: bool,
}

/// The key to enrol (kept in the session until the first code confirms
/// it), for the half-logged-in staff member or a logged-in account without
/// a two-step login.
#[server(endpoint = "mfa_setup")]
pub async fn mfa_setup() -> Result<MfaEnrolment, ApiError> {
    use super::ctx;
    use crate::server::AppError;
    use crate::server::services::mfa;
    let state = ctx::state()?;
    let session = ctx::session().await?;
    let pending = crate::server::auth::pending_user(&session)
        .await
        .map_err(ctx::fail)?;
    let user = match pending {
        Some(id) => id,
        None => {
            crate::server::auth::current_user(&session, &state.db)
                .await
                .map_err(ctx::fail)?
                .ok_or_else(|| ctx::fail(AppError::Unauthorized))?
                .id
        }
    };
    let row = crate::server::store::users::by_id(&state.db, user)
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .ok_or_else(|| ctx::fail(AppError::Unauthorized))?;
    if row.mfa_enrolled_at.is_some() {
        return Err(ctx::fail(AppError::Conflict("mfa_already_on")));
    }
    let key = crate::server::auth::enrolment_key(&session, mfa::new_key)
        .await
        .map_err(ctx::fail)?;
    let enrolment = mfa::enrolment(&key, &row.email).map_err(ctx::fail)?;
    Ok(MfaEnrolment {
        key: crate::domain::totp::grouped(&enrolment.key),
        qr_svg: enrolment.qr_svg,
        required: pending.is_some(),
    })
}

/// The recovery codes just issued, taken out of the session (shown once),
/// and where the user goes on from there.
#[server(endpoint = "mfa_recovery_codes")]
pub async fn mfa_recovery_codes() -> Result<(Vec<String>, String), ApiError> {
    use super::ctx;
    let (_state, user) = ctx::require(&crate::domain::Role::ALL).await?;
    let session = ctx::session().await?;
    let codes = crate::server::auth::take_codes(&session)
        .await
        .map_err(ctx::fail)?;
    Ok((codes, user.role.home_path().to_owned()))
}

/// The logged-in account's two-step login: on or off, recovery codes left.
#[server(endpoint = "my_mfa")]
pub async fn my_mfa() -> Result<(bool, i64), ApiError> {
    use super::ctx;
    let (state, user) = ctx::require(&crate::domain::Role::ALL).await?;
    crate::server::services::mfa::status(&state, user.id)
        .await
        .map_err(ctx::fail)
}

/// A login of the account, as its owner sees it on the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginView {
    pub id: String,
    /// The browser, in a few words ("Chrome on Android").
    pub device: String,
    pub ip: String,
    pub started: String,
    pub last_seen: String,
    /// The login of the page's own request.
    pub current: bool,
}

/// The account page: who, the two-step login, and where it is logged in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub email: String,
    pub staff: bool,
    pub mfa_on: bool,
    pub recovery_left: i64,
    pub logins: Vec<LoginView>,
}

/// The logged-in account's own settings (every role; only its own rows).
#[server(endpoint = "my_account")]
pub async fn my_account() -> Result<AccountOverview, ApiError> {
    use super::ctx;
    use crate::api::claimant::convert::jst_time;
    use crate::server::services::{account, mfa};
    let (state, user) = ctx::require(&crate::domain::Role::ALL).await?;
    let session = ctx::session().await?;
    let current = crate::server::auth::login_id(&session)
        .await
        .map_err(ctx::fail)?;
    let (mfa_on, recovery_left) = mfa::status(&state, user.id).await.map_err(ctx::fail)?;
    let mut logins: Vec<LoginView> = account::logins(&state, &user)
        .await
        .map_err(ctx::fail)?
        .into_iter()
        .map(|l| LoginView {
            id: l.id.to_string(),
            device: crate::domain::device::describe(&l.user_agent),
            ip: l.ip,
            started: jst_time(l.started_at),
            last_seen: jst_time(l.last_seen_at),
            current: Some(l.id) == current,
        })
        .collect();
    // This device first.
    logins.sort_by_key(|l| !l.current);
    Ok(AccountOverview {
        email: user.email,
        staff: user.role.is_staff(),
        mfa_on,
        recovery_left,
        logins,
    })
}
