//! Payout batches, their lines and results, the ledger, the debits paid and
//! the cost split. No rules here: the payouts service decides.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::domain::payout::Movement;
use crate::{on_db, on_tx};

/// An approved case the ledger says is owed, with where to pay it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Candidate {
    pub id: Uuid,
    pub reference: String,
    pub seq: i64,
    pub version: i64,
    pub state: crate::domain::workflow::CaseState,
    pub owed: Yen,
    pub bank_code: Option<String>,
    pub branch_code: Option<String>,
    pub account_type: Option<String>,
    pub account_number: Option<String>,
    pub holder_kana: Option<String>,
    /// The holder's name as a bank confirmed it for this very account.
    pub bank_holder_kana: Option<String>,
}

/// Which approved cases a batch takes.
#[derive(Clone, Debug, Default)]
pub struct CandidateFilter {
    pub bank: Option<String>,
    pub min: Option<Yen>,
    pub max: Option<Yen>,
    /// Approved on or before this moment.
    pub approved_before: Option<DateTime<Utc>>,
}

/// What the ledger says each case in `states` is owed (only cases owed
/// something), oldest first.
pub async fn candidates(
    db: &Db,
    f: &CandidateFilter,
    limit: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = "SELECT c.id, c.reference, c.seq, c.version, c.state,
                      CAST(-SUM(l.amount) AS BIGINT) AS owed,
                      c.payout_bank_code AS bank_code, c.payout_branch_code AS branch_code,
                      c.payout_account_type AS account_type, c.payout_account_number AS account_number,
                      c.payout_holder_kana AS holder_kana,
                      (SELECT a.holder_kana FROM debit_lines d JOIN line_answers a ON a.line_id = d.id
                        WHERE d.claim_id = c.id AND a.verdict = 'confirmed' AND d.bank_code = c.payout_bank_code
                          AND d.branch_code = c.payout_branch_code AND d.account_number = c.payout_account_number
                        ORDER BY a.at DESC LIMIT 1) AS bank_holder_kana
               FROM claims c JOIN ledger_entries l ON l.claim_id = c.id AND l.account = 'owed_to_claimant'
               WHERE (c.state = 'approved'
                      OR (c.state = 'payout_failed' AND c.payout_changed_at >
                            (SELECT MAX(f.recorded_at) FROM payout_lines f
                              WHERE f.claim_id = c.id AND f.result = 'failed')))
                 AND ($1 IS NULL OR c.payout_bank_code = $1)
                 -- Every debit it pays is held by the case itself.
                 AND NOT EXISTS (SELECT 1 FROM debit_lines d WHERE d.claim_id = c.id AND d.approved_amount > 0
                                   AND NOT EXISTS (SELECT 1 FROM debit_reservations r
                                                    WHERE r.debit_line_id = d.id AND r.claim_id = c.id
                                                      AND r.released_at IS NULL))
                 AND ($2 IS NULL OR EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.id
                                            AND e.to_state = 'approved' AND e.at <= $2))
               GROUP BY c.id, c.reference, c.seq, c.version, c.state, c.payout_bank_code, c.payout_branch_code,
                        c.payout_account_type, c.payout_account_number, c.payout_holder_kana
               HAVING -SUM(l.amount) > 0
                  AND ($3 IS NULL OR -SUM(l.amount) >= $3) AND ($4 IS NULL OR -SUM(l.amount) <= $4)
               ORDER BY c.seq LIMIT $5";
    on_db!(db, p => sqlx::query_as::<_, Candidate>(sql)
        .bind(f.bank.as_deref()).bind(f.approved_before).bind(f.min).bind(f.max).bind(limit)
        .fetch_all(p).await)
}

/// The batch made from the form with this one-time token, if any.
pub async fn batch_for_request(db: &Db, request: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT number FROM payout_batches WHERE request_id = $1")
        .bind(request).fetch_optional(p).await)
}

