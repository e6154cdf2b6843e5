//! The outbox: mail written in the transaction of the change that causes it,
//! then claimed, sent and marked by the sender (any number of processes).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub claim_id: Option<Uuid>,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
}

pub async fn enqueue(
    tx: &mut Tx,
    mail: &NewMail<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO outbox (id, kind, to_addr, subject, body_text, body_html, claim_id, created_at, next_attempt_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, 0)",
    )
    .bind(id).bind(mail.kind).bind(mail.to).bind(mail.subject).bind(mail.body_text)
    .bind(mail.body_html).bind(mail.claim_id).bind(now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Writes many mails at once (`tx`: the change that causes them), a
/// statement per hundred.
pub async fn enqueue_many(
    tx: &mut Tx,
    mails: &[NewMail<'_>],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in mails.chunks(100) {
        let rows = (0..chunk.len())
            .map(|i| {
                let b = 2 + i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, $1, $1, 0)",
                    b,
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!(
            "INSERT INTO outbox (id, kind, to_addr, subject, body_text, body_html, claim_id, created_at, next_attempt_at, attempts)
             VALUES {rows}"
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).bind(now);
            for m in chunk {
                q = q.bind(Uuid::new_v4()).bind(m.kind).bind(m.to).bind(m.subject)
                    .bind(m.body_text).bind(m.body_html).bind(m.claim_id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: Uuid,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

const ROW: &str = "id, kind, to_addr, subject, body_text, body_html, attempts, created_at";

/// Hands back a claimed mail not sent (a process stopping): any process's
/// sender may take it at once instead of after its lease.
pub async fn release(db: &Db, id: Uuid) -> Result<(), sqlx::Error> {
    on_db!(db, p => sqlx::query(
        "UPDATE outbox SET locked_until = NULL WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL")
        .bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Claims up to `limit` due mails until `lease_until`. On PostgreSQL the rows
/// are picked `FOR UPDATE SKIP LOCKED`, so processes claiming at the same
/// moment take different rows; on SQLite the single writer does the same.
/// A claimed row is not offered again until its lease runs out.
pub async fn claim_due(
    tx: &mut Tx,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let skip_locked = match tx {
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Tx::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE outbox SET locked_until = $3
          WHERE id IN (SELECT id FROM outbox
                        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                          AND (locked_until IS NULL OR locked_until < $1)
                        ORDER BY next_attempt_at LIMIT $2{skip_locked})
         RETURNING {ROW}"
    );
    on_tx!(tx, c => sqlx::query_as::<_, OutboxRow>(&sql)
        .bind(now).bind(limit).bind(lease_until).fetch_all(c).await)
}

/// Sent: the row is done. `by` names the process that sent it.
pub async fn mark_sent(db: &Db, id: Uuid, by: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET sent_at = $2, sent_by = $3, locked_until = NULL, attempts = attempts + 1, last_error = NULL
          WHERE id = $1 AND sent_at IS NULL")
        .bind(id).bind(now).bind(by).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// A temporary failure: tried again at `retry_at`.
pub async fn mark_retry(
    db: &Db,
    id: Uuid,
    error: &str,
    retry_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, locked_until = NULL
          WHERE id = $1 AND sent_at IS NULL",
    ).bind(id).bind(error).bind(retry_at).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// A permanent failure (the server refused the address or the message, or
/// temporary failures went on too long): not tried again unless an admin
/// asks for it.
pub async fn mark_failed(
    db: &Db,
    id: Uuid,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $2, failed_at = $3, locked_until = NULL
          WHERE id = $1 AND sent_at IS NULL",
    ).bind(id).bind(error).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// An admin asks for a failed or waiting mail to be tried now. Returns
/// whether there was such a mail (a sent one is never sent again).
pub async fn retry_now(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE outbox SET failed_at = NULL, next_attempt_at = $2
          WHERE id = $1 AND sent_at IS NULL AND (locked_until IS NULL OR locked_until < $2)",
    ).bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A mail's state, for the admin's list and a case's page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MailStatus {
    pub id: Uuid,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub attempts: i64,
    pub sent_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

const STATUS: &str = "id, kind, to_addr, subject, created_at, next_attempt_at, attempts, sent_at, failed_at, last_error";

/// Failed mails first, then those still waiting, oldest first (at most `limit`).
pub async fn unsent(db: &Db, limit: i64) -> Result<Vec<MailStatus>, sqlx::Error> {
    let sql = format!(
        "SELECT {STATUS} FROM outbox WHERE sent_at IS NULL
          ORDER BY CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END, created_at LIMIT $1"
    );
    on_db!(db, p => sqlx::query_as::<_, MailStatus>(&sql).bind(limit).fetch_all(p).await)
}

/// (failed, waiting) counts.
pub async fn unsent_counts(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN failed_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT)
           FROM outbox WHERE sent_at IS NULL").fetch_one(p).await)
}

/// The mails about one case, newest first.
pub async fn for_claim(db: &Db, claim: Uuid) -> Result<Vec<MailStatus>, sqlx::Error> {
    let sql = format!("SELECT {STATUS} FROM outbox WHERE claim_id = $1 ORDER BY created_at DESC");
    on_db!(db, p => sqlx::query_as::<_, MailStatus>(&sql).bind(claim).fetch_all(p).await)
}

/// Mail for one address, newest first (tests read it).
pub async fn for_address(db: &Db, to: &str) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!("SELECT {ROW} FROM outbox WHERE to_addr = $1 ORDER BY created_at DESC");
    on_db!(db, p => sqlx::query_as::<_, OutboxRow>(&sql).bind(to).fetch_all(p).await)
}
