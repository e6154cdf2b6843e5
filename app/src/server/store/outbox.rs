use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::server::db::{Db, Tx};
use crate::{on_db, on_tx};

pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
}

pub async fn enqueue(
    tx: &mut Tx,
    mail: &NewMail<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO outbox (id, kind, to_addr, subject, body_text, created_at, next_attempt_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $6, 0)",
    )
    .bind(id).bind(mail.kind).bind(mail.to).bind(mail.subject).bind(mail.body_text).bind(now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub attempts: i64,
}

/// Claims one due mail for `lease` (compare-and-set on `locked_until`), so two
/// sender processes never send the same row at once.
pub async fn claim_due(
    tx: &mut Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<OutboxRow>, sqlx::Error> {
    on_tx!(tx, c => {
        let candidate: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
               AND (locked_until IS NULL OR locked_until < $1)
             ORDER BY next_attempt_at LIMIT 1",
        ).bind(now).fetch_optional(&mut *c).await?;
        let Some(id) = candidate else { return Ok(None) };
        sqlx::query_as::<_, OutboxRow>(
            "UPDATE outbox SET locked_until = $3
             WHERE id = $1 AND sent_at IS NULL AND (locked_until IS NULL OR locked_until < $2)
             RETURNING id, kind, to_addr, subject, body_text, attempts",
        ).bind(id).bind(now).bind(lease_until).fetch_optional(&mut *c).await
    })
}

pub async fn mark_sent(db: &Db, id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query("UPDATE outbox SET sent_at = $2, locked_until = NULL, attempts = attempts + 1 WHERE id = $1")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, locked_until = NULL WHERE id = $1",
    ).bind(id).bind(error).bind(retry_at).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Mail for one address, newest first (tests and the admin's view read it).
pub async fn for_address(db: &Db, to: &str) -> Result<Vec<OutboxRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, OutboxRow>(
        "SELECT id, kind, to_addr, subject, body_text, attempts FROM outbox WHERE to_addr = $1 ORDER BY created_at DESC",
    ).bind(to).fetch_all(p).await)
}