pub async fn next_batch_number(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "UPDATE counters SET value = value + 1 WHERE name = 'payout_batch' RETURNING value",
    ).fetch_one(c).await)
}

pub struct NewBatch<'a> {
    pub id: Uuid,
    pub number: i64,
    pub request_id: &'a str,
    pub transfer_date: NaiveDate,
    pub line_count: i64,
    pub total: Yen,
    pub created_by: Uuid,
    pub at: DateTime<Utc>,
}

pub async fn insert_batch(tx: &mut Tx, b: &NewBatch<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO payout_batches (id, number, request_id, state, transfer_date, line_count, total, created_by, created_at)
         VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8)",
    ).bind(b.id).bind(b.number).bind(b.request_id).bind(b.transfer_date).bind(b.line_count)
    .bind(b.total).bind(b.created_by).bind(b.at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewLine<'a> {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub claim_id: Uuid,
    pub position: i64,
    pub amount: Yen,
    pub bank_code: &'a str,
    pub branch_code: &'a str,
    pub account_type: &'a str,
    pub account_number: &'a str,
    pub payee_kana: &'a str,
}

pub async fn insert_line(tx: &mut Tx, l: &NewLine<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO payout_lines (id, batch_id, claim_id, position, amount, bank_code, branch_code, account_type,
                                   account_number, payee_kana)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    ).bind(l.id).bind(l.batch_id).bind(l.claim_id).bind(l.position).bind(l.amount).bind(l.bank_code)
    .bind(l.branch_code).bind(l.account_type).bind(l.account_number).bind(l.payee_kana)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Writes the two legs of a movement for a case.
pub async fn post(
    tx: &mut Tx,
    claim: Uuid,
    batch: Option<Uuid>,
    movement: Movement,
    amount: Yen,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let txn = Uuid::new_v4();
    for (account, value) in movement.legs(amount.value()) {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO ledger_entries (id, txn_id, claim_id, batch_id, account, amount, kind, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        ).bind(Uuid::new_v4()).bind(txn).bind(claim).bind(batch).bind(account).bind(value)
        .bind(movement.as_str()).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// What the ledger says the operator owes the claimant of a case now (the
/// transaction's view).
pub async fn owed(tx: &mut Tx, claim: Uuid) -> Result<Yen, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, Yen>(
        "SELECT CAST(COALESCE(-SUM(amount), 0) AS BIGINT) FROM ledger_entries
         WHERE claim_id = $1 AND account = 'owed_to_claimant'",
    ).bind(claim).fetch_one(c).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct BatchRow {
    pub id: Uuid,
    pub number: i64,
    pub state: String,
    pub transfer_date: NaiveDate,
    pub line_count: i64,
    pub total: Yen,
    pub created_by: Uuid,
    pub creator: String,
    pub created_at: DateTime<Utc>,
    pub releaser: Option<String>,
    pub released_at: Option<DateTime<Utc>>,
    pub file_sha256: Option<String>,
    pub exported_at: Option<DateTime<Utc>>,
}

const BATCH: &str = "SELECT b.id, b.number, b.state, b.transfer_date, b.line_count, b.total, b.created_by,
        u.email AS creator, b.created_at, r.email AS releaser, b.released_at, b.file_sha256, b.exported_at
     FROM payout_batches b JOIN users u ON u.id = b.created_by LEFT JOIN users r ON r.id = b.released_by";

pub async fn batch(db: &Db, number: i64) -> Result<Option<BatchRow>, sqlx::Error> {
    let sql = format!("{BATCH} WHERE b.number = $1");
    on_db!(db, p => sqlx::query_as::<_, BatchRow>(&sql).bind(number).fetch_optional(p).await)
}

/// The newest batches first.
pub async fn batches(db: &Db, limit: i64) -> Result<Vec<BatchRow>, sqlx::Error> {
    let sql = format!("{BATCH} ORDER BY b.number DESC LIMIT $1");
    on_db!(db, p => sqlx::query_as::<_, BatchRow>(&sql).bind(limit).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub reference: String,
    pub seq: i64,
    pub position: i64,
    pub amount: Yen,
    pub bank_code: String,
    pub bank_kana: Option<String>,
    pub branch_code: String,
    pub branch_kana: Option<String>,
    pub account_type: String,
    pub account_number: String,
    pub payee_kana: String,
    pub result: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub fail_reason: Option<String>,
    pub fail_note: Option<String>,
}

pub async fn lines(db: &Db, batch: Uuid) -> Result<Vec<LineRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, LineRow>(
        "SELECT l.id, l.claim_id, c.reference, c.seq, l.position, l.amount, l.bank_code, b.kana AS bank_kana,
                l.branch_code, r.kana AS branch_kana, l.account_type, l.account_number, l.payee_kana, l.result,
                l.paid_on, l.fail_reason, l.fail_note
         FROM payout_lines l JOIN claims c ON c.id = l.claim_id
         LEFT JOIN banks b ON b.code = l.bank_code
         LEFT JOIN branches r ON r.bank_code = l.bank_code AND r.code = l.branch_code
         WHERE l.batch_id = $1 ORDER BY l.position",
    ).bind(batch).fetch_all(p).await)
}

/// Whom to tell of a batch's transfer date: per line, the case, its
/// reference, the amount, the account number, the claimant's e-mail and
/// language.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Payee {
    pub claim_id: Uuid,
    pub reference: String,
    pub amount: Yen,
    pub account_number: String,
    pub email: String,
    pub lang: String,
}

