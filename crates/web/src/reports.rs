//! The regulator's report: freeze one (approvers and admins), download a
//! frozen one as CSV or Excel (whoever may read reports).

use app::routes;
use axum::Router;
use axum::extract::{Path, Query, State};
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
        .route(routes::report_about_csv::PATH, get(about_csv))
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

/// Which file of a frozen report.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Table,
    About,
    Workbook,
}

/// A download's language: `?lang=en` or Japanese, the regulator's, whatever
/// the downloader's screen shows.
#[derive(serde::Deserialize)]
struct Chosen {
    lang: Option<String>,
}

impl Chosen {
    fn lang(&self) -> Result<app::i18n::Lang, AppError> {
        match self.lang.as_deref() {
            None | Some("ja") => Ok(app::i18n::Lang::Ja),
            Some("en") => Ok(app::i18n::Lang::En),
            Some(_) => Err(AppError::NotFound),
        }
    }
}

async fn download(state: &AppState, n: &str, chosen: &Chosen, part: Part) -> Response {
    let file = async {
        let n: i64 = n.parse().map_err(|_| AppError::NotFound)?;
        let lang = chosen.lang()?;
        let (report, previous) = reports::frozen(state, n).await?;
        let previous = previous.as_ref();
        Ok::<_, AppError>(match part {
            Part::Workbook => download::attachment(
                reports::xlsx(lang, n, &report, previous)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("report-{n}-{}.xlsx", lang.code()),
            ),
            Part::Table | Part::About => download::attachment(
                reports::csv(lang, n, &report, previous, part == Part::About)?,
                download::CSV,
                &match part {
                    Part::About => format!("report-{n}-about-{}.csv", lang.code()),
                    _ => format!("report-{n}-{}.csv", lang.code()),
                },
            ),
        })
    };
    file.await
        .unwrap_or_else(app::server::error::Respond::into_response)
}

async fn csv(
    State(state): State<AppState>,
    Path(n): Path<String>,
    _: Reading<ReportReaders>,
    Query(chosen): Query<Chosen>,
) -> Response {
    download(&state, &n, &chosen, Part::Table).await
}

async fn about_csv(
    State(state): State<AppState>,
    Path(n): Path<String>,
    _: Reading<ReportReaders>,
    Query(chosen): Query<Chosen>,
) -> Response {
    download(&state, &n, &chosen, Part::About).await
}

async fn xlsx(
    State(state): State<AppState>,
    Path(n): Path<String>,
    _: Reading<ReportReaders>,
    Query(chosen): Query<Chosen>,
) -> Response {
    download(&state, &n, &chosen, Part::Workbook).await
}
