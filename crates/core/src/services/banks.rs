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

/// What a newer bank list changed: (bank, name) added or renamed, (bank,
/// branch, name) added, renamed (the old name first) or retired.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListChanges {
    pub banks_added: Vec<(String, String)>,
    pub banks_renamed: Vec<(String, String, String)>,
    pub branches_added: Vec<(String, String, String)>,
    pub branches_renamed: Vec<(String, String, String, String)>,
    pub branches_retired: Vec<(String, String, String)>,
}

/// Loads a newer zengin-code list into the running system, in one
/// transaction: new banks and branches are added, renamed ones take their
/// new names, and a branch the list no longer has (closed or merged) is
/// kept for the cases that name it but no longer offered. Nothing is
/// deleted. Returns the differences.
#[tracing::instrument(skip_all, fields(banks = list.len()))]
pub async fn update_list(
    db: &Db,
    actor: Option<uuid::Uuid>,
    file_name: &str,
    list: &std::collections::BTreeMap<String, bank_data::BankEntry>,
) -> Result<(uuid::Uuid, ListChanges), AppError> {
    use std::collections::HashMap;
    let (banks_now, branches_now) = banks::whole_list(db).await?;
    let banks_now: HashMap<String, (String, String)> =
        banks_now.into_iter().map(|(c, n, k)| (c, (n, k))).collect();
    let mut branches_now: HashMap<(String, String), (String, String, bool)> = branches_now
        .into_iter()
        .map(|(b, c, n, k, r)| ((b, c), (n, k, r)))
        .collect();
    let mut changes = ListChanges::default();
    let mut tx = db.begin().await?;
    for bank in list.values() {
        match banks_now.get(&bank.code) {
            None => {
                banks::insert_bank(&mut tx, &bank.code, &bank.name, &bank.kana).await?;
                changes
                    .banks_added
                    .push((bank.code.clone(), bank.name.clone()));
            }
            Some((name, kana)) if *name != bank.name || *kana != bank.kana => {
                banks::rename_bank(&mut tx, &bank.code, &bank.name, &bank.kana).await?;
                changes
                    .banks_renamed
                    .push((bank.code.clone(), name.clone(), bank.name.clone()));
            }
            Some(_) => {}
        }
        update_branches(&mut tx, bank, &mut branches_now, &mut changes).await?;
    }
    // What the list no longer has (of the banks it names) is retired.
    let mut gone: Vec<_> = branches_now
        .into_iter()
        .filter(|((bank, _), (_, _, retired))| list.contains_key(bank) && !retired)
        .collect();
    gone.sort();
    for ((bank, code), (name, _, _)) in gone {
        banks::retire_branch(&mut tx, &bank, &code).await?;
        changes.branches_retired.push((bank, code, name));
    }
    let id = uuid::Uuid::new_v4();
    let json = serde_json::to_string(&changes).map_err(AppError::other)?;
    let file_name = crate::domain::answers::clean_file_name(file_name);
    banks::record_list_update(&mut tx, id, actor, &file_name, &json, chrono::Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(
        banks_added = changes.banks_added.len(),
        branches_added = changes.branches_added.len(),
        branches_renamed = changes.branches_renamed.len(),
        branches_retired = changes.branches_retired.len(),
        "bank list updated"
    );
    Ok((id, changes))
}

/// The branches one bank of a newer list has, against the table's
/// (`now` keeps what the list did not name, to be retired).
async fn update_branches(
    tx: &mut crate::db::Tx,
    bank: &bank_data::BankEntry,
    now: &mut std::collections::HashMap<(String, String), (String, String, bool)>,
    changes: &mut ListChanges,
) -> Result<(), AppError> {
    let mut new = Vec::new();
    for b in bank.branches.values() {
        let said = (bank.code.clone(), b.code.clone(), b.name.clone());
        match now.remove(&(bank.code.clone(), b.code.clone())) {
            None => {
                new.push((b.code.clone(), b.name.clone(), b.kana.clone()));
                changes.branches_added.push(said);
            }
            Some((name, kana, retired)) if name != b.name || kana != b.kana || retired => {
                banks::renew_branch(tx, &bank.code, &b.code, &b.name, &b.kana).await?;
                if name != b.name || kana != b.kana {
                    let (bank, code, new_name) = said.clone();
                    changes.branches_renamed.push((bank, code, name, new_name));
                }
                // A branch listed again is offered again: said as added.
                if retired {
                    changes.branches_added.push(said);
                }
            }
            Some(_) => {}
        }
    }
    banks::insert_branches(tx, &bank.code, &new).await?;
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
