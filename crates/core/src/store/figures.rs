//! The dashboard's and the regulator's figures from the sums kept by
//! migration 0022 (`kept_figures`, appended in the transactions that change
//! a claim), instead of counted over every claim. Each reader here answers
//! exactly what its namesake in `store::reports` counts from the claims; a
//! test compares the two after random changes on both databases.
//!
//! A figure "as of" a past moment is the kept sum of the days before that
//! moment's day in Japan plus what that day changed up to the moment, or
//! the kept sum up to that day's end less what it changed after the moment
//! (the dated rows of `claim_figures` in the shorter stretch).

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;

use crate::db::{Db, Tx};
use crate::on_db;
use crate::store::reports::BankFigures;
use uuid::Uuid;

/// The metrics the regulator's report reads (each dated by when it took
/// effect), as a condition on `metric`.
const REPORT_METRICS: &str =
    "(metric IN ('reported', 'confirmed', 'approved', 'paid', 'ledger_approved', 'ledger_paid',
        'calls', 'travel', 'calls_approved', 'travel_approved') OR metric LIKE 'state_at:%')";

/// The key of a scope: a bank, or `''` for the whole operation.
fn scope(bank: Option<&str>) -> &str {
    bank.unwrap_or("")
}

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// Cases by state (those with a debit at `bank` when given).
pub async fn states(db: &Db, bank: Option<&str>) -> Result<Vec<(String, i64)>, sqlx::Error> {
    let rows = on_db!(db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT metric, CAST(SUM(n) AS BIGINT) FROM kept_figures
          WHERE bank_code = $1 AND metric LIKE 'state:%'
          GROUP BY metric HAVING SUM(n) <> 0 ORDER BY metric",
    ).bind(scope(bank)).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(m, n)| (m.trim_start_matches("state:").to_owned(), n))
        .collect())
}

/// (day in Japan, new claims, decisions) from `since` on.
pub async fn daily(
    db: &Db,
    since: NaiveDate,
    bank: Option<&str>,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT day, CAST(SUM(CASE WHEN metric = 'reported' THEN n ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN metric = 'decided' THEN n ELSE 0 END) AS BIGINT)
           FROM kept_figures
          WHERE bank_code = $1 AND metric IN ('reported', 'decided') AND day >= $2
          GROUP BY day HAVING SUM(n) <> 0 ORDER BY day",
    ).bind(scope(bank)).bind(day_text(since)).fetch_all(p).await)
}

/// Open cases whose SLA clock started on or before `late_start`.
pub async fn past_sla(
    db: &Db,
    late_start: NaiveDate,
    bank: Option<&str>,
) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM kept_figures
          WHERE bank_code = $1
            AND metric IN ('state:submitted', 'state:bank_review', 'state:in_review', 'state:assessed')
            AND day <> '' AND day <= $2",
    ).bind(scope(bank)).bind(day_text(late_start)).fetch_one(p).await)
}

/// The average number of days from sending a claim to its payment.
pub async fn days_to_payment(db: &Db, bank: Option<&str>) -> Result<Option<f64>, sqlx::Error> {
    let (n, days): (i64, i64) = on_db!(db, p => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT), CAST(COALESCE(SUM(amount), 0) AS BIGINT)
           FROM kept_figures WHERE bank_code = $1 AND metric = 'paid_days'",
    ).bind(scope(bank)).fetch_one(p).await)?;
    Ok((n > 0).then(|| days as f64 / n as f64))
}

/// (bank, metric, n, lines, amount) of the report's metrics.
type Sums = Vec<(String, String, i64, i64, i64)>;

/// The report's sums as of `as_of` (`None`: everything kept, i.e. now), in
/// `bank` only when given (`''` is the whole operation's row).
async fn report_sums(
    db: &Db,
    as_of: Option<DateTime<Utc>>,
    bank: Option<&str>,
) -> Result<Sums, sqlx::Error> {
    let filter = "($1 IS NULL OR bank_code = $1 OR bank_code = '')";
    let Some(at) = as_of else {
        let sql = format!(
            "SELECT bank_code, metric, CAST(SUM(n) AS BIGINT), CAST(SUM(lines) AS BIGINT), CAST(SUM(amount) AS BIGINT)
               FROM kept_figures WHERE {REPORT_METRICS} AND {filter}
              GROUP BY bank_code, metric"
        );
        return on_db!(db, p => sqlx::query_as(&sql).bind(bank).fetch_all(p).await);
    };
    let day = domain::calendar::date_in_japan(at);
    let start = domain::calendar::start_of_day_in_japan(day);
    let end = start + chrono::Duration::days(1);
    // That day's figures change only by what happened that day: from the
    // kept days before it, add what the claims changed since the day began
    // up to the moment; or from the kept days up to its end, take away what
    // they changed after the moment. The shorter stretch is read (for the
    // figures now, nothing).
    let (kept_days, sign, from, to) = if at - start <= end - at {
        ("day < $2", "", "at >= $3 AND at <= $4", (start, at))
    } else {
        ("day <= $2", "-", "at > $3 AND at < $4", (at, end))
    };
    let sql = format!(
        "SELECT bank_code, metric, CAST(SUM(n) AS BIGINT), CAST(SUM(lines) AS BIGINT), CAST(SUM(amount) AS BIGINT)
           FROM (SELECT bank_code, metric, n, lines, amount FROM kept_figures
                  WHERE {REPORT_METRICS} AND {filter} AND {kept_days}
                 UNION ALL
                 SELECT bank_code, metric, {sign}n, {sign}lines, {sign}amount FROM claim_figures
                  WHERE {REPORT_METRICS} AND {filter} AND {from}) t
          GROUP BY bank_code, metric"
    );
    on_db!(db, p => sqlx::query_as(&sql).bind(bank).bind(day_text(day)).bind(to.0).bind(to.1).fetch_all(p).await)
}

