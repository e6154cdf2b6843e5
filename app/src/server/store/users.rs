use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::server::db::{Db, Tx};
use crate::{on_db, on_tx};

/// A user as stored. The password hash never leaves the server: this type is
/// not `Serialize`.
#[derive(Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub bank_code: Option<String>,
    pub lang: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// A bank's lead user manages the bank's API keys.
    pub bank_lead: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str =
    "id, email, password_hash, role, bank_code, lang, email_verified_at, disabled_at, bank_lead";

pub struct NewUser<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub bank_code: Option<&'a str>,
    pub lang: &'a str,
    pub verified_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO users (id, email, password_hash, role, bank_code, lang, email_verified_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(u.id)
    .bind(u.email)
    .bind(u.password_hash)
    .bind(u.role)
    .bind(u.bank_code)
    .bind(u.lang)
    .bind(u.verified_at)
    .bind(u.now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    on_db!(db, p => sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(p).await)
}

pub async fn by_id(db: &Db, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(p).await)
}

pub async fn by_id_tx(tx: &mut Tx, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)
}

pub async fn mark_verified(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id).bind(hash).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn set_lang(tx: &mut Tx, id: Uuid, lang: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE users SET lang = $2 WHERE id = $1")
        .bind(id).bind(lang).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes a bank user the bank's lead user (or not).
pub async fn set_bank_lead(tx: &mut Tx, id: Uuid, lead: bool) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE users SET bank_lead = $2 WHERE id = $1 AND role = 'bank_staff'")
        .bind(id).bind(lead).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
