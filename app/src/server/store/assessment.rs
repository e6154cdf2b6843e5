//! What the policy's rules need to know about a case and its neighbours.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::on_db;
use crate::server::db::Db;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DebitFactRow {
    pub position: i64,
    pub account: String,
    pub wallet_ref: Option<String>,
    pub debit_date: NaiveDate,
    pub amount: i64,
    pub bank_verdict: Option<String>,
    pub confirmed_amount: Option<i64>,
}

pub async fn debits(db: &Db, claim: Uuid) -> Result<Vec<DebitFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, DebitFactRow>(
        "SELECT position, bank_code || '-' || branch_code || '-' || account_number AS account, wallet_ref,
                debit_date, amount, bank_verdict, confirmed_amount
         FROM debit_lines WHERE claim_id = $1 ORDER BY position",
    ).bind(claim).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CostFactRow {
    pub position: i64,
    pub amount: i64,
    pub receipt: bool,
}

/// Call lines: the claimant says whether a receipt is attached.
pub async fn calls(db: &Db, claim: Uuid) -> Result<Vec<CostFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, CostFactRow>(
        "SELECT position, amount, receipt FROM call_lines WHERE claim_id = $1 ORDER BY position",
    ).bind(claim).fetch_all(p).await)
}

/// Travel lines: a receipt is a file linked to the line.
pub async fn travel(db: &Db, claim: Uuid) -> Result<Vec<CostFactRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, CostFactRow>(
        "SELECT t.position, t.amount,
                EXISTS (SELECT 1 FROM evidence_links e WHERE e.line_id = t.id) AS receipt
         FROM travel_lines t WHERE t.claim_id = $1 ORDER BY t.position",
    ).bind(claim).fetch_all(p).await)
}

/// Claims still counting (not withdrawn or closed as duplicates).
const LIVE: &str = "('withdrawn', 'closed_duplicate')";

/// Other live claims naming one of this claim's bank accounts.
pub async fn same_account(db: &Db, claim: Uuid) -> Result<Vec<String>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT c.reference FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE c.id <> $1 AND c.state NOT IN {LIVE}
           AND EXISTS (SELECT 1 FROM debit_lines m WHERE m.claim_id = $1 AND m.bank_code = l.bank_code
                       AND m.branch_code = l.branch_code AND m.account_number = l.account_number)
         ORDER BY c.reference"
    );
    on_db!(db, p => sqlx::query_scalar::<_, String>(&sql).bind(claim).fetch_all(p).await)
}

/// (line position, other claim) for each debit another live claim also has.
pub async fn same_debit(db: &Db, claim: Uuid) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT m.position, c.reference FROM debit_lines m
         JOIN debit_lines l ON l.bank_code = m.bank_code AND l.branch_code = m.branch_code
              AND l.account_number = m.account_number AND l.debit_date = m.debit_date AND l.amount = m.amount
         JOIN claims c ON c.id = l.claim_id
         WHERE m.claim_id = $1 AND l.claim_id <> $1 AND c.state NOT IN {LIVE}
         ORDER BY m.position, c.reference"
    );
    on_db!(db, p => sqlx::query_as::<_, (i64, String)>(&sql).bind(claim).fetch_all(p).await)
}

/// Other claims from the same account holder (e-mail) or phone number sent
/// within a day either side of `at`.
pub async fn same_contact(
    db: &Db,
    claim: Uuid,
    claimant: Uuid,
    phone: &str,
    at: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    let (from, to) = (
        at - chrono::Duration::hours(24),
        at + chrono::Duration::hours(24),
    );
    on_db!(db, p => sqlx::query_scalar::<_, String>(
        "SELECT reference FROM claims
         WHERE id <> $1 AND (claimant_id = $2 OR phone = $3) AND submitted_at BETWEEN $4 AND $5
         ORDER BY reference",
    ).bind(claim).bind(claimant).bind(phone).bind(from).bind(to).fetch_all(p).await)
}

/// The compensation the claimant says they already received.
pub async fn compensated(db: &Db, claim: Uuid) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Option<i64>>("SELECT compensated_amount FROM claims WHERE id = $1")
        .bind(claim).fetch_one(p).await)
}
