//! A bank's own list of debits: imports, the rows, and the claimed lines
//! they can match.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A claimed debit line at a bank that a bank row may match.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CandidateLine {
    pub id: Uuid,
    pub claim_id: Uuid,
    pub branch_code: String,
    pub account_number: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
}

/// Lines at `bank` on claims still open to answers, not yet matched to a
/// row of the bank's list.
pub async fn candidate_lines(tx: &mut Tx, bank: &str) -> Result<Vec<CandidateLine>, sqlx::Error> {
    let sql = format!(
        "SELECT l.id, l.claim_id, l.branch_code, l.account_number, l.debit_date, l.amount, l.descriptor
         FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE l.bank_code = $1
           AND c.state IN {}
           AND NOT EXISTS (SELECT 1 FROM bank_debits d WHERE d.line_id = l.id AND d.status = 'matched')",
        super::open_states()
    );
    on_tx!(tx, c => sqlx::query_as::<_, CandidateLine>(&sql).bind(bank).fetch_all(c).await)
}

/// The bank references this bank has already reported.
pub async fn known_references(db: &Db, bank: &str) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, String>("SELECT bank_reference FROM bank_debits WHERE bank_code = $1")
        .bind(bank).fetch_all(p).await)
}

pub struct NewImport<'a> {
    pub id: Uuid,
    pub bank: &'a str,
    pub actor: Uuid,
    pub file_name: &'a str,
    /// `upload` or `api`.
    pub source: &'a str,
    /// Rows in the list (rejected ones included).
    pub total: i64,
    /// The rejected rows, done already.
    pub rejected: i64,
    /// What was read in another form: a JSON object, conversion -> rows.
    pub conversions: &'a str,
    /// The checked rows and the rejections (JSON), until the import is done.
    pub job_rows: &'a str,
    /// The process that works on it first, and until when.
    pub owner: Uuid,
    pub lease_until: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

/// An import about to be worked through (`processing`), held by its
/// first worker.
pub async fn insert_import(tx: &mut Tx, i: &NewImport<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO bank_imports (id, bank_code, actor_id, file_name, rows_read, rows_rejected, rows_matched,
                                   rows_probable, rows_unmatched, rows_known, rejections, created_at,
                                   status, rows_total, source, conversions, rows_done, job_rows,
                                   lease_owner, lease_until, takes)
         VALUES ($1, $2, $3, $4, 0, 0, 0, 0, 0, 0, '[]', $5, 'processing', $6, $7, $8, $9, $10, $11, $12, 1)",
    ).bind(i.id).bind(i.bank).bind(i.actor).bind(i.file_name).bind(i.now).bind(i.total).bind(i.source)
    .bind(i.conversions).bind(i.rejected).bind(i.job_rows).bind(i.owner).bind(i.lease_until)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An import that could not be finished (the rows done so far are kept).
pub async fn fail_import(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE bank_imports SET status = 'failed', job_rows = NULL, lease_owner = NULL, lease_until = NULL
          WHERE id = $1 AND status = 'processing'")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// An import being worked on, as its worker resumes it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportJob {
    pub bank_code: String,
    pub actor_id: Uuid,
    pub file_name: String,
    pub rows_total: i64,
    pub rows_done: i64,
    pub rows_matched: i64,
    pub rows_probable: i64,
    pub rows_unmatched: i64,
    pub rows_known: i64,
    pub job_rows: Option<String>,
    pub takes: i64,
}

/// The import `id` if it is still `processing` and `owner` holds it.
pub async fn held_job(db: &Db, id: Uuid, owner: Uuid) -> Result<Option<ImportJob>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, ImportJob>(
        "SELECT bank_code, actor_id, file_name, rows_total, rows_done, rows_matched, rows_probable,
                rows_unmatched, rows_known, job_rows, takes
           FROM bank_imports WHERE id = $1 AND status = 'processing' AND lease_owner = $2")
        .bind(id).bind(owner).fetch_optional(p).await)
}

/// The first statement of a chunk's transaction: the import is still held
/// by `owner` and still at `rows_done` (no other worker saved this chunk),
/// and its lease runs on to `until`. On PostgreSQL the row stays locked to
/// the commit, so a second worker waits here and then finds it moved on.
pub async fn hold_import(
    tx: &mut Tx,
    id: Uuid,
    owner: Uuid,
    rows_done: i64,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bank_imports SET lease_until = $4
          WHERE id = $1 AND status = 'processing' AND lease_owner = $2 AND rows_done = $3")
        .bind(id).bind(owner).bind(rows_done).bind(until)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Hands an import back (a stopping process): another takes it at once.
pub async fn release_import(db: &Db, id: Uuid, owner: Uuid) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => sqlx::query(
        "UPDATE bank_imports SET lease_owner = NULL, lease_until = NULL
          WHERE id = $1 AND status = 'processing' AND lease_owner = $2")
        .bind(id).bind(owner).execute(c).await.map(|r| r.rows_affected()))?;
    tx.commit().await
}

