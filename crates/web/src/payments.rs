//! The payments staff's form posts and downloads: make a batch (payments),
//! release it (an approver who did not make it), export the Zengin file and
//! its CSV, record the bank's results by hand or from its file; the admin's
//! settlement report. Guarded by role here; the four-eyes rule and every
//! state are checked by the service.

use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::guard::*;
use crate::{Submitted, see_other};
use app::domain::{BankCode, FieldErrors, Yen};
use app::server::error::AppError;
use app::server::services::payouts;
use app::server::state::AppState;
use app::server::store::payouts::CandidateFilter;
use chrono::NaiveDate;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::batches::PATH, post(create))
        .route(routes::batch_release::PATH, post(release))
        .route(routes::batch_results::PATH, post(result))
        .route(routes::batch_zengin::PATH, get(zengin))
        .route(routes::batch_csv::PATH, get(batch_csv))
        .route(routes::batches_csv::PATH, get(batches_csv))
        .route(routes::settlement_csv::PATH, get(settlement_csv))
        .route(routes::settlement_xlsx::PATH, get(settlement_xlsx))
}

/// The bank's result file (multipart, field `file`).
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(routes::batch_results_file::PATH, post(results_file))
        .layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024))
}

fn number(text: &str) -> Result<i64, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// The form's errors belong on the batch page.
fn on_batch_page(form: &mut Submitted, number: &str) {
    if let Ok(uri) = format!("/payments/batches/{number}").parse() {
        form.parts.uri = uri;
    }
}

async fn create(
    State(state): State<AppState>,
    Guarded { user, .. }: Guarded<PaymentsOnly>,
    mut form: Submitted,
) -> Response {
    // Errors are shown on the payments page, where the form is.
    if let Ok(uri) = "/payments".parse() {
        form.parts.uri = uri;
    }
    // The one-time token of the form: without one, the form is stale.
    let Ok(request) = uuid::Uuid::parse_str(form.get("request_id").trim()) else {
        return form
            .fail(&state, AppError::Conflict("form_expired"), "transfer_date")
            .await;
    };
    let batch = parse_batch(&form);
    match payouts::create_batch(&state, &user, request, batch).await {
        Ok(n) => see_other(&format!("/payments/batches/{n}?made=1")),
        Err(e) => form.fail(&state, e, "transfer_date").await,
    }
}

async fn release(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Guarded { user, .. }: Guarded<ApproversOnly>,
    mut form: Submitted,
) -> Response {
    on_batch_page(&mut form, &n);
    let result = match number(&n) {
        Ok(n) => payouts::release(&state, &user, n).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(&format!("/payments/batches/{n}?released=1")),
        Err(e) => form.fail(&state, e, "release").await,
    }
}

