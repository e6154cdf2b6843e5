//! The REST API for bank systems (`/api/v1`), authenticated by per-bank API
//! keys. JSON in and out; unknown fields are refused; errors are RFC 9457
//! problem details with a stable `type`; writes honour `Idempotency-Key`;
//! each key is rate-limited. The OpenAPI 3.1 document is generated from the
//! code below (utoipa) and served at `/api/v1/openapi.json`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::auth::{CurrentUser, token_hash};
use super::error::AppError;
use super::services::{api_keys as key_service, bank_import, bank_review};
use super::state::AppState;
use super::store::api_keys::{self, ApiLine, KeyRow};
use super::store::{attempts, bank_debits};
use crate::domain::FieldErrors;
use crate::domain::verification::{DisputeReason, Verification as Answer};
use crate::i18n::Lang;

/// The verification's amount field (the form calls it `confirmed_amount`).
const AMOUNT_FIELD: &str = "confirmed_amount_yen";

/// The most rows one import request may carry.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// Reads and small writes (under the app's 1 MiB body limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/lines", get(list_lines).fallback(wrong_method))
        .route("/api/v1/lines/{id}", get(get_line).fallback(wrong_method))
        .route(
            "/api/v1/lines/{id}/verification",
            post(verify_line).fallback(wrong_method),
        )
        .route(
            "/api/v1/imports/{id}",
            get(get_import).fallback(wrong_method),
        )
        .route("/api/v1/openapi.json", get(openapi_json))
        // Anything else under the API is a problem document too, not a page.
        .route("/api/v1/{*rest}", axum::routing::any(no_such_endpoint))
}

/// An import's rows may be many: its own, larger body limit.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/imports",
            post(create_import).fallback(wrong_method),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            bank_import::MAX_LIST_BYTES,
        ))
}

async fn no_such_endpoint() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "no-such-endpoint",
        "There is no such endpoint",
        "See /api/v1/openapi.json for the endpoints.",
    )
}

async fn wrong_method() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This endpoint does not take that method",
        "See /api/v1/openapi.json for the methods each endpoint takes.",
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress API for bank systems",
        version = "1",
        description = "A participating bank's systems read the debit lines claimed on accounts at the bank, \
answer them (confirmed or disputed), and send the bank's own list of debits (the same rows as the CSV import). \
Authenticate with `Authorization: Bearer <key>`; a key acts for one bank only and sees nothing of any other bank. \
Writes accept an `Idempotency-Key` header (up to 255 visible ASCII characters, kept 24 hours): the same key with \
the same body returns the first response again (with `Idempotency-Replayed: true`); with a different body, 409. \
Every error is a problem document (RFC 9457) whose `type` is stable. Each key may make a limited number of \
requests per minute (429 with `Retry-After` beyond it)."
    ),
    paths(list_lines, get_line, verify_line, create_import, get_import),
    components(schemas(
        Line, LinesPage, Verification, DisputeReason, ImportRequest, ImportRowJson, ImportResult,
        RejectedRow, Problem, ProblemField
    )),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "lines", description = "Debit lines claimed on accounts at the key's bank"),
        (name = "imports", description = "The bank's own list of debits, matched to claimed lines")
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A key made on the API keys page (rdk_…)"))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, as JSON.
pub fn openapi() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

// ---------------------------------------------------------------- problems

/// An error (RFC 9457). `type` is stable; `title` and `detail` are for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `https://redress.example/problems/invalid-body`.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    /// The fields that were refused, for `invalid-fields`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField>,
}

/// One refused field: its name, a stable code and an explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    field: String,
    code: String,
    detail: String,
}

/// An RFC 9457 problem response.
pub fn problem(status: StatusCode, kind: &str, title: &str, detail: &str) -> Response {
    problem_with(status, kind, title, detail, Vec::new())
}

fn problem_with(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: &str,
    errors: Vec<ProblemField>,
) -> Response {
    let body = Problem {
        kind: format!("https://redress.example/problems/{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        errors,
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

fn unavailable() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Try again later",
        "The service could not answer this time; nothing was changed.",
    )
}

fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "There is no such resource for this key's bank.",
    )
}

