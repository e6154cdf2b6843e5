//! Loaded postcode lists (the shipped one is in the binary).

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A loaded list as it is recorded: its whole data in the compact form.
pub struct NewList<'a> {
    pub id: uuid::Uuid,
    pub actor: Option<uuid::Uuid>,
    pub file_name: &'a str,
    pub codes: i64,
    /// What it changed, as JSON.
    pub changes: &'a str,
    pub data: &'a [u8],
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Records a loaded list.
pub async fn insert(tx: &mut Tx, l: NewList<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO postcode_lists (id, actor_id, file_name, codes, changes, data, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(l.id).bind(l.actor).bind(l.file_name).bind(l.codes).bind(l.changes).bind(l.data).bind(l.at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The newest loaded list's id, if any was loaded.
pub async fn newest(db: &Db) -> Result<Option<uuid::Uuid>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT id FROM postcode_lists ORDER BY at DESC, id LIMIT 1")
        .fetch_optional(p).await)
}

/// One loaded list's data (the compact form, gzipped).
pub async fn data(db: &Db, id: uuid::Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT data FROM postcode_lists WHERE id = $1")
        .bind(id).fetch_optional(p).await)
}
