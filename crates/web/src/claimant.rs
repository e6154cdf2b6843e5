//! A claimant's forms about a claim already sent: withdrawing it, appealing
//! a decision, and the account to pay when the first one failed.

use super::{Submitted, see_other};
use app::routes;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::guard::*;
use app::server::services::claims;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::claim_withdraw::PATH, post(withdraw))
        .route(routes::claim_appeal::PATH, post(appeal))
        .route(routes::claim_payout_account::PATH, post(payout_account))
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
    let appeal = app::domain::decision::parse_appeal(&form.fields);
    match app::server::services::decisions::appeal(&state, &user, &reference, appeal).await {
        Ok(()) => see_other(&format!("/claims/{reference}?appealed=1")),
        Err(e) => form.fail(&state, e, "appeal_text").await,
    }
}

/// After a failed transfer the claimant gives another account.
async fn payout_account(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    form: Submitted,
) -> Response {
    let account = app::domain::answers::parse_other_payout(&form.fields);
    match app::server::services::payouts::change_account(&state, &user, &reference, account).await {
        Ok(()) => see_other(&format!("/claims/{reference}?account_changed=1")),
        Err(e) => form.fail(&state, e, "bank").await,
    }
}
