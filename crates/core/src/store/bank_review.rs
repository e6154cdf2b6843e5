//! Banks' answers on debit lines, account checks, and who opened which case.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::domain::workflow::CaseState;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// Locks the claim row for the rest of the transaction (a no-op update) and
/// returns its state and version: concurrent answers on one claim queue.
pub async fn lock_claim(tx: &mut Tx, id: Uuid) -> Result<(CaseState, i64), sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, (CaseState, i64)>(
        "UPDATE claims SET version = version WHERE id = $1 RETURNING state, version",
    ).bind(id).fetch_one(c).await)
}

pub struct NewAnswer<'a> {
    pub line_id: Uuid,
    pub claim_id: Uuid,
    pub bank_code: &'a str,
    pub verdict: &'a str,
    pub confirmed_amount: Option<Yen>,
    pub bank_date: Option<NaiveDate>,
    pub bank_reference: Option<&'a str>,
    pub holder_kana: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub actor: Uuid,
    pub at: DateTime<Utc>,
}

/// Records an answer and makes it the line's current one.
pub async fn insert_answer(tx: &mut Tx, a: &NewAnswer<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO line_answers (id, line_id, claim_id, bank_code, verdict, confirmed_amount, bank_date,
                                   bank_reference, holder_kana, reason, note, actor_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(Uuid::new_v4()).bind(a.line_id).bind(a.claim_id).bind(a.bank_code).bind(a.verdict)
    .bind(a.confirmed_amount).bind(a.bank_date).bind(a.bank_reference).bind(a.holder_kana)
    .bind(a.reason).bind(a.note).bind(a.actor).bind(a.at)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE debit_lines SET bank_verdict = $2, confirmed_amount = $3, bank_answered_at = $4, bank_note = $5 WHERE id = $1",
    )
    .bind(a.line_id).bind(a.verdict).bind(a.confirmed_amount).bind(a.at).bind(a.note)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn unanswered_lines(tx: &mut Tx, claim_id: Uuid) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM debit_lines WHERE claim_id = $1 AND bank_verdict IS NULL",
    ).bind(claim_id).fetch_one(c).await)
}

/// One answer in a line's history (the clerk's address is for the bank and
/// the operator, never for the claimant).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AnswerRow {
    pub line_id: Uuid,
    pub verdict: String,
    pub confirmed_amount: Option<Yen>,
    pub bank_date: Option<NaiveDate>,
    pub bank_reference: Option<String>,
    pub holder_kana: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub actor_email: String,
    pub at: DateTime<Utc>,
}

/// Every answer on the claim's lines at `bank`, oldest first.
pub async fn answers(db: &Db, claim_id: Uuid, bank: &str) -> Result<Vec<AnswerRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, AnswerRow>(
        "SELECT a.line_id, a.verdict, a.confirmed_amount, a.bank_date, a.bank_reference, a.holder_kana, a.reason,
                a.note, u.email AS actor_email, a.at
         FROM line_answers a JOIN users u ON u.id = a.actor_id
         WHERE a.claim_id = $1 AND a.bank_code = $2 ORDER BY a.at, a.id",
    ).bind(claim_id).bind(bank).fetch_all(p).await)
}

/// Which lines of a claim have a bank answer (they cannot be removed).
pub async fn answered_line_ids(tx: &mut Tx, claim_id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT DISTINCT line_id FROM line_answers WHERE claim_id = $1",
    ).bind(claim_id).fetch_all(c).await)
}

pub async fn insert_account_check(
    tx: &mut Tx,
    claim_id: Uuid,
    bank: &str,
    matches: bool,
    note: Option<&str>,
    actor: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO account_checks (id, claim_id, bank_code, matches, note, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    ).bind(Uuid::new_v4()).bind(claim_id).bind(bank).bind(matches).bind(note).bind(actor).bind(at)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The newest account check of a claim by `bank`: (matches, note, when).
/// Another bank's check (its answer, its internal note) is never read here.
pub async fn account_check(
    db: &Db,
    claim_id: Uuid,
    bank: &str,
) -> Result<Option<(bool, Option<String>, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (bool, Option<String>, DateTime<Utc>)>(
        "SELECT matches, note, at FROM account_checks WHERE claim_id = $1 AND bank_code = $2
         ORDER BY at DESC, id LIMIT 1",
    ).bind(claim_id).bind(bank).fetch_optional(p).await)
}

