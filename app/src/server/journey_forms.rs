//! The form posts of the claimant's journey (and the staff's request for
//! information). Each handler: guard, call one service, redirect (303) to
//! the next page; on bad input show the page again with the errors.

#![allow(clippy::result_large_err)]

use crate::routes;
use crate::server::error::Respond as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, State};
use axum::http::{HeaderValue, Request, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::future::Future;
use tower_sessions::Session;
use uuid::Uuid;

use super::auth::{self, CurrentUser};
use super::error::AppError;
use super::forms::{Submitted, render, see_other};
use super::guard::*;
use super::services::{drafts, evidence};
use super::state::AppState;
use crate::components::FormState;
use crate::domain::answers::{self, Form, MAX_FILE_BYTES, Section};
use crate::domain::{CaseRef, FieldErrors, Role};

/// A multipart body may be this much larger than the file it carries.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::claim_new::PATH, post(create))
        .route(routes::claim_about::PATH, post(about))
        .route(routes::claim_add_account::PATH, post(add_account))
        .route(routes::claim_account::PATH, post(change_account))
        .route(routes::claim_account_remove::PATH, post(remove_account))
        .route(routes::claim_add_debit::PATH, post(add_debit))
        .route(routes::claim_debit::PATH, post(change_debit))
        .route(routes::claim_debit_remove::PATH, post(remove_debit))
        .route(routes::claim_debits::PATH, post(finish_debits))
        .route(routes::claim_add_call::PATH, post(add_call))
        .route(routes::claim_call::PATH, post(change_call))
        .route(routes::claim_call_remove::PATH, post(remove_call))
        .route(routes::claim_calls::PATH, post(finish_calls))
        .route(routes::claim_add_journey::PATH, post(add_journey))
        .route(routes::claim_journey::PATH, post(change_journey))
        .route(routes::claim_journey_remove::PATH, post(remove_journey))
        .route(routes::claim_travel::PATH, post(finish_travel))
        .route(routes::claim_file_links::PATH, post(file_links))
        .route(routes::claim_file_remove::PATH, post(remove_file))
        .route(routes::claim_evidence_done::PATH, post(finish_evidence))
        .route(routes::claim_payout::PATH, post(payout))
        .route(routes::claim_check::PATH, post(send))
        .route(routes::claim_reply::PATH, post(reply))
        .route(routes::staff_request::PATH, post(request_information))
        .route(routes::file::PATH, get(download))
        .route(routes::claim_redeem::PATH, post(redeem))
        .route(routes::staff_invitations::PATH, post(write_letter))
}

/// Uploads: multipart, with a body limit of one file plus the form around it.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(routes::claim_evidence::PATH, post(upload))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + MULTIPART_OVERHEAD))
}

/// Today in Japan: the forms' dates are checked against it.
fn today() -> chrono::NaiveDate {
    answers::today_in_japan()
}

/// Where a claim's pages lead after a save: a draft's task list, or the
/// reply page of a claim that is being changed in answer to a request.
fn home(key: &str) -> String {
    if CaseRef::parse(key).is_ok() {
        format!("/claims/{key}/reply")
    } else {
        format!("/claims/{key}")
    }
}

/// A claimant's form post: the state, the session and the typed fields.
struct Posted {
    state: AppState,
    session: Session,
    form: Submitted,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = Submitted::read(Request::from_parts(parts, body)).await?;
        Ok(Posted {
            state: state.clone(),
            session,
            form,
        })
    }
}

impl Posted {
    /// Runs one claimant action: the guard, then `op`, which returns where
    /// to go next. On an error the page at `page` (the form's own page when
    /// None) is shown again with the errors.
    async fn run<F, Fut>(self, page: Option<String>, first_field: &str, op: F) -> Response
    where
        F: FnOnce(AppState, CurrentUser, Form) -> Fut,
        Fut: Future<Output = Result<String, AppError>>,
    {
        let Posted {
            state,
            session,
            mut form,
        } = self;
        if let Some(page) = page
            && let Ok(uri) = page.parse()
        {
            form.parts.uri = uri;
        }
        let user = match auth::require(&session, &state.db, &[Role::Claimant]).await {
            Ok(u) => u,
            Err(e) => return form.fail(&state, e, first_field).await,
        };
        let fields = form.fields.clone();
        match op(state.clone(), user, fields).await {
            Ok(to) => see_other(&to),
            Err(e) => form.fail(&state, e, first_field).await,
        }
    }