/// Takes one import nobody holds (its worker stopped, or handed it back)
/// for `owner` until `until`; its id.
pub async fn take_unheld(
    db: &Db,
    owner: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Option<Uuid>, sqlx::Error> {
    // A read first (the partial index of unfinished imports): nearly always
    // there is none, and every process asks every few seconds; the write
    // (on SQLite, a turn of the one writer) only when there is one to take.
    let unheld: Option<Uuid> = on_db!(db, p => sqlx::query_scalar(
        "SELECT id FROM bank_imports
          WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < $1) LIMIT 1")
        .bind(now).fetch_optional(p).await)?;
    if unheld.is_none() {
        return Ok(None);
    }
    let lock = match db {
        Db::Postgres { .. } => "FOR UPDATE SKIP LOCKED",
        Db::Sqlite { .. } => "",
    };
    let sql = format!(
        "UPDATE bank_imports SET lease_owner = $1, lease_until = $2, takes = takes + 1
          WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < $3)
            AND id IN (SELECT id FROM bank_imports
                        WHERE status = 'processing' AND (lease_until IS NULL OR lease_until < $3)
                        ORDER BY created_at LIMIT 1 {lock})
         RETURNING id"
    );
    let mut tx = db.begin().await?;
    let taken = on_tx!(&mut tx, c => sqlx::query_scalar::<_, Uuid>(&sql)
        .bind(owner).bind(until).bind(now).fetch_optional(c).await)?;
    tx.commit().await?;
    Ok(taken)
}

/// The claimed lines this import's saved rows point at (matched or
/// probable): not matched again by its later rows.
pub async fn lines_of_import(db: &Db, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Uuid>(
        "SELECT line_id FROM bank_debits WHERE import_id = $1 AND line_id IS NOT NULL")
        .bind(id).fetch_all(p).await)
}