/// The problem for a service error; field errors name the API's fields.
fn from_app_error(err: AppError, rename: &[(&str, &str)]) -> Response {
    err.log_if_internal();
    match err {
        AppError::NotFound | AppError::Forbidden => not_found(),
        AppError::Unauthorized => unauthorized(),
        AppError::Invalid(errors) => invalid_fields(&errors, rename),
        AppError::Conflict(what) => problem(
            StatusCode::CONFLICT,
            &what.replace('_', "-"),
            &Lang::En.t(what),
            "Read the resource again and decide on its current state.",
        ),
        AppError::TooManyAttempts(secs) => too_many(secs),
        AppError::Database { .. } | AppError::Other { .. } => unavailable(),
    }
}

fn invalid_fields(errors: &FieldErrors, rename: &[(&str, &str)]) -> Response {
    let fields = errors
        .0
        .iter()
        .map(|e| ProblemField {
            field: rename
                .iter()
                .find(|(form, _)| *form == e.field)
                .map(|(_, api)| (*api).to_owned())
                .unwrap_or_else(|| e.field.clone()),
            code: e.key.clone(),
            detail: Lang::En.t(&e.key),
        })
        .collect();
    problem_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-fields",
        "Some fields are not valid",
        "See `errors`: each names a field and what is wrong with it.",
        fields,
    )
}

fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "A valid API key is required",
        "Send the key as `Authorization: Bearer <key>`. Revoked keys stop working at once.",
    )
}

fn too_many(secs: u64) -> Response {
    let mut res = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        "This key has made too many requests in the last minute; see Retry-After.",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// The JSON body of a write, or the problem that explains why not.
fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Box<Response>> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            "Send `Content-Type: application/json`.",
        )));
    }
    serde_json::from_slice(body).map_err(|e| {
        let (status, kind) = if e.is_data() {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
        } else {
            (StatusCode::BAD_REQUEST, "malformed-json")
        };
        // serde's message names the field and what was expected; no internals.
        Box::new(problem(
            status,
            kind,
            "The body is not valid",
            &e.to_string(),
        ))
    })
}

// ---------------------------------------------------------------- the caller

/// The key a request came with and the bank user it acts as.
struct Caller {
    key: KeyRow,
    user: CurrentUser,
}

impl Caller {
    fn bank(&self) -> &str {
        &self.key.bank_code
    }
}

/// The caller from `Authorization: Bearer <key>`: counted against the key's
/// rate limit (in the database, so every process shares it) and its last use
/// recorded, in one transaction.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
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

// ---------------------------------------------------------------- idempotency

/// How long a response is kept under its Idempotency-Key.
pub const IDEMPOTENCY_KEEP: chrono::Duration = chrono::Duration::hours(24);

/// A first request still running after this long is taken to have died.
const IDEMPOTENCY_STALE: chrono::Duration = chrono::Duration::minutes(5);

/// A response as kept under an Idempotency-Key.
#[derive(Serialize, Deserialize)]
struct Kept {
    content_type: String,
    location: Option<String>,
    body: String,
}

/// Runs a write at most once per Idempotency-Key: the same key and body get
/// the first response again; another body under the key gets 409. Without
/// the header the write simply runs. A response of ours that is a 5xx is
/// not kept (the client may retry with the same key).
async fn idempotent<F, Fut>(
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
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(method.as_str().as_bytes());
        h.update(b" ");
        h.update(path.as_bytes());
        h.update(b"\n");
        h.update(body);
        hex::encode(h.finalize())
    };
    for _ in 0..2 {
        let reserved = async {
            let mut tx = state.db.begin().await?;
            let ok = api_keys::reserve_idempotency(
                &mut tx,
                caller.key.id,
                key,
                &fingerprint,
                Utc::now(),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, AppError>(ok)
        }
        .await;
        match reserved {
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
            let freed = async {
                let mut tx = state.db.begin().await?;
                api_keys::release_idempotency(
                    &mut tx,
                    caller.key.id,
                    key,
                    Some(Utc::now() - IDEMPOTENCY_STALE),
                )
                .await?;
                tx.commit().await?;
                Ok::<_, AppError>(())
            }
            .await;
            if freed.is_err() {
                return unavailable();
            }
            continue;
        }
        return replay(&stored.body, stored.status);
    }
    unavailable()
}

