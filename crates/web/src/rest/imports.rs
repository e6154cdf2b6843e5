//! The bank's own list of debits: sent as rows, worked through in the background, polled.

use super::*;

/// One row of the bank's list: the eight columns of the CSV import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRowJson {
    /// 3 digits (`1` is `001`); for Japan Post Bank (9900) also the
    /// passbook's 5-digit 記号.
    branch_code: String,
    /// `ordinary`, `current`, `savings` (or 普通, 当座, 貯蓄, 1, 2, 4).
    account_type: String,
    /// Up to 7 digits; for Japan Post Bank also the passbook's 番号.
    account_number: String,
    /// The holder's name in katakana (full- or half-width) or hiragana.
    holder_kana: String,
    /// YYYY-MM-DD, or 2020/9/7, 20200907, 令和2年9月7日, R2.9.7.
    transaction_date: String,
    /// In yen, 1 to 10,000,000 (a row outside is refused on its own).
    #[serde(deserialize_with = "super::whole_yen")]
    amount_yen: i64,
    /// The text on the passbook.
    descriptor: String,
    /// The bank's own reference of the debit: a row is imported once per reference.
    bank_reference: String,
}

impl ImportRowJson {
    /// The row as the CSV import's eight columns.
    fn into_columns(self) -> Vec<String> {
        vec![
            self.branch_code,
            self.account_type,
            self.account_number,
            self.holder_kana,
            self.transaction_date,
            self.amount_yen.to_string(),
            self.descriptor,
            self.bank_reference,
        ]
    }
}

/// The bank's list of debits, as rows.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// A name for the list, shown on the bank's import page.
    name: Option<String>,
    /// 1 to 100,000 rows.
    #[schema(min_items = 1, max_items = 100_000)]
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
    /// What was read in another form than the one stored, and in how many
    /// rows (half-width kana, era dates, Excel's lost zeros, 記号・番号…).
    conversions: Vec<Conversion>,
}

/// One kind of conversion the import made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversion {
    code: String,
    detail: String,
    rows: i64,
}

pub(super) fn import_result(row: &bank_debits::ImportRow) -> Result<ImportResult, AppError> {
    let status = bank_import::status_of(row);
    let rejected: Vec<(usize, String)> = serde_json::from_str(&row.rejections)
        .map_err(|e| anyhow::anyhow!("import {}: its rejections cannot be read: {e}", row.id))?;
    let converted: std::collections::BTreeMap<String, i64> = serde_json::from_str(&row.conversions)
        .map_err(|e| anyhow::anyhow!("import {}: its conversions cannot be read: {e}", row.id))?;
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
        conversions: app::domain::bank_list::CONVERSIONS
            .iter()
            .filter_map(|k| {
                converted.get(*k).map(|rows| Conversion {
                    code: (*k).to_owned(),
                    detail: Lang::En.t(k),
                    rows: *rows,
                })
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
pub(super) async fn create_import(
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
            let rows = request.rows.into_iter().map(ImportRowJson::into_columns);
            let today = app::domain::calendar::today_in_japan();
            let checked = bank_import::read_api_rows(caller.bank(), rows.collect(), today);
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

pub(super) fn too_large() -> Response {
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
pub(super) async fn get_import(
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
