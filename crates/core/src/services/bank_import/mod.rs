//! A bank's own list of fraudulent debits: read (CSV, UTF-8 or Shift_JIS),
//! matched to claimed lines, reported. Exact matches confirm the line;
//! probable ones wait for a click; the rest are bank-reported losses.
//! Importing the same list again changes nothing (rows are known by their
//! bank reference). The same rows may come from the REST API.
//!
//! A list is checked at once; its rows are then worked through in the
//! background (one transaction: all or nothing), with progress to watch.

use chrono::Utc;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

mod sheets;

use super::bank_review::{answer_line, confirm_many};
use crate::auth::CurrentUser;
use crate::domain::FieldErrors;
use crate::domain::bank_list::{BankDebitRow, Match, compare, parse_row};
use crate::domain::verification::Verification;
use crate::error::AppError;
use crate::services::drafts::today_jst;
use crate::state::Core;
use crate::store::bank_debits::{self, NewDebit, NewImport};

pub use crate::domain::bank_list::MAX_LIST_BYTES;

/// The text of the file: UTF-8 (with or without a BOM), else Shift_JIS.
/// Bytes that are neither are refused, not guessed at.
pub fn decode(bytes: &[u8]) -> Result<String, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::SHIFT_JIS.decode(bytes);
    if had_errors {
        return Err(AppError::field("file", "list_encoding"));
    }
    Ok(text.into_owned())
}

/// One rejected row: its line number in the file and the reason (i18n key).
pub type Rejection = (usize, String);

/// The rows that passed (with their line numbers) and the rejected ones.
pub type Checked = (Vec<(usize, BankDebitRow)>, Vec<Rejection>);

/// Checks rows (field lists, the header already skipped; `Err` for a row
/// that could not be read). Line numbers count the header as line 1.
fn check_records(
    bank: &str,
    records: impl Iterator<Item = Result<Vec<String>, ()>>,
    first: usize,
    today: chrono::NaiveDate,
) -> Checked {
    let (mut rows, mut rejected) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    for (i, record) in records.enumerate() {
        let line = i + first;
        let Ok(fields) = record else {
            rejected.push((line, "row_unreadable".to_owned()));
            continue;
        };
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
        match parse_row(bank, &fields, today) {
            Ok(row) if !seen.insert(row.reference.clone()) => {
                rejected.push((line, "row_duplicate_reference".to_owned()));
            }
            Ok(row) => rows.push((line, row)),
            Err(key) => rejected.push((line, key.to_owned())),
        }
    }
    (rows, rejected)
}

/// Reads the rows of a CSV list; the first line is the header.
pub fn read_rows(bank: &str, text: &str, today: chrono::NaiveDate) -> Checked {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records = reader.records().map(|r| {
        r.map(|r| r.iter().map(str::to_owned).collect())
            .map_err(|_| ())
    });
    check_records(bank, records, 2, today)
}

/// Checks rows sent to the API (the eight columns of the list, as text);
/// rows are numbered from 1.
pub fn read_api_rows(bank: &str, rows: Vec<Vec<String>>, today: chrono::NaiveDate) -> Checked {
    check_records(bank, rows.into_iter().map(Ok), 1, today)
}

pub use sheets::*;

/// The rows of an uploaded file: an Excel workbook or CSV text.
pub fn read_file(
    bank: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
    limits: SheetLimits,
) -> Result<Checked, AppError> {
    if bytes.is_empty() {
        return Err(AppError::field("file", "file_required"));
    }
    if is_excel(bytes) {
        read_sheet(bank, bytes, today, limits)
    } else if is_old_excel(bytes) {
        read_old_sheet(bank, bytes, today, limits)
    } else {
        Ok(read_rows(bank, &decode(bytes)?, today))
    }
}

/// How many rows needed each conversion, as the JSON object the import
/// keeps (`{"conv_era_date": 3}`), for its report.
fn conversions_of(rows: &[(usize, BankDebitRow)]) -> String {
    let mut counts: std::collections::BTreeMap<&str, i64> = Default::default();
    for (_, row) in rows {
        for c in &row.conversions {
            *counts.entry(c.as_str()).or_default() += 1;
        }
    }
    serde_json::to_string(&counts).unwrap_or_else(|_| "{}".to_owned())
}

