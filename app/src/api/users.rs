//! Accounts as an admin sees them: the list (searched), one account with
//! what may be changed, and the record of admin actions.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

pub const USERS_PAGE: i64 = 50;

/// One account in the list (nothing secret in it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserEntry {
    pub id: String,
    pub email: String,
    /// i18n key of the role.
    pub role: String,
    pub bank: Option<String>,
    /// i18n key: active, invited (no password yet) or disabled.
    pub status: String,
    pub created: String,
    pub is_claimant: bool,
}

/// i18n key of an account's status: disabled, invited (no password yet) or active.
#[cfg(feature = "ssr")]
pub fn status_key(u: &crate::server::store::users::ListedUser) -> &'static str {
    if u.disabled_at.is_some() {
        "user_disabled"
    } else if u.email_verified_at.is_none() {
        "user_invited"
    } else {
        "user_active"
    }
}

#[cfg(feature = "ssr")]
fn entry(u: &crate::server::store::users::ListedUser) -> UserEntry {
    let status = status_key(u);
    UserEntry {
        id: u.id.to_string(),
        email: u.email.clone(),
        role: format!("role_{}", u.role),
        bank: u.bank_code.clone(),
        status: status.into(),
        created: super::claimant::convert::jst_date(u.created_at),
        is_claimant: u.role == "claimant",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersList {
    pub rows: Vec<UserEntry>,
    pub total: i64,
    pub page: i64,
    /// (code, name) of the banks taking part, for the invitation form.
    pub banks: Vec<(String, String)>,
    /// (when, admin, action, account, detail), newest first.
    pub actions: Vec<(String, String, String, String, String)>,
}

#[cfg(feature = "ssr")]
async fn bank_options(state: &crate::server::AppState) -> Result<Vec<(String, String)>, ApiError> {
    Ok(crate::server::store::banks::participating(&state.db)
        .await
        .map_err(|e| super::ctx::fail(e.into()))?
        .into_iter()
        .map(|b| (b.code.clone(), format!("{} {}", b.code, b.name)))
        .collect())
}

#[server(endpoint = "list_users")]
pub async fn list_users(q: Option<String>, page: Option<i64>) -> Result<UsersList, ApiError> {
    use super::ctx;
    use crate::server::store::users;
    let (state, _) = ctx::require(&[crate::domain::Role::Admin]).await?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let q = q.unwrap_or_default();
    let page = page.unwrap_or(1).max(1);
    let (rows, total) = users::search(&state.db, &q, USERS_PAGE, (page - 1) * USERS_PAGE)
        .await
        .map_err(fail)?;
    let actions = users::admin_actions(&state.db, &q, 100)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(at, who, what, whom, detail)| {
            (
                super::claimant::convert::jst_time(at),
                who,
                format!("admin_action_{what}"),
                whom,
                detail,
            )
        })
        .collect();
    Ok(UsersList {
        rows: rows.iter().map(entry).collect(),
        total,
        page,
        banks: bank_options(&state).await?,
        actions,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDetail {
    pub user: UserEntry,
    pub role_code: String,
    pub is_self: bool,
    pub disabled: bool,
    /// The account has a two-step login (an admin may reset it).
    pub mfa_on: bool,
    pub banks: Vec<(String, String)>,
}

#[server(endpoint = "get_user")]
pub async fn get_user(id: String) -> Result<UserDetail, ApiError> {
    use super::ctx;
    let (state, admin) = ctx::require(&[crate::domain::Role::Admin]).await?;
    let id =
        uuid::Uuid::parse_str(&id).map_err(|_| ctx::fail(crate::server::AppError::NotFound))?;
    let u = crate::server::store::users::listed(&state.db, id)
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .ok_or_else(|| ctx::fail(crate::server::AppError::NotFound))?;
    Ok(UserDetail {
        user: entry(&u),
        role_code: u.role.clone(),
        is_self: u.id == admin.id,
        disabled: u.disabled_at.is_some(),
        mfa_on: u.mfa_enrolled_at.is_some(),
        banks: bank_options(&state).await?,
    })
}