pub async fn payees(db: &Db, batch: Uuid) -> Result<Vec<Payee>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, Payee>(
        "SELECT l.claim_id, c.reference, l.amount, l.account_number, u.email, u.lang
         FROM payout_lines l JOIN claims c ON c.id = l.claim_id JOIN users u ON u.id = c.claimant_id
         WHERE l.batch_id = $1 ORDER BY l.position",
    ).bind(batch).fetch_all(p).await)
}

/// Releases an open batch; false if it is not open or `by` made it.
pub async fn release(
    tx: &mut Tx,
    batch: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE payout_batches SET state = 'released', released_by = $2, released_at = $3
         WHERE id = $1 AND state = 'open' AND created_by <> $2",
    ).bind(batch).bind(by).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Keeps the first export's file; later exports read it.
pub async fn store_file(
    tx: &mut Tx,
    batch: Uuid,
    file: &[u8],
    sha256: &str,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE payout_batches SET file = $2, file_sha256 = $3, exported_at = $4
         WHERE id = $1 AND file IS NULL AND state IN ('released', 'done')",
    ).bind(batch).bind(file).bind(sha256).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn file(db: &Db, batch: Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT file FROM payout_batches WHERE id = $1")
        .bind(batch).fetch_one(p).await)
}

/// Records a line's result once; false if it has one already.
pub async fn record(
    tx: &mut Tx,
    line: Uuid,
    outcome: &crate::domain::payout::Outcome,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    use crate::domain::payout::Outcome;
    let (result, paid_on, reason, note) = match outcome {
        Outcome::Paid { on } => ("paid", Some(*on), None, None),
        Outcome::Failed { reason, note } => {
            ("failed", None, Some(reason.as_str()), note.as_deref())
        }
    };
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE payout_lines SET result = $2, paid_on = $3, fail_reason = $4, fail_note = $5, recorded_by = $6,
                                 recorded_at = $7
         WHERE id = $1 AND result IS NULL",
    ).bind(line).bind(result).bind(paid_on).bind(reason).bind(note).bind(by).bind(at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A line's result as the transaction sees it: (result, paid on, reason).
pub async fn line_result(
    tx: &mut Tx,
    line: Uuid,
) -> Result<(Option<String>, Option<NaiveDate>, Option<String>), sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, (Option<String>, Option<NaiveDate>, Option<String>)>(
        "SELECT result, paid_on, fail_reason FROM payout_lines WHERE id = $1",
    ).bind(line).fetch_one(c).await)
}