    /// An action on a list page (remove, finish): errors show that page.
    async fn on_list<F, Fut>(self, key: &str, list: &str, op: F) -> Response
    where
        F: FnOnce(AppState, CurrentUser, Form) -> Fut,
        Fut: Future<Output = Result<String, AppError>>,
    {
        self.run(Some(format!("/claims/{key}/{list}")), "finished", op)
            .await
    }
}

fn id(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text).map_err(|_| AppError::NotFound)
}

type Key = Path<String>;
type KeyAnd = Path<(String, String)>;

async fn create(p: Posted) -> Response {
    p.run(None, "start", |state, user, _| async move {
        let id = drafts::create(&state, &user).await?;
        Ok(format!("/claims/{id}"))
    })
    .await
}

async fn about(Path(key): Key, p: Posted) -> Response {
    p.run(None, "full_name", |state, user, f| async move {
        let about = answers::parse_about(&f, today()).map_err(AppError::Invalid)?;
        drafts::save_about(&state, &user, &key, about).await?;
        Ok(home(&key))
    })
    .await
}

async fn add_account(Path(key): Key, p: Posted) -> Response {
    p.run(None, "bank", |state, user, f| async move {
        let input = answers::parse_account(&f).map_err(AppError::Invalid)?;
        let aid = drafts::save_account(&state, &user, &key, None, input).await?;
        Ok(format!("/claims/{key}/accounts/{aid}/add-debit"))
    })
    .await
}

async fn change_account(Path((key, aid)): KeyAnd, p: Posted) -> Response {
    p.run(None, "bank", |state, user, f| async move {
        let input = answers::parse_account(&f).map_err(AppError::Invalid)?;
        drafts::save_account(&state, &user, &key, Some(id(&aid)?), input).await?;
        Ok(format!("/claims/{key}/debits"))
    })
    .await
}

async fn remove_account(Path((key, aid)): KeyAnd, p: Posted) -> Response {
    let list = key.clone();
    p.on_list(&list, "debits", |state, user, _| async move {
        drafts::remove_account(&state, &user, &key, id(&aid)?).await?;
        Ok(format!("/claims/{key}/debits"))
    })
    .await
}

async fn add_debit(Path((key, aid)): KeyAnd, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let line = answers::parse_debit(&f, Uuid::new_v4(), today()).map_err(AppError::Invalid)?;
        drafts::save_debit(&state, &user, &key, Some(id(&aid)?), line).await?;
        Ok(format!("/claims/{key}/debits"))
    })
    .await
}

async fn change_debit(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let line = answers::parse_debit(&f, id(&lid)?, today()).map_err(AppError::Invalid)?;
        drafts::save_debit(&state, &user, &key, None, line).await?;
        Ok(format!("/claims/{key}/debits"))
    })
    .await
}

/// Removes a line of `section` (listed on the page `list`).
async fn remove_line(
    key: String,
    lid: String,
    p: Posted,
    section: Section,
    list: &str,
) -> Response {
    let to = format!("/claims/{key}/{list}");
    p.on_list(&key.clone(), list, |state, user, _| async move {
        drafts::remove_line(&state, &user, &key, section, id(&lid)?).await?;
        Ok(to)
    })
    .await
}

async fn remove_debit(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    remove_line(key, lid, p, Section::Debits, "debits").await
}

async fn remove_call(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    remove_line(key, lid, p, Section::Calls, "calls").await
}

async fn remove_journey(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    remove_line(key, lid, p, Section::Travel, "travel").await
}

/// "I have finished this section" (shown on the page `list`).
async fn finish(key: String, p: Posted, section: Section, list: &str) -> Response {
    p.on_list(&key.clone(), list, |state, user, _| async move {
        drafts::finish_section(&state, &user, &key, section).await?;
        Ok(home(&key))
    })
    .await
}

async fn finish_debits(Path(key): Key, p: Posted) -> Response {
    finish(key, p, Section::Debits, "debits").await
}

async fn finish_calls(Path(key): Key, p: Posted) -> Response {
    finish(key, p, Section::Calls, "calls").await
}

async fn finish_travel(Path(key): Key, p: Posted) -> Response {
    finish(key, p, Section::Travel, "travel").await
}

async fn finish_evidence(Path(key): Key, p: Posted) -> Response {
    finish(key, p, Section::Evidence, "evidence").await
}

async fn add_call(Path(key): Key, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let call = answers::parse_call(&f, Uuid::new_v4(), today()).map_err(AppError::Invalid)?;
        drafts::save_call(&state, &user, &key, call, true).await?;
        Ok(format!("/claims/{key}/calls"))
    })
    .await
}