/// Rows per transaction: each commits its rows and the progress, so a long
/// list never holds the database (SQLite's one writer) for long.
const CHUNK_ROWS: usize = 5000;

/// An import left `processing` this long was cut off (the process stopped).
/// The rows done so far are kept; sending the list again imports the rest.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(30);

/// Where an import stands, for the progress display and the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportStatus {
    /// `processing`, `done` or `failed`.
    pub status: String,
    pub total: i64,
    pub done: i64,
}

/// Where an import stands (read from the database, so any server process
/// can tell).
pub fn status_of(row: &bank_debits::ImportRow) -> ImportStatus {
    let status = if row.status == "processing" && Utc::now() - row.created_at > STALE_AFTER {
        "failed".to_owned()
    } else {
        row.status.clone()
    };
    ImportStatus {
        status,
        total: row.rows_total,
        done: row.rows_done,
    }
}

/// Imports a bank's list file for the staff's own bank; returns the
/// import's id once it is done or after the configured wait (then it goes
/// on in the background and its page shows the progress).
#[tracing::instrument(skip_all, fields(user = %staff.id, size = bytes.len()))]
pub async fn import(
    state: &Core,
    staff: &CurrentUser,
    file_name: &str,
    bytes: &[u8],
) -> Result<Uuid, AppError> {
    let bank = staff.bank()?;
    let checked = read_file(
        bank,
        bytes,
        today_jst(Utc::now()),
        state.settings.sheet_limits,
    )?;
    start(
        state,
        staff,
        file_name,
        "upload",
        checked,
        state.settings.import_wait,
    )
    .await
}

/// Starts the import of checked rows (`source`: `upload` or `api`) and
/// waits up to `wait` for it to finish.
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn start(
    state: &Core,
    staff: &CurrentUser,
    name: &str,
    source: &'static str,
    checked: Checked,
    wait: Duration,
) -> Result<Uuid, AppError> {
    let bank = staff.bank()?.to_owned();
    let (rows, mut rejected) = checked;
    // A branch the bank does not have is a mistake in the row.
    let branches: HashSet<String> = crate::store::banks::branch_codes(&state.db, &bank)
        .await?
        .into_iter()
        .collect();
    let (rows, unknown): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|(_, r)| branches.contains(&r.branch));
    rejected.extend(
        unknown
            .into_iter()
            .map(|(line, _)| (line, "branch_not_found".to_owned())),
    );
    rejected.sort();
    if rows.is_empty() && rejected.is_empty() {
        let mut e = FieldErrors::new();
        e.add("file", "list_empty");
        return Err(AppError::Invalid(e));
    }
    let id = Uuid::new_v4();
    let file_name = crate::domain::answers::clean_file_name(name);
    let conversions = conversions_of(&rows);
    let mut tx = state.db.begin().await?;
    bank_debits::insert_import(
        &mut tx,
        &NewImport {
            id,
            bank: &bank,
            actor: staff.id,
            file_name: &file_name,
            source,
            total: (rows.len() + rejected.len()) as i64,
            conversions: &conversions,
            now: Utc::now(),
        },
    )
    .await?;
    tx.commit().await?;
    let task = tokio::spawn({
        let (state, staff) = (state.clone(), staff.clone());
        async move {
            let rows: Vec<BankDebitRow> = rows.into_iter().map(|(_, r)| r).collect();
            if let Err(e) = work(&state, &staff, (id, &file_name), &bank, &rows, &rejected).await {
                tracing::error!(error = ?e, import = %id, "a bank list import failed");
                if let Ok(mut tx) = state.db.begin().await
                    && bank_debits::fail_import(&mut tx, id).await.is_ok()
                {
                    let _ = tx.commit().await;
                }
            }
        }
    });
    // Past the wait the import goes on by itself; its page shows progress.
    let _ = tokio::time::timeout(wait, task).await;
    Ok(id)
}