/// A released batch whose every line has its result is done.
pub async fn finish_if_complete(tx: &mut Tx, batch: Uuid) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE payout_batches SET state = 'done' WHERE id = $1 AND state = 'released'
           AND NOT EXISTS (SELECT 1 FROM payout_lines WHERE batch_id = $1 AND result IS NULL)",
    ).bind(batch).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A debit line of a case about to be paid, as the system identifies it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DebitToPay {
    pub id: Uuid,
    pub bank_code: String,
    pub branch_code: String,
    pub account_number: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub approved: Yen,
    pub bank_reference: Option<String>,
    pub share_percent: i64,
}

pub async fn debits_to_pay(tx: &mut Tx, claim: Uuid) -> Result<Vec<DebitToPay>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, DebitToPay>(
        "SELECT d.id, d.bank_code, d.branch_code, d.account_number, d.debit_date, d.amount,
                d.approved_amount AS approved,
                (SELECT a.bank_reference FROM line_answers a WHERE a.line_id = d.id AND a.verdict = 'confirmed'
                  ORDER BY a.at DESC LIMIT 1) AS bank_reference,
                b.cost_share_percent AS share_percent
         FROM debit_lines d JOIN banks b ON b.code = d.bank_code
         WHERE d.claim_id = $1 AND d.approved_amount > 0 ORDER BY d.position",
    ).bind(claim).fetch_all(c).await)
}

/// Marks a debit line paid; fails (unique constraint) if it or the same
/// money was paid before.
pub async fn insert_paid_debit(
    tx: &mut Tx,
    d: &DebitToPay,
    claim: Uuid,
    payout_line: Uuid,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO paid_debits (debit_line_id, claim_id, payout_line_id, bank_code, branch_code, account_number,
                                  debit_date, amount, bank_reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    ).bind(d.id).bind(claim).bind(payout_line).bind(&d.bank_code).bind(&d.branch_code).bind(&d.account_number)
    .bind(d.debit_date).bind(d.amount).bind(d.bank_reference.as_deref().unwrap_or(""))
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct CostShare<'a> {
    pub claim_id: Uuid,
    pub bank_code: &'a str,
    pub debits_paid: Yen,
    pub share_percent: i64,
    pub bank_share: Yen,
    pub operator_share: Yen,
    pub paid_on: NaiveDate,
}

pub async fn insert_cost_share(tx: &mut Tx, s: &CostShare<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO cost_shares (claim_id, bank_code, debits_paid, share_percent, bank_share, operator_share, paid_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    ).bind(s.claim_id).bind(s.bank_code).bind(s.debits_paid).bind(s.share_percent).bind(s.bank_share)
    .bind(s.operator_share).bind(s.paid_on)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The line of a batch for a case reference.
pub async fn line_by_reference(
    db: &Db,
    batch: Uuid,
    reference: &str,
) -> Result<Option<(Uuid, Uuid, Yen, String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (Uuid, Uuid, Yen, String, String)>(
        "SELECT l.id, c.id, l.amount, c.reference, l.account_number FROM payout_lines l
         JOIN claims c ON c.id = l.claim_id WHERE l.batch_id = $1 AND c.reference = $2",
    ).bind(batch).bind(reference).fetch_optional(p).await)
}

/// (bank code, state, cases, amount owed or paid) per payout bank and case
/// state, from the ledger.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TotalRow {
    pub bank_code: Option<String>,
    pub state: String,
    pub cases: i64,
    pub approved: Yen,
    pub paid: Yen,
}

