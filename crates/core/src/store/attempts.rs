use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::on_tx;

/// Records one attempt under `key` and returns how many attempts under that
/// key fall in the window (this one included). In the database, so the limit
/// holds across every server process. Attempts under one key take turns: on
/// PostgreSQL a lock on the key held to the transaction's end (under READ
/// COMMITTED two attempts inserting at once would each count without the
/// other, and both pass the last free place); SQLite's one writer already
/// does.
pub async fn record_and_count(
    tx: &mut Tx,
    key: &str,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("auth_attempts:{key}"))
            .execute(&mut crate::pg_statements::PgConn(t))
            .await?;
    }
    on_tx!(tx, c => {
        sqlx::query("INSERT INTO auth_attempts (id, key, at) VALUES ($1, $2, $3)")
            .bind(Uuid::new_v4()).bind(key).bind(now).execute(&mut *c).await?;
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM auth_attempts WHERE key = $1 AND at > $2")
            .bind(key).bind(since).fetch_one(&mut *c).await
    })
}

/// The oldest attempt in the window: the limit lifts when it ages out.
pub async fn oldest_since(
    tx: &mut Tx,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, DateTime<Utc>>("SELECT at FROM auth_attempts WHERE key = $1 AND at > $2 ORDER BY at LIMIT 1")
        .bind(key).bind(since).fetch_optional(c).await)
}

/// Forgets the latest attempt under `key` (one that turned out fine).
pub async fn forget_latest(tx: &mut Tx, key: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "DELETE FROM auth_attempts WHERE id = (SELECT id FROM auth_attempts WHERE key = $1 ORDER BY at DESC LIMIT 1)",
    ).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn clear(tx: &mut Tx, key: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM auth_attempts WHERE key = $1").bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn prune(tx: &mut Tx, before: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM auth_attempts WHERE at < $1").bind(before).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
