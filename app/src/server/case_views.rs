//! The audit of case pages: every case page a staff member or bank clerk
//! is shown writes one view record.

use super::state::AppState;
use redress_core::services::bank_review::record_view;

/// Middleware: every case page a staff member or bank clerk is shown
/// (`/staff/claims/<ref>`, `/bank/claims/<ref>[/…]`, status 200) writes one
/// view record. Pages, not server functions: a page may read its data more
/// than once while it renders, but it is opened once.
#[tracing::instrument(skip_all)]
pub async fn record_case_views(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let reference = (req.method() == axum::http::Method::GET)
        .then(|| {
            let path = req.uri().path();
            path.strip_prefix("/staff/claims/")
                .or_else(|| path.strip_prefix("/bank/claims/"))
                .and_then(|rest| rest.split('/').next())
                .map(str::to_owned)
        })
        .flatten();
    let session = req.extensions().get::<tower_sessions::Session>().cloned();
    let res = next.run(req).await;
    if let (Some(reference), Some(session)) = (reference, session)
        && res.status() == axum::http::StatusCode::OK
        && let Ok(Some(user)) = super::auth::current_user(&session, &state.db).await
        && user.role.is_staff()
        && let Err(e) = record_view(&state, &user, &reference).await
    {
        tracing::error!(error = %e, "could not record a case view");
    }
    res
}