pub async fn totals(db: &Db) -> Result<Vec<TotalRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, TotalRow>(
        "SELECT c.payout_bank_code AS bank_code, c.state, COUNT(DISTINCT c.id) AS cases,
                CAST(COALESCE(SUM(CASE WHEN l.account = 'compensation' THEN l.amount ELSE 0 END), 0) AS BIGINT) AS approved,
                CAST(COALESCE(-SUM(CASE WHEN l.account = 'paid_out' THEN l.amount ELSE 0 END), 0) AS BIGINT) AS paid
         FROM claims c JOIN ledger_entries l ON l.claim_id = c.id
         GROUP BY c.payout_bank_code, c.state ORDER BY c.payout_bank_code, c.state",
    ).fetch_all(p).await)
}

/// The invariants' counts: each must be zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    /// Movements whose legs do not sum to zero (and the whole ledger's sum).
    pub unbalanced_txns: i64,
    pub ledger_sum: Yen,
    /// Cases paid out more than approved.
    pub overpaid_cases: i64,
    /// Debits paid more than once, keyed by the real-world debit (bank,
    /// branch, account, date, amount, reference), not by a claim's line.
    pub debits_paid_twice: i64,
    /// Debits actively reserved by more than one case.
    pub debits_reserved_twice: i64,
    /// Debits waiting in more than one transfer.
    pub debits_scheduled_twice: i64,
    /// Debits waiting in a transfer while paid in another.
    pub debits_scheduled_while_paid: i64,
    /// Approved debits of approved, scheduled or paid cases that their case
    /// does not hold.
    pub debits_unreserved: i64,
    /// Debits scheduled and paid for more than their amount.
    pub debits_over_amount: i64,
    /// Cases with more than one paid transfer.
    pub cases_paid_twice: i64,
    /// Paid cases whose ledger shows no payment, or payments without a paid line.
    pub paid_mismatch: i64,
}

pub async fn violations(db: &Db) -> Result<Violations, sqlx::Error> {
    let q = |sql: &'static str| async move {
        on_db!(db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await)
    };
    let debits = super::reservations::violations(db).await?;
    Ok(Violations {
        debits_reserved_twice: debits.reserved_twice,
        debits_scheduled_twice: debits.scheduled_twice,
        debits_scheduled_while_paid: debits.scheduled_while_paid,
        debits_unreserved: debits.unreserved,
        debits_over_amount: debits.over_amount,
        unbalanced_txns: q("SELECT COUNT(*) FROM (SELECT txn_id FROM ledger_entries GROUP BY txn_id
                                                 HAVING SUM(amount) <> 0) t")
        .await?,
        ledger_sum: Yen::from_db(q("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries").await?),
        overpaid_cases: q("SELECT COUNT(*) FROM (SELECT claim_id FROM ledger_entries GROUP BY claim_id
                   HAVING -SUM(CASE WHEN account = 'paid_out' THEN amount ELSE 0 END)
                        > SUM(CASE WHEN account = 'compensation' THEN amount ELSE 0 END)) t")
        .await?,
        debits_paid_twice: debits.paid_twice
            + q("SELECT COUNT(*) FROM (SELECT debit_line_id FROM paid_debits GROUP BY debit_line_id
                                       HAVING COUNT(*) > 1) t")
            .await?,
        cases_paid_twice: q("SELECT COUNT(*) FROM (SELECT claim_id FROM payout_lines WHERE result = 'paid'
                                                   GROUP BY claim_id HAVING COUNT(*) > 1) t")
        .await?,
        paid_mismatch: q("SELECT COUNT(*) FROM (SELECT l.claim_id, l.amount,
                              (SELECT CAST(COALESCE(-SUM(e.amount), 0) AS BIGINT) FROM ledger_entries e
                                WHERE e.claim_id = l.claim_id AND e.account = 'paid_out') AS out
                            FROM payout_lines l WHERE l.result = 'paid') t WHERE t.out <> t.amount")
        .await?,
    })
}

/// Released batches with their stored file and the total of their lines.
pub async fn released_files(db: &Db) -> Result<Vec<(i64, Option<Vec<u8>>, i64, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (i64, Option<Vec<u8>>, i64, i64)>(
        "SELECT b.number, b.file, CAST(COALESCE(SUM(l.amount), 0) AS BIGINT), COUNT(l.id)
         FROM payout_batches b JOIN payout_lines l ON l.batch_id = b.id
         WHERE b.state IN ('released', 'done') GROUP BY b.number, b.file ORDER BY b.number",
    ).fetch_all(p).await)
}