async fn change_call(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let call = answers::parse_call(&f, id(&lid)?, today()).map_err(AppError::Invalid)?;
        drafts::save_call(&state, &user, &key, call, false).await?;
        Ok(format!("/claims/{key}/calls"))
    })
    .await
}

async fn add_journey(Path(key): Key, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let trip = answers::parse_travel(&f, Uuid::new_v4(), today()).map_err(AppError::Invalid)?;
        drafts::save_travel(&state, &user, &key, trip, true).await?;
        Ok(format!("/claims/{key}/travel"))
    })
    .await
}

async fn change_journey(Path((key, lid)): KeyAnd, p: Posted) -> Response {
    p.run(None, "date", |state, user, f| async move {
        let trip = answers::parse_travel(&f, id(&lid)?, today()).map_err(AppError::Invalid)?;
        drafts::save_travel(&state, &user, &key, trip, false).await?;
        Ok(format!("/claims/{key}/travel"))
    })
    .await
}

/// The page that lists a claim's files: the evidence section of a draft, the
/// reply page of a claim.
fn files_page(key: &str) -> String {
    if CaseRef::parse(key).is_ok() {
        format!("/claims/{key}/reply")
    } else {
        format!("/claims/{key}/evidence")
    }
}

async fn file_links(Path((key, fid)): KeyAnd, p: Posted) -> Response {
    let page = files_page(&key);
    p.run(Some(page.clone()), "file", |state, user, f| async move {
        // Checkboxes named `line_<uuid>`; only the claim's own lines count.
        let lines: Vec<Uuid> = f
            .iter()
            .filter(|(_, v)| v.as_str() == "yes")
            .filter_map(|(k, _)| k.strip_prefix("line_"))
            .filter_map(|id| Uuid::parse_str(id).ok())
            .collect();
        evidence::set_links(&state, &user, &key, id(&fid)?, &lines).await?;
        Ok(page)
    })
    .await
}

async fn remove_file(Path((key, fid)): KeyAnd, p: Posted) -> Response {
    let page = files_page(&key);
    p.run(Some(page.clone()), "file", |state, user, _| async move {
        evidence::remove(&state, &user, &key, id(&fid)?).await?;
        Ok(page)
    })
    .await
}

async fn payout(Path(key): Key, p: Posted) -> Response {
    p.run(None, "choice", |state, user, f| async move {
        let choice = answers::parse_payout_choice(&f).map_err(AppError::Invalid)?;
        drafts::save_payout(&state, &user, &key, choice).await?;
        Ok(home(&key))
    })
    .await
}

/// Sends the claim. Only the declaration is read from the form: totals and
/// answers come from what the server stored.
async fn send(Path(key): Key, p: Posted) -> Response {
    let ip = crate::server::state::client_ip(&p.state.settings, &p.form.parts);
    p.run(None, "declare_true", |state, user, f| async move {
        let declaration = answers::Declaration::from_form(&f);
        let reference = drafts::send(&state, &user, &key, declaration, &ip).await?;
        Ok(format!("/claims/{reference}?sent=1"))
    })
    .await
}

async fn reply(Path(key): Key, p: Posted) -> Response {
    p.run(None, "reply", |state, user, f| async move {
        let text = f.get("reply").cloned().unwrap_or_default();
        let reference = drafts::reply(&state, &user, &key, &text).await?;
        Ok(format!("/claims/{reference}?replied=1"))
    })
    .await
}

/// A claim code from a letter: a draft that already holds the bank's debits.
async fn redeem(mut p: Posted) -> Response {
    let ip = crate::server::state::client_ip(&p.state.settings, &p.form.parts);
    if let Ok(uri) = "/claims/new".parse() {
        p.form.parts.uri = uri;
    }
    p.run(None, "claim_code", |state, user, f| async move {
        let code = f.get("claim_code").cloned().unwrap_or_default();
        let draft = super::services::invitations::redeem(&state, &user, &code, &ip).await?;
        Ok(format!("/claims/{draft}"))
    })
    .await
}

