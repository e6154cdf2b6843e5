//! The policy as data: an admin writes the next version; every open case's
//! flags are computed again under it.

use chrono::Utc;

use crate::auth::CurrentUser;
use crate::domain::policy::Policy;
use crate::error::AppError;
use crate::state::Core;
use crate::store::{assessment, policies};

/// Writes the next policy version from an admin's form. The form names the
/// version it was written against: if another admin saved first, nothing is
/// written and the admin sees the newer version.
#[tracing::instrument(skip_all, fields(user = %admin.id))]
pub async fn publish(
    state: &Core,
    admin: &CurrentUser,
    based_on: i64,
    (policy, note): (Policy, String),
) -> Result<i64, AppError> {
    if policies::current(&state.db).await?.version != based_on {
        return Err(AppError::Conflict("policy_changed"));
    }
    let mut tx = state.db.begin().await?;
    if !policies::insert(&mut tx, &policy, &note, admin.id, Utc::now()).await? {
        return Err(AppError::Conflict("policy_changed"));
    }
    let open = assessment::mark_open_dirty(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(
        version = policy.version,
        open_cases = open,
        "policy version published"
    );
    Ok(policy.version)
}
