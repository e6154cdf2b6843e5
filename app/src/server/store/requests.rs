//! Requests for information from staff to a claimant, and the answers.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::server::db::{Db, Tx};
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