/// The claimed lines of a bank's accounts by (branch, account), read in
/// `tx` (a claim withdrawn meanwhile is not there), but the lines an
/// earlier chunk matched (`used`).
async fn candidates_by_account(
    tx: &mut crate::db::Tx,
    bank: &str,
    used: &HashSet<Uuid>,
) -> Result<HashMap<(String, String), Vec<bank_debits::CandidateLine>>, AppError> {
    let mut by_account: HashMap<(String, String), Vec<bank_debits::CandidateLine>> = HashMap::new();
    for line in bank_debits::candidate_lines(tx, bank).await? {
        if !used.contains(&line.id) {
            by_account
                .entry((line.branch_code.clone(), line.account_number.clone()))
                .or_default()
                .push(line);
        }
    }
    Ok(by_account)
}

/// What an import found so far, row by row.
#[derive(Debug, Default)]
struct Tally {
    matched: i64,
    probable: i64,
    unmatched: i64,
    already: i64,
}

impl Tally {
    /// The import's progress row: rows in all, rejected, matched, probable,
    /// unmatched, sent before.
    fn counts(&self, total: i64, rejected: i64) -> (i64, i64, i64, i64, i64, i64) {
        let t = self;
        (
            total,
            rejected,
            t.matched,
            t.probable,
            t.unmatched,
            t.already,
        )
    }
}

/// A row of the bank's list and what it matched: its status and the
/// claimed line (none when unmatched).
type Matched<'a> = (&'a BankDebitRow, &'static str, Option<Uuid>);

/// Matches one chunk of rows against the claimed lines of their accounts:
/// a row the bank sent before is skipped; each line matches one row only
/// (`used`). Returns every new row with its status, and the exact matches
/// as (claim, line, row).
fn match_chunk<'a>(
    chunk: &'a [BankDebitRow],
    by_account: &HashMap<(String, String), Vec<bank_debits::CandidateLine>>,
    known: &mut HashSet<String>,
    used: &mut HashSet<Uuid>,
    tally: &mut Tally,
) -> (Vec<Matched<'a>>, Vec<(Uuid, Uuid, &'a BankDebitRow)>) {
    let mut new_rows = Vec::new();
    let mut exact = Vec::new();
    for row in chunk {
        if !known.insert(row.reference.clone()) {
            tally.already += 1;
            continue;
        }
        let candidates = by_account
            .get(&(row.branch.clone(), row.number.clone()))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let best = |kind: Match, used: &HashSet<Uuid>| {
            candidates.iter().find(|l| {
                !used.contains(&l.id) && compare(row, l.debit_date, l.amount, &l.descriptor) == kind
            })
        };
        if let Some(line) = best(Match::Exact, used) {
            used.insert(line.id);
            exact.push((line.claim_id, line.id, row));
            new_rows.push((row, "matched", Some(line.id)));
            tally.matched += 1;
        } else if let Some(line) = best(Match::Probable, used) {
            used.insert(line.id);
            new_rows.push((row, "probable", Some(line.id)));
            tally.probable += 1;
        } else {
            new_rows.push((row, "unmatched", None));
            tally.unmatched += 1;
        }
    }
    (new_rows, exact)
}

