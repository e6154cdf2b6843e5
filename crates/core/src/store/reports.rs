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

/// Per bank, as of `as_of` (restricted to `bank` when given).
pub async fn by_bank(
    db: &Db,
    as_of: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<Vec<BankFigures>, sqlx::Error> {
    let reported = "SELECT l.bank_code, COUNT(DISTINCT l.claim_id), COUNT(*), CAST(COALESCE(SUM(l.amount), 0) AS BIGINT)
           FROM debit_lines l JOIN claims c ON c.id = l.claim_id
          WHERE c.submitted_at <= $1 AND ($2 IS NULL OR l.bank_code = $2)
          GROUP BY l.bank_code";
    // The latest answer of each line up to `as_of` is a confirmation.
    let confirmed =
        "SELECT a.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(a.confirmed_amount), 0) AS BIGINT)
           FROM line_answers a
          WHERE a.at <= $1 AND a.verdict = 'confirmed' AND ($2 IS NULL OR a.bank_code = $2)
            AND NOT EXISTS (SELECT 1 FROM line_answers b
                             WHERE b.line_id = a.line_id AND b.at <= $1
                               AND (b.at > a.at OR (b.at = a.at AND b.id > a.id)))
          GROUP BY a.bank_code";
    let approved = "SELECT l.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(COALESCE(l.approved_amount, 0)), 0) AS BIGINT)
           FROM debit_lines l
          WHERE ($2 IS NULL OR l.bank_code = $2)
            AND l.claim_id IN (SELECT e.claim_id FROM ledger_entries e WHERE e.kind = 'approve' AND e.at <= $1)
          GROUP BY l.bank_code";
    let paid = "SELECT l.bank_code, CAST(0 AS BIGINT), COUNT(*), CAST(COALESCE(SUM(COALESCE(l.approved_amount, 0)), 0) AS BIGINT)
           FROM paid_debits p JOIN payout_lines pl ON pl.id = p.payout_line_id
           JOIN debit_lines l ON l.id = p.debit_line_id
          WHERE pl.recorded_at <= $1 AND ($2 IS NULL OR l.bank_code = $2)
          GROUP BY l.bank_code";
    let names = "SELECT code, name FROM banks WHERE participating OR code IN (SELECT DISTINCT bank_code FROM debit_lines)";
    let (r, c, a, p, n) = on_db!(db, pool => {
        let q = |sql: &'static str| sqlx::query_as::<_, Row4>(sql).bind(as_of).bind(bank).fetch_all(pool);
        let r = q(reported).await?;
        let c = q(confirmed).await?;
        let a = q(approved).await?;
        let p = q(paid).await?;
        let n = sqlx::query_as::<_, (String, String)>(names).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((r, c, a, p, n))
    })?;
    let mut out: std::collections::BTreeMap<String, BankFigures> = Default::default();
    fn entry<'a>(
        out: &'a mut std::collections::BTreeMap<String, BankFigures>,
        code: &str,
    ) -> &'a mut BankFigures {
        out.entry(code.to_owned()).or_insert_with(|| BankFigures {
            bank_code: code.to_owned(),
            ..BankFigures::default()
        })
    }
    for (code, cases, lines, sum) in r {
        let e = entry(&mut out, &code);
        (e.cases, e.lines, e.claimed) = (cases, lines, sum);
    }
    for (code, _, lines, sum) in c {
        let e = entry(&mut out, &code);
        (e.confirmed_lines, e.confirmed) = (lines, sum);
    }
    for (code, _, lines, sum) in a {
        let e = entry(&mut out, &code);
        (e.approved_lines, e.approved) = (lines, sum);
    }
    for (code, _, lines, sum) in p {
        let e = entry(&mut out, &code);
        (e.paid_lines, e.paid) = (lines, sum);
    }
    let mut rows: Vec<BankFigures> = out.into_values().collect();
    for row in &mut rows {
        row.bank_name = n
            .iter()
            .find(|(code, _)| *code == row.bank_code)
            .map(|(_, name)| name.clone())
            .unwrap_or_default();
    }
    Ok(rows)
}

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

/// (day in Japan, new claims, decisions: approvals and rejections) since `since`.
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
