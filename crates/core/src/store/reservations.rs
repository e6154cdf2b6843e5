//! Debit reservations: each real-world debit (bank, branch, account, date,
//! amount, and the bank's reference once it gave one) is held by at most one
//! case from its approval on. The database enforces it (migration 0018);
//! this module writes, releases and reads them, and finds what a batch or
//! the ledger would pay twice, keyed by the debit, never by a claim's line.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// Every debit line with the values that identify its money: the bank's
/// confirmed date, amount and reference where its latest answer confirmed
/// it, the claimant's otherwise; and the amount approved for it.
const KEYED: &str =
    "SELECT d.id AS line_id, d.claim_id, d.position, d.bank_code, d.branch_code, d.account_number,
            COALESCE(a.bank_date, d.debit_date) AS debit_date,
            COALESCE(a.confirmed_amount, d.amount) AS amount,
            UPPER(TRIM(COALESCE(a.bank_reference, ''))) AS bank_reference,
            CAST(COALESCE(d.approved_amount, 0) AS BIGINT) AS approved
     FROM debit_lines d
     LEFT JOIN line_answers a ON a.id = (SELECT x.id FROM line_answers x WHERE x.line_id = d.id
                                          ORDER BY x.at DESC LIMIT 1)
                              AND a.verdict = 'confirmed'";

/// Two rows `a` and `b` name the same debit (the five values agree and the
/// references do not tell them apart).
macro_rules! same_debit {
    ($a:literal, $b:literal) => {
        concat!(
            $a,
            ".bank_code = ",
            $b,
            ".bank_code AND ",
            $a,
            ".branch_code = ",
            $b,
            ".branch_code AND ",
            $a,
            ".account_number = ",
            $b,
            ".account_number AND ",
            $a,
            ".debit_date = ",
            $b,
            ".debit_date AND ",
            $a,
            ".amount = ",
            $b,
            ".amount AND (",
            $a,
            ".bank_reference = '' OR ",
            $b,
            ".bank_reference = '' OR ",
            $a,
            ".bank_reference = ",
            $b,
            ".bank_reference)"
        )
    };
}

/// A debit line as the money sees it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct KeyedLine {
    pub line_id: Uuid,
    pub claim_id: Uuid,
    pub position: i64,
    pub bank_code: String,
    pub branch_code: String,
    pub account_number: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub bank_reference: String,
    pub approved: Yen,
}

/// A case's debit lines.
pub async fn lines(db: &Db, claim: Uuid) -> Result<Vec<KeyedLine>, sqlx::Error> {
    let sql = format!("{KEYED} WHERE d.claim_id = $1 ORDER BY d.position");
    on_db!(db, p => sqlx::query_as::<_, KeyedLine>(&sql).bind(claim).fetch_all(p).await)
}

/// A case's debit lines, as its transaction sees them.
pub async fn lines_tx(tx: &mut Tx, claim: Uuid) -> Result<Vec<KeyedLine>, sqlx::Error> {
    let sql = format!("{KEYED} WHERE d.claim_id = $1 ORDER BY d.position");
    on_tx!(tx, c => sqlx::query_as::<_, KeyedLine>(&sql).bind(claim).fetch_all(c).await)
}

/// Reserves one line's debit for its case. Fails with a unique violation
/// (the index, or the trigger for a blank reference) when another active
/// reservation holds the same debit.
pub async fn reserve(
    tx: &mut Tx,
    line: &KeyedLine,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO debit_reservations (id, debit_line_id, claim_id, bank_code, branch_code, account_number,
                                         debit_date, amount, bank_reference, reserved, reserved_by, reserved_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    ).bind(Uuid::new_v4()).bind(line.line_id).bind(line.claim_id).bind(&line.bank_code)
    .bind(&line.branch_code).bind(&line.account_number).bind(line.debit_date).bind(line.amount)
    .bind(&line.bank_reference).bind(line.approved).bind(by).bind(at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// True when the error is the database refusing a second reservation.
pub fn is_conflict(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || d.message().contains("debit_reserved_twice")
        }
        _ => false,
    }
}

