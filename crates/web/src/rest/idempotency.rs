//! `Idempotency-Key`: a write sent again with the same key and body gets the first answer again.

use super::*;

/// How long a response is kept under its Idempotency-Key (the core's
/// housekeeping forgets it after that).
pub use redress_core::limits::IDEMPOTENCY_KEEP;

/// A first request still running after this long is taken to have died.
pub(super) const IDEMPOTENCY_STALE: chrono::Duration = chrono::Duration::minutes(5);

/// A response as kept under an Idempotency-Key.
#[derive(Serialize, Deserialize)]
pub(super) struct Kept {
    content_type: String,
    location: Option<String>,
    body: String,
}

/// Runs a write at most once per Idempotency-Key: the same key and body get
/// the first response again; another body under the key gets 409. Without
/// the header the write simply runs. A response of ours that is a 5xx is
/// not kept (the client may retry with the same key).
pub(super) async fn idempotent<F, Fut>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    (method, path, body): (&Method, &str, &[u8]),
    run: F,
) -> Response
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let Some(raw) = headers.get("idempotency-key") else {
        return run().await;
    };
    let mut run = Some(run);
    let key = match raw.to_str() {
        Ok(k) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k,
        _ => {
            return problem(
                StatusCode::BAD_REQUEST,
                "invalid-idempotency-key",
                "The Idempotency-Key is not valid",
                "Use 1 to 255 visible ASCII characters, e.g. a UUID.",
            );
        }
    };
    let fingerprint = fingerprint(method, path, body);
    for _ in 0..2 {
        match reserve(state, caller, key, &fingerprint).await {
            Err(_) => return unavailable(),
            Ok(true) => match run.take() {
                Some(run) => return keep(state, caller, key, run().await).await,
                None => return unavailable(),
            },
            Ok(false) => {}
        }
        let stored = match api_keys::stored_response(&state.db, caller.key.id, key).await {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(_) => return unavailable(),
        };
        if stored.fingerprint != fingerprint {
            return problem(
                StatusCode::CONFLICT,
                "idempotency-key-reused",
                "This Idempotency-Key was used for a different request",
                "Use a new key for a new request; resend the same body to get the first answer again.",
            );
        }
        if stored.status == 0 {
            if Utc::now() - stored.created_at < IDEMPOTENCY_STALE {
                let mut res = problem(
                    StatusCode::CONFLICT,
                    "idempotency-key-in-progress",
                    "The first request with this Idempotency-Key is still being handled",
                    "Retry shortly with the same key and body.",
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(1));
                return res;
            }
            // The first request died: free its key and try once more.
            if free_stale(state, caller, key).await.is_err() {
                return unavailable();
            }
            continue;
        }
        return replay(&stored.body, stored.status);
    }
    unavailable()
}

/// What makes two requests the same: method, path and body.
fn fingerprint(method: &Method, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str().as_bytes());
    h.update(b" ");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Reserves `key` for this request: true when it was free (this request
/// runs), false when another request holds or held it.
async fn reserve(
    state: &AppState,
    caller: &Caller,
    key: &str,
    fingerprint: &str,
) -> Result<bool, AppError> {
    let mut tx = state.db.begin().await?;
    let ok =
        api_keys::reserve_idempotency(&mut tx, caller.key.id, key, fingerprint, Utc::now()).await?;
    tx.commit().await?;
    Ok(ok)
}

/// Frees `key` when the request that reserved it died (no answer kept
/// after `IDEMPOTENCY_STALE`).
async fn free_stale(state: &AppState, caller: &Caller, key: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    api_keys::release_idempotency(
        &mut tx,
        caller.key.id,
        key,
        Some(Utc::now() - IDEMPOTENCY_STALE),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps the response of the request that reserved `key` and sends it.
pub(super) async fn keep(state: &AppState, caller: &Caller, key: &str, res: Response) -> Response {
    let status = res.status();
    let (parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 16 * 1024 * 1024).await else {
        return unavailable();
    };
    let header_text = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let kept = Kept {
        content_type: header_text(header::CONTENT_TYPE).unwrap_or_default(),
        location: header_text(header::LOCATION),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let saved = async {
        let mut tx = state.db.begin().await?;
        if status.is_server_error() {
            api_keys::release_idempotency(&mut tx, caller.key.id, key, None).await?;
        } else {
            let text = serde_json::to_string(&kept).map_err(anyhow::Error::from)?;
            api_keys::store_response(
                &mut tx,
                caller.key.id,
                key,
                i32::from(status.as_u16()),
                &text,
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if saved.is_err() {
        tracing::error!(key = %caller.key.id, "keeping an idempotent response failed");
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

pub(super) fn replay(text: &str, status: i32) -> Response {
    let Ok(kept) = serde_json::from_str::<Kept>(text) else {
        return unavailable();
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = (status, kept.body).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&kept.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = kept.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LOCATION, v);
    }
    h.insert("idempotency-replayed", HeaderValue::from_static("true"));
    res
}
