//! An admin's work on accounts: invite staff by mail (the invitee sets a
//! password with the mailed code), change a staff member's role and bank,
//! disable and enable accounts. Claimant accounts can be disabled, never
//! edited; nobody changes or disables their own account. Every action is
//! recorded in `admin_actions` in its own transaction.

use chrono::{Duration, Utc};
use uuid::Uuid;

use super::mails;
use crate::auth::{CurrentUser, hash_password, new_mail_code, new_token};
use crate::db::constraint_of;
use crate::domain::{BankCode, Email, FieldErrors, Role};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::{banks, tokens, users};

/// An invitation's code works for a week.
pub const INVITE_TTL: Duration = Duration::days(7);

/// Reads a staff role and the bank it needs (bank staff only, a bank that
/// takes part).
async fn staff_role(
    state: &Core,
    role: &str,
    bank: &str,
    errors: &mut FieldErrors,
) -> Result<Option<(Role, Option<String>)>, AppError> {
    let role = match Role::parse(role) {
        Ok(Role::Claimant) => {
            errors.add("role", "role_staff_only");
            None
        }
        Ok(r) => Some(r),
        Err(k) => {
            errors.add("role", k);
            None
        }
    };
    let bank = bank.trim();
    let bank = match role {
        Some(Role::BankStaff) => match BankCode::parse(bank) {
            Ok(code) => match banks::by_code(&state.db, code.as_str()).await? {
                Some(b) if b.participating => Some(b.code),
                _ => {
                    errors.add("bank", "bank_unknown");
                    None
                }
            },
            Err(_) => {
                errors.add("bank", "bank_required");
                None
            }
        },
        _ => None,
    };
    Ok(role.map(|r| (r, bank)))
}

/// Invites a staff member: the account exists at once with no usable
/// password; the mail carries a code (valid 7 days) to set one.
#[tracing::instrument(skip_all, fields(admin = %admin.id))]
pub async fn invite(
    state: &Core,
    admin: &CurrentUser,
    email: &str,
    role: &str,
    bank: &str,
    lang: &str,
) -> Result<Uuid, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.check("email", Email::parse(email));
    // Japanese unless the admin chose English.
    let lang = match Lang::parse(lang) {
        Some(l) => l,
        None if lang.trim().is_empty() => Lang::Ja,
        None => {
            errors.add("lang", "lang_invalid");
            Lang::Ja
        }
    };
    let role = staff_role(state, role, bank, &mut errors).await?;
    let (Some(email), Some((role, bank))) = (email, role) else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // A password nobody knows until the invitee sets one.
    let (unusable, _) = new_token();
    let hash = hash_password(&unusable)?;
    let id = Uuid::new_v4();
    let now = Utc::now();
    let (code, code_hash) = new_mail_code();
    let text = mails::staff_invite(lang, &state.settings.public_url, role.as_str(), &code);
    let mut tx = state.db.begin().await?;
    let new = users::NewUser {
        id,
        email: email.as_str(),
        password_hash: &hash,
        role: role.as_str(),
        bank_code: bank.as_deref(),
        lang: lang.code(),
        verified_at: None,
        now,
    };
    if let Err(e) = users::insert(&mut tx, &new).await {
        return Err(match constraint_of(&e) {
            Some(c) if c.contains("email") => AppError::field("email", "email_taken"),
            _ => e.into(),
        });
    }
    let selector = crate::auth::code_selector(&code);
    let stored = tokens::Code {
        hash: &code_hash,
        selector: &selector,
    };
    tokens::insert(&mut tx, &stored, id, "invite", now + INVITE_TTL, now).await?;
    mails::queue(&mut tx, email.as_str(), None, &text, now).await?;
    let detail = format!(
        "{}{}",
        role.as_str(),
        bank.map(|b| format!(" {b}")).unwrap_or_default()
    );
    users::record_admin_action(&mut tx, admin.id, "invite", id, &detail, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// The invitee sets their password with the mailed code; the code proves
/// the address too.
#[tracing::instrument(skip_all)]
pub async fn accept_invite(
    state: &Core,
    code: &str,
    password: &str,
    ip: &str,
) -> Result<(), AppError> {
    super::accounts::set_password_with_code(state, "invite", code, password, ip).await
}

fn target_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

/// A staff member's new role (and bank, for bank staff).
#[tracing::instrument(skip_all, fields(user = %admin.id))]
pub async fn change_role(
    state: &Core,
    admin: &CurrentUser,
    id: &str,
    role: &str,
    bank: &str,
) -> Result<(), AppError> {
    let id = target_id(id)?;
    let target = users::listed(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if target.role == Role::Claimant.as_str() {
        return Err(AppError::Conflict("claimant_not_editable"));
    }
    if id == admin.id {
        return Err(AppError::Conflict("not_yourself"));
    }
    let mut errors = FieldErrors::new();
    let Some((role, bank)) = staff_role(state, role, bank, &mut errors).await? else {
        return Err(AppError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !users::set_role(&mut tx, id, role.as_str(), bank.as_deref()).await? {
        return Err(AppError::Conflict("claimant_not_editable"));
    }
    let detail = format!(
        "{} -> {}{}",
        target.role,
        role.as_str(),
        bank.map(|b| format!(" {b}")).unwrap_or_default()
    );
    users::record_admin_action(&mut tx, admin.id, "role", id, &detail, now).await?;
    // The sessions opened under the old role end.
    users::end_sessions(&mut tx, id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Disables an account (its sessions stop working at once: the guard reads
/// the account on every request) or enables it again.
#[tracing::instrument(skip_all, fields(user = %admin.id))]
pub async fn set_disabled(
    state: &Core,
    admin: &CurrentUser,
    id: &str,
    disabled: bool,
) -> Result<(), AppError> {
    let id = target_id(id)?;
    if id == admin.id {
        return Err(AppError::Conflict("not_yourself"));
    }
    let target = users::listed(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    users::set_disabled(&mut tx, id, disabled.then_some(now)).await?;
    let action = if disabled { "disable" } else { "enable" };
    users::record_admin_action(&mut tx, admin.id, action, id, &target.role, now).await?;
    // Enabled again, the account's old sessions stay ended.
    if disabled {
        users::end_sessions(&mut tx, id, None).await?;
    }
    tx.commit().await?;
    Ok(())
}
