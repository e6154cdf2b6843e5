//! The figures of the regulator's report and of the dashboard, aggregated in
//! SQL, and the frozen reports. "As of" figures come from the append-only
//! tables (bank answers, the ledger, payment results), so a report for a
//! past moment is the same whenever it is computed.

use chrono::{DateTime, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

pub use crate::domain::report::Figures as BankFigures;

type Row4 = (String, i64, i64, i64);

const REPORTED: &str = "SELECT l.bank_code, COUNT(DISTINCT l.claim_id), COUNT(*), CAST(COALESCE(SUM(l.amount), 0) AS BIGINT)
       FROM debit_lines l JOIN claims c ON c.id = l.claim_id
      WHERE c.submitted_at <= $1 AND ($2 IS NULL OR l.bank_code = $2)
      GROUP BY l.bank_code";
/// The latest answer of each line up to `as_of` is a confirmation.
const CONFIRMED: &str = "SELECT a.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(a.confirmed_amount), 0) AS BIGINT)
       FROM line_answers a
      WHERE a.at <= $1 AND a.verdict = 'confirmed' AND ($2 IS NULL OR a.bank_code = $2)
        AND NOT EXISTS (SELECT 1 FROM line_answers b
                         WHERE b.line_id = a.line_id AND b.at <= $1
                           AND (b.at > a.at OR (b.at = a.at AND b.id > a.id)))
      GROUP BY a.bank_code";
const APPROVED: &str = "SELECT l.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(COALESCE(l.approved_amount, 0)), 0) AS BIGINT)
       FROM debit_lines l
      WHERE ($2 IS NULL OR l.bank_code = $2)
        AND l.claim_id IN (SELECT e.claim_id FROM ledger_entries e WHERE e.kind = 'approve' AND e.at <= $1)
      GROUP BY l.bank_code";
const PAID: &str = "SELECT l.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(COALESCE(l.approved_amount, 0)), 0) AS BIGINT)
       FROM paid_debits p JOIN payout_lines pl ON pl.id = p.payout_line_id
       JOIN debit_lines l ON l.id = p.debit_line_id
      WHERE pl.recorded_at <= $1 AND ($2 IS NULL OR l.bank_code = $2)
      GROUP BY l.bank_code";
const NAMES: &str = "SELECT code, name FROM banks WHERE participating OR code IN (SELECT DISTINCT bank_code FROM debit_lines)";
const CALLS: &str = "call_lines";
const TRAVEL: &str = "travel_lines";

/// Puts a row of the `i`th query of `by_bank` in its figures.
fn apply(e: &mut BankFigures, i: usize, (_, cases, lines, sum): Row4) {
    match i {
        0 => (e.cases, e.lines, e.claimed) = (cases, lines, sum),
        1 => (e.confirmed_lines, e.confirmed) = (lines, sum),
        2 => (e.approved_lines, e.approved) = (lines, sum),
        3 => (e.paid_lines, e.paid) = (lines, sum),
        4 => e.calls_claimed = sum,
        5 => e.calls_approved = sum,
        6 => e.travel_claimed = sum,
        _ => e.travel_approved = sum,
    }
}

/// Per bank, as of `as_of` (restricted to `bank` when given), and the whole
/// operation's own call and travel costs and cases by state (each case
/// once; its other figures are the banks' sum).
pub async fn by_bank(
    db: &Db,
    as_of: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<(Vec<BankFigures>, BankFigures), sqlx::Error> {
    let queries = [
        REPORTED.to_owned(),
        CONFIRMED.to_owned(),
        APPROVED.to_owned(),
        PAID.to_owned(),
        costs_sql(CALLS, false),
        costs_sql(CALLS, true),
        costs_sql(TRAVEL, false),
        costs_sql(TRAVEL, true),
    ];
    let (results, states, names) = on_db!(db, pool => {
        let mut results = Vec::new();
        for sql in &queries {
            results.push(sqlx::query_as::<_, Row4>(sql).bind(as_of).bind(bank).fetch_all(pool).await?);
        }
        let st = sqlx::query_as::<_, (String, String, i64)>(STATES_AS_OF).bind(as_of).bind(bank).fetch_all(pool).await?;
        let n = sqlx::query_as::<_, (String, String)>(NAMES).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((results, st, n))
    })?;
    let mut out: std::collections::BTreeMap<String, BankFigures> = Default::default();
    let mut whole = BankFigures::default();
    fn figures<'a>(
        out: &'a mut std::collections::BTreeMap<String, BankFigures>,
        whole: &'a mut BankFigures,
        code: &str,
    ) -> &'a mut BankFigures {
        match code.is_empty() {
            true => whole,
            false => out.entry(code.to_owned()).or_insert_with(|| BankFigures {
                bank_code: code.to_owned(),
                ..BankFigures::default()
            }),
        }
    }
    for (i, rows) in results.into_iter().enumerate() {
        for row in rows {
            apply(figures(&mut out, &mut whole, &row.0), i, row);
        }
    }
    for (code, state, cases) in states {
        figures(&mut out, &mut whole, &code)
            .states
            .insert(state, cases);
    }
    let mut rows: Vec<BankFigures> = out.into_values().collect();
    for row in &mut rows {
        row.bank_name = names
            .iter()
            .find(|(code, _)| *code == row.bank_code)
            .map(|(_, name)| name.clone())
            .unwrap_or_default();
    }
    Ok((rows, whole))
}

