//! API keys for bank systems: created by an admin (for any participating
//! bank) or by a bank's lead user (for their own bank), shown once, kept only
//! as a hash, revoked at once. Each key acts as a user of its own that cannot
//! log in, so every answer and import it makes names the key.

use chrono::Utc;
use uuid::Uuid;

use crate::auth::{CurrentUser, new_token, token_hash};
use crate::domain::{BankCode, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::api_keys::{self, KeyRow, NewKey};
use crate::store::{banks, users};

/// The bank whose keys `user` manages: `None` for an admin (every bank),
/// the own bank for a lead user; anyone else may not.
pub fn managed_bank(user: &CurrentUser) -> Result<Option<&str>, AppError> {
    match user.role {
        Role::Admin => Ok(None),
        Role::BankStaff if user.bank_lead => user.bank().map(Some),
        _ => Err(AppError::Forbidden),
    }
}

/// The address of a key's own user: never a mailbox (`.invalid`).
fn key_user_email(key: Uuid) -> String {
    format!("api-key-{key}@keys.redress.invalid")
}

/// Creates a key for a participating bank; returns the key (shown once).
#[tracing::instrument(skip_all)]
pub async fn create(
    state: &Core,
    by: &CurrentUser,
    bank: &str,
    label: &str,
) -> Result<String, AppError> {
    let bank = match managed_bank(by)? {
        Some(own) => own.to_owned(),
        None => BankCode::parse(bank)
            .map_err(|k| AppError::field("bank_code", k))?
            .as_str()
            .to_owned(),
    };
    if !banks::by_code(&state.db, &bank)
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
    let id = Uuid::new_v4();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let actor = insert_key_user(&mut tx, id, &bank).await?;
    api_keys::insert(
        &mut tx,
        &NewKey {
            id,
            bank: &bank,
            label: &label,
            key_hash: &token_hash(&key),
            by: by.id,
            actor,
            now,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(key = %id, bank, by = %by.id, "API key created");
    Ok(key)
}

/// The user a key acts as: no password anyone can type, never verified (so
/// it can never log in), bound to the key's bank.
async fn insert_key_user(tx: &mut crate::db::Tx, key: Uuid, bank: &str) -> Result<Uuid, AppError> {
    let actor = Uuid::new_v4();
    users::insert(
        tx,
        &users::NewUser {
            id: actor,
            email: &key_user_email(key),
            password_hash: "!",
            role: Role::BankStaff.as_str(),
            bank_code: Some(bank),
            lang: Lang::En.code(),
            verified_at: None,
            now: Utc::now(),
        },
    )
    .await?;
    Ok(actor)
}

/// Revokes a key the user manages (another bank's key is not there: 404).
#[tracing::instrument(skip_all)]
pub async fn revoke(state: &Core, by: &CurrentUser, id: Uuid) -> Result<(), AppError> {
    let scope = managed_bank(by)?;
    let key = api_keys::by_id(&state.db, id)
        .await?
        .filter(|k| scope.is_none_or(|b| b == k.bank_code))
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !api_keys::revoke(&mut tx, key.id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    tracing::info!(key = %id, by = %by.id, "API key revoked");
    Ok(())
}

/// The keys the user manages.
#[tracing::instrument(skip_all)]
pub async fn list(state: &Core, by: &CurrentUser) -> Result<Vec<KeyRow>, AppError> {
    let scope = managed_bank(by)?;
    Ok(api_keys::all(&state.db, scope).await?)
}

/// The bank user a key acts as (made now for a key older than that rule).
#[tracing::instrument(skip_all)]
pub async fn acting_user(state: &Core, key: &KeyRow) -> Result<CurrentUser, AppError> {
    let id = match key.actor_id {
        Some(id) => id,
        None => {
            let mut tx = state.db.begin().await?;
            let actor = insert_key_user(&mut tx, key.id, &key.bank_code).await?;
            api_keys::set_actor(&mut tx, key.id, actor).await?;
            tx.commit().await?;
            actor
        }
    };
    Ok(CurrentUser {
        id,
        email: key_user_email(key.id),
        role: Role::BankStaff,
        bank_code: Some(key.bank_code.clone()),
        bank_lead: false,
        lang: Lang::En,
    })
}
