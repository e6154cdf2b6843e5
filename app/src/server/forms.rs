//! The write side of the pages: every form posts here as a plain HTML form
//! (so it works with JavaScript off). A handler guards, parses and calls a
//! service; on success it redirects (303), on bad input it shows the same
//! page again with the typed values and the errors, with a 4xx status.

// Handlers return the `Response` they would send; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

use crate::routes;
use crate::server::error::Respond as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Request, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use leptos::prelude::provide_context;
use std::collections::HashMap;
use tower_sessions::Session;

use super::auth;
use super::error::AppError;
use super::guard::*;
use super::security::{GENUINE_PER_IP, check_rate};
use super::services::{accounts, banks, claims};
use super::state::AppState;
use crate::components::FormState;
use crate::domain::{FieldErrors, Role};
use crate::i18n::Lang;

/// Larger bodies are refused before parsing (a claim of 50 lines is ~20 KB).
const MAX_FORM_BYTES: usize = 256 * 1024;
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::register::PATH, post(register))
        .route(routes::verify::PATH, post(verify))
        .route(routes::login::PATH, post(login))
        .route(routes::logout::PATH, post(logout))
        .route(routes::password_forgot::PATH, post(forgot))
        .route(routes::password_reset::PATH, post(reset))
        .route(routes::claim_withdraw::PATH, post(withdraw))
        .route(routes::claim_appeal::PATH, post(appeal))
        .route(routes::admin_banks::PATH, post(admin_banks))
        .route(routes::admin_banks_share::PATH, post(admin_bank_share))
        .route(routes::claim_payout_account::PATH, post(payout_account))
        .route(routes::admin_policy::PATH, post(admin_policy))
        .route(routes::admin_mail_retry::PATH, post(retry_mail))
        .route(routes::admin_banks_notify::PATH, post(admin_bank_notify))
        .route(routes::bank_notices::PATH, post(bank_notices))
        .route(routes::admin_api_keys::PATH, post(create_api_key))
        .route(routes::admin_api_key_revoke::PATH, post(revoke_api_key))
        .route(routes::bank_api_keys::PATH, post(create_api_key))
        .route(routes::bank_api_key_revoke::PATH, post(revoke_api_key))
        .route(routes::genuine::PATH, post(genuine))
        .route(routes::lang::PATH, post(set_lang))
        .route(routes::healthz::PATH, get(healthz))
        .merge(super::journey_forms::routes())
        .merge(super::bank_forms::routes())
        .merge(super::staff_forms::routes())
        .merge(super::payments_forms::routes())
        .merge(super::report_forms::routes())
        .merge(super::admin_forms::routes())
        .merge(super::mfa_forms::routes())
        .merge(super::account_forms::routes())
        .merge(super::rest::routes())
}

/// A submitted form: the request without its body, and the fields.
pub(crate) struct Submitted {
    pub(crate) parts: Parts,
    pub(crate) fields: HashMap<String, String>,
}

/// A handler that takes `Submitted` gets the parsed form, or the request is
/// answered with 415 (not a form) or 413 (too large) before it runs.
impl<S: Send + Sync> axum::extract::FromRequest<S> for Submitted {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        Submitted::read(req).await
    }
}

