//! The bank's form posts: the answer on a debit line and the payout
//! account check. Guarded to bank staff; another bank's case is NotFound.

use app::domain::verification::parse_verification;
use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::guard::*;
use crate::{Submitted, see_other};
use app::server::error::AppError;
use app::server::services::{bank_import, bank_review};
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::bank_line::PATH, post(verify))
        .route(routes::bank_account_check::PATH, post(account_check))
        .route(routes::bank_confirm_all::PATH, post(confirm_all))
        .route(routes::bank_debit_accept::PATH, post(accept))
}

/// The upload of a bank's list: multipart, up to `MAX_LIST_BYTES`.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(routes::bank_import::PATH, post(import))
        .route(routes::bank_queue_csv::PATH, axum::routing::get(queue_csv))
        .route(
            routes::bank_imports_csv::PATH,
            axum::routing::get(imports_csv),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            bank_import::MAX_LIST_BYTES + 64 * 1024,
        ))
}

async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Guarded { user: staff, .. }: Guarded<BankStaff>,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/bank/import".parse() {
        form.parts.uri = uri;
    }
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return form.fail(&state, AppError::NotFound, "file").await;
    };
    match bank_import::accept(&state, &staff, id).await {
        Ok(import) => see_other(&format!("/bank/imports/{import}?accepted=1")),
        Err(e) => form.fail(&state, e, "file").await,
    }
}

/// The bank's list as a file (field `file`); the report follows.
async fn import(
    State(state): State<AppState>,
    Guarded { user: staff, .. }: Guarded<BankStaff>,
    req: axum::http::Request<axum::body::Body>,
) -> Response {
    use crate::evidence::{page_with_file_error, uploaded_file};
    let (parts, name, bytes) =
        match uploaded_file(&state, req, bank_import::MAX_LIST_BYTES, "/bank/import").await {
            Ok(file) => file,
            Err(res) => return res,
        };
    match bank_import::import(&state, &staff, &name, &bytes).await {
        Ok(id) => see_other(&format!("/bank/imports/{id}")),
        Err(AppError::Invalid(errors)) => {
            let key = errors.0.first().map(|e| e.key.clone()).unwrap_or_default();
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            page_with_file_error(&state, parts, "/bank/import", &key, status).await
        }
        Err(e) => e.into_response(),
    }
}

async fn verify(
    State(state): State<AppState>,
    Path((reference, line)): Path<(String, String)>,
    Guarded { user: staff, .. }: Guarded<BankStaff>,
    form: Submitted,
) -> Response {
    let Ok(line) = uuid::Uuid::parse_str(&line) else {
        return form.fail(&state, AppError::NotFound, "verdict").await;
    };
    // The page's fields become the typed answer here, by the same parser
    // the browser runs; the service never sees a field name.
    let today = app::domain::answers::today_in_japan();
    let answer = match parse_verification(&form.fields, today) {
        Ok(a) => a,
        Err(errors) => {
            return form
                .fail(&state, AppError::Invalid(errors), "verdict")
                .await;
        }
    };
    match bank_review::verify(&state, &staff, &reference, line, &answer).await {
        Ok(_) => see_other(&format!("/bank/claims/{reference}?answered=1")),
        Err(e) => form.fail(&state, e, "verdict").await,
    }
}

/// A form of the case page (not of a page of its own): its errors are
/// shown on the case page.
fn on_case_page(form: &mut Submitted, reference: &str) {
    if let Ok(uri) = format!("/bank/claims/{reference}").parse() {
        form.parts.uri = uri;
    }
}

async fn account_check(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<BankStaff>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let check = app::domain::verification::parse_account_check(&form.fields);
    match bank_review::check_account(&state, &staff, &reference, check).await {
        Ok(()) => see_other(&format!("/bank/claims/{reference}?checked=1")),
        Err(e) => form.fail(&state, e, "matches").await,
    }
}

/// Every open line of the bank on the case confirmed as claimed, once the
/// clerk ticks that each was checked in the bank's records.
async fn confirm_all(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<BankStaff>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let checked = form.fields.get("checked_all").is_some_and(|v| v == "yes");
    match bank_review::confirm_all_as_claimed(&state, &staff, &reference, checked).await {
        Ok(_) => see_other(&format!("/bank/claims/{reference}?confirmed_all=1")),
        Err(e) => form.fail(&state, e, "checked_all").await,
    }
}

/// The bank's queue as CSV (UTF-8 with a BOM) with the page's filters
/// applied, every page (at most 100,000 lines): only this bank's lines.
async fn queue_csv(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<app::api::bank::QueueQuery>,
    Reading { user, .. }: Reading<BankStaff>,
) -> Response {
    let bank = match user.bank() {
        Ok(b) => b.to_owned(),
        Err(e) => return e.into_response(),
    };
    let (filter, errors) = app::api::bank::queue_filter(&query);
    if !errors.is_empty() {
        return AppError::Invalid(errors).into_response();
    }
    let rows =
        match app::server::store::bank_review::queue_page(&state.db, &bank, &filter, 100_000, 0)
            .await
        {
            Ok((rows, _, _)) => rows,
            Err(e) => return AppError::from(e).into_response(),
        };
    let lang = user.lang;
    let header = [
        "reference",
        "col_line",
        "col_branch",
        "account_number",
        "debit_date",
        "amount",
        "descriptor",
        "status",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|r| {
        [
            r.reference,
            r.position.to_string(),
            r.branch_code,
            r.account_number,
            r.debit_date.format("%Y-%m-%d").to_string(),
            r.amount.value().to_string(),
            r.descriptor,
            lang.t(&format!(
                "verdict_{}",
                r.bank_verdict.as_deref().unwrap_or("open")
            )),
        ]
    });
    crate::download::csv_file(std::iter::once(header).chain(lines), "bank-queue.csv")
}

/// The bank's import history as CSV: every list this bank sent (at most
/// 100,000), newest first, with what became of its rows.
async fn imports_csv(
    State(state): State<AppState>,
    Reading { user, .. }: Reading<BankStaff>,
) -> Response {
    let bank = match user.bank() {
        Ok(b) => b.to_owned(),
        Err(e) => return e.into_response(),
    };
    let rows = match app::server::store::bank_debits::imports_for(&state.db, &bank, 100_000).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = user.lang;
    let header = [
        "file",
        "imported_at",
        "status",
        "csv_rows_read",
        "csv_rows_matched",
        "csv_rows_probable",
        "csv_rows_unmatched",
        "csv_rows_known",
        "csv_rows_rejected",
    ]
    .map(|k| lang.t(k));
    let lines = rows.iter().map(|r| {
        let status = bank_import::status_of(r).status;
        [
            r.file_name.clone(),
            app::api::claimant::convert::jst_time(r.created_at),
            lang.t(&format!("import_status_{status}")),
            r.rows_read.to_string(),
            r.rows_matched.to_string(),
            r.rows_probable.to_string(),
            r.rows_unmatched.to_string(),
            r.rows_known.to_string(),
            r.rows_rejected.to_string(),
        ]
    });
    crate::download::csv_file(std::iter::once(header).chain(lines), "bank-imports.csv")
}
