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

mod jobs;
mod reported;
mod sheets;

pub use jobs::run_jobs;
use jobs::{Job, lease_end, run_import};
pub use reported::match_reported;

use super::bank_review::{answer_line, confirm_many};
use crate::auth::CurrentUser;
use crate::domain::FieldErrors;
use crate::domain::bank_list::{BankDebitRow, Match, compare, parse_row};
use crate::domain::verification::Verification;
use crate::error::AppError;
use crate::services::drafts::today_jst;
use crate::state::Core;
use crate::store::bank_debits::{self, NewDebit, NewImport};
use crate::store::figures;

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

/// Where an import stands, for the progress display and the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportStatus {
    /// `processing`, `done` or `failed`.
    pub status: String,
    pub total: i64,
    pub done: i64,
}

/// Where an import stands (read from the database, so any server process
/// can tell; an import whose process stopped is taken over by another,
/// and stays `processing` meanwhile).
pub fn status_of(row: &bank_debits::ImportRow) -> ImportStatus {
    ImportStatus {
        status: row.status.clone(),
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
    let job = Job {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        rejected,
    };
    let job_rows = serde_json::to_string(&job).map_err(anyhow::Error::from)?;
    let mut tx = state.db.begin().await?;
    bank_debits::insert_import(
        &mut tx,
        &NewImport {
            id,
            bank: &bank,
            actor: staff.id,
            file_name: &file_name,
            source,
            total: (job.rows.len() + job.rejected.len()) as i64,
            rejected: job.rejected.len() as i64,
            conversions: &conversions,
            job_rows: &job_rows,
            owner: state.process.id,
            lease_until: lease_end(state),
            now: Utc::now(),
        },
    )
    .await?;
    tx.commit().await?;
    let task = tokio::spawn(run_import(state.clone(), id));
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
    /// What the bank's recipients are told when the list is done.
    fn report(
        &self,
        bank: &str,
        file: &str,
        rows: i64,
        rejected: i64,
    ) -> super::mails::ImportCounts {
        super::mails::ImportCounts {
            bank: bank.to_owned(),
            file: file.to_owned(),
            rows,
            confirmed: self.matched,
            waiting: self.probable,
            unmatched: self.unmatched,
            rejected,
        }
    }

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

/// The rows left, `size` a transaction (at least one chunk, empty when
/// nothing is left: the last chunk finishes the import).
fn chunks_of(rows: &[BankDebitRow], size: usize) -> Vec<&[BankDebitRow]> {
    if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(size.max(1)).collect()
    }
}

/// The last chunk's end: the import's rows and lease let go, and its
/// recipients told, in the chunk's transaction.
async fn finish(
    tx: &mut crate::db::Tx,
    state: &Core,
    id: Uuid,
    recipients: &[(String, String)],
    counts: &super::mails::ImportCounts,
) -> Result<(), AppError> {
    bank_debits::finish_job(tx, id).await?;
    let url = &state.settings.public_url;
    super::notifications::import_finished(tx, url, recipients, counts, Utc::now()).await?;
    Ok(())
}

/// Whom a bank's finished import is told of, and the bank's name.
async fn who_is_told(
    state: &Core,
    bank: &str,
) -> Result<(Vec<(String, String)>, String), AppError> {
    let recipients = crate::store::banks::notify_recipients(&state.db, bank).await?;
    let bank_name = crate::store::banks::by_code(&state.db, bank)
        .await?
        .map(|b| b.name)
        .unwrap_or_else(|| bank.to_owned());
    Ok((recipients, bank_name))
}

/// Where an import's worker starts: the rows done (rejected ones
/// included), the counts so far, the lines its saved rows point at.
struct Progress {
    done: i64,
    tally: Tally,
    used: HashSet<Uuid>,
}

/// The tables an import writes to, each with the rows written since their
/// statistics were last counted (`Db::analyze_grown`): a bank debit a row
/// of the list; a line confirmed changes a line, answer, claim and event.
const GROWN: [(&str, u64); 5] = [
    ("bank_debits", 0),
    ("line_answers", 0),
    ("claim_events", 0),
    ("claims", 0),
    ("debit_lines", 0),
];

/// Adds a chunk's rows to the tables' counts (see [`GROWN`]).
fn count_written(written: &mut [(&'static str, u64)], inserted: usize, confirmed: usize) {
    for (table, rows) in written.iter_mut() {
        let n = if *table == "bank_debits" {
            inserted
        } else {
            confirmed
        };
        *rows += n as u64;
    }
}

/// Matches and saves the rows of an import from where it stands,
/// `import_chunk_rows` per transaction, recording the counts and the rows
/// done with each. Each chunk first checks the import is still this
/// process's and still where it was: a worker that lost it stops there.
async fn work(
    state: &Core,
    staff: &CurrentUser,
    (id, file_name): (Uuid, &str),
    bank: &str,
    job: &Job,
    from: Progress,
) -> Result<(), AppError> {
    let (rows, rejected) = (&job.rows, &job.rejected);
    let now = Utc::now();
    let owner = state.process.id;
    // The bank's recipients are told when the list is done, in the last
    // chunk's transaction.
    let (recipients, bank_name) = who_is_told(state, bank).await?;
    let rejections = serde_json::to_string(&rejected).unwrap_or_else(|_| "[]".into());
    let total = (rows.len() + rejected.len()) as i64;
    let Progress {
        mut done,
        mut tally,
        mut used,
    } = from;
    let start = usize::try_from(done - rejected.len() as i64)
        .unwrap_or(0)
        .min(rows.len());
    let mut known: HashSet<String> = bank_debits::known_references(&state.db, bank)
        .await?
        .into_iter()
        .collect();
    let chunks = chunks_of(&rows[start..], state.settings.import_chunk_rows);
    let last = chunks.len() - 1;
    let mut written = GROWN;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut tx = state.db.begin().await?;
        if !bank_debits::hold_import(&mut tx, id, owner, done, lease_end(state)).await? {
            tracing::info!(import = %id, "another process took this import over");
            return Ok(());
        }
        let by_account = candidates_by_account(&mut tx, bank, &used).await?;
        let (new_rows, exact) = match_chunk(chunk, &by_account, &mut known, &mut used, &mut tally);
        confirm_exact(&mut tx, &state.settings.public_url, staff, &exact).await?;
        count_written(&mut written, new_rows.len(), exact.len());
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
            let counts = tally.report(&bank_name, file_name, total, rejected.len() as i64);
            finish(&mut tx, state, id, &recipients, &counts).await?;
        }
        tx.commit().await?;
        // The tables this list grows, planned as they now are (a list of
        // 100,000 rows more than doubles them on a young database).
        state.db.analyze_grown(&mut written).await?;
        if i != last && state.process.is_stopping() {
            // Handed back between chunks: another process goes on from here.
            bank_debits::release_import(&state.db, id, owner).await?;
            tracing::info!(import = %id, done, "stopping: the import is handed back");
            return Ok(());
        }
    }
    tracing::info!(tally = ?tally, rejected = rejected.len(), "bank list imported");
    Ok(())
}

/// Exact matches confirm their lines with the bank's figures, in bulk, the
/// claims' kept figures computed once for the chunk (`figures::hold_many`).
async fn confirm_exact(
    tx: &mut crate::db::Tx,
    public_url: &str,
    staff: &CurrentUser,
    exact: &[(Uuid, Uuid, &BankDebitRow)],
) -> Result<(), AppError> {
    let mut claims: Vec<Uuid> = exact.iter().map(|(claim, _, _)| *claim).collect();
    claims.sort();
    claims.dedup();
    let held = figures::hold_many(tx, &claims).await?;
    confirm_many(tx, public_url, staff, exact).await?;
    if held {
        figures::release_many(tx, &claims).await?;
    }
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
        less_reason: None,
    };
    let mut tx = state.db.begin().await?;
    if !bank_debits::mark_matched(&mut tx, debit).await? {
        return Err(AppError::Conflict("not_probable"));
    }
    // A probable match has the claimed amount (see `bank_list::compare`).
    answer_line(
        &mut tx,
        &state.settings.public_url,
        staff,
        claim,
        (line, row.amount),
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