/// Keeps the response of the request that reserved `key` and sends it.
async fn keep(state: &AppState, caller: &Caller, key: &str, res: Response) -> Response {
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

fn replay(text: &str, status: i32) -> Response {
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

// ---------------------------------------------------------------- lines

/// A debit line claimed on an account at the key's bank.
#[derive(Debug, Serialize, ToSchema)]
pub struct Line {
    id: Uuid,
    /// The claim's reference, e.g. `RD-000123`.
    claim_reference: String,
    /// The line's position within the claim.
    position: i64,
    branch_code: String,
    /// `ordinary`, `current` or `savings`.
    account_type: String,
    account_number: String,
    /// The date the claimant gives (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    debit_date: chrono::NaiveDate,
    /// The amount claimed, in yen.
    amount_yen: i64,
    /// The text on the passbook.
    descriptor: String,
    /// `pending`, `confirmed` or `disputed`.
    status: String,
    /// The amount the bank confirmed, in yen.
    confirmed_amount_yen: Option<i64>,
    answered_at: Option<DateTime<Utc>>,
}

impl From<ApiLine> for Line {
    fn from(l: ApiLine) -> Line {
        Line {
            id: l.id,
            claim_reference: l.reference,
            position: l.position,
            branch_code: l.branch_code,
            account_type: l.account_type,
            account_number: l.account_number,
            debit_date: l.debit_date,
            amount_yen: l.amount,
            descriptor: l.descriptor,
            status: l.bank_verdict.unwrap_or_else(|| "pending".to_owned()),
            confirmed_amount_yen: l.confirmed_amount,
            answered_at: l.bank_answered_at,
        }
    }
}

/// One page of pending lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinesPage {
    items: Vec<Line>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LinesQuery {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Lines per page, 1 to 500 (default 100).
    limit: Option<i64>,
}

/// The debit lines at the key's bank that have no answer yet, oldest claim
/// first.
#[utoipa::path(
    get, path = "/api/v1/lines", tag = "lines", params(LinesQuery),
    responses(
        (status = 200, description = "A page of pending lines", body = LinesPage),
        (status = 400, description = "Unknown parameter, bad cursor or limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limit passed", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn list_lines(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<LinesQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
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
    let rows = match api_keys::pending_lines(&state.db, caller.bank(), after, limit + 1).await {
        Ok(rows) => rows,
        Err(_) => return unavailable(),
    };
    let more = rows.len() as i64 > limit;
    let items: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = more
        .then(|| items.last().map(|l| format!("{}-{}", l.seq, l.position)))
        .flatten();
    Json(LinesPage {
        items: items.into_iter().map(Line::from).collect(),
        next_cursor,
    })
    .into_response()
}

/// An id in a path; anything else names nothing (404).
fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::parse_str(id).ok()
}

/// One debit line at the key's bank, with the bank's answer if any.
#[utoipa::path(
    get, path = "/api/v1/lines/{id}", tag = "lines",
    params(("id" = Uuid, Path, description = "The line's id")),
    responses(
        (status = 200, description = "The line", body = Line),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such line at this key's bank", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    match api_keys::line_at_bank(&state.db, caller.bank(), id).await {
        Ok(Some(line)) => Json(Line::from(line)).into_response(),
        Ok(None) => not_found(),
        Err(_) => unavailable(),
    }
}

/// The bank's answer on a line: confirmed with the bank's own figures, or
/// disputed with a reason. Sending it again corrects the answer (until the
/// case is approved); every answer is kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "verdict", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verification {
    Confirmed {
        /// The amount that left the account, in yen (1 to 10,000,000).
        confirmed_amount_yen: i64,
        /// The bank's transaction date (YYYY-MM-DD).
        bank_date: String,
        /// The bank's transaction reference.
        bank_reference: Option<String>,
        /// The account holder's name in katakana, as the bank holds it.
        holder_kana: String,
    },
    Disputed {
        reason: DisputeReason,
        /// Required when the reason is `other`.
        note: Option<String>,
    },
}

impl Verification {
    /// The typed answer the service takes, checked by the domain's rules;
    /// an error names the JSON key it is about.
    fn into_answer(self, today: chrono::NaiveDate) -> Result<Answer, FieldErrors> {
        match self {
            Verification::Confirmed {
                confirmed_amount_yen,
                bank_date,
                bank_reference,
                holder_kana,
            } => domain::verification::confirmed(
                (AMOUNT_FIELD, &confirmed_amount_yen.to_string()),
                ("bank_date", &bank_date),
                ("bank_reference", bank_reference.as_deref().unwrap_or("")),
                ("holder_kana", &holder_kana),
                today,
            ),
            Verification::Disputed { reason, note } => {
                let mut e = FieldErrors::new();
                let note = domain::verification::dispute_note(
                    &mut e,
                    "note",
                    note.as_deref().unwrap_or(""),
                    Some(reason),
                );
                if e.is_empty() {
                    Ok(Answer::Disputed { reason, note })
                } else {
                    Err(e)
                }
            }
        }
    }
}

/// Answers (or corrects the answer on) a line at the key's bank.
#[utoipa::path(
    post, path = "/api/v1/lines/{id}/verification", tag = "lines",
    params(
        ("id" = Uuid, Path, description = "The line's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = Verification,
    responses(
        (status = 200, description = "The line with its new answer", body = Line),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such line at this key's bank", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Answers are closed (case approved) or the Idempotency-Key was used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown or invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn verify_line(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let path = format!("/api/v1/lines/{id}/verification");
    idempotent(
        &state,
        &caller,
        &headers,
        (&Method::POST, &path, &body),
        || async {
            let Some(id) = parse_id(&id) else {
                return not_found();
            };
            let json: Verification = match parse_body(&headers, &body) {
                Ok(a) => a,
                Err(res) => return *res,
            };
            let today = crate::domain::answers::today_in_japan();
            let answer = match json.into_answer(today) {
                Ok(a) => a,
                Err(errors) => return invalid_fields(&errors, &[]),
            };
            if let Err(e) = bank_review::verify_line(&state, &caller.user, id, &answer).await {
                return from_app_error(e, &[]);
            }
            match api_keys::line_at_bank(&state.db, caller.bank(), id).await {
                Ok(Some(line)) => Json(Line::from(line)).into_response(),
                Ok(None) => not_found(),
                Err(_) => unavailable(),
            }
        },
    )
    .await
}

// ---------------------------------------------------------------- imports

/// One row of the bank's list: the eight columns of the CSV import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRowJson {
    /// 3 digits.
    branch_code: String,
    /// `ordinary`, `current`, `savings` (or 普通, 当座, 貯蓄, 1, 2, 4).
    account_type: String,
    /// Up to 7 digits.
    account_number: String,
    /// The holder's name in katakana.
    holder_kana: String,
    /// YYYY-MM-DD.
    transaction_date: String,
    /// In yen, 1 to 10,000,000.
    amount_yen: i64,
    /// The text on the passbook.
    descriptor: String,
    /// The bank's own reference of the debit: a row is imported once per reference.
    bank_reference: String,
}

/// The bank's list of debits, as rows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// A name for the list, shown on the bank's import page.
    name: Option<String>,
    /// 1 to 100,000 rows.
    rows: Vec<ImportRowJson>,
}

/// A row that was not imported: its number in `rows` (from 1) and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRow {
    row: usize,
    code: String,
    detail: String,
}