/// Ends a case's active reservations (rejected, withdrawn, closed); returns
/// how many.
pub async fn release_claim(
    tx: &mut Tx,
    claim: Uuid,
    by: Option<Uuid>,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE debit_reservations SET released_at = $3, released_by = $2, release_reason = $4
         WHERE claim_id = $1 AND released_at IS NULL",
    ).bind(claim).bind(by).bind(at).bind(reason).execute(c).await.map(|r| r.rows_affected()))
}

/// Ends the active reservation of one line of a case; false if it had none.
pub async fn release_line(
    tx: &mut Tx,
    claim: Uuid,
    position: i64,
    by: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE debit_reservations SET released_at = $4, released_by = $3, release_reason = $5
         WHERE claim_id = $1 AND released_at IS NULL
           AND debit_line_id = (SELECT id FROM debit_lines WHERE claim_id = $1 AND position = $2)",
    ).bind(claim).bind(position).bind(by).bind(at).bind(reason).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Another case holding one of this case's debits.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct HeldElsewhere {
    /// The line of this case.
    pub position: i64,
    /// The case that holds the debit, and its state.
    pub reference: String,
    pub state: String,
}

/// Which of this case's debits other cases hold (active reservations).
pub async fn held_elsewhere(db: &Db, claim: Uuid) -> Result<Vec<HeldElsewhere>, sqlx::Error> {
    let sql = format!(
        "WITH m AS ({KEYED} WHERE d.claim_id = $1)
         SELECT m.position, c.reference, c.state FROM m
         JOIN debit_reservations r ON r.released_at IS NULL AND r.claim_id <> m.claim_id AND {}
         JOIN claims c ON c.id = r.claim_id
         ORDER BY m.position, c.reference",
        same_debit!("r", "m")
    );
    on_db!(db, p => sqlx::query_as::<_, HeldElsewhere>(&sql).bind(claim).fetch_all(p).await)
}

/// A line of a batch that must not be paid: its case does not hold the
/// debit (`other` is None), or another line of the batch pays the same
/// debit (`other` names that case).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct BatchConflict {
    pub reference: String,
    pub position: i64,
    pub other: Option<String>,
}

const BATCH_CONFLICTS: &str = "WITH k AS (SELECT x.*, c.reference FROM payout_lines pl
                   JOIN claims c ON c.id = pl.claim_id
                   JOIN (KEYED) x ON x.claim_id = pl.claim_id
                   WHERE pl.batch_id = $1 AND x.approved > 0)
     SELECT k.reference, k.position, CAST(NULL AS TEXT) AS other FROM k
      WHERE NOT EXISTS (SELECT 1 FROM debit_reservations r WHERE r.debit_line_id = k.line_id
                          AND r.claim_id = k.claim_id AND r.released_at IS NULL)
     UNION ALL
     SELECT a.reference, a.position, b.reference AS other FROM k a JOIN k b
       ON b.line_id <> a.line_id AND SAME
     ORDER BY 1, 2";

fn batch_conflicts_sql() -> String {
    BATCH_CONFLICTS
        .replace("KEYED", KEYED)
        .replace("SAME", same_debit!("a", "b"))
}

/// What in this batch would pay a debit its case does not hold, or twice.
pub async fn batch_conflicts(db: &Db, batch: Uuid) -> Result<Vec<BatchConflict>, sqlx::Error> {
    let sql = batch_conflicts_sql();
    on_db!(db, p => sqlx::query_as::<_, BatchConflict>(&sql).bind(batch).fetch_all(p).await)
}

