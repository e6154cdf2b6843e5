//! Two-step login as stored: the TOTP secret and its last accepted step on
//! the user's row, and the hashed recovery codes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::{Db, Tx};
use crate::{on_db, on_tx};

/// The secret and the last step a code was accepted for. Not `Serialize`,
/// not `Debug`: the secret never leaves the server.
pub struct Secret {
    pub key: String,
    pub last_step: Option<i64>,
}

pub async fn secret(db: &Db, user: Uuid) -> Result<Option<Secret>, sqlx::Error> {
    let row = on_db!(db, p => sqlx::query_as::<_, (Option<String>, Option<i64>)>(
        "SELECT mfa_secret, mfa_last_step FROM users WHERE id = $1 AND mfa_enrolled_at IS NOT NULL")
        .bind(user).fetch_optional(p).await)?;
    Ok(row.and_then(|(key, last_step)| key.map(|key| Secret { key, last_step })))
}

/// Records the secret once its first code was typed right; false when the
/// user had enrolled already (the other tab won).
pub async fn enrol(
    tx: &mut Tx,
    user: Uuid,
    key: &str,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET mfa_secret = $2, mfa_last_step = $3, mfa_enrolled_at = $4
          WHERE id = $1 AND mfa_enrolled_at IS NULL")
        .bind(user).bind(key).bind(step).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Spends a step: true only for the one request that moved the user's last
/// step forward to it (a replayed or concurrent code gets false).
pub async fn spend_step(tx: &mut Tx, user: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET mfa_last_step = $2
          WHERE id = $1 AND mfa_enrolled_at IS NOT NULL AND (mfa_last_step IS NULL OR mfa_last_step < $2)")
        .bind(user).bind(step).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Replaces the user's recovery codes with these hashes.
pub async fn replace_recovery(
    tx: &mut Tx,
    user: Uuid,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    for hash in hashes {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO mfa_recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::new_v4()).bind(user).bind(hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    }
    Ok(())
}

/// Uses a recovery code: true only for the first use.
pub async fn use_recovery(
    tx: &mut Tx,
    user: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL")
        .bind(user).bind(hash).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Recovery codes not used yet.
pub async fn recovery_left(db: &Db, user: Uuid) -> Result<i64, sqlx::Error> {
    on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user).fetch_one(p).await)
}

/// Forgets the user's two-step login (an admin's reset): they enrol again.
pub async fn reset(tx: &mut Tx, user: Uuid) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
        .bind(user).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE users SET mfa_secret = NULL, mfa_last_step = NULL, mfa_enrolled_at = NULL
          WHERE id = $1 AND mfa_enrolled_at IS NOT NULL")
        .bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