/// The operator writes an invitation letter for a bank-reported debit; the
/// letter (with the code, this once) is the answer.
async fn write_letter(
    State(state): State<AppState>,
    session: Session,
    mut form: Submitted,
) -> Response {
    // Errors show on the list the button was on.
    if let Ok(uri) = "/staff/reported-losses".parse() {
        form.parts.uri = uri;
    }
    let roles = [Role::Reviewer, Role::Approver, Role::Admin];
    let staff = match auth::require(&session, &state.db, &roles).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "debit").await,
    };
    let Ok(debit) = Uuid::parse_str(form.get("debit")) else {
        return form.fail(&state, AppError::NotFound, "debit").await;
    };
    match super::services::invitations::create(&state, &staff, debit).await {
        Ok((id, code)) => {
            let mut parts = form.parts;
            if let Ok(uri) = format!("/staff/invitations/{id}").parse() {
                parts.uri = uri;
            }
            render(
                &state,
                parts,
                FormState {
                    values: Default::default(),
                    errors: FieldErrors::new(),
                    message: Some(code),
                },
                StatusCode::OK,
            )
            .await
        }
        Err(e) => form.fail(&state, e, "debit").await,
    }
}

/// Staff ask the claimant for information: the question and the sections
/// (checkboxes `section_<name>`) the claimant may change.
async fn request_information(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Reviewers>,
    form: Submitted,
) -> Response {
    let sections: Vec<Section> = Section::REQUESTABLE
        .into_iter()
        .filter(|s| form.get(&format!("section_{}", s.as_str())) == "yes")
        .collect();
    match drafts::request_information(&state, &staff, &reference, form.get("question"), &sections)
        .await
    {
        Ok(()) => see_other(&format!("/staff/claims/{reference}")),
        Err(e) => form.fail(&state, e, "question").await,
    }
}

/// Shows the page at `page` with one error on the file field.
pub(crate) async fn page_with_file_error(
    state: &AppState,
    mut parts: Parts,
    page: &str,
    key: &str,
    status: StatusCode,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let mut errors = FieldErrors::new();
    errors.add("file", key);
    render(
        state,
        parts,
        FormState {
            values: Default::default(),
            errors,
            message: None,
        },
        status,
    )
    .await
}

/// Reads the form's `file` field (name and bytes), reading the whole body
/// so the browser gets the answer. Errors: (message key, status) — 413 when
/// the file is larger than `max`, 422 when there is none.
pub(crate) async fn read_file_field(
    multipart: &mut Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), (&'static str, StatusCode)> {
    let failed = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ("file_too_large", status)
        } else {
            ("file_required", status)
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| failed(e.status()))?
    {
        let is_file = field.name() == Some("file") && file.is_none();
        let name = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| failed(e.status()))? {
            if !is_file || too_large {
                continue;
            }
            if bytes.len() + chunk.len() > max {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some((name, bytes));
        }
    }
    if too_large {
        return Err(("file_too_large", StatusCode::PAYLOAD_TOO_LARGE));
    }
    file.filter(|(_, b)| !b.is_empty())
        .ok_or(("file_required", StatusCode::UNPROCESSABLE_ENTITY))
}

/// One evidence file, posted as `multipart/form-data` (field `file`). The
/// whole body is read (so the browser gets the answer), at most one file
/// plus the form around it.
async fn upload(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let page = files_page(&key);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES + MULTIPART_OVERHEAD) {
        return page_with_file_error(
            &state,
            parts,
            &page,
            "file_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    let mut multipart =
        match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await {
            Ok(m) => m,
            Err(_) => {
                return page_with_file_error(
                    &state,
                    parts,
                    &page,
                    "file_required",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        };
    let (name, bytes) = match read_file_field(&mut multipart, MAX_FILE_BYTES).await {
        Ok(file) => file,
        Err((key, status)) => return page_with_file_error(&state, parts, &page, key, status).await,
    };
    match evidence::upload(&state, &user, &key, &name, &bytes).await {
        Ok(_) => see_other(&page),
        Err(AppError::Invalid(errors)) => {
            let key = errors.0.first().map(|e| e.key.clone()).unwrap_or_default();
            page_with_file_error(&state, parts, &page, &key, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(AppError::Conflict(key)) => {
            page_with_file_error(&state, parts, &page, key, StatusCode::CONFLICT).await
        }
        Err(e) => e.into_response(),
    }
}

/// A file as a download, never shown inline: `attachment`, `nosniff`, and a
/// sandbox in case a browser still tries.
async fn download(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    session: Session,
) -> Response {
    let user = match auth::current_user(&session, &state.db).await {
        Ok(Some(u)) => u,
        Ok(None) => return see_other("/login?notice=login"),
        Err(e) => return e.into_response(),
    };
    let Ok(fid) = Uuid::parse_str(&fid) else {
        return AppError::NotFound.into_response();
    };
    match evidence::download(&state, &user, fid).await {
        Ok((name, kind, bytes)) => {
            let ascii: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let encoded: String = name
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            let disposition =
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                "x-content-type-options",
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            );
            res
        }
        Err(e) => e.into_response(),
    }
}