impl Submitted {
    pub(crate) async fn read(req: Request<Body>) -> Result<Submitted, Response> {
        let (parts, body) = req.into_parts();
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err((StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected a form").into_response());
        }
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
        let fields = form_urlencoded::parse(&bytes).into_owned().collect();
        Ok(Submitted { parts, fields })
    }

    pub(crate) fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    fn lang(&self) -> Lang {
        crate::request_lang(&self.parts)
    }

    pub(crate) fn ip(&self, state: &AppState) -> String {
        crate::server::state::client_ip(&state.settings, &self.parts)
    }

    /// Shows the page at this address again, with what was typed (never a
    /// password) and the errors.
    pub(crate) async fn show(
        self,
        state: &AppState,
        errors: FieldErrors,
        status: StatusCode,
    ) -> Response {
        let mut values = self.fields;
        values.retain(|k, _| !k.contains("password"));
        render(
            state,
            self.parts,
            FormState {
                values,
                errors,
                message: None,
            },
            status,
        )
        .await
    }

    /// The response to a service error: field errors on the page, limits
    /// with their retry time, the rest by status.
    pub(crate) async fn fail(self, state: &AppState, err: AppError, first_field: &str) -> Response {
        match err {
            AppError::Invalid(errors) => {
                self.show(state, errors, StatusCode::UNPROCESSABLE_ENTITY)
                    .await
            }
            AppError::TooManyAttempts(secs) => {
                let mut errors = FieldErrors::new();
                errors.add(first_field, "too_many_attempts");
                let mut res = self
                    .show(state, errors, StatusCode::TOO_MANY_REQUESTS)
                    .await;
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                res
            }
            // Someone else changed the case, or the action no longer applies.
            AppError::Conflict(key) => {
                let mut errors = FieldErrors::new();
                errors.add(first_field, key);
                self.show(state, errors, StatusCode::CONFLICT).await
            }
            AppError::Unauthorized => Redirect::to("/login?notice=login").into_response(),
            other => other.into_response(),
        }
    }
}

/// Renders the Leptos page for `parts`' path with `form` in context.
pub async fn render(
    state: &AppState,
    mut parts: Parts,
    form: FormState,
    status: StatusCode,
) -> Response {
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(form.clone());
        }
    };
    let options = state.leptos_options.clone();
    let handler =
        leptos_axum::render_app_async_with_context(context, move || crate::shell(options.clone()));
    parts.method = axum::http::Method::GET;
    let mut res = handler(Request::from_parts(parts, Body::empty())).await;
    if res.status().is_success() {
        *res.status_mut() = status;
    }
    res
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

async fn register(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::register(
        &state,
        form.get("email"),
        form.get("password"),
        form.lang(),
        &form.ip(&state),
    )
    .await
    {
        Ok(_) => see_other("/register/sent"),
        Err(e) => form.fail(&state, e, "email").await,
    }
}

async fn verify(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::verify_email(&state, form.get("token"), &form.ip(&state)).await {
        Ok(()) => see_other("/login?notice=verified"),
        Err(e) => form.fail(&state, e, "token").await,
    }
}