/// Matches and saves the rows of an import, `CHUNK_ROWS` per transaction,
/// recording the counts and the rows done with each.
async fn work(
    state: &Core,
    staff: &CurrentUser,
    (id, file_name): (Uuid, &str),
    bank: &str,
    rows: &[BankDebitRow],
    rejected: &[Rejection],
) -> Result<(), AppError> {
    let now = Utc::now();
    // The bank's recipients are told when the list is done, in the last
    // chunk's transaction.
    let recipients = crate::store::banks::notify_recipients(&state.db, bank).await?;
    let bank_name = crate::store::banks::by_code(&state.db, bank)
        .await?
        .map(|b| b.name)
        .unwrap_or_else(|| bank.to_owned());
    let rejections = serde_json::to_string(&rejected).unwrap_or_else(|_| "[]".into());
    let total = (rows.len() + rejected.len()) as i64;
    let mut done = rejected.len() as i64;
    let mut tally = Tally::default();
    let mut known: HashSet<String> = bank_debits::known_references(&state.db, bank)
        .await?
        .into_iter()
        .collect();
    // Lines an earlier chunk matched as probable wait for a click: not again.
    let mut used: HashSet<Uuid> = HashSet::new();
    let chunks: Vec<&[BankDebitRow]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(CHUNK_ROWS).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut tx = state.db.begin().await?;
        let by_account = candidates_by_account(&mut tx, bank, &used).await?;
        let (new_rows, exact) = match_chunk(chunk, &by_account, &mut known, &mut used, &mut tally);
        // Exact matches confirm their lines with the bank's figures, in bulk.
        confirm_many(&mut tx, &state.settings.public_url, staff, &exact).await?;
        let inserts: Vec<NewDebit<'_>> = new_rows
            .iter()
            .map(|(row, status, line)| NewDebit {
                bank,
                row,
                status,
                line_id: *line,
                import_id: id,
                now,
            })
            .collect();
        bank_debits::insert_debits(&mut tx, &inserts).await?;
        done += chunk.len() as i64;
        let counts = tally.counts(total, rejected.len() as i64);
        let status = if i == last { "done" } else { "processing" };
        bank_debits::save_progress(&mut tx, id, counts, &rejections, done, status).await?;
        if i == last {
            let counts = super::mails::ImportCounts {
                bank: bank_name.clone(),
                file: file_name.to_owned(),
                rows: total,
                confirmed: tally.matched,
                waiting: tally.probable,
                unmatched: tally.unmatched,
                rejected: rejected.len() as i64,
            };
            let url = &state.settings.public_url;
            super::notifications::import_finished(&mut tx, url, &recipients, &counts, Utc::now())
                .await?;
        }
        tx.commit().await?;
    }
    tracing::info!(tally = ?tally, rejected = rejected.len(), "bank list imported");
    Ok(())
}

/// Accepts a probable match: the line is confirmed with the bank's data.
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn accept(state: &Core, staff: &CurrentUser, debit: Uuid) -> Result<Uuid, AppError> {
    let bank = staff.bank()?;
    let row = bank_debits::debit_by_id(&state.db, debit)
        .await?
        .filter(|d| d.bank_code == bank)
        .ok_or(AppError::NotFound)?;
    let line = row
        .line_id
        .filter(|_| row.status == "probable")
        .ok_or(AppError::Conflict("not_probable"))?;
    let claim = crate::store::bank_review::claim_of_line(&state.db, line).await?;
    let answer = Verification::Confirmed {
        amount: row.amount,
        bank_date: row.debit_date,
        bank_reference: Some(row.bank_reference.clone()),
        holder_kana: crate::domain::KatakanaName::from_db(row.holder_kana.clone()),
    };
    let mut tx = state.db.begin().await?;
    if !bank_debits::mark_matched(&mut tx, debit).await? {
        return Err(AppError::Conflict("not_probable"));
    }
    answer_line(
        &mut tx,
        &state.settings.public_url,
        staff,
        claim,
        line,
        &answer,
    )
    .await?;
    tx.commit().await?;
    Ok(row.import_id)
}

#[cfg(test)]
mod tests {
    use super::sheets::count_cells;
    use super::*;

    #[test]
    fn cells_are_counted_and_nothing_else() {
        let xml = br#"<cols><col min="1"/></cols><row><c r="A1"><v>1</v></c><c r="B1"/><c>x</c></row><cfRule/>"#;
        assert_eq!(count_cells(xml), 3);
    }

    /// A `<c ` split between two chunks of the stream is counted once.
    #[test]
    fn a_cell_cut_between_chunks_is_counted_once() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for r in 0..3000u32 {
            sheet.write_number(r, 0, r as f64).unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let limits = |cells| SheetLimits {
            max_unpacked_bytes: 10 * 1024 * 1024,
            max_cells: cells,
        };
        assert!(check_unpacked(&bytes, limits(3000)).is_ok());
        assert!(check_unpacked(&bytes, limits(2999)).is_err());
    }
}
