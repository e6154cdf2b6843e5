//! Rate limits (attempts counted in the database, so every process sees
//! them) and the housekeeping that forgets old attempts and logins.

use chrono::{Duration, Utc};

use super::error::AppError;
use super::state::Core;
use super::store::attempts;

/// How long an API response is kept under its Idempotency-Key.
pub const IDEMPOTENCY_KEEP: Duration = Duration::hours(24);

/// A rate limit: at most `max` attempts per `window` under one key.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

/// Per account: 5 failed logins in 15 minutes. Per IP address: 30 failed logins in
/// 15 minutes (a household or office may share one address).
pub const LOGIN_PER_ACCOUNT: Limit = Limit {
    max: 5,
    window: Duration::minutes(15),
};
pub const LOGIN_PER_IP: Limit = Limit {
    max: 30,
    window: Duration::minutes(15),
};
pub const REGISTER_PER_IP: Limit = Limit {
    max: 10,
    window: Duration::hours(1),
};
/// The public "is this really from us?" lookup: 10 per 10 minutes per address.
pub const GENUINE_PER_IP: Limit = Limit {
    max: 10,
    window: Duration::minutes(10),
};
pub const RESET_PER_ACCOUNT: Limit = Limit {
    max: 3,
    window: Duration::hours(1),
};

/// Counts one attempt under `key`; refuses with 429 (and when to retry) once
/// the limit is passed. Written in its own transaction, so a refused attempt
/// still counts.
pub async fn check_rate(state: &Core, key: &str, limit: Limit) -> Result<(), AppError> {
    let now = Utc::now();
    let since = now - limit.window;
    let mut tx = state.db.begin().await?;
    let n = attempts::record_and_count(&mut tx, key, now, since).await?;
    let oldest = attempts::oldest_since(&mut tx, key, since).await?;
    tx.commit().await?;
    if n > limit.max {
        let retry = oldest
            .map(|o| (o + limit.window - now).num_seconds().max(1))
            .unwrap_or(60);
        return Err(AppError::TooManyAttempts(retry as u64));
    }
    Ok(())
}

/// Un-counts the attempt just made under `key`: it succeeded. (Unlike
/// `clear_rate`, others' failures under the same key still count.)
pub async fn forget_attempt(state: &Core, key: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    attempts::forget_latest(&mut tx, key).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn clear_rate(state: &Core, key: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    attempts::clear(&mut tx, key).await?;
    tx.commit().await?;
    Ok(())
}

/// Logins ended or expired this long ago are forgotten (the account page
/// shows only live ones).
pub const KEEP_LOGINS: Duration = Duration::days(30);

/// Attempts older than this are forgotten (every window above is shorter).
pub const KEEP_ATTEMPTS: Duration = Duration::days(1);

/// Deletes attempts that no limit looks at any more, logins long ended,
/// and API responses kept under an Idempotency-Key past their day.
pub async fn prune_attempts(db: &super::db::Db) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    attempts::prune(&mut tx, Utc::now() - KEEP_ATTEMPTS).await?;
    super::store::login_sessions::prune(&mut tx, Utc::now() - KEEP_LOGINS).await?;
    super::store::api_keys::prune_idempotency(&mut tx, Utc::now() - IDEMPOTENCY_KEEP).await?;
    tx.commit().await?;
    Ok(())
}

/// Housekeeping that every server process may run: prunes old attempts.
pub async fn run_housekeeping(db: super::db::Db, every: std::time::Duration) {
    loop {
        if let Err(e) = prune_attempts(&db).await {
            tracing::warn!(error = %e, "pruning old attempts failed");
        }
        tokio::time::sleep(every).await;
    }
}
