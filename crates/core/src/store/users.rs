use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
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
    /// When the account's two-step login was set up (none: not yet).
    pub mfa_enrolled_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, email, password_hash, role, bank_code, lang, email_verified_at, disabled_at, bank_lead, mfa_enrolled_at";
/// The same columns of `users u` (for a join).
pub const COLUMNS_OF_U: &str = "u.id, u.email, u.password_hash, u.role, u.bank_code, u.lang, u.email_verified_at, u.disabled_at, u.bank_lead, u.mfa_enrolled_at";

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

/// Ends every session of the account but `keep` (the one changing its own
/// password stays), on every process, at once: the one way sessions are
/// revoked (password reset or change, two-step login reset, role change,
/// disabling).
pub async fn end_sessions(tx: &mut Tx, id: Uuid, keep: Option<Uuid>) -> Result<(), sqlx::Error> {
    super::login_sessions::end_all(tx, id, keep, Utc::now()).await?;
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

/// A user in the admin's list (no secret in it).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ListedUser {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub bank_code: Option<String>,
    pub lang: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub bank_lead: bool,
    pub created_at: DateTime<Utc>,
    pub mfa_enrolled_at: Option<DateTime<Utc>>,
}

const LISTED: &str = "id, email, role, bank_code, lang, email_verified_at, disabled_at, bank_lead, created_at, mfa_enrolled_at";

/// Users whose address contains `q` (any case), staff first, then by address;
/// API keys' own users are left out. Returns a page and the count.
pub async fn search(
    db: &Db,
    q: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListedUser>, i64), sqlx::Error> {
    let pattern = format!("%{}%", q.trim().to_lowercase());
    let filter = "WHERE LOWER(email) LIKE $1 AND email NOT LIKE '%@keys.redress.invalid'";
    let rows_sql = format!(
        "SELECT {LISTED} FROM users {filter}
          ORDER BY CASE WHEN role = 'claimant' THEN 1 ELSE 0 END, email LIMIT $2 OFFSET $3"
    );
    let count_sql = format!("SELECT COUNT(*) FROM users {filter}");
    on_db!(db, p => {
        let rows = sqlx::query_as::<_, ListedUser>(&rows_sql).bind(&pattern).bind(limit).bind(offset).fetch_all(p).await?;
        let n: i64 = sqlx::query_scalar(&count_sql).bind(&pattern).fetch_one(p).await?;
        Ok((rows, n))
    })
}

pub async fn listed(db: &Db, id: Uuid) -> Result<Option<ListedUser>, sqlx::Error> {
    let sql = format!("SELECT {LISTED} FROM users WHERE id = $1");
    on_db!(db, p => sqlx::query_as::<_, ListedUser>(&sql).bind(id).fetch_optional(p).await)
}

/// A staff member's role and bank (a bank's lead flag goes with its bank).
pub async fn set_role(
    tx: &mut Tx,
    id: Uuid,
    role: &str,
    bank: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET role = $2, bank_code = $3,
                bank_lead = CASE WHEN $2 = 'bank_staff' AND bank_code = $3 THEN bank_lead ELSE FALSE END
          WHERE id = $1 AND role <> 'claimant'")
        .bind(id).bind(role).bind(bank).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Disables (`Some(at)`) or enables (`None`) an account.
pub async fn set_disabled(
    tx: &mut Tx,
    id: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
        .bind(id).bind(at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// One admin action, in the action's transaction.
pub async fn record_admin_action(
    tx: &mut Tx,
    actor: Uuid,
    action: &str,
    target: Uuid,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO admin_actions (id, actor_id, action, target_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::new_v4()).bind(actor).bind(action).bind(target).bind(detail).bind(at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// (when, by whom, action, on whom, detail) of the admin actions, newest
/// first, those mentioning `q` (an address or a word of the detail).
pub async fn admin_actions(
    db: &Db,
    q: &str,
    limit: i64,
) -> Result<Vec<(DateTime<Utc>, String, String, String, String)>, sqlx::Error> {
    let pattern = format!("%{}%", q.trim().to_lowercase());
    on_db!(db, p => sqlx::query_as::<_, (DateTime<Utc>, String, String, String, String)>(
        "SELECT a.at, actor.email, a.action, target.email, a.detail
           FROM admin_actions a JOIN users actor ON actor.id = a.actor_id JOIN users target ON target.id = a.target_id
          WHERE LOWER(actor.email) LIKE $1 OR LOWER(target.email) LIKE $1 OR LOWER(a.detail) LIKE $1 OR a.action LIKE $1
          ORDER BY a.at DESC LIMIT $2",
    ).bind(pattern).bind(limit).fetch_all(p).await)
}
