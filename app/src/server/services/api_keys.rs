//! API keys for bank systems: created by an admin for one bank, shown once,
//! kept only as a hash, revoked at once.

use chrono::Utc;
use uuid::Uuid;

use crate::domain::BankCode;
use crate::server::auth::{CurrentUser, new_token};
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::store::{api_keys, banks};

/// Creates a key for a participating bank; returns the key (shown once).
pub async fn create(
    state: &AppState,
    admin: &CurrentUser,
    bank: &str,
    label: &str,
) -> Result<String, AppError> {
    let bank = BankCode::parse(bank).map_err(|k| AppError::field("bank_code", k))?;
    if !banks::by_code(&state.db, bank.as_str())
        .await?
        .is_some_and(|b| b.participating)
    {
        return Err(AppError::field("bank_code", "bank_not_participating"));
    }
    let label = crate::domain::answers::parse_text(label, true, 60, "label")
        .map_err(|k| AppError::field("label", k))?
        .unwrap_or_default();
    let (token, _) = new_token();
    let key = format!("rdk_{token}");
    let mut tx = state.db.begin().await?;
    api_keys::insert(
        &mut tx,
        Uuid::new_v4(),
        bank.as_str(),
        &label,
        &crate::server::auth::token_hash(&key),
        admin.id,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}

pub async fn revoke(state: &AppState, id: Uuid) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    if !api_keys::revoke(&mut tx, id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
