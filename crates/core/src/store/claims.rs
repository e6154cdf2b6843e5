use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

pub async fn next_reference_seq(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    // Never MAX(seq)+1: two concurrent submissions would take one number.
    // SQLite: a counter row (one writer at a time, so it costs no waiting).
    // PostgreSQL: a sequence (migration 0017); a counter row would be locked
    // by each submission until its commit and queue all the others.
    match tx {
        Tx::Sqlite(c) => sqlx::query_scalar::<_, i64>(
            "UPDATE counters SET value = value + 1 WHERE name = 'claim_reference' RETURNING value",
        )
        .fetch_one(&mut **c)
        .await,
        Tx::Postgres(c) => {
            sqlx::query_scalar::<_, i64>("SELECT nextval('claim_reference_seq')")
                .fetch_one(&mut crate::pg_statements::PgConn(c))
                .await
        }
    }
}

pub struct NewClaimRow<'a> {
    pub id: Uuid,
    pub seq: i64,
    pub reference: &'a str,
    pub claimant_id: Uuid,
    pub full_name: &'a str,
    pub name_kana: &'a str,
    pub phone: &'a str,
    pub total_claimed: Yen,
    pub answers: &'a str,
    pub payout: &'a crate::domain::answers::PayoutAccount,
    pub compensated_amount: Option<Yen>,
    pub now: DateTime<Utc>,
}

/// Where and when a claim was sent: the address, and the day its clock starts.
pub struct Sent<'a> {
    pub ip: &'a str,
    pub day: NaiveDate,
}

pub async fn insert_submitted(
    tx: &mut Tx,
    r: &NewClaimRow<'_>,
    sent: &Sent<'_>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO claims (id, seq, reference, claimant_id, state, version, full_name, name_kana, phone,
                             total_claimed, declared_at, submitted_at, created_at, answers, payout_bank_code,
                             payout_branch_code, payout_account_type, payout_account_number, payout_holder_kana,
                             compensated_amount, submit_ip, sla_start)
         VALUES ($1, $2, $3, $4, 'submitted', 1, $5, $6, $7, $8, $9, $9, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18)",
    )
    .bind(r.id).bind(r.seq).bind(r.reference).bind(r.claimant_id)
    .bind(r.full_name).bind(r.name_kana).bind(r.phone).bind(r.total_claimed).bind(r.now)
    .bind(r.answers).bind(&r.payout.bank).bind(&r.payout.branch).bind(&r.payout.account_type)
    .bind(&r.payout.number).bind(&r.payout.holder_kana).bind(r.compensated_amount)
    .bind(sent.ip).bind(sent.day)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewLineRow<'a> {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub position: i64,
    pub bank_code: &'a str,
    pub branch_code: &'a str,
    pub account_type: &'a str,
    pub account_number: &'a str,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub descriptor: &'a str,
    pub wallet_ref: Option<&'a str>,
    /// A Japan Post Bank account's 記号-番号, as the passbook prints it.
    pub passbook: Option<&'a str>,
}

pub async fn insert_line(tx: &mut Tx, l: &NewLineRow<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO debit_lines (id, claim_id, position, bank_code, branch_code, account_type, account_number,
                                  debit_date, amount, descriptor, wallet_ref, passbook)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(l.id).bind(l.claim_id).bind(l.position).bind(l.bank_code).bind(l.branch_code)
    .bind(l.account_type).bind(l.account_number).bind(l.debit_date).bind(l.amount).bind(l.descriptor).bind(l.wallet_ref)
    .bind(l.passbook)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// One row of a case's history, as its claimant may see it (no actor).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub to_state: String,
    pub action: String,
}

pub async fn events(db: &Db, claim_id: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT at, to_state, action FROM claim_events WHERE claim_id = $1 ORDER BY at, id",
    ).bind(claim_id).fetch_all(p).await)
}

/// One row of a list of claims.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimSummaryRow {
    pub reference: String,
    pub state: String,
    pub full_name: String,
    pub total_claimed: Yen,
    pub submitted_at: DateTime<Utc>,
    pub last_change: DateTime<Utc>,
    /// What was paid (the transfers the bank reported made), if any.
    pub paid_total: Option<i64>,
}

const SUMMARY: &str = "SELECT reference, state, full_name, total_claimed, submitted_at,
        COALESCE((SELECT MAX(e.at) FROM claim_events e WHERE e.claim_id = claims.id), submitted_at) AS last_change,
        (SELECT CAST(SUM(pl.amount) AS BIGINT) FROM payout_lines pl
          WHERE pl.claim_id = claims.id AND pl.result = 'paid') AS paid_total
    FROM claims";

