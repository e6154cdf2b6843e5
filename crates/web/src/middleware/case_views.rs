//! The audit of case pages: every case page a staff member or bank clerk
//! is shown writes one view record.

use axum::extract::{RawPathParams, State};

use app::server::state::AppState;
use redress_core::services::bank_review::record_view;

/// The case pages' own layer (the server binds `app::routes::CASE_PAGES`
/// with it, and only them): a case page a staff member or bank clerk is
/// shown (GET, status 200) writes one view record of the case its
/// `reference` names. Pages, not server functions: a page may read its data
/// more than once while it renders, but it is opened once.
#[tracing::instrument(skip_all)]
pub async fn record_case_views(
    State(state): State<AppState>,
    params: RawPathParams,
    req: axum::http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let reference = params
        .iter()
        .find(|(name, _)| *name == "reference")
        .map(|(_, value)| value.to_owned())
        .filter(|_| req.method() == axum::http::Method::GET);
    let session = req.extensions().get::<tower_sessions::Session>().cloned();
    let memo = req
        .extensions()
        .get::<app::server::auth::UserMemo>()
        .cloned();
    let res = next.run(req).await;
    if let (Some(reference), Some(session)) = (reference, session)
        && res.status() == axum::http::StatusCode::OK
        && let Ok(Some(user)) =
            app::server::auth::current_user_once(&session, &state.db, memo.as_ref()).await
        && user.role.is_staff()
        && let Err(e) = record_view(&state, &user, &reference).await
    {
        tracing::error!(error = %e, "could not record a case view");
    }
    res
}
