//! The postcode lookup of the claim form, and a newer postcode list loaded
//! into a running system. Every process looks up in the newest loaded list
//! (kept in memory once read, so a lookup is one small query), or in the
//! list shipped in the binary when none was loaded.

use std::sync::{Arc, Mutex};

use crate::db::Db;
use crate::error::AppError;
use crate::postcodes::{Changes, Place, Postcodes};
use crate::store::postcodes as store;

/// The places a postcode names (none for an unknown or malformed code).
#[tracing::instrument(skip(db))]
pub async fn find(db: &Db, code: &str) -> Result<Vec<Place>, AppError> {
    Ok(current(db).await?.find(code).to_vec())
}

/// The list in force: the newest loaded one, else the shipped one.
#[tracing::instrument(skip_all)]
pub async fn current(db: &Db) -> Result<Arc<Postcodes>, AppError> {
    static READ: Mutex<Option<(uuid::Uuid, Arc<Postcodes>)>> = Mutex::new(None);
    let Some(id) = store::newest(db).await? else {
        return Ok(Postcodes::shipped());
    };
    if let Ok(read) = READ.lock()
        && let Some((at, list)) = read.as_ref()
        && *at == id
    {
        return Ok(list.clone());
    }
    let data = store::data(db, id).await?.unwrap_or_default();
    let list = Arc::new(Postcodes::read(&data).map_err(|e| {
        AppError::other(anyhow::anyhow!(
            "the loaded postcode list {id} is unreadable: {e}"
        ))
    })?);
    if let Ok(mut read) = READ.lock() {
        *read = Some((id, list.clone()));
    }
    Ok(list)
}

/// Loads a newer list (read with `Postcodes::read`) for every process:
/// stored whole, in one row; returns what it changed against the list in
/// force. A list less than half the size of the one in force (one
/// prefecture's file, a cut-off download) would take the other addresses
/// away: refused (`postcode_list_shrinks`) unless `allow_shrink`.
#[tracing::instrument(skip_all, fields(codes = list.len()))]
pub async fn update(
    db: &Db,
    actor: Option<uuid::Uuid>,
    file_name: &str,
    list: &Postcodes,
    allow_shrink: bool,
) -> Result<(uuid::Uuid, Changes), AppError> {
    let now = current(db).await?;
    if !allow_shrink && list.len() < now.len() / 2 {
        return Err(AppError::Conflict("postcode_list_shrinks"));
    }
    let changes = now.changes(list);
    let id = uuid::Uuid::new_v4();
    let json = serde_json::to_string(&changes).map_err(AppError::other)?;
    let data = list.to_compact_gz();
    let mut tx = db.begin().await?;
    store::insert(
        &mut tx,
        store::NewList {
            id,
            actor,
            file_name: &crate::domain::answers::clean_file_name(file_name),
            codes: list.len() as i64,
            changes: &json,
            data: &data,
            at: chrono::Utc::now(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        added = changes.added,
        changed = changes.changed,
        removed = changes.removed,
        "postcode list updated"
    );
    Ok((id, changes))
}
