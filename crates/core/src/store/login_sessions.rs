//! Logins: one row per session that logged in, read by the guard on every
//! request (see migrations/*/0019_sessions_and_codes.sql).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::users::UserRow;
use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

pub struct NewLogin<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub user_agent: &'a str,
    pub ip: &'a str,
}

pub async fn insert(tx: &mut Tx, l: &NewLogin<'_>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO login_sessions (id, user_id, started_at, expires_at, last_seen_at, user_agent, ip)
         VALUES ($1, $2, $3, $4, $3, $5, $6)",
    )
    .bind(l.id).bind(l.user_id).bind(l.now).bind(l.expires_at).bind(l.user_agent).bind(l.ip)
    .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A login as the guard sees it: the account, and whether this login still
/// holds (not ended, not past its absolute lifetime).
#[derive(sqlx::FromRow)]
pub struct Held {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub login_ended_at: Option<DateTime<Utc>>,
    pub login_expires_at: DateTime<Utc>,
    pub login_last_seen_at: DateTime<Utc>,
}

impl Held {
    pub fn live(&self, now: DateTime<Utc>) -> bool {
        self.login_ended_at.is_none() && self.login_expires_at > now
    }
}

/// The account of `user_id` with its login `id` (one read per request).
pub async fn held(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<Held>, sqlx::Error> {
    let sql = format!(
        "SELECT {}, s.ended_at AS login_ended_at, s.expires_at AS login_expires_at, s.last_seen_at AS login_last_seen_at
         FROM users u JOIN login_sessions s ON s.user_id = u.id
         WHERE s.id = $1 AND u.id = $2",
        super::users::COLUMNS_OF_U
    );
    on_db!(db, p => sqlx::query_as::<_, Held>(&sql).bind(id).bind(user_id).fetch_optional(p).await)
}

pub async fn touch(tx: &mut Tx, id: Uuid, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE login_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2")
        .bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends every login of `user_id` but `keep` (the one revocation query:
/// every credential event calls it through `users::end_sessions`).
pub async fn end_all(
    tx: &mut Tx,
    user_id: Uuid,
    keep: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE login_sessions SET ended_at = $3
         WHERE user_id = $1 AND ended_at IS NULL AND ($2 IS NULL OR id <> $2)",
    )
    .bind(user_id).bind(keep).bind(now).execute(c).await.map(|r| r.rows_affected()))
}

/// Ends one login, only if it is `user_id`'s.
pub async fn end_one(
    tx: &mut Tx,
    user_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE login_sessions SET ended_at = $3 WHERE id = $2 AND user_id = $1 AND ended_at IS NULL",
    )
    .bind(user_id).bind(id).bind(now).execute(c).await.map(|r| r.rows_affected()))
}

/// A login the owner can see on the account page.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct LoginRow {
    pub id: Uuid,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: String,
    pub ip: String,
}

/// `user_id`'s logins that still hold: not ended, not expired, and seen
/// since `seen_since` (older ones have passed the idle timeout).
pub async fn live_of(
    db: &Db,
    user_id: Uuid,
    now: DateTime<Utc>,
    seen_since: DateTime<Utc>,
) -> Result<Vec<LoginRow>, sqlx::Error> {
    on_db!(db, p => sqlx::query_as::<_, LoginRow>(
        "SELECT id, started_at, last_seen_at, user_agent, ip FROM login_sessions
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3
         ORDER BY last_seen_at DESC",
    )
    .bind(user_id).bind(now).bind(seen_since).fetch_all(p).await)
}

/// Forgets logins that ended (or expired) before `before`.
pub async fn prune(tx: &mut Tx, before: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "DELETE FROM login_sessions WHERE COALESCE(ended_at, expires_at) < $1",
    )
    .bind(before).execute(c).await.map(|r| r.rows_affected()))
}
