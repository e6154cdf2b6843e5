//! The REST API for bank systems (`/api/v1`), authenticated by per-bank API
//! keys. Errors are RFC 9457 problem details with a stable `type`.
//! First slice: pending lines with cursor pagination.

use axum::Json;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::auth::token_hash;
use super::state::AppState;
use super::store::api_keys;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/lines", get(pending_lines))
}

/// An RFC 9457 problem: `type` is stable, `title` is for people.
pub fn problem(status: StatusCode, kind: &str, title: &str, detail: &str) -> Response {
    let body = serde_json::json!({
        "type": format!("https://redress.example/problems/{kind}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

/// The bank a request acts for, from `Authorization: Bearer <key>`.
async fn bank_of(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let unauthorized = || {
        problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid API key is required",
            "Send the key as `Authorization: Bearer <key>`.",
        )
    };
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let row = api_keys::live_by_hash(&state.db, &token_hash(key))
        .await
        .map_err(|_| {
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Try again later",
                "",
            )
        })?
        .ok_or_else(unauthorized)?;
    if let Ok(mut tx) = state.db.begin().await
        && api_keys::touch(&mut tx, row.id, Utc::now()).await.is_ok()
    {
        let _ = tx.commit().await;
    }
    Ok(row.bank_code)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinesQuery {
    cursor: Option<String>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
struct LineJson {
    id: uuid::Uuid,
    claim_reference: String,
    position: i64,
    branch_code: String,
    account_type: String,
    account_number: String,
    debit_date: String,
    amount_yen: i64,
    descriptor: String,
}

#[derive(Debug, Serialize)]
struct LinesPage {
    items: Vec<LineJson>,
    next_cursor: Option<String>,
}

/// `GET /api/v1/lines`: the debit lines at the key's bank that have no
/// answer yet, oldest claim first; `cursor` continues a listing.
async fn pending_lines(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<LinesQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let bank = match bank_of(&state, &headers).await {
        Ok(b) => b,
        Err(res) => return res,
    };
    let Ok(Query(q)) = query else {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-query",
            "The query is not valid",
            "Known parameters: cursor, limit.",
        );
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return problem(
            StatusCode::BAD_REQUEST,
            "invalid-limit",
            "limit must be 1 to 500",
            "",
        );
    }
    let after = match q.cursor.as_deref() {
        None => (0, 0),
        Some(c) => match c
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        {
            Some(pair) => pair,
            None => {
                return problem(
                    StatusCode::BAD_REQUEST,
                    "invalid-cursor",
                    "The cursor is not valid",
                    "Use the next_cursor of the previous page.",
                );
            }
        },
    };
    let rows = match api_keys::pending_lines(&state.db, &bank, after, limit + 1).await {
        Ok(rows) => rows,
        Err(_) => {
            return problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Try again later",
                "",
            );
        }
    };
    let more = rows.len() as i64 > limit;
    let items: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| items.last().map(|l| format!("{}-{}", l.seq, l.position)))
        .flatten();
    Json(LinesPage {
        items: items
            .into_iter()
            .map(|l| LineJson {
                id: l.id,
                claim_reference: l.reference,
                position: l.position,
                branch_code: l.branch_code,
                account_type: l.account_type,
                account_number: l.account_number,
                debit_date: l.debit_date.to_string(),
                amount_yen: l.amount,
                descriptor: l.descriptor,
            })
            .collect(),
        next_cursor,
    })
    .into_response()
}
