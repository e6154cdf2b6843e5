//! The operator's form posts on a case: assess, approve, send back, note.
//! Guarded by role; the four-eyes rule and the case's version are checked
//! by the service, whatever the page showed. Errors are shown on the case
//! page, where the forms are.

use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::guard::*;
use crate::{Submitted, render, see_other};
use app::components::FormState;
use app::domain::answers::Section;
use app::domain::workflow::Action;
use app::domain::{FieldErrors, decision};
use app::server::error::AppError;
use app::server::services::decisions::{self, Decide};
use app::server::services::drafts;
use app::server::state::AppState;
use axum::http::StatusCode;
use uuid::Uuid;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::staff_request::PATH, post(request_information))
        .route(routes::staff_invitations::PATH, post(write_letter))
        .route(routes::staff_assess::PATH, post(assess))
        .route(routes::staff_approve::PATH, post(approve))
        .route(routes::staff_send_back::PATH, post(send_back))
        .route(routes::staff_reject::PATH, post(reject))
        .route(routes::staff_notes::PATH, post(note))
        .route(routes::staff_close_duplicate::PATH, post(close_duplicate))
        .route(routes::staff_reopen::PATH, post(reopen))
        .route(routes::staff_assign::PATH, post(assign))
        .route(
            routes::staff_history_csv::PATH,
            axum::routing::get(history_csv),
        )
        .route(routes::staff_queue_csv::PATH, axum::routing::get(queue_csv))
        .route(
            routes::staff_losses_csv::PATH,
            axum::routing::get(losses_csv),
        )
}

/// A step's command with the version of the case its form was written
/// against (a form without one was written against none: the case
/// "changed"); or what is wrong with the form.
fn versioned<T>(
    form: &Submitted,
    parsed: Result<T, app::domain::FieldErrors>,
) -> Result<(i64, T), AppError> {
    let version = decision::version(&form.fields).ok_or(AppError::Conflict("case_changed"))?;
    Ok((version, parsed.map_err(AppError::Invalid)?))
}

/// The form's errors belong on the case page.
fn on_case_page(form: &mut Submitted, reference: &str) {
    if let Ok(uri) = format!("/staff/claims/{reference}").parse() {
        form.parts.uri = uri;
    }
}

async fn assess(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Reviewers>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let assessment = Ok(decision::parse_assessment(&form.fields));
    let (version, assessment) = match versioned(&form, assessment) {
        Ok(command) => command,
        Err(e) => return form.fail(&state, e, "version").await,
    };
    match decisions::assess(&state, &staff, &reference, version, assessment).await {
        Ok(()) => see_other(&format!("/staff/claims/{reference}?done=assessed")),
        Err(e) => form.fail(&state, e, "version").await,
    }
}

async fn decide(
    state: AppState,
    Guarded { user: staff, .. }: Guarded<Approvers>,
    mut form: Submitted,
    reference: String,
    action: Action,
) -> Response {
    on_case_page(&mut form, &reference);
    // The page's fields become the typed step here.
    let step = match action {
        Action::Approve => decision::parse_approval(&form.fields).map(Decide::Approve),
        Action::SendBack => {
            decision::parse_send_back(&form.fields).map(|reason| Decide::SendBack { reason })
        }
        _ => Ok(Decide::Reject),
    };
    let (version, step) = match versioned(&form, step) {
        Ok(command) => command,
        Err(e) => return form.fail(&state, e, "decision").await,
    };
    match decisions::decide(&state, &staff, &reference, version, step).await {
        Ok(to) => {
            let done = match (action, to) {
                (Action::Approve, app::domain::workflow::CaseState::Assessed) => "first_approval",
                (Action::Approve, _) => "approved",
                (Action::Reject, _) => "rejected",
                _ => "sent_back",
            };
            see_other(&format!("/staff/claims/{reference}?done={done}"))
        }
        Err(e) => form.fail(&state, e, "decision").await,
    }
}

async fn close_duplicate(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Reviewers>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let (version, close) = match versioned(&form, decision::parse_close_duplicate(&form.fields)) {
        Ok(command) => command,
        Err(e) => return form.fail(&state, e, "duplicate_of").await,
    };
    match decisions::close_duplicate(&state, &staff, &reference, version, close).await {
        Ok(()) => see_other(&format!("/staff/claims/{reference}?done=closed_duplicate")),
        Err(e) => form.fail(&state, e, "duplicate_of").await,
    }
}

async fn reopen(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Approvers>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let (version, reason) = match versioned(&form, decision::parse_reopen(&form.fields)) {
        Ok(command) => command,
        Err(e) => return form.fail(&state, e, "reopen_reason").await,
    };
    match decisions::reopen(&state, &staff, &reference, version, reason).await {
        Ok(()) => see_other(&format!("/staff/claims/{reference}?done=reopened")),
        Err(e) => form.fail(&state, e, "reopen_reason").await,
    }
}

async fn approve(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    guarded: Guarded<Approvers>,
    form: Submitted,
) -> Response {
    decide(state, guarded, form, reference, Action::Approve).await
}

