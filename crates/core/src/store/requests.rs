//! Requests for information from staff to a claimant, and the answers.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RequestRow {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub question: String,
    /// Section names, comma-separated.
    pub sections: String,
    pub created_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, claim_id, question, sections, created_at, answer, answered_at";

pub async fn insert(
    tx: &mut Tx,
    claim_id: Uuid,
    asked_by: Uuid,
    question: &str,
    sections: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO info_requests (id, claim_id, asked_by, question, sections, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    ).bind(id).bind(claim_id).bind(asked_by).bind(question).bind(sections).bind(now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// The request still waiting for an answer, if any.
pub async fn open_for(db: &Db, claim_id: Uuid) -> Result<Option<RequestRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM info_requests WHERE claim_id = $1 AND answered_at IS NULL ORDER BY created_at DESC LIMIT 1"
    );
    on_db!(db, p => sqlx::query_as::<_, RequestRow>(&sql).bind(claim_id).fetch_optional(p).await)
}

/// Every request of a claim with its answer, oldest first.
pub async fn for_claim(db: &Db, claim_id: Uuid) -> Result<Vec<RequestRow>, sqlx::Error> {
    let sql =
        format!("SELECT {COLUMNS} FROM info_requests WHERE claim_id = $1 ORDER BY created_at");
    on_db!(db, p => sqlx::query_as::<_, RequestRow>(&sql).bind(claim_id).fetch_all(p).await)
}

pub async fn answer(
    tx: &mut Tx,
    id: Uuid,
    answer: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE info_requests SET answer = $2, answered_at = $3 WHERE id = $1 AND answered_at IS NULL",
    ).bind(id).bind(answer).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// An open request old enough for a reminder or for telling the reviewer:
/// the claim, and who to write to in which language.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DueRequest {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub reference: String,
    pub created_at: DateTime<Utc>,
    pub email: String,
    pub lang: String,
}

/// Open requests asked before `before` and not yet recalled to the claimant.
pub async fn needing_reminder(
    db: &Db,
    before: DateTime<Utc>,
) -> Result<Vec<DueRequest>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, DueRequest>(
        "SELECT r.id, r.claim_id, c.reference, r.created_at, u.email, u.lang
         FROM info_requests r JOIN claims c ON c.id = r.claim_id JOIN users u ON u.id = c.claimant_id
         WHERE r.answered_at IS NULL AND r.reminded_at IS NULL AND r.created_at < $1
           AND c.state = 'awaiting_claimant'",
    ).bind(before).fetch_all(p).await)
}

/// Open requests asked before `before` whose reviewer has not been told.
pub async fn needing_escalation(
    db: &Db,
    before: DateTime<Utc>,
) -> Result<Vec<DueRequest>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, DueRequest>(
        "SELECT r.id, r.claim_id, c.reference, r.created_at, u.email, u.lang
         FROM info_requests r JOIN claims c ON c.id = r.claim_id JOIN users u ON u.id = r.asked_by
         WHERE r.answered_at IS NULL AND r.escalated_at IS NULL AND r.created_at < $1
           AND c.state = 'awaiting_claimant'",
    ).bind(before).fetch_all(p).await)
}

/// Marks a request recalled (once: false if someone else did it first, or
/// the claimant has answered meanwhile: an answered request is not recalled).
pub async fn mark_reminded(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE info_requests SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND answered_at IS NULL")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks the reviewer told of a request left unanswered (once: false if
/// someone else did it first, or the claimant has answered meanwhile).
pub async fn mark_escalated(
    tx: &mut Tx,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE info_requests SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL AND answered_at IS NULL")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