/// Another claim on which the bank confirmed the same debit as one of this
/// claim's lines: the same transaction reference, or the same account,
/// date and amount. `bank` limits it to one bank's lines (what that bank
/// may see); None looks at every bank (operator staff, the flags).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ConfirmedElsewhere {
    pub position: i64,
    pub claim_id: Uuid,
    pub reference: String,
    pub bank_reference: Option<String>,
}

/// The latest answer of a line (`$alias.line_id` = the line's id).
macro_rules! latest_confirmed {
    ($answer:literal, $line:literal) => {
        concat!(
            $answer,
            ".id = (SELECT x.id FROM line_answers x WHERE x.line_id = ",
            $line,
            ".id ORDER BY x.at DESC LIMIT 1) AND ",
            $answer,
            ".verdict = 'confirmed'"
        )
    };
}

const CONFIRMED_ELSEWHERE: &str = concat!(
    "SELECT m.position, c.id AS claim_id, c.reference, la.bank_reference
     FROM debit_lines m
     JOIN line_answers ma ON ",
    latest_confirmed!("ma", "m"),
    "
     JOIN debit_lines l ON l.bank_code = m.bank_code AND l.branch_code = m.branch_code
                       AND l.account_number = m.account_number AND l.claim_id <> m.claim_id
     JOIN line_answers la ON ",
    latest_confirmed!("la", "l"),
    "
     JOIN claims c ON c.id = l.claim_id
     WHERE m.claim_id = $1 AND ($2 IS NULL OR m.bank_code = $2)
       AND c.state NOT IN ('withdrawn', 'closed_duplicate')
       AND la.bank_date = ma.bank_date AND la.confirmed_amount = ma.confirmed_amount
     UNION
     SELECT m.position, c.id AS claim_id, c.reference, la.bank_reference
     FROM debit_lines m
     JOIN line_answers ma ON ",
    latest_confirmed!("ma", "m"),
    "
     JOIN line_answers la ON la.bank_code = m.bank_code AND la.bank_reference = ma.bank_reference
                          AND la.claim_id <> m.claim_id AND la.verdict = 'confirmed'
     JOIN debit_lines l ON l.id = la.line_id AND ",
    latest_confirmed!("la", "l"),
    "
     JOIN claims c ON c.id = l.claim_id
     WHERE m.claim_id = $1 AND ($2 IS NULL OR m.bank_code = $2)
       AND c.state NOT IN ('withdrawn', 'closed_duplicate')
       AND TRIM(COALESCE(ma.bank_reference, '')) <> ''
     ORDER BY 1, 3"
);

pub async fn confirmed_elsewhere(
    db: &Db,
    claim_id: Uuid,
    bank: Option<&str>,
) -> Result<Vec<ConfirmedElsewhere>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, ConfirmedElsewhere>(CONFIRMED_ELSEWHERE)
        .bind(claim_id).bind(bank).fetch_all(p).await)
}

/// The same, as a transaction sees it (to mark the other claims' flags).
pub async fn confirmed_elsewhere_tx(
    tx: &mut Tx,
    claim_id: Uuid,
) -> Result<Vec<ConfirmedElsewhere>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, ConfirmedElsewhere>(CONFIRMED_ELSEWHERE)
        .bind(claim_id).bind(None::<String>).fetch_all(c).await)
}

/// The newest check of the payout account by the bank that holds it,
/// made since the account was last changed: (matches, when).
pub async fn payout_account_check(
    db: &Db,
    claim_id: Uuid,
) -> Result<Option<(bool, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (bool, DateTime<Utc>)>(
        "SELECT a.matches, a.at FROM account_checks a JOIN claims c ON c.id = a.claim_id
         WHERE a.claim_id = $1 AND a.bank_code = c.payout_bank_code
           AND (c.payout_changed_at IS NULL OR a.at > c.payout_changed_at)
         ORDER BY a.at DESC, a.id LIMIT 1",
    ).bind(claim_id).fetch_optional(p).await)
}