/// Per bank: cases paid, debits paid, the bank's share and the operator's.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SettlementRow {
    pub bank_code: String,
    pub bank_name: String,
    pub cases: i64,
    pub debits_paid: Yen,
    pub bank_share: Yen,
    pub operator_share: Yen,
}

pub async fn settlement(db: &Db) -> Result<Vec<SettlementRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, SettlementRow>(
        "SELECT s.bank_code, b.name AS bank_name, COUNT(DISTINCT s.claim_id) AS cases,
                CAST(SUM(s.debits_paid) AS BIGINT) AS debits_paid, CAST(SUM(s.bank_share) AS BIGINT) AS bank_share,
                CAST(SUM(s.operator_share) AS BIGINT) AS operator_share
         FROM cost_shares s JOIN banks b ON b.code = s.bank_code
         GROUP BY s.bank_code, b.name ORDER BY s.bank_code",
    ).fetch_all(p).await)
}

/// Cases whose transfer failed and that wait for another account: the
/// reference, the batch, the reason and the note.
pub async fn failed(db: &Db) -> Result<Vec<(String, i64, String, Option<String>)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64, String, Option<String>)>(
        "SELECT c.reference, b.number, l.fail_reason, l.fail_note FROM payout_lines l
         JOIN claims c ON c.id = l.claim_id JOIN payout_batches b ON b.id = l.batch_id
         WHERE l.result = 'failed' AND c.state = 'payout_failed' ORDER BY c.seq",
    ).fetch_all(p).await)
}

/// The claimant's new payout account after a failed transfer.
pub struct NewAccount<'a> {
    pub bank: &'a str,
    pub branch: &'a str,
    pub account_type: &'a str,
    pub number: &'a str,
    pub holder_kana: &'a str,
}

/// Writes it on a case whose transfer failed; false if the case is not
/// (or no longer) waiting for one.
pub async fn change_account(
    tx: &mut Tx,
    claim: Uuid,
    a: &NewAccount<'_>,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE claims SET payout_bank_code = $2, payout_branch_code = $3, payout_account_type = $4,
                           payout_account_number = $5, payout_holder_kana = $6, payout_changed_at = $7,
                           version = version + 1
         WHERE id = $1 AND state = 'payout_failed'",
    ).bind(claim).bind(a.bank).bind(a.branch).bind(a.account_type).bind(a.number).bind(a.holder_kana).bind(at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A transfer of a claim as its claimant sees it: the amount, the date, the
/// bank's result, and where it went.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimPayment {
    pub amount: Yen,
    pub transfer_date: NaiveDate,
    /// `paid`, `failed`, or none yet (scheduled).
    pub result: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub bank_code: String,
    pub bank_name: Option<String>,
    pub branch_code: String,
    pub branch_name: Option<String>,
    pub account_type: String,
    pub account_number: String,
}

/// The transfers of a claim in released batches (a batch still open is the
/// operator's draft), oldest first.
pub async fn for_claim(db: &Db, claim: Uuid) -> Result<Vec<ClaimPayment>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, ClaimPayment>(
        "SELECT l.amount, b.transfer_date, l.result, l.paid_on, l.bank_code, k.name AS bank_name,
                l.branch_code, r.name AS branch_name, l.account_type, l.account_number
           FROM payout_lines l
           JOIN payout_batches b ON b.id = l.batch_id
           LEFT JOIN banks k ON k.code = l.bank_code
           LEFT JOIN branches r ON r.bank_code = l.bank_code AND r.code = l.branch_code
          WHERE l.claim_id = $1 AND b.state <> 'open'
          ORDER BY b.number",
    ).bind(claim).fetch_all(p).await)
}
