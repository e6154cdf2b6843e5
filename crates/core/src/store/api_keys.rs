//! API keys of bank systems (hashed).

use chrono::{DateTime, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyRow {
    pub id: Uuid,
    pub bank_code: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The user (without a password) the key's writes are recorded under.
    pub actor_id: Option<Uuid>,
}

const COLUMNS: &str = "id, bank_code, label, created_at, revoked_at, last_used_at, actor_id";

/// A new key: its bank, label, hash, who made it and the user it acts as.
pub struct NewKey<'a> {
    pub id: Uuid,
    pub bank: &'a str,
    pub label: &'a str,
    pub key_hash: &'a str,
    pub by: Uuid,
    pub actor: Uuid,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, k: &NewKey<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO api_keys (id, bank_code, label, key_hash, created_by, created_at, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    ).bind(k.id).bind(k.bank).bind(k.label).bind(k.key_hash).bind(k.by).bind(k.now).bind(k.actor)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every key, or only one bank's.
pub async fn all(db: &Db, bank: Option<&str>) -> Result<Vec<KeyRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_keys WHERE ($1 IS NULL OR bank_code = $1) ORDER BY created_at DESC"
    );
    on_db!(db, p => sqlx::query_as::<_, KeyRow>(&sql).bind(bank).fetch_all(p).await)
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<KeyRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, KeyRow>(&sql).bind(id).fetch_optional(p).await)
}

/// Gives a key made before keys had users the user it acts as.
pub async fn set_actor(tx: &mut Tx, id: Uuid, actor: Uuid) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE api_keys SET actor_id = $2 WHERE id = $1 AND actor_id IS NULL")
        .bind(id).bind(actor).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
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

/// A debit line as the REST API shows it, with the bank's answer if any.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ApiLine {
    pub seq: i64,
    pub id: Uuid,
    pub claim_id: Uuid,
    pub reference: String,
    pub position: i64,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub debit_date: chrono::NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
    pub bank_verdict: Option<String>,
    pub confirmed_amount: Option<Yen>,
    pub bank_answered_at: Option<DateTime<Utc>>,
}

const LINE_COLUMNS: &str = "c.seq, l.id, l.claim_id, c.reference, l.position, l.branch_code, l.account_type,
    l.account_number, l.debit_date, l.amount, l.descriptor, l.bank_verdict, l.confirmed_amount, l.bank_answered_at";

/// Up to `limit` pending lines after the cursor (claim seq, line position).
pub async fn pending_lines(
    db: &Db,
    bank: &str,
    after: (i64, i64),
    limit: i64,
) -> Result<Vec<ApiLine>, sqlx::Error> {
    let open = super::open_states();
    let sql = format!(
        "SELECT {LINE_COLUMNS}
         FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE l.bank_code = $1 AND l.bank_verdict IS NULL AND c.state IN {open}
           AND (c.seq > $2 OR (c.seq = $2 AND l.position > $3))
         ORDER BY c.seq, l.position LIMIT $4"
    );
    on_db!(db, p => sqlx::query_as::<_, ApiLine>(&sql).bind(bank).bind(after.0).bind(after.1).bind(limit).fetch_all(p).await)
}

/// One line at `bank` on a claim the bank sees (any other: None).
pub async fn line_at_bank(db: &Db, bank: &str, id: Uuid) -> Result<Option<ApiLine>, sqlx::Error> {
    let open = super::open_states();
    let sql = format!(
        "SELECT {LINE_COLUMNS}
         FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE l.id = $1 AND l.bank_code = $2 AND c.state IN {open}"
    );
    on_db!(db, p => sqlx::query_as::<_, ApiLine>(&sql).bind(id).bind(bank).fetch_optional(p).await)
}

/// What was stored under an Idempotency-Key.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: i32,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Claims `key` for a request with `fingerprint`; false when the key was
/// used before (then read what is stored).
pub async fn reserve_idempotency(
    tx: &mut Tx,
    api_key: Uuid,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO idempotency_keys (api_key_id, key, fingerprint, status, body, created_at)
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (api_key_id, key) DO NOTHING",
    ).bind(api_key).bind(key).bind(fingerprint).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn stored_response(
    db: &Db,
    api_key: Uuid,
    key: &str,
) -> Result<Option<StoredResponse>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, StoredResponse>(
        "SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE api_key_id = $1 AND key = $2",
    ).bind(api_key).bind(key).fetch_optional(p).await)
}

/// Keeps the response of the request that reserved `key`.
pub async fn store_response(
    tx: &mut Tx,
    api_key: Uuid,
    key: &str,
    status: i32,
    body: &str,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE api_key_id = $1 AND key = $2",
    ).bind(api_key).bind(key).bind(status).bind(body).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Frees `key` (the request failed on our side; the client may retry it),
/// or a reservation left by a request that never finished.
pub async fn release_idempotency(
    tx: &mut Tx,
    api_key: Uuid,
    key: &str,
    created_before: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND key = $2 AND status = 0
           AND ($3 IS NULL OR created_at < $3)",
    ).bind(api_key).bind(key).bind(created_before).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Forgets stored responses older than `before` (keys are kept 24 hours).
pub async fn prune_idempotency(tx: &mut Tx, before: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
