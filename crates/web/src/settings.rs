//! The incident's settings: which banks take part (and their share), the
//! notices to banks, the policy, and a failed mail sent again.

use super::{Submitted, see_other};
use app::routes;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::guard::*;
use app::server::error::AppError;
use app::server::services::banks;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::admin_banks::PATH, post(admin_banks))
        .route(routes::admin_banks_share::PATH, post(admin_bank_share))
        .route(routes::admin_mail_retry::PATH, post(retry_mail))
        .route(routes::admin_banks_notify::PATH, post(admin_bank_notify))
        .route(routes::bank_notices::PATH, post(bank_notices))
        .route(routes::admin_policy::PATH, post(admin_policy))
}

/// The upload of a newer bank list (the shipped form, up to 32 MB).
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(routes::admin_bank_list::PATH, post(admin_bank_list))
        .layer(axum::extract::DefaultBodyLimit::max(
            MAX_BANK_LIST_BYTES + 64 * 1024,
        ))
}

/// A zengin-code list is about 8 MB as JSON, 0.7 MB gzipped.
const MAX_BANK_LIST_BYTES: usize = 32 * 1024 * 1024;

/// An admin loads a newer bank list: its differences are kept and shown.
async fn admin_bank_list(
    State(state): State<AppState>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    req: axum::http::Request<axum::body::Body>,
) -> Response {
    use crate::evidence::{page_with_file_error, uploaded_file};
    let page = routes::admin_banks::to();
    let unprocessable = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    let (parts, name, bytes) = match uploaded_file(&state, req, MAX_BANK_LIST_BYTES, &page).await {
        Ok(file) => file,
        Err(res) => return res,
    };
    let Ok(list) = app::server::bank_data::read(&bytes) else {
        return page_with_file_error(&state, parts, &page, "bank_list_invalid", unprocessable)
            .await;
    };
    match banks::update_list(&state.db, Some(admin.id), &name, &list).await {
        Ok((id, _)) => see_other(&format!("{page}?list_update={id}#list-update")),
        Err(e) => app::server::error::Respond::into_response(e),
    }
}

async fn admin_banks(
    State(state): State<AppState>,
    _: Guarded<Admins>,
    form: Submitted,
) -> Response {
    let participating = form.get("participating") == "yes";
    // Removing asks first: the list's button leads to the question.
    if !participating && form.get("confirm") != "yes" {
        let code: String = form
            .get("bank_code")
            .chars()
            .filter(char::is_ascii_digit)
            .take(4)
            .collect();
        return see_other(&format!("/admin/banks?remove={code}#remove-bank"));
    }
    match banks::set_participating(&state.db, form.get("bank_code"), participating).await {
        Ok(()) => see_other("/admin/banks"),
        Err(e) => form.fail(&state, e, "bank_code").await,
    }
}

/// An admin sets a bank's share of the debits paid at its accounts.
async fn admin_bank_share(
    State(state): State<AppState>,
    _: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/admin/banks".parse() {
        form.parts.uri = uri;
    }
    match banks::set_share(&state.db, form.get("bank_code"), form.get("share_percent")).await {
        Ok(()) => see_other("/admin/banks"),
        Err(e) => form.fail(&state, e, "share_percent").await,
    }
}

/// An admin tries a failed or waiting mail again now.
async fn retry_mail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/admin/mail".parse() {
        form.parts.uri = uri;
    }
    match app::server::services::notifications::retry_mail(&state, &admin, &id).await {
        Ok(()) => see_other("/admin/mail?retried=1"),
        Err(e) => form.fail(&state, e, "mail").await,
    }
}

/// An admin sets where a bank's notices go (its address and/or its users).
async fn admin_bank_notify(
    State(state): State<AppState>,
    _: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/admin/banks".parse() {
        form.parts.uri = uri;
    }
    match banks::set_notify(
        &state.db,
        form.get("notify_bank"),
        form.get("notify_email"),
        form.get("notify_users") == "yes",
    )
    .await
    {
        Ok(()) => see_other("/admin/banks?notify=1"),
        Err(e) => form.fail(&state, e, "notify_email").await,
    }
}

/// A bank's lead user sets where the bank's own notices go.
async fn bank_notices(
    State(state): State<AppState>,
    Guarded { user, .. }: Guarded<BankStaff>,
    form: Submitted,
) -> Response {
    let bank = match app::server::services::api_keys::managed_bank(&user) {
        Ok(Some(bank)) => bank.to_owned(),
        _ => return form.fail(&state, AppError::Forbidden, "notify_email").await,
    };
    match banks::set_notify(
        &state.db,
        &bank,
        form.get("notify_email"),
        form.get("notify_users") == "yes",
    )
    .await
    {
        Ok(()) => see_other("/bank/notices?saved=1"),
        Err(e) => form.fail(&state, e, "notify_email").await,
    }
}

/// An admin writes the next version of the compensation policy.
async fn admin_policy(
    State(state): State<AppState>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    form: Submitted,
) -> Response {
    // The version the form was written against: without one, another
    // admin's newer version is what the admin must see first.
    let Some(based_on) = form.fields.get("based_on").and_then(|v| v.parse().ok()) else {
        return form
            .fail(
                &state,
                AppError::Conflict("policy_changed"),
                "per_charge_limit",
            )
            .await;
    };
    let policy = match app::domain::policy::parse_policy(&form.fields, based_on) {
        Ok(p) => p,
        Err(errors) => {
            return form
                .fail(&state, AppError::Invalid(errors), "per_charge_limit")
                .await;
        }
    };
    match app::server::services::policies::publish(&state, &admin, based_on, policy).await {
        Ok(_) => see_other("/admin/policy?saved=1"),
        Err(e) => form.fail(&state, e, "per_charge_limit").await,
    }
}