async fn send_back(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    guarded: Guarded<Approvers>,
    form: Submitted,
) -> Response {
    decide(state, guarded, form, reference, Action::SendBack).await
}

async fn reject(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    guarded: Guarded<Approvers>,
    form: Submitted,
) -> Response {
    decide(state, guarded, form, reference, Action::Reject).await
}

async fn assign(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Reviewers>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    // A form naming no assignment asks for nothing anyone may do.
    let Some(assign) = decision::parse_assign(&form.fields) else {
        return form
            .fail(&state, AppError::Forbidden, "assignee_email")
            .await;
    };
    match decisions::assign(&state, &staff, &reference, assign).await {
        Ok(()) => see_other(&format!("/staff/claims/{reference}?done=assigned")),
        Err(e) => form.fail(&state, e, "assignee_email").await,
    }
}

/// An admin downloads a case's whole history as CSV (UTF-8 with a BOM, so
/// spreadsheet programs read the Japanese right).
async fn history_csv(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    _: Reading<Admins>,
) -> Response {
    match decisions::history_csv(&state, &reference).await {
        Ok(csv) => crate::download::attachment(
            csv,
            crate::download::CSV,
            &format!("{reference}-history.csv"),
        ),
        Err(e) => e.into_response(),
    }
}

async fn note(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user: staff, .. }: Guarded<Operators>,
    mut form: Submitted,
) -> Response {
    on_case_page(&mut form, &reference);
    let body = match decision::parse_note(&form.fields) {
        Ok(b) => b,
        Err(errors) => {
            return form
                .fail(&state, AppError::Invalid(errors), "note_body")
                .await;
        }
    };
    match decisions::add_note(&state, &staff, &reference, body).await {
        Ok(()) => see_other(&format!("/staff/claims/{reference}?done=note")),
        Err(e) => form.fail(&state, e, "note_body").await,
    }
}

/// The queue as CSV (UTF-8 with a byte-order mark), with the page's
/// filters applied and no page limit (at most 100,000 rows), for operator
/// staff only.
pub(crate) async fn queue_csv(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Query(query): axum::extract::Query<app::api::operator::CaseQuery>,
    Reading { user, .. }: Reading<Operators>,
) -> axum::response::Response {
    let (mut filter, errors) = app::api::operator::queue_filter(query, &user);
    if !errors.is_empty() {
        return AppError::Invalid(errors).into_response();
    }
    filter.limit = 100_000;
    filter.offset = 0;
    let rows = match app::server::store::queue::page(&state.db, &filter, None).await {
        Ok((rows, _, _)) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = user.lang;
    let header = [
        "reference",
        "col_state",
        "claimant",
        "total_claimed",
        "submitted_at",
        "col_assignee",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|r| {
        [
            r.reference,
            lang.t(&format!("state_{}", r.state)),
            r.full_name,
            r.total_claimed.value().to_string(),
            app::api::claimant::convert::jst_date(r.submitted_at),
            r.assignee.unwrap_or_default(),
        ]
    });
    crate::download::csv_file(std::iter::once(header).chain(lines), "queue.csv")
}

/// The reported losses as CSV: every debit a bank listed that no claim
/// names (at most 100,000), with whether a letter has been written.
async fn losses_csv(
    State(state): State<AppState>,
    Reading { user, .. }: Reading<CaseStaff>,
) -> Response {
    let rows = match app::server::store::bank_debits::unmatched(&state.db, 100_000).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = user.lang;
    let header = [
        "bank",
        "bank_reference",
        "col_branch",
        "account_number",
        "holder_kana",
        "debit_date",
        "amount",
        "descriptor",
        "letter_written",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|r| {
        let letter = if r.invitation_id.is_some() {
            "answer_yes"
        } else {
            "answer_no"
        };
        [
            r.bank_code,
            r.bank_reference,
            r.branch_code,
            // Masked: whole only to the claimant and the account's own bank.
            app::domain::account::mask_account(&r.account_number),
            r.holder_kana,
            r.debit_date.format("%Y-%m-%d").to_string(),
            r.amount.value().to_string(),
            r.descriptor,
            lang.t(letter),
        ]
    });
    crate::download::csv_file(std::iter::once(header).chain(lines), "reported-losses.csv")
}

/// The operator writes an invitation letter for a bank-reported debit; the
/// letter (with the code, this once) is the answer.
async fn write_letter(
    State(state): State<AppState>,
    Guarded { user: staff, .. }: Guarded<CaseStaff>,
    mut form: Submitted,
) -> Response {
    // Errors show on the list the button was on.
    if let Ok(uri) = "/staff/reported-losses".parse() {
        form.parts.uri = uri;
    }
    let Ok(debit) = Uuid::parse_str(form.get("debit")) else {
        return form.fail(&state, AppError::NotFound, "debit").await;
    };
    match app::server::services::invitations::create(&state, &staff, debit).await {
        Ok((id, code)) => {
            // The letter in the holder's language: Japanese unless asked.
            let letter_lang = if form.get("letter_lang") == "en" {
                "en"
            } else {
                "ja"
            };
            let mut parts = form.parts;
            if let Ok(uri) = format!("/staff/invitations/{id}?letter_lang={letter_lang}").parse() {
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
