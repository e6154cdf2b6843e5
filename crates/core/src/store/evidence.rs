//! Evidence files: what is known of each (the bytes are in the file store).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EvidenceRow {
    pub id: Uuid,
    pub case_id: Uuid,
    pub owner_id: Uuid,
    pub file_name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub stored_name: String,
    pub request_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, case_id, owner_id, file_name, kind, size_bytes, stored_name, request_id, created_at";

pub struct NewEvidence<'a> {
    pub id: Uuid,
    pub case_id: Uuid,
    pub owner_id: Uuid,
    pub file_name: &'a str,
    pub kind: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub stored_name: &'a str,
    pub request_id: Option<Uuid>,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, e: &NewEvidence<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO evidence (id, case_id, owner_id, file_name, kind, size_bytes, sha256, stored_name, request_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(e.id).bind(e.case_id).bind(e.owner_id).bind(e.file_name).bind(e.kind).bind(e.size_bytes)
    .bind(e.sha256).bind(e.stored_name).bind(e.request_id).bind(e.now)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn count_for_case(tx: &mut Tx, case_id: Uuid) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM evidence WHERE case_id = $1")
        .bind(case_id).fetch_one(c).await)
}

/// How many files a case has, outside a transaction (a first check before
/// an upload's bytes are stored; the insert checks again).
pub async fn count_of_case(db: &Db, case_id: Uuid) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar("SELECT COUNT(*) FROM evidence WHERE case_id = $1")
        .bind(case_id).fetch_one(p).await)
}

/// Every stored file: (stored name, SHA-256 in hex, size), oldest first
/// (`redress files migrate`).
pub async fn all_stored(db: &Db) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT stored_name, sha256, size_bytes FROM evidence ORDER BY created_at, id")
        .fetch_all(p).await)
}

/// A case's file with a line it supports (a file comes once per line it is
/// linked to, once with none when linked to none), and the request for
/// information it answered, if any.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FileLine {
    pub id: Uuid,
    pub file_name: String,
    pub kind: String,
    pub size_bytes: i64,
    pub line_id: Option<Uuid>,
    pub request_id: Option<Uuid>,
}

/// A case's files with the lines each supports, in one query, oldest first.
pub async fn files_with_lines(db: &Db, case_id: Uuid) -> Result<Vec<FileLine>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, FileLine>(
        "SELECT e.id, e.file_name, e.kind, e.size_bytes, l.line_id, e.request_id FROM evidence e
           LEFT JOIN evidence_links l ON l.evidence_id = e.id
          WHERE e.case_id = $1 ORDER BY e.created_at, e.id")
        .bind(case_id).fetch_all(p).await)
}

/// The files of a case linked to lines at `bank` (what that bank may see:
/// the passbook photos of its own accounts), with those lines.
pub async fn files_for_bank(
    db: &Db,
    case_id: Uuid,
    bank: &str,
) -> Result<Vec<FileLine>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, FileLine>(
        "SELECT e.id, e.file_name, e.kind, e.size_bytes, l.line_id, e.request_id FROM evidence e
           JOIN evidence_links l ON l.evidence_id = e.id
           JOIN debit_lines d ON d.id = l.line_id
          WHERE e.case_id = $1 AND d.bank_code = $2 ORDER BY e.created_at, e.id")
        .bind(case_id).bind(bank).fetch_all(p).await)
}

/// Whether a file is linked to a line at `bank` (of a sent claim).
pub async fn linked_to_bank(db: &Db, evidence_id: Uuid, bank: &str) -> Result<bool, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM evidence_links l JOIN debit_lines d ON d.id = l.line_id
                         WHERE l.evidence_id = $1 AND d.bank_code = $2)")
        .bind(evidence_id).bind(bank).fetch_one(p).await)
}

pub async fn for_case(db: &Db, case_id: Uuid) -> Result<Vec<EvidenceRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM evidence WHERE case_id = $1 ORDER BY created_at, id");
    on_db!(db, p => sqlx::query_as::<_, EvidenceRow>(&sql).bind(case_id).fetch_all(p).await)
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<EvidenceRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM evidence WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, EvidenceRow>(&sql).bind(id).fetch_optional(p).await)
}

/// (evidence id, line id) of every link of a case's files.
pub async fn links_for_case(db: &Db, case_id: Uuid) -> Result<Vec<(Uuid, Uuid)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (Uuid, Uuid)>(
        "SELECT l.evidence_id, l.line_id FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id
         WHERE e.case_id = $1",
    ).bind(case_id).fetch_all(p).await)
}

pub async fn set_links(tx: &mut Tx, evidence_id: Uuid, lines: &[Uuid]) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM evidence_links WHERE evidence_id = $1")
        .bind(evidence_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for line in lines {
        on_tx!(tx, c => sqlx::query("INSERT INTO evidence_links (evidence_id, line_id) VALUES ($1, $2)")
            .bind(evidence_id).bind(line).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: Uuid) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM evidence_links WHERE evidence_id = $1")
        .bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM evidence WHERE id = $1")
        .bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Deletes every file record of a case; returns the stored names to remove.
pub async fn delete_case(tx: &mut Tx, case_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
    let names = on_tx!(tx, c => sqlx::query_scalar::<_, String>("SELECT stored_name FROM evidence WHERE case_id = $1")
        .bind(case_id).fetch_all(&mut *c).await)?;
    on_tx!(tx, c => sqlx::query("DELETE FROM evidence_links WHERE evidence_id IN (SELECT id FROM evidence WHERE case_id = $1)")
        .bind(case_id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query("DELETE FROM evidence WHERE case_id = $1")
        .bind(case_id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(names)
}