/// Call (or travel) costs as of `$1`: claimed by the cases sent by then, or
/// approved by the cases first approved by then; per bank the case names
/// (`$2`: one bank only), and for the whole operation (code `''`).
fn costs_sql(table: &str, approved: bool) -> String {
    let (amount, when) = match approved {
        false => (
            "k.amount",
            "k.claim_id IN (SELECT c.id FROM claims c WHERE c.submitted_at <= $1)",
        ),
        true => (
            "COALESCE(k.approved_amount, 0)",
            "k.claim_id IN (SELECT e.claim_id FROM ledger_entries e WHERE e.kind = 'approve' AND e.at <= $1)",
        ),
    };
    format!(
        "SELECT b.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM({amount}), 0) AS BIGINT)
           FROM {table} k JOIN (SELECT DISTINCT claim_id, bank_code FROM debit_lines) b ON b.claim_id = k.claim_id
          WHERE {when} AND ($2 IS NULL OR b.bank_code = $2)
          GROUP BY b.bank_code
         UNION ALL
         SELECT '', CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM({amount}), 0) AS BIGINT)
           FROM {table} k WHERE {when} AND $2 IS NULL"
    )
}

/// The cases in each state as of `$1`, from their history: +1 in
/// 'submitted' when sent, then +1 in the state each change entered and -1
/// in the one it left; per bank the case names (`$2`: one bank only) and
/// for the whole operation (code `''`).
const STATES_AS_OF: &str = "WITH moves AS (
        SELECT c.id AS claim_id, 'submitted' AS state, 1 AS n FROM claims c WHERE c.submitted_at <= $1
        UNION ALL
        SELECT e.claim_id, e.to_state, 1 FROM claim_events e
         WHERE e.at <= $1 AND e.from_state <> 'draft' AND e.from_state <> e.to_state
        UNION ALL
        SELECT e.claim_id, e.from_state, -1 FROM claim_events e
         WHERE e.at <= $1 AND e.from_state <> 'draft' AND e.from_state <> e.to_state)
    SELECT b.bank_code, m.state, CAST(SUM(m.n) AS BIGINT)
      FROM moves m JOIN (SELECT DISTINCT claim_id, bank_code FROM debit_lines) b ON b.claim_id = m.claim_id
     WHERE ($2 IS NULL OR b.bank_code = $2)
     GROUP BY b.bank_code, m.state HAVING SUM(m.n) <> 0
    UNION ALL
    SELECT '', m.state, CAST(SUM(m.n) AS BIGINT) FROM moves m WHERE $2 IS NULL
     GROUP BY m.state HAVING SUM(m.n) <> 0";

/// The whole operation as of `as_of`: (cases reported, approved in the
/// ledger, paid in the ledger) — the ledger includes call and travel costs.
pub async fn ledger_totals(db: &Db, as_of: DateTime<Utc>) -> Result<(i64, Yen, Yen), sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (i64, Yen, Yen)>(
        "SELECT (SELECT COUNT(*) FROM claims WHERE submitted_at <= $1),
                CAST(COALESCE((SELECT SUM(amount) FROM ledger_entries WHERE kind = 'approve' AND account = 'compensation' AND at <= $1), 0) AS BIGINT),
                CAST(COALESCE((SELECT -SUM(amount) FROM ledger_entries WHERE kind = 'pay' AND account = 'paid_out' AND at <= $1), 0) AS BIGINT)",
    ).bind(as_of).fetch_one(p).await)
}

/// A frozen report.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ReportRow {
    pub number: i64,
    pub as_of: DateTime<Utc>,
    pub computed_at: DateTime<Utc>,
    pub created_by: Uuid,
    pub figures: String,
}