async fn login(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    match accounts::log_in(
        &state,
        form.get("email"),
        form.get("password"),
        &form.ip(&state),
    )
    .await
    {
        Ok(checked) => {
            let step = match checked.second_step() {
                Some(next) => auth::begin_second_step(&session, checked.id)
                    .await
                    .map(|()| next),
                None => auth::log_in(&state, &session, &form.parts, checked.id, checked.role)
                    .await
                    .map(|()| checked.role.home_path()),
            };
            match step {
                Ok(next) => logged_in(&form.parts, next, checked.lang),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => form.fail(&state, e, "email").await,
    }
}

/// The redirect after a login step; the user's own language wins over the
/// browser's from now on.
pub(crate) fn logged_in(parts: &Parts, to: &str, lang: Lang) -> Response {
    let mut res = see_other(to);
    if !has_lang_cookie(parts) {
        set_lang_cookie(&mut res, lang);
    }
    res
}

async fn logout(State(state): State<AppState>, session: Session) -> Response {
    match auth::log_out(&session, &state.db).await {
        Ok(()) => see_other("/login?notice=logged_out"),
        Err(e) => e.into_response(),
    }
}

async fn forgot(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::request_reset(&state, form.get("email"), form.lang()).await {
        Ok(()) => see_other("/password/reset?notice=forgot"),
        Err(e) => form.fail(&state, e, "email").await,
    }
}

async fn reset(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::reset_password(
        &state,
        form.get("token"),
        form.get("password"),
        &form.ip(&state),
    )
    .await
    {
        Ok(()) => see_other("/login?notice=reset"),
        Err(e) => form.fail(&state, e, "password").await,
    }
}

async fn withdraw(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    form: Submitted,
) -> Response {
    match claims::withdraw(&state, &user, &reference, form.get("reason")).await {
        Ok(reference) => see_other(&format!("/claims/{reference}?withdrawn=1")),
        Err(e) => form.fail(&state, e, "reason").await,
    }
}

/// The claimant appeals a rejection (errors shown on the claim's page).
async fn appeal(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = format!("/claims/{reference}").parse() {
        form.parts.uri = uri;
    }
    let appeal = crate::domain::decision::parse_appeal(&form.fields);
    match super::services::decisions::appeal(&state, &user, &reference, appeal).await {
        Ok(()) => see_other(&format!("/claims/{reference}?appealed=1")),
        Err(e) => form.fail(&state, e, "appeal_text").await,
    }
}

async fn admin_banks(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    if let Err(e) = auth::require(&session, &state.db, &[Role::Admin]).await {
        return form.fail(&state, e, "bank_code").await;
    }
    let participating = form.get("participating") == "yes";
    match banks::set_participating(&state.db, form.get("bank_code"), participating).await {
        Ok(()) => see_other("/admin/banks"),
        Err(e) => form.fail(&state, e, "bank_code").await,
    }
}

/// After a failed transfer the claimant gives another account.
async fn payout_account(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    form: Submitted,
) -> Response {
    let account = crate::domain::answers::parse_other_payout(&form.fields);
    match super::services::payouts::change_account(&state, &user, &reference, account).await {
        Ok(()) => see_other(&format!("/claims/{reference}?account_changed=1")),
        Err(e) => form.fail(&state, e, "bank").await,
    }
}

/// An admin sets a bank's share of the debits paid at its accounts.
async fn admin_bank_share(
    State(state): State<AppState>,
    session: Session,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/admin/banks".parse() {
        form.parts.uri = uri;
    }
    if let Err(e) = auth::require(&session, &state.db, &[Role::Admin]).await {
        return form.fail(&state, e, "bank_code").await;
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
    match super::services::notifications::retry_mail(&state, &admin, &id).await {
        Ok(()) => see_other("/admin/mail?retried=1"),
        Err(e) => form.fail(&state, e, "mail").await,
    }
}

/// An admin sets where a bank's notices go (its address and/or its users).
async fn admin_bank_notify(
    State(state): State<AppState>,
    session: Session,
    mut form: Submitted,
) -> Response {
    if let Ok(uri) = "/admin/banks".parse() {
        form.parts.uri = uri;
    }
    if let Err(e) = auth::require(&session, &state.db, &[Role::Admin]).await {
        return form.fail(&state, e, "notify_bank").await;
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
    let bank = match super::services::api_keys::managed_bank(&user) {
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
    let policy = match crate::domain::policy::parse_policy(&form.fields, based_on) {
        Ok(p) => p,
        Err(errors) => {
            return form
                .fail(&state, AppError::Invalid(errors), "per_charge_limit")
                .await;
        }
    };
    match super::services::policies::publish(&state, &admin, based_on, policy).await {
        Ok(_) => see_other("/admin/policy?saved=1"),
        Err(e) => form.fail(&state, e, "per_charge_limit").await,
    }
}

/// An admin (any bank) or a bank's lead user (their bank) creates an API
/// key: the page shows it this once.
async fn create_api_key(
    State(state): State<AppState>,
    session: Session,
    form: Submitted,
) -> Response {
    let user = match key_manager(&state, &session, &form.parts.uri).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "bank_code").await,
    };
    match super::services::api_keys::create(&state, &user, form.get("bank_code"), form.get("label"))
        .await
    {
        Ok(key) => {
            render(
                &state,
                form.parts,
                FormState {
                    values: HashMap::new(),
                    errors: FieldErrors::new(),
                    message: Some(key),
                },
                StatusCode::OK,
            )
            .await
        }
        Err(e) => form.fail(&state, e, "bank_code").await,
    }
}

/// The keys page a request came from: the admin's or the bank's.
fn keys_page(uri: &axum::http::Uri) -> &'static str {
    if uri.path().starts_with("/bank/") {
        "/bank/api-keys"
    } else {
        "/admin/api-keys"
    }
}

/// Admins manage keys on the admin page, a bank's lead user on the bank's.
async fn key_manager(
    state: &AppState,
    session: &Session,
    uri: &axum::http::Uri,
) -> Result<auth::CurrentUser, AppError> {
    let role = if keys_page(uri).starts_with("/bank/") {
        Role::BankStaff
    } else {
        Role::Admin
    };
    let user = auth::require(session, &state.db, &[role]).await?;
    super::services::api_keys::managed_bank(&user)?;
    Ok(user)
}

async fn revoke_api_key(
    State(state): State<AppState>,
    Path(id): Path<String>,
    session: Session,
    mut form: Submitted,
) -> Response {
    let page = keys_page(&form.parts.uri);
    if let Ok(uri) = page.parse() {
        form.parts.uri = uri;
    }
    let user = match key_manager(&state, &session, &form.parts.uri).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "bank_code").await,
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return form.fail(&state, AppError::NotFound, "bank_code").await;
    };
    match super::services::api_keys::revoke(&state, &user, id).await {
        Ok(()) => see_other(page),
        Err(e) => form.fail(&state, e, "bank_code").await,
    }
}

