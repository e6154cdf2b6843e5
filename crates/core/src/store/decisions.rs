//! Assessments, approvals, flag acknowledgements, notes and the history.

use chrono::{DateTime, Utc};
use domain::money::Yen;
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// The lines an assessment sets amounts on (the domain's kinds of line).
pub use crate::domain::decision::LineKind as LineTable;

/// The table of a kind of line.
fn table_name(kind: LineTable) -> &'static str {
    match kind {
        LineTable::Debit => "debit_lines",
        LineTable::Call => "call_lines",
        LineTable::Travel => "travel_lines",
    }
}

pub async fn set_approved(
    tx: &mut Tx,
    table: LineTable,
    claim: Uuid,
    position: i64,
    amount: Yen,
    note: Option<&str>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE {} SET approved_amount = $3, approved_note = $4 WHERE claim_id = $1 AND position = $2",
        table_name(table)
    );
    on_tx!(tx, c => sqlx::query(&sql).bind(claim).bind(position).bind(amount).bind(note)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_policy_version(tx: &mut Tx, claim: Uuid, version: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE claims SET policy_version = $2 WHERE id = $1")
        .bind(claim).bind(version).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The approved amounts of a case, all lines together.
pub async fn approved_total(db: &Db, claim: Uuid) -> Result<Yen, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, Yen>(
        "SELECT CAST(COALESCE((SELECT SUM(approved_amount) FROM debit_lines WHERE claim_id = $1), 0)
              + COALESCE((SELECT SUM(approved_amount) FROM call_lines WHERE claim_id = $1), 0)
              + COALESCE((SELECT SUM(approved_amount) FROM travel_lines WHERE claim_id = $1), 0) AS BIGINT)",
    ).bind(claim).fetch_one(p).await)
}

/// (line position, claimed, approved, note) per line of a table.
pub async fn amounts(
    db: &Db,
    table: LineTable,
    claim: Uuid,
) -> Result<Vec<(i64, i64, Option<i64>, Option<String>)>, sqlx::Error> {
    let sql = format!(
        "SELECT position, amount, approved_amount, approved_note FROM {} WHERE claim_id = $1 ORDER BY position",
        table_name(table)
    );
    on_db!(db, p => sqlx::query_as::<_, (i64, i64, Option<i64>, Option<String>)>(&sql).bind(claim).fetch_all(p).await)
}

/// Every line of a case, of every kind, in one query: (kind, position,
/// claimed, approved, note), debits first, each kind by position.
#[allow(clippy::type_complexity)]
pub async fn all_amounts(
    db: &Db,
    claim: Uuid,
) -> Result<Vec<(LineTable, i64, i64, Option<i64>, Option<String>)>, sqlx::Error> {
    let kinds = [LineTable::Debit, LineTable::Call, LineTable::Travel];
    let sql = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            format!(
                "SELECT CAST({i} AS BIGINT) AS kind, position, amount, approved_amount, approved_note
                   FROM {} WHERE claim_id = $1",
                table_name(*k)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
        + " ORDER BY kind, position";
    let rows = on_db!(db, p => sqlx::query_as::<_, (i64, i64, i64, Option<i64>, Option<String>)>(&sql)
        .bind(claim).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(k, position, claimed, approved, note)| {
            (kinds[k as usize], position, claimed, approved, note)
        })
        .collect())
}

/// Records (or renews) the acknowledgement of a flag.
pub async fn ack_flag(
    tx: &mut Tx,
    claim: Uuid,
    key: &str,
    note: &str,
    actor: Uuid,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO flag_acks (claim_id, flag_key, note, actor_id, at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (claim_id, flag_key) DO UPDATE SET note = excluded.note, actor_id = excluded.actor_id, at = excluded.at",
    ).bind(claim).bind(key).bind(note).bind(actor).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// (flag key, note, who) of the acknowledged flags.
pub async fn acks(db: &Db, claim: Uuid) -> Result<Vec<(String, String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (String, String, String)>(
        "SELECT a.flag_key, a.note, u.email FROM flag_acks a JOIN users u ON u.id = a.actor_id
         WHERE a.claim_id = $1 ORDER BY a.flag_key",
    ).bind(claim).fetch_all(p).await)
}

pub async fn insert_note(
    tx: &mut Tx,
    claim: Uuid,
    author: Uuid,
    body: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("INSERT INTO case_notes (id, claim_id, author_id, body, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(Uuid::new_v4()).bind(claim).bind(author).bind(body).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// (when, who, text) of a case's internal notes, oldest first.
pub async fn notes(
    db: &Db,
    claim: Uuid,
) -> Result<Vec<(DateTime<Utc>, String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (DateTime<Utc>, String, String)>(
        "SELECT n.at, u.email, n.body FROM case_notes n JOIN users u ON u.id = n.author_id
         WHERE n.claim_id = $1 ORDER BY n.at",
    ).bind(claim).fetch_all(p).await)
}

/// One event of a case's history, with the actor's address for staff eyes.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    pub from_state: Option<String>,
    pub to_state: String,
    pub action: String,
    pub note: Option<String>,
}

pub async fn events(db: &Db, claim: Uuid) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, EventRow>(
        "SELECT e.at, e.actor_id, u.email AS actor_email, e.from_state, e.to_state, e.action, e.note
         FROM claim_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.claim_id = $1 ORDER BY e.at, e.id",
    ).bind(claim).fetch_all(p).await)
}

/// Records (or clears) the rejection an assessment proposes.
pub async fn set_rejection(
    tx: &mut Tx,
    claim: Uuid,
    rejection: Option<(&str, &str)>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE claims SET rejection_reason = $2, rejection_note = $3 WHERE id = $1")
        .bind(claim).bind(rejection.map(|r| r.0)).bind(rejection.map(|r| r.1))
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The proposed (or confirmed) rejection: reason and explanation.
pub async fn rejection(db: &Db, claim: Uuid) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = on_db!(db, p => sqlx::query_as::<_, (Option<String>, Option<String>)>(
        "SELECT rejection_reason, rejection_note FROM claims WHERE id = $1",
    ).bind(claim).fetch_one(p).await)?;
    Ok(match row {
        (Some(reason), note) => Some((reason, note.unwrap_or_default())),
        _ => None,
    })
}
