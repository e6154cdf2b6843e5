//! API keys: an administrator manages every bank's, a bank's lead user
//! their own bank's.

use super::{Submitted, render, see_other};
use app::routes;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use std::collections::HashMap;
use tower_sessions::Session;

use app::components::FormState;
use app::domain::{FieldErrors, Role};
use app::server::auth;
use app::server::error::AppError;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::admin_api_keys::PATH, post(create_api_key))
        .route(routes::admin_api_key_revoke::PATH, post(revoke_api_key))
        .route(routes::bank_api_keys::PATH, post(create_api_key))
        .route(routes::bank_api_key_revoke::PATH, post(revoke_api_key))
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
    match app::server::services::api_keys::create(
        &state,
        &user,
        form.get("bank_code"),
        form.get("label"),
    )
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
    app::server::services::api_keys::managed_bank(&user)?;
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
    match app::server::services::api_keys::revoke(&state, &user, id).await {
        Ok(()) => see_other(page),
        Err(e) => form.fail(&state, e, "bank_code").await,
    }
}
