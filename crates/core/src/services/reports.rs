//! The regulator's report and the dashboard: figures computed in SQL as of a
//! moment, frozen reports (stored as computed, numbered, downloaded later
//! unchanged), and their CSV and Excel files.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::drafts::today_jst;
use crate::auth::CurrentUser;
use crate::domain::report::{Report, jst_text, parse_as_of};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::figures;
use crate::store::reports as store;

/// Where figures come from: the sums kept in the transactions that change
/// them (what every page shows), or a count over every claim (slow at scale:
/// the reference the kept sums must always equal, in the tests and the bench).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Kept,
    Counted,
}

/// The report as of `as_of` (per bank, restricted to `bank` when given).
#[tracing::instrument(skip_all)]
pub async fn compute(
    state: &Core,
    as_of: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<Report, AppError> {
    report_from(state, Source::Kept, Some(as_of), as_of, bank).await
}

/// The report counted from the claims themselves (see [`Source::Counted`]).
#[tracing::instrument(skip_all)]
pub async fn count(
    state: &Core,
    as_of: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<Report, AppError> {
    report_from(state, Source::Counted, Some(as_of), as_of, bank).await
}

/// The report from `source` as of `as_of` (`None`: now, all that is kept),
/// shown as of `shown`.
async fn report_from(
    state: &Core,
    source: Source,
    as_of: Option<DateTime<Utc>>,
    shown: DateTime<Utc>,
    bank: Option<&str>,
) -> Result<Report, AppError> {
    let db = &state.db;
    let moment = as_of.unwrap_or(shown);
    let (banks, whole) = match source {
        Source::Kept => figures::by_bank(db, as_of, bank).await?,
        Source::Counted => store::by_bank(db, moment, bank).await?,
    };
    let ledger = if bank.is_none() {
        let (cases, approved, paid) = match source {
            Source::Kept => figures::ledger_totals(db, as_of).await?,
            Source::Counted => store::ledger_totals(db, moment).await?,
        };
        (cases, approved.value(), paid.value())
    } else {
        (0, 0, 0)
    };
    let whole = bank.is_none().then_some(&whole);
    Ok(Report::new(shown, Utc::now(), banks, whole, ledger))
}

/// Parses the form's moment (field `as_of`).
pub fn as_of(text: &str) -> Result<DateTime<Utc>, AppError> {
    parse_as_of(text, Utc::now()).map_err(|k| AppError::field("as_of", k))
}

/// Freezes the report as of the form's moment; the same form posted again
/// (its one-time token) finds the same report. Returns its number.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn freeze(
    state: &Core,
    user: &CurrentUser,
    as_of_text: &str,
    request_id: &str,
) -> Result<i64, AppError> {
    let request_id = request_id.trim();
    if Uuid::parse_str(request_id).is_err() {
        return Err(AppError::Conflict("form_expired"));
    }
    if let Some(n) = store::for_request(&state.db, request_id).await? {
        return Ok(n);
    }
    let at = as_of(as_of_text)?;
    let report = compute(state, at, None).await?;
    let figures = serde_json::to_string(&report).map_err(AppError::other)?;
    let mut tx = state.db.begin().await?;
    let number = store::next_number(&mut tx).await?;
    store::insert(
        &mut tx,
        &store::ReportRow {
            number,
            as_of: report.as_of,
            computed_at: report.computed_at,
            created_by: user.id,
            figures,
        },
        request_id,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(number, as_of = %report.as_of, "report frozen");
    Ok(number)
}

/// A frozen report as it was stored, with the one before it (for the change).
#[tracing::instrument(skip_all)]
pub async fn frozen(state: &Core, number: i64) -> Result<(Report, Option<Report>), AppError> {
    let read = |row: store::ReportRow| -> Result<Report, AppError> {
        serde_json::from_str(&row.figures).map_err(AppError::other)
    };
    let row = store::by_number(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let previous = match number > 1 {
        true => store::by_number(&state.db, number - 1)
            .await?
            .map(read)
            .transpose()?,
        false => None,
    };
    Ok((read(row)?, previous))
}

/// The latest frozen report, if any (the live report shows the change since it).
#[tracing::instrument(skip_all)]
pub async fn latest(state: &Core) -> Result<Option<(i64, Report)>, AppError> {
    match store::list(&state.db).await?.into_iter().next() {
        Some(row) => {
            let n = row.number;
            let r = serde_json::from_str(&row.figures).map_err(AppError::other)?;
            Ok(Some((n, r)))
        }
        None => Ok(None),
    }
}

/// What the report is, as (key, value) rows: its number, as of when,
/// when counted, the ledger's totals, the report it is compared with. Kept
/// apart from the table (its own sheet or file) so the table loads as one.
fn about(lang: Lang, number: i64, r: &Report, previous: Option<&Report>) -> Vec<Vec<String>> {
    let mut out = vec![
        vec![lang.t("report_about_item"), lang.t("report_about_value")],
        vec![lang.t("report_title"), format!("#{number}")],
        vec![lang.t("report_as_of"), jst_text(r.as_of)],
        vec![lang.t("report_computed_at"), jst_text(r.computed_at)],
        vec![
            lang.t("report_cases_reported"),
            r.cases_reported.to_string(),
        ],
        vec![
            lang.t("report_ledger_approved"),
            r.ledger_approved.to_string(),
        ],
        vec![lang.t("report_ledger_paid"), r.ledger_paid.to_string()],
        vec![lang.t("report_note"), lang.t("report_two_banks")],
    ];
    if let Some(p) = previous {
        out.push(vec![lang.t("report_change_since"), jst_text(p.as_of)]);
    }
    out
}

/// The report's figures as one table: a header, then a row per bank and
/// the total, then (with a previous report) the change since it, each row
/// saying in its first cell which of the two it is.
fn table(lang: Lang, r: &Report, previous: Option<&Report>) -> Vec<Vec<String>> {
    let mut header = vec![
        lang.t("report_part"),
        lang.t("bank_code"),
        lang.t("bank_name"),
    ];
    header.extend(r.total.columns().iter().map(|(k, _)| lang.t(k)));
    header.extend(r.total.state_columns().iter().map(|(state, _)| {
        lang.t("report_in_state").replace(
            "%{state}",
            &lang.t(&format!("staff_state_{}", state.as_str())),
        )
    }));
    let row = |part: &str, f: &crate::domain::report::Figures| {
        let mut cells = vec![
            part.to_owned(),
            if f.bank_code.is_empty() {
                lang.t("report_total")
            } else {
                f.bank_code.clone()
            },
            f.bank_name.clone(),
        ];
        cells.extend(f.columns().iter().map(|(_, v)| v.to_string()));
        cells.extend(f.state_columns().iter().map(|(_, n)| n.to_string()));
        cells
    };
    let mut out = vec![header];
    let part = lang.t("report_part_figures");
    out.extend(r.banks.iter().map(|f| row(&part, f)));
    out.push(row(&part, &r.total));
    if let Some(p) = previous {
        let (rows, total) = r.change_since(p);
        let part = format!("{} {}", lang.t("report_part_change"), jst_text(p.as_of));
        out.extend(rows.iter().map(|f| row(&part, f)));
        out.push(row(&part, &total));
    }
    out
}

/// The report's table as CSV: UTF-8 with a byte-order mark (as Excel in
/// Japan expects), CR LF line ends; `about`: what the report is instead.
pub fn csv(
    lang: Lang,
    number: i64,
    r: &Report,
    previous: Option<&Report>,
    about_it: bool,
) -> Result<Vec<u8>, AppError> {
    crate::csv::csv_with_bom(if about_it {
        about(lang, number, r, previous)
    } else {
        table(lang, r, previous)
    })
}

/// The report as an Excel workbook (numbers as numbers): the table on its
/// first sheet, what the report is on a second.
pub fn xlsx(
    lang: Lang,
    number: i64,
    r: &Report,
    previous: Option<&Report>,
) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::Workbook;
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::other(e);
    let mut book = Workbook::new();
    // Each sheet with its first column of figures (a bank code is text).
    let sheets = [
        (format!("report-{number}"), table(lang, r, previous), 3),
        (
            lang.t("report_about_sheet"),
            about(lang, number, r, previous),
            1,
        ),
    ];
    for (name, rows, figures) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(name).map_err(fail)?;
        for (i, cells) in rows.iter().enumerate() {
            for (j, cell) in cells.iter().enumerate() {
                let (row, col) = (i as u32, j as u16);
                match cell.parse::<i64>() {
                    Ok(n) if i >= 1 && j >= figures => {
                        sheet.write_number(row, col, n as f64).map_err(fail)?
                    }
                    _ => sheet
                        .write_string(row, col, crate::csv::safe_text(cell))
                        .map_err(fail)?,
                };
            }
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The dashboard's numbers (restricted to `bank` for bank staff).
#[derive(Clone, Debug)]
pub struct Dashboard {
    /// When these figures were computed.
    pub computed_at: DateTime<Utc>,
    pub states: Vec<(String, i64)>,
    /// 90 days, oldest first: (day, new claims, decisions).
    pub daily: Vec<(String, i64, i64)>,
    pub report: Report,
    pub past_sla: i64,
    pub days_to_payment: Option<f64>,
}

/// 90 days from `first`, each with its counted (new claims, decisions) or zeros.
fn ninety_days(
    first: chrono::NaiveDate,
    counted: &[(String, i64, i64)],
) -> Vec<(String, i64, i64)> {
    (0..90)
        .map(|i| {
            let day = (first + Duration::days(i)).format("%Y-%m-%d").to_string();
            let (n, k) = counted
                .iter()
                .find(|(d, _, _)| *d == day)
                .map(|(_, n, k)| (*n, *k))
                .unwrap_or((0, 0));
            (day, n, k)
        })
        .collect()
}

#[tracing::instrument(skip_all)]
pub async fn dashboard(state: &Core, bank: Option<&str>) -> Result<Dashboard, AppError> {
    dashboard_from(state, Source::Kept, bank).await
}

/// The dashboard's figures counted from the claims themselves (see
/// [`Source::Counted`]).
#[tracing::instrument(skip_all)]
pub async fn dashboard_counted(state: &Core, bank: Option<&str>) -> Result<Dashboard, AppError> {
    dashboard_from(state, Source::Counted, bank).await
}

async fn dashboard_from(
    state: &Core,
    source: Source,
    bank: Option<&str>,
) -> Result<Dashboard, AppError> {
    let db = &state.db;
    let now = Utc::now();
    let today = today_jst(now);
    let first = today - Duration::days(89);
    let late = super::notifications::late_start(today);
    let since = crate::domain::calendar::start_of_day_in_japan(first);
    let (counted, states, past_sla, days_to_payment) = match source {
        Source::Kept => (
            figures::daily(db, first, bank).await?,
            figures::states(db, bank).await?,
            figures::past_sla(db, late, bank).await?,
            figures::days_to_payment(db, bank).await?,
        ),
        Source::Counted => (
            store::daily(db, since, bank).await?,
            store::states(db, bank).await?,
            store::past_sla(db, late, bank).await?,
            store::days_to_payment(db, bank).await?,
        ),
    };
    Ok(Dashboard {
        computed_at: now,
        states,
        daily: ninety_days(first, &counted),
        report: report_from(state, source, None, now, bank).await?,
        past_sla,
        days_to_payment,
    })
}

/// The dashboards this process computed, by scope (`None`: the whole
/// operation; else one bank). Each process keeps its own: nothing here is
/// state another process needs.
#[derive(Debug, Default)]
pub struct DashboardCache {
    entries: std::sync::Mutex<std::collections::HashMap<Option<String>, std::sync::Arc<Dashboard>>>,
    refreshing: std::sync::Mutex<std::collections::HashSet<Option<String>>>,
}

impl DashboardCache {
    fn get(&self, key: &Option<String>) -> Option<std::sync::Arc<Dashboard>> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    fn put(&self, key: Option<String>, d: std::sync::Arc<Dashboard>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, d);
        }
    }

    /// True for the one caller that should compute `key` again now.
    fn start_refresh(&self, key: &Option<String>) -> bool {
        self.refreshing
            .lock()
            .map(|mut r| r.insert(key.clone()))
            .unwrap_or(false)
    }

    fn end_refresh(&self, key: &Option<String>) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(key);
        }
    }
}

