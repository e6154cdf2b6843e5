//! Redress's web edge (a crate of its own: it depends on the pages and the
//! core, and neither can reach back to it).
//!
//! The write side of the pages, by audience: every form posts here as a
//! plain HTML form (so it works with JavaScript off). A handler guards
//! (`Guarded<Audience>`), parses the form into a typed command, calls a
//! service; on success it redirects (303), on bad input it shows the same
//! page again with the typed values and the errors, with a 4xx status.
//! Every address is a declared route (`app::routes`).

// Handlers return the `Response` they would send; boxing it buys nothing here.
#![allow(clippy::result_large_err)]

pub mod account;
pub mod admin;
pub mod api_keys;
pub mod bank;
pub mod claimant;
pub mod download;
pub mod evidence;
pub mod guard;
pub mod journey;
pub mod mfa;
pub mod middleware;
pub mod payments;
pub mod public;
pub mod reports;
pub mod rest;
pub mod settings;
pub mod staff;

use app::server::error::Respond as _;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use std::collections::HashMap;

use app::components::FormState;
use app::domain::FieldErrors;
use app::i18n::Lang;
use app::server::error::AppError;
use app::server::state::AppState;

/// Larger bodies are refused before parsing (a claim of 50 lines is ~20 KB).
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Every form and download of the pages (the uploads are bound apart, with
/// their own body limits).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(public::routes())
        .merge(claimant::routes())
        .merge(api_keys::routes())
        .merge(settings::routes())
        .merge(journey::routes())
        .merge(evidence::routes())
        .merge(bank::routes())
        .merge(staff::routes())
        .merge(payments::routes())
        .merge(reports::routes())
        .merge(admin::routes())
        .merge(mfa::routes())
        .merge(account::routes())
        .merge(crate::rest::routes())
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
        app::request_lang(&self.parts)
    }

    pub(crate) fn ip(&self, state: &AppState) -> String {
        app::server::state::client_ip(&state.settings, &self.parts)
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
        leptos_axum::render_app_async_with_context(context, move || app::shell(options.clone()));
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