/// Where an import stands and, once done, what it found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    id: Uuid,
    /// `processing`, `done` or `failed` (stopped part way: the rows done are
    /// kept; send the rows again and the rest are imported).
    status: String,
    /// `upload` (a file on the bank portal) or `api`.
    source: String,
    name: String,
    created_at: DateTime<Utc>,
    rows_total: i64,
    /// Rows worked through so far.
    rows_done: i64,
    rows_rejected: i64,
    /// Rows that matched a claimed line exactly: the line is confirmed.
    rows_matched: i64,
    /// Rows that nearly match a claimed line: accepted by a click on the portal.
    rows_probable: i64,
    /// Rows no claim names: bank-reported losses.
    rows_unmatched: i64,
    /// Rows whose bank reference was imported before (nothing changed).
    rows_known: i64,
    rejected: Vec<RejectedRow>,
}

fn import_result(row: &bank_debits::ImportRow) -> Result<ImportResult, AppError> {
    let status = bank_import::status_of(row);
    let rejected: Vec<(usize, String)> = serde_json::from_str(&row.rejections)
        .map_err(|e| anyhow::anyhow!("import {}: its rejections cannot be read: {e}", row.id))?;
    Ok(ImportResult {
        id: row.id,
        status: status.status,
        source: row.source.clone(),
        name: row.file_name.clone(),
        created_at: row.created_at,
        rows_total: row.rows_total,
        rows_done: status.done,
        rows_rejected: row.rows_rejected,
        rows_matched: row.rows_matched,
        rows_probable: row.rows_probable,
        rows_unmatched: row.rows_unmatched,
        rows_known: row.rows_known,
        rejected: rejected
            .into_iter()
            .map(|(row, code)| RejectedRow {
                row,
                detail: Lang::En.t(&code),
                code,
            })
            .collect(),
    })
}

