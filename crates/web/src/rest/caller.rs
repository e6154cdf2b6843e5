//! Who calls: the bank key in `Authorization: Bearer`, checked and rate-limited.

use super::*;

/// The key a request came with and the bank user it acts as.
pub(super) struct Caller {
    pub(super) key: KeyRow,
    pub(super) user: CurrentUser,
}

impl Caller {
    pub(super) fn bank(&self) -> &str {
        &self.key.bank_code
    }
}

/// The caller from `Authorization: Bearer <key>`: counted against the key's
/// rate limit (in the database, so every process shares it) and its last use
/// recorded, in one transaction.
pub(super) async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let key = api_keys::live_by_hash(&state.db, &token_hash(presented))
        .await
        .map_err(|_| unavailable())?
        .ok_or_else(unauthorized)?;
    let now = Utc::now();
    let window = chrono::Duration::minutes(1);
    let bucket = format!("api:{}", key.id);
    let counted = async {
        let mut tx = state.db.begin().await?;
        let n = attempts::record_and_count(&mut tx, &bucket, now, now - window).await?;
        let oldest = attempts::oldest_since(&mut tx, &bucket, now - window).await?;
        api_keys::touch(&mut tx, key.id, now).await?;
        tx.commit().await?;
        Ok::<_, AppError>((n, oldest))
    }
    .await;
    let (n, oldest) = counted.map_err(|_| unavailable())?;
    if n > state.settings.api_rate_per_minute {
        let retry = oldest
            .map(|o| (o + window - now).num_seconds().max(1))
            .unwrap_or(60);
        return Err(too_many(retry as u64));
    }
    let user = key_service::acting_user(state, &key)
        .await
        .map_err(|_| unavailable())?;
    Ok(Caller { key, user })
}