pub async fn insert_view(
    tx: &mut Tx,
    claim_id: Uuid,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO case_views (id, claim_id, user_id, at) VALUES ($1, $2, $3, $4)")
        .bind(Uuid::new_v4()).bind(claim_id).bind(user).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ViewRow {
    pub reference: String,
    pub email: String,
    pub role: String,
    pub at: DateTime<Utc>,
}

/// Case views, newest first, a page at a time, with the total; `q` (a
/// reference or part of an address, any case) narrows them.
pub async fn views_page(
    db: &Db,
    q: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ViewRow>, i64), sqlx::Error> {
    let pattern = format!("%{}%", q.trim().to_lowercase());
    on_db!(db, p => {
        let rows = sqlx::query_as::<_, ViewRow>(
            "SELECT c.reference, u.email, u.role, v.at FROM case_views v
             JOIN claims c ON c.id = v.claim_id JOIN users u ON u.id = v.user_id
             WHERE LOWER(u.email) LIKE $1 OR LOWER(c.reference) LIKE $1
             ORDER BY v.at DESC, v.id LIMIT $2 OFFSET $3",
        ).bind(&pattern).bind(limit).bind(offset).fetch_all(p).await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM case_views v
             JOIN claims c ON c.id = v.claim_id JOIN users u ON u.id = v.user_id
             WHERE LOWER(u.email) LIKE $1 OR LOWER(c.reference) LIKE $1",
        ).bind(&pattern).fetch_one(p).await?;
        Ok((rows, total))
    })
}

/// What a bank's queue is filtered by (every filter optional).
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    /// `open` (no answer yet; the default), `answered` or `all`.
    pub status: String,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub amount_min: Option<Yen>,
    pub amount_max: Option<Yen>,
    pub branch: Option<String>,
    /// A reference or an account number.
    pub search: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct QueueRow {
    pub line_id: Uuid,
    pub reference: String,
    pub position: i64,
    pub branch_code: String,
    pub account_number: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
    pub bank_verdict: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

/// Lines at `bank`, grouped by claim, oldest claim first, with the counts of
/// lines and claims: `open` (claims the banks still answer, the line not
/// answered), `answered` (the same, answered), `closed` (claims past the
/// banks' check: approved, paid, rejected, withdrawn…) or `all` (every
/// claim with a line at the bank: the bank's cases, as its dashboard counts
/// them).
pub async fn queue_page(
    db: &Db,
    bank: &str,
    f: &QueueFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<QueueRow>, i64, i64), sqlx::Error> {
    let where_ = format!(
        "FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE l.bank_code = $1
           AND ($2 = 'all'
                OR ($2 = 'closed' AND c.state NOT IN {open})
                OR ($2 = 'answered' AND c.state IN {open} AND l.bank_verdict IS NOT NULL)
                OR ($2 = 'open' AND c.state IN {open} AND l.bank_verdict IS NULL))
           AND ($3 IS NULL OR l.debit_date >= $3) AND ($4 IS NULL OR l.debit_date <= $4)
           AND ($5 IS NULL OR l.amount >= $5) AND ($6 IS NULL OR l.amount <= $6)
           AND ($7 IS NULL OR l.branch_code = $7)
           AND ($8 IS NULL OR c.reference = $8 OR l.account_number = $8)",
        open = super::open_states()
    );
    let rows_sql = format!(
        "SELECT l.id AS line_id, c.reference, l.position, l.branch_code, l.account_number, l.debit_date, l.amount,
                l.descriptor, l.bank_verdict, c.submitted_at
         {where_} ORDER BY c.submitted_at, c.seq, l.position LIMIT $9 OFFSET $10"
    );
    let count_sql = format!("SELECT COUNT(*), COUNT(DISTINCT c.id) {where_}");
    let status = match f.status.as_str() {
        "answered" | "closed" | "all" => f.status.as_str(),
        _ => "open",
    };
    on_db!(db, p => {
        let rows = sqlx::query_as::<_, QueueRow>(&rows_sql)
            .bind(bank).bind(status).bind(f.date_from).bind(f.date_to).bind(f.amount_min).bind(f.amount_max)
            .bind(f.branch.as_deref()).bind(f.search.as_deref()).bind(limit).bind(offset)
            .fetch_all(p).await?;
        let (lines, claims): (i64, i64) = sqlx::query_as(&count_sql)
            .bind(bank).bind(status).bind(f.date_from).bind(f.date_to).bind(f.amount_min).bind(f.amount_max)
            .bind(f.branch.as_deref()).bind(f.search.as_deref())
            .fetch_one(p).await?;
        Ok((rows, lines, claims))
    })
}

/// The claim a debit line belongs to.
pub async fn claim_of_line(db: &Db, line: Uuid) -> Result<Uuid, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Uuid>("SELECT claim_id FROM debit_lines WHERE id = $1")
        .bind(line).fetch_one(p).await)
}