/// The same, as a transaction sees it (at making and at release).
pub async fn batch_conflicts_tx(
    tx: &mut Tx,
    batch: Uuid,
) -> Result<Vec<BatchConflict>, sqlx::Error> {
    let sql = batch_conflicts_sql();
    on_tx!(tx, c => sqlx::query_as::<_, BatchConflict>(&sql).bind(batch).fetch_all(c).await)
}

/// The money invariants keyed by the real-world debit; each count must be 0.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebitViolations {
    /// Debits actively reserved by more than one line.
    pub reserved_twice: i64,
    /// Debits in more than one transfer waiting for its result.
    pub scheduled_twice: i64,
    /// Debits waiting in a transfer while already paid in another.
    pub scheduled_while_paid: i64,
    /// Debits paid in more than one transfer.
    pub paid_twice: i64,
    /// Approved debit lines of approved, scheduled or paid cases that hold
    /// no reservation of their own.
    pub unreserved: i64,
    /// Debits whose scheduled and paid amounts add up to more than the debit.
    pub over_amount: i64,
}

/// Groups of lines naming one debit more times than their references tell
/// apart, among the lines `which` selects (payout line `p`).
fn twice(which: &str) -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT k.bank_code FROM ({KEYED}) k
           JOIN payout_lines p ON p.claim_id = k.claim_id AND {which}
          WHERE k.approved > 0
          GROUP BY k.bank_code, k.branch_code, k.account_number, k.debit_date, k.amount
          HAVING COUNT(*) > 1 AND COUNT(*) > COUNT(DISTINCT NULLIF(k.bank_reference, ''))) t"
    )
}

pub async fn violations(db: &Db) -> Result<DebitViolations, sqlx::Error> {
    let q = |sql: String| async move {
        on_db!(db, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await)
    };
    Ok(DebitViolations {
        reserved_twice: q("SELECT COUNT(*) FROM (SELECT bank_code FROM debit_reservations
                            WHERE released_at IS NULL
                            GROUP BY bank_code, branch_code, account_number, debit_date, amount
                            HAVING COUNT(*) > 1 AND COUNT(*) > COUNT(DISTINCT NULLIF(bank_reference, ''))) t"
            .to_owned())
        .await?,
        scheduled_twice: q(twice("p.result IS NULL")).await?,
        paid_twice: q(twice("p.result = 'paid'")).await?,
        scheduled_while_paid: q(format!(
            "SELECT COUNT(*) FROM (SELECT k.bank_code FROM ({KEYED}) k
               JOIN payout_lines p ON p.claim_id = k.claim_id AND (p.result IS NULL OR p.result = 'paid')
              WHERE k.approved > 0
              GROUP BY k.bank_code, k.branch_code, k.account_number, k.debit_date, k.amount
              HAVING SUM(CASE WHEN p.result IS NULL THEN 1 ELSE 0 END) > 0
                 AND SUM(CASE WHEN p.result = 'paid' THEN 1 ELSE 0 END) > 0
                 AND COUNT(*) > COUNT(DISTINCT NULLIF(k.bank_reference, ''))) t"
        ))
        .await?,
        unreserved: q(format!(
            "SELECT COUNT(*) FROM ({KEYED}) k JOIN claims c ON c.id = k.claim_id
              WHERE k.approved > 0 AND c.state IN ('approved', 'payout_scheduled', 'paid')
                AND NOT EXISTS (SELECT 1 FROM debit_reservations r WHERE r.debit_line_id = k.line_id
                                  AND r.claim_id = k.claim_id AND r.released_at IS NULL)"
        ))
        .await?,
        over_amount: q(format!(
            "SELECT COUNT(*) FROM (SELECT k.bank_code FROM ({KEYED}) k
               JOIN payout_lines p ON p.claim_id = k.claim_id AND (p.result IS NULL OR p.result = 'paid')
              WHERE k.approved > 0
              GROUP BY k.bank_code, k.branch_code, k.account_number, k.debit_date, k.amount, k.bank_reference
              HAVING SUM(k.approved) > MAX(k.amount)) t"
        ))
        .await?,
    })
}