/// Sends the bank's list as rows, with the CSV import's rules: bad rows are
/// rejected with their number and reason, exact matches confirm their line,
/// probable ones wait for a click on the portal, the rest become
/// bank-reported losses; rows whose reference was imported before change
/// nothing. A large list goes on in the background: 202 and the import to
/// poll.
#[utoipa::path(
    post, path = "/api/v1/imports", tag = "imports",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    request_body = ImportRequest,
    responses(
        (status = 201, description = "Imported", body = ImportResult),
        (status = 202, description = "Still being worked through: poll the Location", body = ImportResult),
        (status = 400, description = "Malformed JSON or Idempotency-Key", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Idempotency-Key used for another body", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too many rows or too large a body", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown fields, or no rows", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn create_import(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Ok(body) = body else {
        return too_large();
    };
    idempotent(
        &state,
        &caller,
        &headers,
        (&Method::POST, "/api/v1/imports", &body),
        || async {
            let request: ImportRequest = match parse_body(&headers, &body) {
                Ok(r) => r,
                Err(res) => return *res,
            };
            if request.rows.len() > MAX_IMPORT_ROWS {
                return too_large();
            }
            let rows = request
                .rows
                .into_iter()
                .map(|r| {
                    vec![
                        r.branch_code,
                        r.account_type,
                        r.account_number,
                        r.holder_kana,
                        r.transaction_date,
                        r.amount_yen.to_string(),
                        r.descriptor,
                        r.bank_reference,
                    ]
                })
                .collect();
            let checked =
                bank_import::read_api_rows(rows, super::services::drafts::today_jst(Utc::now()));
            let name = request.name.unwrap_or_else(|| "API".to_owned());
            let id = match bank_import::start(
                &state,
                &caller.user,
                &name,
                "api",
                checked,
                state.settings.import_wait,
            )
            .await
            {
                Ok(id) => id,
                Err(e) => return from_app_error(e, &[("file", "rows")]),
            };
            let row = match bank_debits::import_by_id(&state.db, id).await {
                Ok(Some(row)) => row,
                _ => return unavailable(),
            };
            let result = match import_result(&row) {
                Ok(r) => r,
                Err(e) => return from_app_error(e, &[]),
            };
            let status = if result.status == "processing" {
                StatusCode::ACCEPTED
            } else {
                StatusCode::CREATED
            };
            let mut res = (status, Json(result)).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/imports/{id}")) {
                res.headers_mut().insert(header::LOCATION, v);
            }
            res
        },
    )
    .await
}

fn too_large() -> Response {
    problem(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "Too many rows",
        "Send at most 100,000 rows (32 MB) per request; split a longer list.",
    )
}

/// An import of the key's bank: its status and, once done, its report.
#[utoipa::path(
    get, path = "/api/v1/imports/{id}", tag = "imports",
    params(("id" = Uuid, Path, description = "The import's id")),
    responses(
        (status = 200, description = "The import", body = ImportResult),
        (status = 401, description = "No valid key", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such import at this key's bank", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn get_import(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match caller(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let Some(id) = parse_id(&id) else {
        return not_found();
    };
    match bank_debits::import_by_id(&state.db, id).await {
        Ok(Some(row)) if row.bank_code == caller.bank() => match import_result(&row) {
            Ok(result) => Json(result).into_response(),
            Err(e) => from_app_error(e, &[]),
        },
        Ok(_) => not_found(),
        Err(_) => unavailable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_names_every_endpoint() {
        let doc = openapi();
        assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
        for path in [
            "/api/v1/lines",
            "/api/v1/lines/{id}",
            "/api/v1/lines/{id}/verification",
            "/api/v1/imports",
            "/api/v1/imports/{id}",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing");
        }
        assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    }

    #[test]
    fn unknown_fields_are_refused_in_every_body() {
        let confirmed = r#"{"verdict":"confirmed","confirmed_amount_yen":1,"bank_date":"2020-09-01","holder_kana":"ア","pin":"1234"}"#;
        assert!(serde_json::from_str::<Verification>(confirmed).is_err());
        let disputed = r#"{"verdict":"disputed","reason":"other","note":"x","extra":1}"#;
        assert!(serde_json::from_str::<Verification>(disputed).is_err());
        let fine = r#"{"verdict":"disputed","reason":"no_such_debit"}"#;
        assert!(serde_json::from_str::<Verification>(fine).is_ok());
        assert!(serde_json::from_str::<ImportRequest>(r#"{"rows":[],"x":1}"#).is_err());
    }
}
