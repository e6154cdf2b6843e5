//! Invitation letters with their one-time claim codes (hashed).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: Uuid,
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: String,
    pub account_number: String,
    pub holder_kana: String,
    pub created_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str =
    "id, bank_code, branch_code, account_type, account_number, holder_kana, created_at, used_at";

pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub code_hash: &'a str,
    pub debit: &'a super::bank_debits::DebitRow,
    pub created_by: Uuid,
    pub now: DateTime<Utc>,
}

/// Writes the invitation and ties to it every unmatched, uninvited row of
/// the same account. Returns how many rows it covers.
pub async fn insert(tx: &mut Tx, i: &NewInvitation<'_>) -> Result<u64, sqlx::Error> {
    let d = i.debit;
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO invitations (id, code_hash, bank_code, branch_code, account_type, account_number, holder_kana,
                                  created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    ).bind(i.id).bind(i.code_hash).bind(&d.bank_code).bind(&d.branch_code).bind(&d.account_type)
    .bind(&d.account_number).bind(&d.holder_kana).bind(i.created_by).bind(i.now)
    .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    on_tx!(tx, c => sqlx::query(
        "UPDATE bank_debits SET invitation_id = $1
         WHERE bank_code = $2 AND branch_code = $3 AND account_number = $4 AND status = 'unmatched'
           AND invitation_id IS NULL",
    ).bind(i.id).bind(&d.bank_code).bind(&d.branch_code).bind(&d.account_number)
    .execute(c).await.map(|r| r.rows_affected()))
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, InvitationRow>(&sql).bind(id).fetch_optional(p).await)
}

pub async fn unused_by_code(
    db: &Db,
    code_hash: &str,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE code_hash = $1 AND used_at IS NULL");
    on_db!(db, p => sqlx::query_as::<_, InvitationRow>(&sql).bind(code_hash).fetch_optional(p).await)
}

/// Marks the code used (once: compare-and-set on `used_at`).
pub async fn mark_used(
    tx: &mut Tx,
    id: Uuid,
    user: Uuid,
    draft: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE invitations SET used_at = $4, used_by = $2, draft_id = $3 WHERE id = $1 AND used_at IS NULL",
    ).bind(id).bind(user).bind(draft).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The rows an invitation covers: (date, amount, descriptor, bank reference).
pub async fn debits(
    db: &Db,
    id: Uuid,
) -> Result<Vec<(chrono::NaiveDate, i64, String, String)>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, (chrono::NaiveDate, i64, String, String)>(
        "SELECT debit_date, amount, descriptor, bank_reference FROM bank_debits WHERE invitation_id = $1
         ORDER BY debit_date, bank_reference",
    ).bind(id).fetch_all(p).await)
}
