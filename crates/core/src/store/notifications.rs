//! What the notices read and mark: the claimant told every bank has
//! answered (in the transaction of the last answer), the counts of the
//! daily digests, and the digests written.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// Marks the claimants of `claims` told, each once (a claim another
/// process or an earlier answer marked is left); returns those marked now
/// with (reference, claimant's address, claimant's language), read in `tx`:
/// the transaction that moves the cases on writes the mails.
pub async fn mark_bank_checked(
    tx: &mut Tx,
    claims: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<(Uuid, String, String, String)>, sqlx::Error> {
    let mut told = Vec::new();
    for chunk in claims.chunks(500) {
        let sql = format!(
            "UPDATE claims SET bank_checked_at = $1
              WHERE id IN ({}) AND bank_checked_at IS NULL RETURNING id",
            super::placeholders(2, chunk.len())
        );
        let marked: Vec<Uuid> = on_tx!(tx, c => {
            let mut q = sqlx::query_scalar::<_, Uuid>(&sql).bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        if marked.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT c.id, c.reference, u.email, u.lang
               FROM claims c JOIN users u ON u.id = c.claimant_id
              WHERE c.id IN ({}) ORDER BY c.reference",
            super::placeholders(1, marked.len())
        );
        let rows: Vec<(Uuid, String, String, String)> = on_tx!(tx, c => {
            let mut q = sqlx::query_as(&sql);
            for id in &marked {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        told.extend(rows);
    }
    Ok(told)
}

/// Records a digest as written for `day` (false if it already was: another
/// process, or an earlier pass, wrote it).
pub async fn claim_digest(
    tx: &mut Tx,
    kind: &str,
    scope: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "INSERT INTO digests (kind, scope, day, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
        .bind(kind).bind(scope).bind(day).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn digest_written(
    db: &Db,
    kind: &str,
    scope: &str,
    day: NaiveDate,
) -> Result<bool, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM digests WHERE kind = $1 AND scope = $2 AND day = $3")
        .bind(kind).bind(scope).bind(day).fetch_one(p).await.map(|n| n > 0))
}

/// (lines waiting, of which sent since `since`, of which sent before
/// `overdue_before`) at a bank: counts only.
pub async fn bank_waiting(
    db: &Db,
    bank: &str,
    since: DateTime<Utc>,
    overdue_before: DateTime<Utc>,
) -> Result<(i64, i64, i64), sqlx::Error> {
    let sql = format!(
        "SELECT COUNT(*),
                CAST(COALESCE(SUM(CASE WHEN c.submitted_at >= $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN c.submitted_at < $3 THEN 1 ELSE 0 END), 0) AS BIGINT)
           FROM debit_lines l JOIN claims c ON c.id = l.claim_id
          WHERE l.bank_code = $1 AND l.bank_verdict IS NULL
            AND c.state IN {}",
        super::open_states()
    );
    on_db!(db, p => sqlx::query_as::<_, (i64, i64, i64)>(&sql).bind(bank).bind(since).bind(overdue_before).fetch_one(p).await)
}

/// (state, cases, cases whose clock started on or before `late_start`) of
/// the operator's open queues.
pub async fn queue_counts(
    db: &Db,
    late_start: NaiveDate,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT state, COUNT(*),
                CAST(COALESCE(SUM(CASE WHEN state <> 'awaiting_claimant' AND sla_start <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT)
           FROM claims
          WHERE state IN ('submitted', 'bank_review', 'in_review', 'awaiting_claimant', 'assessed', 'approved',
                          'payout_scheduled', 'payout_failed')
          GROUP BY state",
    ).bind(late_start).fetch_all(p).await)
}

/// (address, language) of the active operator staff who get the digest.
pub async fn operator_recipients(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String)>(
        "SELECT email, lang FROM users
          WHERE role IN ('reviewer', 'approver', 'admin') AND disabled_at IS NULL AND email_verified_at IS NOT NULL
          ORDER BY email",
    ).fetch_all(p).await)
}
