//! Claims being written: one row per draft, the answers as one document.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DraftRow {
    pub id: Uuid,
    pub claimant_id: Uuid,
    pub answers: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, claimant_id, answers, version, created_at, updated_at";

pub async fn insert(
    tx: &mut Tx,
    id: Uuid,
    claimant: Uuid,
    answers: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO drafts (id, claimant_id, answers, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)",
    ).bind(id).bind(claimant).bind(answers).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn count_for(tx: &mut Tx, claimant: Uuid) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM drafts WHERE claimant_id = $1")
        .bind(claimant).fetch_one(c).await)
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<DraftRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM drafts WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, DraftRow>(&sql).bind(id).fetch_optional(p).await)
}

pub async fn by_id_tx(tx: &mut Tx, id: Uuid) -> Result<Option<DraftRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM drafts WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, DraftRow>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn for_claimant(db: &Db, claimant: Uuid) -> Result<Vec<DraftRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM drafts WHERE claimant_id = $1 ORDER BY updated_at DESC");
    on_db!(db, p => sqlx::query_as::<_, DraftRow>(&sql).bind(claimant).fetch_all(p).await)
}

/// Writes new answers if nobody saved in between (compare-and-set on the
/// version). Saving clears the expiry reminder: the draft is alive again.
pub async fn save(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    answers: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE drafts SET answers = $3, version = version + 1, updated_at = $4, reminder_sent_at = NULL
         WHERE id = $1 AND version = $2",
    ).bind(id).bind(version).bind(answers).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("DELETE FROM drafts WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A draft due for its expiry reminder, with its owner's address and language.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaleDraft {
    pub id: Uuid,
    pub email: String,
    pub lang: String,
    pub updated_at: DateTime<Utc>,
}

/// Drafts untouched since `before` whose owner has not been reminded.
pub async fn needing_reminder(
    db: &Db,
    before: DateTime<Utc>,
) -> Result<Vec<StaleDraft>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, StaleDraft>(
        "SELECT d.id, u.email, u.lang, d.updated_at FROM drafts d JOIN users u ON u.id = d.claimant_id
         WHERE d.updated_at < $1 AND d.reminder_sent_at IS NULL ORDER BY d.updated_at LIMIT 500",
    ).bind(before).fetch_all(p).await)
}

/// Marks the reminder sent, only if the draft is still untouched (a save in
/// between wins).
pub async fn mark_reminded(
    tx: &mut Tx,
    id: Uuid,
    updated_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE drafts SET reminder_sent_at = $3 WHERE id = $1 AND updated_at = $2 AND reminder_sent_at IS NULL",
    ).bind(id).bind(updated_at).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Drafts untouched since `before` and reminded at least `reminded_before`.
pub async fn expired(
    db: &Db,
    before: DateTime<Utc>,
    reminded_before: DateTime<Utc>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM drafts WHERE updated_at < $1 AND reminder_sent_at IS NOT NULL AND reminder_sent_at <= $2
         ORDER BY updated_at LIMIT 500",
    ).bind(before).bind(reminded_before).fetch_all(p).await)
}
