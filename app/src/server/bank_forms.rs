//! The bank's form posts: the answer on a debit line and the payout
//! account check. Guarded to bank staff; another bank's case is NotFound.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;
use tower_sessions::Session;

use super::auth;
use super::forms::{Submitted, see_other};
use super::services::bank_review;
use super::state::AppState;
use crate::domain::Role;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bank/claims/{reference}/lines/{line}", post(verify))
        .route(
            "/bank/claims/{reference}/account-check",
            post(account_check),
        )
}

async fn verify(
    State(state): State<AppState>,
    Path((reference, line)): Path<(String, String)>,
    session: Session,
    form: Submitted,
) -> Response {
    let staff = match auth::require(&session, &state.db, &[Role::BankStaff]).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "verdict").await,
    };
    let Ok(line) = uuid::Uuid::parse_str(&line) else {
        return form
            .fail(&state, super::error::AppError::NotFound, "verdict")
            .await;
    };
    match bank_review::verify(&state, &staff, &reference, line, &form.fields).await {
        Ok(_) => see_other(&format!("/bank/claims/{reference}?answered=1")),
        Err(e) => form.fail(&state, e, "verdict").await,
    }
}

async fn account_check(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    session: Session,
    mut form: Submitted,
) -> Response {
    // Errors are shown on the case page, where the form is.
    if let Ok(uri) = format!("/bank/claims/{reference}").parse() {
        form.parts.uri = uri;
    }
    let staff = match auth::require(&session, &state.db, &[Role::BankStaff]).await {
        Ok(u) => u,
        Err(e) => return form.fail(&state, e, "matches").await,
    };
    match bank_review::check_account(&state, &staff, &reference, &form.fields).await {
        Ok(()) => see_other(&format!("/bank/claims/{reference}?checked=1")),
        Err(e) => form.fail(&state, e, "matches").await,
    }
}
