//! The regulator's report: freeze one (approvers and admins), download a
//! frozen one as CSV or Excel (whoever may read reports).

use app::routes;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::download;
use crate::guard::*;
use crate::{Submitted, see_other};
use app::server::error::AppError;
use app::server::services::reports;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::reports::PATH, post(freeze))
        .route(routes::report_csv::PATH, get(csv))
        .route(routes::report_xlsx::PATH, get(xlsx))
}

async fn freeze(
    State(state): State<AppState>,
    Guarded { user, .. }: Guarded<ReportFreezers>,
    form: Submitted,
) -> Response {
    match reports::freeze(&state, &user, form.get("as_of"), form.get("request_id")).await {
        Ok(n) => see_other(&format!("/reports/{n}")),
        Err(e) => form.fail(&state, e, "as_of").await,
    }
}

async fn download(
    state: &AppState,
    user: &app::server::auth::CurrentUser,
    n: &str,
    excel: bool,
) -> Result<Response, AppError> {
    let n: i64 = n.parse().map_err(|_| AppError::NotFound)?;
    let (report, previous) = reports::frozen(state, n).await?;
    Ok(if excel {
        download::attachment(
            reports::xlsx(user.lang, n, &report, previous.as_ref())?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("report-{n}.xlsx"),
        )
    } else {
        download::attachment(
            reports::csv(user.lang, n, &report, previous.as_ref())?,
            download::CSV,
            &format!("report-{n}.csv"),
        )
    })
}

async fn csv(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Reading { user, .. }: Reading<ReportReaders>,
) -> Response {
    download(&state, &user, &n, false)
        .await
        .unwrap_or_else(app::server::error::Respond::into_response)
}

async fn xlsx(
    State(state): State<AppState>,
    Path(n): Path<String>,
    Reading { user, .. }: Reading<ReportReaders>,
) -> Response {
    download(&state, &user, &n, true)
        .await
        .unwrap_or_else(app::server::error::Respond::into_response)
}
