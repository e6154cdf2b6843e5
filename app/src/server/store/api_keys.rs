//! API keys of bank systems (hashed).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::server::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyRow {
    pub id: Uuid,
    pub bank_code: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, bank_code, label, created_at, revoked_at, last_used_at";

pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    bank: &str,
    label: &str,
    key_hash: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO api_keys (id, bank_code, label, key_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    ).bind(id).bind(bank).bind(label).bind(key_hash).bind(by).bind(now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn all(db: &Db) -> Result<Vec<KeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys ORDER BY created_at DESC");
    on_db!(db, p => sqlx::query_as::<_, KeyRow>(&sql).fetch_all(p).await)
}

/// The live (not revoked) key with this hash.
pub async fn live_by_hash(db: &Db, key_hash: &str) -> Result<Option<KeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL");
    on_db!(db, p => sqlx::query_as::<_, KeyRow>(&sql).bind(key_hash).fetch_optional(p).await)
}

pub async fn revoke(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn touch(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE api_keys SET last_used_at = $2 WHERE id = $1")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A pending line of the REST API: unanswered, at the bank, in claim order.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingLine {
    pub seq: i64,
    pub id: Uuid,
    pub reference: String,
    pub position: i64,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub debit_date: chrono::NaiveDate,
    pub amount: i64,
    pub descriptor: String,
}

/// Up to `limit` pending lines after the cursor (claim seq, line position).
pub async fn pending_lines(
    db: &Db,
    bank: &str,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<PendingLine>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, PendingLine>(
        "SELECT c.seq, l.id, c.reference, l.position, l.branch_code, l.account_type, l.account_number, l.debit_date,
                l.amount, l.descriptor
         FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE l.bank_code = $1 AND l.bank_verdict IS NULL
           AND c.state IN ('submitted', 'bank_review', 'in_review', 'awaiting_claimant', 'assessed')
           AND (c.seq > $2 OR (c.seq = $2 AND l.position > $3))
         ORDER BY c.seq, l.position LIMIT $4",
    ).bind(bank).bind(after.0).bind(after.1).bind(limit).fetch_all(p).await)
}