/// The import is done: its rows and its lease are let go.
pub async fn finish_job(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE bank_imports SET job_rows = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The counts of an import: read, rejected, matched, probable, unmatched, known.
pub type Counts = (i64, i64, i64, i64, i64, i64);

/// Where an import has got: its counts so far, the rows done, and whether
/// it is finished (`done`) or still `processing`.
pub async fn save_progress(
    tx: &mut Tx,
    id: Uuid,
    counts: Counts,
    rejections: &str,
    rows_done: i64,
    status: &str,
) -> Result<(), sqlx::Error> {
    let (read, rejected, matched, probable, unmatched, known) = counts;
    on_tx!(tx, c => sqlx::query(
        "UPDATE bank_imports SET rows_read = $2, rows_rejected = $3, rows_matched = $4, rows_probable = $5,
                rows_unmatched = $6, rows_known = $7, rejections = $8, rows_done = $9, status = $10 WHERE id = $1",
    ).bind(id).bind(read).bind(rejected).bind(matched).bind(probable).bind(unmatched).bind(known).bind(rejections)
    .bind(rows_done).bind(status)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub struct NewDebit<'a> {
    pub bank: &'a str,
    pub row: &'a crate::domain::bank_list::BankDebitRow,
    pub status: &'a str,
    pub line_id: Option<Uuid>,
    pub import_id: Uuid,
    pub now: DateTime<Utc>,
}

/// Rows per statement. Small enough that binding stays cheap (SQLite
/// looks numbered parameters up one by one), large enough to save round trips.
const CHUNK: usize = 50;

/// Many rows in one statement each (a bank's list can be long).
pub async fn insert_debits(tx: &mut Tx, rows: &[NewDebit<'_>]) -> Result<(), sqlx::Error> {
    const COLS: usize = 14;
    for chunk in rows.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO bank_debits (id, bank_code, bank_reference, branch_code, account_type, account_number,
                                      holder_kana, debit_date, amount, descriptor, status, line_id, import_id, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..COLS {
                if j > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", i * COLS + j + 1));
            }
            sql.push(')');
        }
        macro_rules! bind_all {
            ($q:expr) => {{
                let mut q = $q;
                for d in chunk {
                    q = q
                        .bind(Uuid::new_v4())
                        .bind(d.bank)
                        .bind(&d.row.reference)
                        .bind(&d.row.branch)
                        .bind(d.row.account_type.as_str())
                        .bind(&d.row.number)
                        .bind(&d.row.holder_kana)
                        .bind(d.row.date)
                        .bind(d.row.amount)
                        .bind(&d.row.descriptor)
                        .bind(d.status)
                        .bind(d.line_id)
                        .bind(d.import_id)
                        .bind(d.now);
                }
                q
            }};
        }
        on_tx!(tx, c => bind_all!(sqlx::query(&sql)).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ImportRow {
    pub id: Uuid,
    pub bank_code: String,
    pub file_name: String,
    pub rows_read: i64,
    pub rows_rejected: i64,
    pub rows_matched: i64,
    pub rows_probable: i64,
    pub rows_unmatched: i64,
    pub rows_known: i64,
    pub rejections: String,
    pub created_at: DateTime<Utc>,
    /// `processing`, `done` or `failed`.
    pub status: String,
    pub rows_total: i64,
    pub rows_done: i64,
    pub source: String,
    /// A JSON object: conversion -> rows.
    pub conversions: String,
    /// Who sent the list (a person, or an API key's user).
    pub actor_id: Uuid,
}

const IMPORT_COLUMNS: &str =
    "id, bank_code, file_name, rows_read, rows_rejected, rows_matched, rows_probable,
    rows_unmatched, rows_known, rejections, created_at, status, rows_total, rows_done, source,
    conversions, actor_id";

pub async fn import_by_id(db: &Db, id: Uuid) -> Result<Option<ImportRow>, sqlx::Error> {
    let sql = format!("SELECT {IMPORT_COLUMNS} FROM bank_imports WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, ImportRow>(&sql).bind(id).fetch_optional(p).await)
}

/// A bank's imports, newest first, at most `limit`.
pub async fn imports_for(db: &Db, bank: &str, limit: i64) -> Result<Vec<ImportRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {IMPORT_COLUMNS} FROM bank_imports WHERE bank_code = $1 ORDER BY created_at DESC LIMIT $2"
    );
    on_db!(db, p => sqlx::query_as::<_, ImportRow>(&sql).bind(bank).bind(limit).fetch_all(p).await)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DebitRow {
    pub id: Uuid,
    pub bank_code: String,
    pub bank_reference: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub holder_kana: String,
    pub debit_date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
    pub status: String,
    pub line_id: Option<Uuid>,
    pub import_id: Uuid,
    pub invitation_id: Option<Uuid>,
}

const DEBIT_COLUMNS: &str =
    "id, bank_code, bank_reference, branch_code, account_type, account_number, holder_kana,
    debit_date, amount, descriptor, status, line_id, import_id, invitation_id";

/// The rows of an import with `status` (`probable`, `unmatched`...).
pub async fn debits_of_import(
    db: &Db,
    import: Uuid,
    status: &str,
) -> Result<Vec<DebitRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DEBIT_COLUMNS} FROM bank_debits WHERE import_id = $1 AND status = $2 ORDER BY debit_date, bank_reference LIMIT 500"
    );
    on_db!(db, p => sqlx::query_as::<_, DebitRow>(&sql).bind(import).bind(status).fetch_all(p).await)
}

pub async fn debit_by_id(db: &Db, id: Uuid) -> Result<Option<DebitRow>, sqlx::Error> {
    let sql = format!("SELECT {DEBIT_COLUMNS} FROM bank_debits WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, DebitRow>(&sql).bind(id).fetch_optional(p).await)
}

/// Marks a probable row matched (compare-and-set on its status).
pub async fn mark_matched(tx: &mut Tx, id: Uuid) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE bank_debits SET status = 'matched' WHERE id = $1 AND status = 'probable'")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Bank-reported losses: rows no claim matched, newest first, every bank.
pub async fn unmatched(db: &Db, limit: i64) -> Result<Vec<DebitRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {DEBIT_COLUMNS} FROM bank_debits WHERE status = 'unmatched' ORDER BY bank_code, debit_date LIMIT $1"
    );
    on_db!(db, p => sqlx::query_as::<_, DebitRow>(&sql).bind(limit).fetch_all(p).await)
}

/// Debits banks reported that no claim named, on the accounts of this
/// claim's lines (the claim may name them now).
pub async fn reported_for_claim(db: &Db, claim: Uuid) -> Result<Vec<DebitRow>, sqlx::Error> {
    // From the claim's few accounts to their unclaimed debits (the partial
    // index), never from every unclaimed debit to the claim: SQLite ran the
    // other way round, a scan of every unclaimed row a bank reported (90,000
    // in the bench) for each claim sent, and submissions fell to a fifth.
    let sql = format!(
        "SELECT {DEBIT_COLUMNS} FROM bank_debits
         WHERE id IN (SELECT d.id
                        FROM (SELECT DISTINCT bank_code, branch_code, account_number
                                FROM debit_lines WHERE claim_id = $1) l
                        JOIN bank_debits d ON d.bank_code = l.bank_code AND d.branch_code = l.branch_code
                                          AND d.account_number = l.account_number
                       WHERE d.status = 'unmatched')
         ORDER BY debit_date, bank_reference"
    );
    on_db!(db, p => sqlx::query_as::<_, DebitRow>(&sql).bind(claim).fetch_all(p).await)
}

/// Gives a reported debit no claim named to a claimed line, as `status`
/// (`matched` or `probable`): compare-and-set, so only one claim takes it.
pub async fn take_reported(
    tx: &mut Tx,
    id: Uuid,
    status: &str,
    line: Uuid,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE bank_debits SET status = $2, line_id = $3 WHERE id = $1 AND status = 'unmatched'")
        .bind(id).bind(status).bind(line).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