pub async fn for_claimant(db: &Db, claimant: Uuid) -> Result<Vec<ClaimSummaryRow>, sqlx::Error> {
    let sql = format!("{SUMMARY} WHERE claimant_id = $1 ORDER BY seq DESC");
    on_db!(db, p => sqlx::query_as::<_, ClaimSummaryRow>(&sql).bind(claimant).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ClaimRow {
    pub id: Uuid,
    pub reference: String,
    pub claimant_id: Uuid,
    pub state: crate::domain::workflow::CaseState,
    pub version: i64,
    pub full_name: String,
    pub name_kana: String,
    pub phone: String,
    pub total_claimed: Yen,
    pub submitted_at: DateTime<Utc>,
    /// The policy version of the last assessment.
    pub policy_version: Option<i64>,
    pub submit_ip: Option<String>,
}

const CLAIM_COLUMNS: &str =
    "id, reference, claimant_id, state, version, full_name, name_kana, phone,
    total_claimed, submitted_at, policy_version, submit_ip";

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<ClaimRow>, sqlx::Error> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE reference = $1");
    on_db!(db, p => sqlx::query_as::<_, ClaimRow>(&sql).bind(reference).fetch_optional(p).await)
}

/// A claim with the claimant's answers as sent (JSON), for operator staff
/// who read every fact the claimant gave: one query, as `by_reference`.
pub async fn by_reference_with_answers(
    db: &Db,
    reference: &str,
) -> Result<Option<(ClaimRow, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        claim: ClaimRow,
        answers: String,
    }
    let sql = format!("SELECT {CLAIM_COLUMNS}, answers FROM claims WHERE reference = $1");
    let row =
        on_db!(db, p => sqlx::query_as::<_, Row>(&sql).bind(reference).fetch_optional(p).await)?;
    Ok(row.map(|r| (r.claim, r.answers)))
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<ClaimRow>, sqlx::Error> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, ClaimRow>(&sql).bind(id).fetch_optional(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LineRow {
    pub id: Uuid,
    pub position: i64,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_type: String,
    pub account_number: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
    pub wallet_ref: Option<String>,
    pub confirmed_amount: Option<Yen>,
    pub approved_amount: Option<Yen>,
    /// Why less was approved than claimed (the reviewer's words).
    pub approved_note: Option<String>,
    pub bank_verdict: Option<String>,
    /// A Japan Post Bank account's 記号-番号, as the passbook prints it.
    pub passbook: Option<String>,
    /// The bank's words on its newest answer: why less was confirmed, or
    /// its dispute note.
    pub bank_note: Option<String>,
}

/// The debit lines of a claim; with `bank`, only the lines at that bank.
pub async fn lines(
    db: &Db,
    claim_id: Uuid,
    bank: Option<&str>,
) -> Result<Vec<LineRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, LineRow>(
        "SELECT l.id, l.position, l.bank_code, b.name AS bank_name, l.branch_code, r.name AS branch_name, l.account_type,
                l.account_number, l.debit_date, l.amount, l.descriptor, l.wallet_ref, l.confirmed_amount,
                l.approved_amount, l.approved_note, l.bank_verdict, l.passbook, l.bank_note
         FROM debit_lines l
         JOIN banks b ON b.code = l.bank_code
         JOIN branches r ON r.bank_code = l.bank_code AND r.code = l.branch_code
         WHERE l.claim_id = $1 AND ($2 IS NULL OR l.bank_code = $2)
         ORDER BY l.position",
    ).bind(claim_id).bind(bank).fetch_all(p).await)
}

pub async fn insert_call_line(
    tx: &mut Tx,
    claim_id: Uuid,
    position: i64,
    l: &crate::domain::answers::CallLine,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO call_lines (id, claim_id, position, call_date, callee, minutes, amount, receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(l.id).bind(claim_id).bind(position).bind(l.date).bind(&l.callee).bind(l.minutes).bind(l.cost).bind(l.receipt)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn insert_travel_line(
    tx: &mut Tx,
    claim_id: Uuid,
    position: i64,
    l: &crate::domain::answers::TravelLine,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO travel_lines (id, claim_id, position, travel_date, from_place, to_place, means, purpose, amount)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(l.id).bind(claim_id).bind(position).bind(l.date).bind(&l.from).bind(&l.to).bind(&l.means)
    .bind(&l.purpose).bind(l.cost)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether a sent claim has this id (a draft's id is not one until sent).
pub async fn exists(db: &Db, claim_id: Uuid) -> Result<bool, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM claims WHERE id = $1")
        .bind(claim_id).fetch_one(p).await)
    .map(|n| n > 0)
}

/// Changed answers (in reply to a request), compare-and-set on the version.
pub async fn save_answers(
    tx: &mut Tx,
    r: &NewClaimRow<'_>,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE claims SET answers = $3, full_name = $4, name_kana = $5, phone = $6, total_claimed = $7,
                payout_bank_code = $8, payout_branch_code = $9, payout_account_type = $10,
                payout_account_number = $11, payout_holder_kana = $12, compensated_amount = $13,
                pending_answers = NULL, version = version + 1
         WHERE id = $1 AND version = $2",
    )
    .bind(r.id).bind(version).bind(r.answers).bind(r.full_name).bind(r.name_kana).bind(r.phone).bind(r.total_claimed)
    .bind(&r.payout.bank).bind(&r.payout.branch).bind(&r.payout.account_type).bind(&r.payout.number)
    .bind(&r.payout.holder_kana).bind(r.compensated_amount)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CallRow {
    pub id: Uuid,
    pub call_date: NaiveDate,
    pub callee: String,
    pub minutes: i64,
    pub amount: Yen,
    pub receipt: bool,
    pub approved_amount: Option<Yen>,
    pub approved_note: Option<String>,
}

pub async fn call_lines(db: &Db, claim_id: Uuid) -> Result<Vec<CallRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, CallRow>(
        "SELECT id, call_date, callee, minutes, amount, receipt, approved_amount, approved_note FROM call_lines
         WHERE claim_id = $1 ORDER BY position",
    ).bind(claim_id).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TravelRow {
    pub id: Uuid,
    pub travel_date: NaiveDate,
    pub from_place: String,
    pub to_place: String,
    pub means: String,
    pub purpose: String,
    pub amount: Yen,
    pub approved_amount: Option<Yen>,
    pub approved_note: Option<String>,
}

pub async fn travel_lines(db: &Db, claim_id: Uuid) -> Result<Vec<TravelRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, TravelRow>(
        "SELECT id, travel_date, from_place, to_place, means, purpose, amount, approved_amount, approved_note FROM travel_lines
         WHERE claim_id = $1 ORDER BY position",
    ).bind(claim_id).fetch_all(p).await)
}