use super::placeholders;

/// Confirms many lines at once with the bank's own figures (a bank's list
/// matched exactly: the confirmed amount is the claimed one). One statement
/// per 500 lines for the answers and one for the lines.
pub async fn confirm_lines_bulk(
    tx: &mut Tx,
    answers: &[NewAnswer<'_>],
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    const COLS: usize = 13;
    // In the order of their claims: each answer locks its claim while the
    // kept figures take its part (migration 0022), and transactions that
    // lock in one order cannot deadlock on one another.
    let mut answers: Vec<&NewAnswer<'_>> = answers.iter().collect();
    answers.sort_by_key(|a| a.claim_id);
    for chunk in answers.chunks(50) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO line_answers (id, line_id, claim_id, bank_code, verdict, confirmed_amount, bank_date,
                                       bank_reference, holder_kana, reason, note, actor_id, at) VALUES {}",
            values.join(",")
        );
        macro_rules! bind_all {
            ($q:expr) => {{
                let mut q = $q;
                for a in chunk {
                    q = q
                        .bind(Uuid::new_v4())
                        .bind(a.line_id)
                        .bind(a.claim_id)
                        .bind(a.bank_code)
                        .bind(a.verdict)
                        .bind(a.confirmed_amount)
                        .bind(a.bank_date)
                        .bind(a.bank_reference)
                        .bind(a.holder_kana)
                        .bind(a.reason)
                        .bind(a.note)
                        .bind(a.actor)
                        .bind(a.at);
                }
                q
            }};
        }
        on_tx!(tx, c => bind_all!(sqlx::query(&sql)).execute(c).await.map(|r| r.rows_affected()))?;
        let sql = format!(
            "UPDATE debit_lines SET bank_verdict = 'confirmed', confirmed_amount = amount, bank_answered_at = $1, bank_note = NULL
             WHERE id IN ({})",
            placeholders(2, chunk.len())
        );
        macro_rules! bind_lines {
            ($q:expr) => {{
                let mut q = $q.bind(at);
                for a in chunk {
                    q = q.bind(a.line_id);
                }
                q
            }};
        }
        on_tx!(tx, c => bind_lines!(sqlx::query(&sql)).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// (id, state, version) of each claim, and whether it still has a line
/// without a bank answer.
pub async fn claims_states(
    tx: &mut Tx,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, CaseState, i64, bool)>, sqlx::Error> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT c.id, c.state, c.version,
                    EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_verdict IS NULL)
             FROM claims c WHERE c.id IN ({})",
            placeholders(1, chunk.len())
        );
        macro_rules! bind_ids {
            ($q:expr) => {{
                let mut q = $q;
                for id in chunk {
                    q = q.bind(id);
                }
                q
            }};
        }
        let rows: Vec<(Uuid, CaseState, i64, bool)> = on_tx!(tx, c => bind_ids!(sqlx::query_as::<_, (Uuid, CaseState, i64, bool)>(&sql)).fetch_all(c).await)?;
        out.extend(rows);
    }
    Ok(out)
}