pub async fn next_number(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
        "UPDATE counters SET value = value + 1 WHERE name = 'report' RETURNING value",
    ).fetch_one(c).await)
}

pub async fn insert(tx: &mut Tx, r: &ReportRow, request_id: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO reports (number, request_id, as_of, computed_at, created_by, figures) VALUES ($1, $2, $3, $4, $5, $6)",
    ).bind(r.number).bind(request_id).bind(r.as_of).bind(r.computed_at).bind(r.created_by).bind(&r.figures)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn for_request(db: &Db, request_id: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>("SELECT number FROM reports WHERE request_id = $1")
        .bind(request_id).fetch_optional(p).await)
}

const ROW: &str = "number, as_of, computed_at, created_by, figures";

pub async fn by_number(db: &Db, number: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    let sql = format!("SELECT {ROW} FROM reports WHERE number = $1");
    on_db!(db, p => sqlx::query_as::<_, ReportRow>(&sql).bind(number).fetch_optional(p).await)
}

/// Every frozen report, newest first.
pub async fn list(db: &Db) -> Result<Vec<ReportRow>, sqlx::Error> {
    let sql = format!("SELECT {ROW} FROM reports ORDER BY number DESC");
    on_db!(db, p => sqlx::query_as::<_, ReportRow>(&sql).fetch_all(p).await)
}

/// Cases by state (those with a debit at `bank` when given).
pub async fn states(db: &Db, bank: Option<&str>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT c.state, COUNT(*) FROM claims c
          WHERE ($1 IS NULL OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = $1))
          GROUP BY c.state ORDER BY c.state",
    ).bind(bank).fetch_all(p).await)
}

/// (day in Japan, new claims, cases decided: each case once, on its first
/// approval or rejection) since `since`.
pub async fn daily(
    db: &Db,
    since: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    let day = |col: &str| match db {
        Db::Sqlite { .. } => format!("date({col}, '+9 hours')"),
        Db::Postgres { .. } => format!("to_char({col} AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD')"),
    };
    let sql = format!(
        "SELECT d, CAST(SUM(n) AS BIGINT), CAST(SUM(k) AS BIGINT) FROM (
            SELECT {sub} AS d, 1 AS n, 0 AS k FROM claims c
             WHERE c.submitted_at >= $1
               AND ($2 IS NULL OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = $2))
            UNION ALL
            SELECT {dec} AS d, 0 AS n, 1 AS k FROM claim_events e
             WHERE e.at >= $1 AND e.to_state IN ('approved', 'rejected') AND e.from_state <> e.to_state
               AND NOT EXISTS (SELECT 1 FROM claim_events f
                                WHERE f.claim_id = e.claim_id AND f.to_state IN ('approved', 'rejected')
                                  AND f.from_state <> f.to_state AND (f.at < e.at OR (f.at = e.at AND f.id < e.id)))
               AND ($2 IS NULL OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = e.claim_id AND l.bank_code = $2))
         ) t GROUP BY d ORDER BY d",
        sub = day("c.submitted_at"),
        dec = day("e.at"),
    );
    on_db!(db, p => sqlx::query_as::<_, (String, i64, i64)>(&sql).bind(since).bind(bank).fetch_all(p).await)
}

/// Open cases whose SLA clock started on or before `late_start` (past the target).
pub async fn past_sla(
    db: &Db,
    late_start: chrono::NaiveDate,
    bank: Option<&str>,
) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM claims c
          WHERE c.state IN ('submitted', 'bank_review', 'in_review', 'assessed') AND c.sla_start <= $1
            AND ($2 IS NULL OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = $2))",
    ).bind(late_start).bind(bank).fetch_one(p).await)
}

/// The average number of days from sending a claim to its payment, over
/// the paid cases (None while nothing is paid).
pub async fn days_to_payment(db: &Db, bank: Option<&str>) -> Result<Option<f64>, sqlx::Error> {
    let diff = match db {
        Db::Sqlite { .. } => "julianday(pl.paid_on) - julianday(date(c.submitted_at, '+9 hours'))",
        Db::Postgres { .. } => {
            "pl.paid_on - CAST(c.submitted_at AT TIME ZONE 'Asia/Tokyo' AS DATE)"
        }
    };
    let sql = format!(
        "SELECT CAST(AVG({diff}) AS DOUBLE PRECISION) FROM payout_lines pl JOIN claims c ON c.id = pl.claim_id
          WHERE pl.result = 'paid'
            AND ($1 IS NULL OR EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = $1))"
    );
    on_db!(db, p => sqlx::query_scalar::<_, Option<f64>>(&sql).bind(bank).fetch_one(p).await)
}