/// The dashboard as a view shows it: the figures last computed for this
/// scope, at most `dashboard_refresh` old when nothing is slow (older ones
/// are served once more while new ones are computed in the background).
/// The first view of a scope in a process computes them while it waits;
/// with a refresh of zero every view computes them.
#[tracing::instrument(skip_all)]
pub async fn dashboard_view(
    state: &Core,
    bank: Option<&str>,
) -> Result<std::sync::Arc<Dashboard>, AppError> {
    let ttl = state.settings.dashboard_refresh;
    if ttl.is_zero() {
        return Ok(std::sync::Arc::new(dashboard(state, bank).await?));
    }
    let key = bank.map(str::to_owned);
    match state.dashboards.get(&key) {
        Some(d) => {
            let age = (Utc::now() - d.computed_at).to_std().unwrap_or_default();
            if age > ttl && state.dashboards.start_refresh(&key) {
                let state = state.clone();
                tokio::spawn(async move {
                    if let Err(e) = refresh_dashboard(&state, key.as_deref()).await {
                        tracing::warn!("the dashboard's figures were not computed: {e}");
                    }
                    state.dashboards.end_refresh(&key);
                });
            }
            Ok(d)
        }
        None => refresh_dashboard(state, bank).await,
    }
}

/// Computes a scope's figures now and keeps them for the next views.
#[tracing::instrument(skip_all)]
pub async fn refresh_dashboard(
    state: &Core,
    bank: Option<&str>,
) -> Result<std::sync::Arc<Dashboard>, AppError> {
    let d = std::sync::Arc::new(dashboard(state, bank).await?);
    state.dashboards.put(bank.map(str::to_owned), d.clone());
    Ok(d)
}
