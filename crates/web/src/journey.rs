//! The form posts of the claimant's journey through a draft (and through a
//! claim being changed in answer to a request). Each handler: guard, call one service, redirect (303) to
//! the next page; on bad input show the page again with the errors.

#![allow(clippy::result_large_err)]

use app::routes;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Path};
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::future::Future;
use tower_sessions::Session;
use uuid::Uuid;

use crate::{Submitted, see_other};
use app::components::postcode_lookup;
use app::domain::answers::{self, Form, Section};
use app::domain::{CaseRef, Role};
use app::server::auth::{self, CurrentUser};
use app::server::error::AppError;
use app::server::services::{drafts, evidence, postcodes};
use app::server::state::AppState;
use axum::http::StatusCode;

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
        .route(routes::claim_redeem::PATH, post(redeem))
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
    if p.form.fields.contains_key(postcode_lookup::FIND)
        || p.form.fields.contains_key(postcode_lookup::USE)
    {
        return find_address(p).await;
    }
    p.run(None, "full_name", |state, user, f| async move {
        let about = answers::parse_about(&f, today()).map_err(AppError::Invalid)?;
        drafts::save_about(&state, &user, &key, about).await?;
        Ok(home(&key))
    })
    .await
}

/// "Find the address" without JavaScript: the page again as it was typed,
/// with the address the postcode names filled in (an address that already
/// starts with it is kept), or its areas to choose from. Nothing is saved.
async fn find_address(p: Posted) -> Response {
    let Posted {
        state,
        session,
        form,
    } = p;
    if let Err(e) = auth::require(&session, &state.db, &[Role::Claimant]).await {
        return form.fail(&state, e, "postal_code").await;
    }
    let lang = form.lang();
    let mut values = form.fields.clone();
    values.remove(postcode_lookup::FIND);
    let chosen = values.remove(postcode_lookup::USE).unwrap_or_default();
    let mut errors = app::domain::FieldErrors::new();
    let mut message = None;
    let found = match answers::parse_postal_code(form.get("postal_code")) {
        _ if !chosen.is_empty() => vec![chosen],
        Err(key) => {
            errors.add("postal_code", key);
            Vec::new()
        }
        Ok(code) => match postcodes::find(&state.db, &code).await {
            Ok(places) => places.iter().map(|p| p.address()).collect(),
            Err(e) => return form.fail(&state, e, "postal_code").await,
        },
    };
    match found.as_slice() {
        [] if errors.is_empty() => errors.add("postal_code", "postal_code_unknown"),
        [] => {}
        [one] => {
            if !values
                .get("address")
                .is_some_and(|a| a.starts_with(one.as_str()))
            {
                values.insert("address".into(), one.clone());
            }
            message = Some(lang.t("address_found"));
        }
        several => {
            values.insert(postcode_lookup::CHOICES.into(), several.join("\n"));
            message = Some(lang.t("address_choose"));
        }
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form_state = app::components::FormState {
        values,
        errors,
        message,
    };
    crate::render(&state, form.parts, form_state, status).await
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
pub(super) fn files_page(key: &str) -> String {
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
    let ip = app::server::state::client_ip(&p.state.settings, &p.form.parts);
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
    let ip = app::server::state::client_ip(&p.state.settings, &p.form.parts);
    if let Ok(uri) = "/claims/new".parse() {
        p.form.parts.uri = uri;
    }
    p.run(None, "claim_code", |state, user, f| async move {
        let code = f.get("claim_code").cloned().unwrap_or_default();
        let draft = app::server::services::invitations::redeem(&state, &user, &code, &ip).await?;
        Ok(format!("/claims/{draft}"))
    })
    .await
}