/// Per bank, as of `as_of` (`None`: now), restricted to `bank` when given,
/// and the whole operation's own costs and states: what
/// `store::reports::by_bank` counts.
pub async fn by_bank(
    db: &Db,
    as_of: Option<DateTime<Utc>>,
    bank: Option<&str>,
) -> Result<(Vec<BankFigures>, BankFigures), sqlx::Error> {
    let sums = report_sums(db, as_of, bank).await?;
    let mut out: std::collections::BTreeMap<String, BankFigures> = Default::default();
    let mut whole = BankFigures::default();
    for (code, metric, n, lines, amount) in sums {
        if n == 0 && lines == 0 && amount == 0 {
            continue;
        }
        let e = match code.is_empty() {
            true => &mut whole,
            false => out.entry(code.clone()).or_insert_with(|| BankFigures {
                bank_code: code.clone(),
                ..BankFigures::default()
            }),
        };
        match metric.as_str() {
            "reported" => (e.cases, e.lines, e.claimed) = (n, lines, amount),
            "confirmed" => (e.confirmed_lines, e.confirmed) = (n, amount),
            "approved" => (e.approved_lines, e.approved) = (lines, amount),
            "paid" => (e.paid_lines, e.paid) = (lines, amount),
            "calls" => e.calls_claimed = amount,
            "calls_approved" => e.calls_approved = amount,
            "travel" => e.travel_claimed = amount,
            "travel_approved" => e.travel_approved = amount,
            m => {
                if let Some(state) = m.strip_prefix("state_at:").filter(|_| n != 0) {
                    e.states.insert(state.to_owned(), n);
                }
            }
        }
    }
    // The names of the banks shown, not of every bank in Japan.
    if !out.is_empty() {
        let list = (1..=out.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("SELECT code, name FROM banks WHERE code IN ({list})");
        let names = on_db!(db, p => {
            let mut q = sqlx::query_as::<_, (String, String)>(&sql);
            for code in out.keys() {
                q = q.bind(code);
            }
            q.fetch_all(p).await
        })?;
        for (code, name) in names {
            if let Some(row) = out.get_mut(&code) {
                row.bank_name = name;
            }
        }
    }
    Ok((out.into_values().collect(), whole))
}

/// The whole operation as of `as_of` (`None`: now): (cases reported,
/// approved in the ledger, paid in the ledger), as `store::reports::ledger_totals`.
pub async fn ledger_totals(
    db: &Db,
    as_of: Option<DateTime<Utc>>,
) -> Result<(i64, Yen, Yen), sqlx::Error> {
    let sums = report_sums(db, as_of, Some("")).await?;
    let get = |metric: &str| {
        sums.iter()
            .find(|(b, m, ..)| b.is_empty() && m == metric)
            .map(|(_, _, n, _, amount)| (*n, *amount))
            .unwrap_or((0, 0))
    };
    Ok((
        get("reported").0,
        Yen::from_db(get("ledger_approved").1),
        Yen::from_db(get("ledger_paid").1),
    ))
}

/// Stops keeping the figures (before a bulk load; `recount` starts again).
pub async fn pause(db: &Db) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO figures_paused (one) VALUES (1) ON CONFLICT DO NOTHING";
    match db {
        Db::Sqlite { write, .. } => sqlx::query(sql).execute(write).await?.rows_affected(),
        Db::Postgres { pool: p, .. } => sqlx::query(sql)
            .execute(crate::pg_statements::PgExec(p))
            .await?
            .rows_affected(),
    };
    Ok(())
}