/// "Is this message really from us?": a reference and the last 4 digits of
/// the phone number say whether such a claim exists, and its public status.
async fn genuine(State(state): State<AppState>, form: Submitted) -> Response {
    if let Err(e) = check_rate(
        &state,
        &format!("genuine:ip:{}", form.ip(&state)),
        GENUINE_PER_IP,
    )
    .await
    {
        return form.fail(&state, e, "reference").await;
    }
    let lang = form.lang();
    match claims::genuine_lookup(&state.db, form.get("reference"), form.get("phone_last4")).await {
        Ok(found) => {
            let message = match found {
                Some((reference, status)) => lang
                    .t("genuine_found")
                    .replace("%{reference}", &reference)
                    .replace("%{status}", &crate::components::state_label(lang, &status)),
                None => lang.t("genuine_not_found"),
            };
            let values = form.fields.clone();
            render(
                &state,
                form.parts,
                FormState {
                    values,
                    errors: FieldErrors::new(),
                    message: Some(message),
                },
                StatusCode::OK,
            )
            .await
        }
        Err(e) => form.fail(&state, e, "reference").await,
    }
}

/// Switches the language (a small form in every page's header, so it works
/// without JavaScript) and returns to the page the person was on. A logged-in
/// user's choice is stored too: their mails follow it.
async fn set_lang(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    let Some(lang) = Lang::parse(form.get("to")) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "unknown language").into_response();
    };
    if let Ok(Some(user)) = auth::current_user(&session, &state.db).await
        && let Err(e) = accounts::set_language(&state, user.id, lang).await
    {
        return e.into_response();
    }
    let mut res = Redirect::to(&local_path(form.get("back"))).into_response();
    set_lang_cookie(&mut res, lang);
    res
}

/// `back` as a safe redirect target: a path on this site (never another
/// site: no `//host`, no backslash), with every byte that may not stand in a
/// header (non-ASCII, spaces, control characters) percent-encoded.
fn local_path(back: &str) -> String {
    if !back.starts_with('/') || back.starts_with("//") || back.contains('\\') {
        return "/".to_owned();
    }
    back.bytes()
        .map(|b| {
            if (0x21..=0x7e).contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn set_lang_cookie(res: &mut Response, lang: Lang) {
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn has_lang_cookie(parts: &Parts) -> bool {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim().starts_with("lang=")))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirect_targets_stay_local_and_header_safe() {
        assert_eq!(local_path("/claims?page=2"), "/claims?page=2");
        assert_eq!(
            local_path("/claims/new?q=本店"),
            "/claims/new?q=%E6%9C%AC%E5%BA%97"
        );
        assert_eq!(
            local_path("/x\r\nSet-Cookie: a=b"),
            "/x%0D%0ASet-Cookie:%20a=b"
        );
        assert_eq!(
            local_path("/a%2Fb"),
            "/a%2Fb",
            "already-encoded paths pass as they are"
        );
        for outside in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "",
            "claims",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
    }
}