async fn result(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Guarded { user, .. }: Guarded<PaymentsOnly>,
    mut form: Submitted,
) -> Response {
    on_batch_page(&mut form, &n);
    // The page's fields become the typed outcome here (the result file's
    // rows pass the same parser).
    let f = |name: &str| form.get(name);
    let outcome = app::domain::payout::parse_outcome(
        f("result"),
        f("paid_on"),
        f("fail_reason"),
        f("fail_note"),
    )
    .map_err(|(field, key)| AppError::field(field, key));
    let result = match (number(&n), outcome) {
        (Ok(n), Ok(outcome)) => {
            payouts::record_result(&state, &user, n, form.get("reference"), outcome).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => see_other(&format!("/payments/batches/{n}?recorded=1")),
        Err(e) => form.fail(&state, e, "result").await,
    }
}

async fn results_file(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Guarded { user, .. }: Guarded<PaymentsOnly>,
    req: axum::http::Request<axum::body::Body>,
) -> Response {
    use crate::evidence::{page_with_file_error, read_file_field};
    use axum::extract::FromRequest;
    let (parts, body) = req.into_parts();
    let page = format!("/payments/batches/{n}");
    let Ok(batch) = number(&n) else {
        return AppError::NotFound.into_response();
    };
    let file = match axum::extract::Multipart::from_request(
        axum::http::Request::from_parts(parts.clone(), body),
        &(),
    )
    .await
    {
        Ok(mut m) => read_file_field(&mut m, 8 * 1024 * 1024).await,
        Err(_) => Err(("file_required", axum::http::StatusCode::BAD_REQUEST)),
    };
    let bytes = match file {
        Ok((_, bytes)) => bytes,
        Err((key, status)) => return page_with_file_error(&state, parts, &page, key, status).await,
    };
    match payouts::upload_results(&state, &user, batch, &bytes).await {
        Ok(_) => see_other(&format!("{page}?recorded=1")),
        Err(AppError::Invalid(errors)) => {
            let key = errors.0.first().map(|e| e.key.clone()).unwrap_or_default();
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            page_with_file_error(&state, parts, &page, &key, status).await
        }
        Err(e @ AppError::Conflict(_)) => {
            let key = match &e {
                AppError::Conflict(k) => *k,
                _ => "",
            };
            page_with_file_error(&state, parts, &page, key, app::server::error::status_of(&e)).await
        }
        Err(e) => e.into_response(),
    }
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[derive(serde::Deserialize)]
struct Layout {
    /// `0`: records run together; anything else: CR LF after each.
    crlf: Option<String>,
}

async fn zengin(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Query(layout): Query<Layout>,
    Reading { user, .. }: Reading<Payments>,
) -> Response {
    let crlf = layout.crlf.as_deref() != Some("0");
    let n = match number(&n) {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    match payouts::export(&state, &user, n, crlf).await {
        Ok(bytes) => {
            let name = if crlf {
                format!("redress-batch-{n}.txt")
            } else {
                format!("redress-batch-{n}-norecordbreaks.txt")
            };
            download(bytes, "text/plain; charset=shift_jis", &name)
        }
        Err(e) => e.into_response(),
    }
}

async fn batch_csv(
    State(state): State<AppState>,
    Path(n): Path<String>,
    _: Reading<Payments>,
) -> Response {
    let n = match number(&n) {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    match payouts::export_csv(&state, n).await {
        Ok(csv) => download(
            csv,
            "text/csv; charset=utf-8",
            &format!("redress-batch-{n}.csv"),
        ),
        Err(e) => e.into_response(),
    }
}

async fn settlement_csv(
    State(state): State<AppState>,
    Reading { user, .. }: Reading<Admins>,
) -> Response {
    match payouts::settlement_csv(&state, user.lang).await {
        Ok(csv) => download(csv, "text/csv; charset=utf-8", "redress-settlement.csv"),
        Err(e) => e.into_response(),
    }
}

async fn settlement_xlsx(
    State(state): State<AppState>,
    Reading { user, .. }: Reading<Admins>,
) -> Response {
    match payouts::settlement_xlsx(&state, user.lang).await {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "redress-settlement.xlsx",
        ),
        Err(e) => e.into_response(),
    }
}

/// Every payout batch as CSV (newest first): who made and released it,
/// its transfer date, payees, total and the transfer file's SHA-256. Open to
/// whoever sees the payments page.
async fn batches_csv(
    State(state): State<AppState>,
    Reading { user, .. }: Reading<PaymentsReaders>,
) -> Response {
    let rows = match app::server::store::payouts::batches(&state.db, 100_000).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = user.lang;
    let header = [
        "batch_number",
        "batch_state",
        "transfer_date",
        "batch_lines",
        "batch_total",
        "batch_made_by",
        "batch_released_by",
        "batch_sha256",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|b| {
        [
            b.number.to_string(),
            lang.t(&format!("batch_state_{}", b.state)),
            b.transfer_date.format("%Y-%m-%d").to_string(),
            b.line_count.to_string(),
            b.total.value().to_string(),
            b.creator,
            b.releaser.unwrap_or_default(),
            b.file_sha256.unwrap_or_default(),
        ]
    });
    crate::download::csv_file(std::iter::once(header).chain(lines), "payout-batches.csv")
}

/// The batch form: the transfer date (a business day ahead) and which
/// approved cases to take.
fn parse_batch(form: &Submitted) -> Result<(NaiveDate, CandidateFilter), FieldErrors> {
    let today = app::domain::answers::today_in_japan();
    let mut errors = FieldErrors::new();
    let date = errors.check(
        "transfer_date",
        app::domain::payout::parse_transfer_date(form.get("transfer_date"), today),
    );
    let filter = match parse_filter(form) {
        Ok(f) => Some(f),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    match (date, filter) {
        (Some(date), Some(filter)) => Ok((date, filter)),
        _ => Err(errors),
    }
}

/// The filter of the batch form (bank, amount range), as field errors.
fn parse_filter(form: &Submitted) -> Result<CandidateFilter, FieldErrors> {
    let mut errors = FieldErrors::new();
    let bank = form.get("bank").trim();
    let bank = if bank.is_empty() {
        None
    } else {
        errors
            .check(
                "bank",
                BankCode::parse(bank).map_err(|_| "bank_code_invalid"),
            )
            .map(|b| b.as_str().to_owned())
    };
    let mut amount = |name: &str| {
        let text = form.get(name);
        (!text.trim().is_empty())
            .then(|| errors.check(name, Yen::parse_in_range(text, 0, 10_000_000_000)))
            .flatten()
    };
    let (min, max) = (amount("min"), amount("max"));
    // Approved on or before this day (Japan time).
    let until = form.get("approved_until").trim().replace('/', "-");
    let approved_before = if until.is_empty() {
        None
    } else {
        errors
            .check(
                "approved_until",
                chrono::NaiveDate::parse_from_str(&until, "%Y-%m-%d").map_err(|_| "date_invalid"),
            )
            .map(app::domain::calendar::end_of_day_in_japan)
    };
    if errors.is_empty() {
        Ok(CandidateFilter {
            bank,
            min,
            max,
            approved_before,
        })
    } else {
        Err(errors)
    }
}