/// Counts every figure again from the claims, in one transaction, and keeps
/// them from then on.
pub async fn recount(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for sql in [
        "DELETE FROM kept_figures",
        "DELETE FROM figures_pending",
        "INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
         SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount) FROM claim_figures
          GROUP BY bank_code, metric, day
         HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0",
        "DELETE FROM figures_paused",
    ] {
        crate::on_tx!(&mut tx, c => sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Holds a claim's kept figures for the rest of the transaction on SQLite
/// (migration 0028): its figures as they are now are taken away once, and
/// the triggers after each of the transaction's changes to it add nothing
/// until [`release`] adds the figures as they are then. A transaction that
/// writes a whole claim (the claim, its lines and costs) so computes the
/// claim's figures twice instead of twice per row. Both go through the
/// triggers' own touch (`figures_touch`, every part): the same statements
/// as every other change. On PostgreSQL the triggers already wait for the
/// commit: nothing to do.
pub async fn hold(tx: &mut Tx, claim: Uuid) -> Result<(), sqlx::Error> {
    let Tx::Sqlite(c) = tx else { return Ok(()) };
    for sql in [
        "INSERT INTO figures_touch VALUES ($1, 0, 'all')",
        "INSERT INTO figures_held (claim_id) VALUES ($1)",
    ] {
        sqlx::query(sql).bind(claim).execute(&mut **c).await?;
    }
    Ok(())
}

/// Ends a [`hold`]: the claim's figures as they are now, less those taken
/// away, are kept (every part at once), and the triggers work again.
pub async fn release(tx: &mut Tx, claim: Uuid) -> Result<(), sqlx::Error> {
    let Tx::Sqlite(c) = tx else { return Ok(()) };
    for sql in [
        "DELETE FROM figures_held WHERE claim_id = $1",
        "INSERT INTO figures_touch VALUES ($1, 1, 'all')",
    ] {
        sqlx::query(sql).bind(claim).execute(&mut **c).await?;
    }
    Ok(())
}

/// The figures of many claims taken away at once before a transaction
/// changes them all (a chunk of a bank's list): the set-wise form of
/// migration 0028's `figures_before` on PostgreSQL, one statement and one
/// plan for the chunk instead of the claims' view read once each. The
/// claims are locked in one order. The triggers before each change then
/// find the claims held and do nothing; [`release_many`] adds the figures
/// as they are then, before the commit, and the deferred triggers find
/// nothing left to do. Returns whether it held them (not while the figures
/// are paused). SQLite holds nothing here: its triggers work per row as
/// before (its import met the target without it).
pub async fn hold_many(tx: &mut Tx, claims: &[Uuid]) -> Result<bool, sqlx::Error> {
    let Tx::Postgres(c) = tx else {
        return Ok(false);
    };
    let c = &mut crate::pg_statements::PgConn(c);
    let paused: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM figures_paused)")
        .fetch_one(&mut *c)
        .await?;
    if paused || claims.is_empty() {
        return Ok(false);
    }
    sqlx::query("SELECT 1 FROM claims WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE")
        .bind(claims)
        .execute(&mut *c)
        .await?;
    sqlx::query(
        "INSERT INTO figures_pending (claim_id, bank_code, metric, day, n, lines, amount)
         SELECT h.id, '', '', '', 0, 0, 0 FROM unnest($1::uuid[]) AS h(id)
          WHERE NOT EXISTS (SELECT 1 FROM figures_pending p WHERE p.claim_id = h.id)
         UNION ALL
         SELECT f.claim_id, f.bank_code, f.metric, f.day, -SUM(f.n), -SUM(f.lines), -SUM(f.amount)
           FROM claim_figures f
          WHERE f.claim_id = ANY($1)
            AND NOT EXISTS (SELECT 1 FROM figures_pending p WHERE p.claim_id = f.claim_id)
          GROUP BY f.claim_id, f.bank_code, f.metric, f.day",
    )
    .bind(claims)
    .execute(&mut *c)
    .await?;
    Ok(true)
}

/// Ends a [`hold_many`]: the claims' figures as they are now, less those
/// taken away, are kept in one statement, and their pending rows removed.
pub async fn release_many(tx: &mut Tx, claims: &[Uuid]) -> Result<(), sqlx::Error> {
    let Tx::Postgres(c) = tx else { return Ok(()) };
    let c = &mut crate::pg_statements::PgConn(c);
    sqlx::query(
        "INSERT INTO kept_figures (bank_code, metric, day, n, lines, amount)
         SELECT bank_code, metric, day, SUM(n), SUM(lines), SUM(amount)
           FROM (SELECT bank_code, metric, day, n, lines, amount FROM figures_pending
                  WHERE claim_id = ANY($1) AND metric <> ''
                 UNION ALL
                 SELECT bank_code, metric, day, n, lines, amount FROM claim_figures
                  WHERE claim_id = ANY($1)) t
          GROUP BY bank_code, metric, day
         HAVING SUM(n) <> 0 OR SUM(lines) <> 0 OR SUM(amount) <> 0",
    )
    .bind(claims)
    .execute(&mut *c)
    .await?;
    sqlx::query("DELETE FROM figures_pending WHERE claim_id = ANY($1)")
        .bind(claims)
        .execute(&mut *c)
        .await?;
    Ok(())
}
