use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::on_tx;

/// Wrong codes a token takes (through its selector) before it stops working.
pub const MAX_FAILURES: i64 = 5;

/// A mailed code as stored: the hash of the whole code, and its selector
/// (its first characters, which name it without proving anything).
pub struct Code<'a> {
    pub hash: &'a str,
    pub selector: &'a str,
}

pub async fn insert(
    tx: &mut Tx,
    code: &Code<'_>,
    user_id: Uuid,
    purpose: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO email_tokens (token_hash, selector, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(code.hash).bind(code.selector).bind(user_id).bind(purpose).bind(expires_at).bind(now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Uses a token once: marks it used if it is unused, of this purpose, not
/// expired and not tried too often, and returns its user. A second use
/// finds nothing.
pub async fn consume(
    tx: &mut Tx,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(
        "UPDATE email_tokens SET used_at = $3
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND failures < $4
         RETURNING user_id",
    )
    .bind(token_hash).bind(purpose).bind(now).bind(MAX_FAILURES)
    .fetch_optional(c).await)
}

/// A wrong code: counted against the open tokens its selector names.
pub async fn count_failure(
    tx: &mut Tx,
    selector: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE email_tokens SET failures = failures + 1
         WHERE selector = $1 AND selector <> '' AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(selector).bind(purpose).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Looks a token up without using it (to show the right page before a POST).
pub async fn is_usable(
    tx: &mut Tx,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM email_tokens WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND failures < $4",
    )
    .bind(token_hash).bind(purpose).bind(now).bind(MAX_FAILURES)
    .fetch_one(c).await)?;
    Ok(n > 0)
}

/// Spends every open token of a user for a purpose (a new reset link voids the old).
pub async fn void_open(
    tx: &mut Tx,
    user_id: Uuid,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id).bind(purpose).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
