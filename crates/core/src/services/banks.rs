//! The bank table: loaded once from the shipped list; participation is set
//! by an administrator.

use crate::bank_data;
use crate::db::Db;
use crate::domain::BankCode;
use crate::error::AppError;
use crate::store::banks;

/// Loads every bank and branch when the table is empty (first start).
#[tracing::instrument(skip_all)]
pub async fn load_if_empty(db: &Db) -> anyhow::Result<()> {
    if banks::count(db).await? > 0 {
        return Ok(());
    }
    let data = bank_data::load()?;
    let mut tx = db.begin().await?;
    for bank in data.values() {
        banks::insert_bank(&mut tx, &bank.code, &bank.name, &bank.kana).await?;
        let rows: Vec<(String, String, String)> = bank
            .branches
            .values()
            .map(|b| (b.code.clone(), b.name.clone(), b.kana.clone()))
            .collect();
        banks::insert_branches(&mut tx, &bank.code, &rows).await?;
    }
    tx.commit().await?;
    tracing::info!(banks = data.len(), "bank list loaded");
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn set_participating(db: &Db, code: &str, participating: bool) -> Result<(), AppError> {
    let code = BankCode::parse(code).map_err(|k| AppError::field("bank_code", k))?;
    let mut tx = db.begin().await?;
    if banks::set_participating(&mut tx, code.as_str(), participating).await? == 0 {
        return Err(AppError::field("bank_code", "bank_unknown"));
    }
    tx.commit().await?;
    Ok(())
}

/// An admin sets where a bank's notices go: an address of the bank's own
/// (optional, checked) and/or its staff users.
#[tracing::instrument(skip_all)]
pub async fn set_notify(db: &Db, code: &str, email: &str, users: bool) -> Result<(), AppError> {
    let mut errors = crate::domain::FieldErrors::new();
    let code = errors.check("notify_bank", BankCode::parse(code));
    let email = match email.trim() {
        "" => None,
        text => errors.check("notify_email", crate::domain::Email::parse(text)),
    };
    if email.is_none() && !users {
        errors.add("notify_users", "notify_nobody");
    }
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db.begin().await?;
    let email = email.as_ref().map(|e| e.as_str());
    if banks::set_notify(&mut tx, code.as_str(), email, users).await? == 0 {
        return Err(AppError::field("notify_bank", "bank_unknown"));
    }
    tx.commit().await?;
    Ok(())
}

/// An admin sets a bank's share (0 to 100 percent) of the debits paid at
/// its accounts; the operator pays the rest. Cases already paid keep the
/// split recorded when they were paid.
#[tracing::instrument(skip_all)]
pub async fn set_share(db: &Db, code: &str, percent: &str) -> Result<(), AppError> {
    let code = BankCode::parse(code).map_err(|k| AppError::field("bank_code", k))?;
    let percent = match percent.trim().trim_end_matches('%').parse::<i64>() {
        Ok(p) if (0..=100).contains(&p) => p,
        _ => return Err(AppError::field("share_percent", "share_invalid")),
    };
    let mut tx = db.begin().await?;
    if banks::set_share(&mut tx, code.as_str(), percent).await? == 0 {
        return Err(AppError::field("bank_code", "bank_unknown"));
    }
    tx.commit().await?;
    Ok(())
}