/// The answers as sent and the changes being made in reply to a request.
pub async fn answers_and_pending(
    db: &Db,
    claim_id: Uuid,
) -> Result<(Option<String>, Option<String>), sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT answers, pending_answers FROM claims WHERE id = $1",
    ).bind(claim_id).fetch_one(p).await)
}

/// Saves the claimant's changes in reply to a request, not yet in effect
/// (only while the case awaits the claimant).
pub async fn save_pending(
    tx: &mut Tx,
    id: Uuid,
    version: i64,
    answers: &str,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE claims SET pending_answers = $3, version = version + 1
         WHERE id = $1 AND version = $2 AND state = 'awaiting_claimant'",
    ).bind(id).bind(version).bind(answers).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The bank of the payout account, if the claim has one.
pub async fn payout_bank(db: &Db, claim_id: Uuid) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Option<String>>("SELECT payout_bank_code FROM claims WHERE id = $1")
        .bind(claim_id).fetch_one(p).await)
}

/// Before debit lines are written again: frees the positions (negated) and
/// removes the lines no bank has answered (answered lines are kept).
pub async fn clear_debit_lines_for_rewrite(tx: &mut Tx, claim_id: Uuid) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE debit_lines SET position = -position WHERE claim_id = $1")
        .bind(claim_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "DELETE FROM debit_lines WHERE claim_id = $1 AND id NOT IN (SELECT line_id FROM line_answers WHERE claim_id = $1)",
    ).bind(claim_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for table in "call_lines travel_lines".split(' ') {
        let sql = format!("DELETE FROM {table} WHERE claim_id = $1");
        on_tx!(tx, c => sqlx::query(&sql).bind(claim_id).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Changes a debit line that a bank has answered (kept, not re-inserted).
pub async fn update_line(tx: &mut Tx, l: &NewLineRow<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE debit_lines SET position = $2, bank_code = $3, branch_code = $4, account_type = $5, account_number = $6,
                debit_date = $7, amount = $8, descriptor = $9, wallet_ref = $10, passbook = $11
         WHERE id = $1",
    )
    .bind(l.id).bind(l.position).bind(l.bank_code).bind(l.branch_code).bind(l.account_type).bind(l.account_number)
    .bind(l.debit_date).bind(l.amount).bind(l.descriptor).bind(l.wallet_ref).bind(l.passbook)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The payout account of a claim: (bank code, account number, holder kana).
/// The claim's payout account (number, holder) when it is at `bank`: what
/// that bank may see of it (another bank's is never read for it).
pub async fn payout_account_at(
    db: &Db,
    claim_id: Uuid,
    bank: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = on_db!(db, p => sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT payout_account_number, payout_holder_kana FROM claims WHERE id = $1 AND payout_bank_code = $2",
    ).bind(claim_id).bind(bank).fetch_optional(p).await)?;
    Ok(match row {
        Some((Some(n), Some(k))) => Some((n, k)),
        _ => None,
    })
}

/// The claimant's address and language, for mails about a claim.
/// Who owns a case waiting on the claimant: its assignee, or else the staff
/// member who asked `request` (address and language; none if disabled).
pub async fn owner_contact(
    db: &Db,
    claim: Uuid,
    request: Uuid,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String)>(
        "SELECT u.email, u.lang FROM claims c
           JOIN users u ON u.id = COALESCE(c.assignee_id, (SELECT r.asked_by FROM info_requests r WHERE r.id = $2))
          WHERE c.id = $1 AND u.disabled_at IS NULL",
    ).bind(claim).bind(request).fetch_optional(p).await)
}

pub async fn claimant_contact(db: &Db, claim: Uuid) -> Result<(String, String), sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String)>(
        "SELECT u.email, u.lang FROM claims c JOIN users u ON u.id = c.claimant_id WHERE c.id = $1",
    ).bind(claim).fetch_one(p).await)
}
