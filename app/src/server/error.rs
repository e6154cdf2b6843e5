//! One error type for the server, mapped to a status once. 500-class details
//! are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;
use crate::domain::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("too many attempts; retry after {0} s")]
    TooManyAttempts(u64),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A query failed; `during` says what the server was doing.
    #[error("{source} (during: {during})")]
    Database { source: sqlx::Error, during: Doing },
    #[error("{source:#} (during: {during})")]
    Other {
        source: anyhow::Error,
        during: Doing,
    },
}

/// What the server was doing when an internal error was made: the spans
/// open at that moment, innermost first (every service function is one,
/// with the case's reference and the user as fields). Written into the log
/// line of a 500, so it names the operation that failed and its case, not
/// only the query's error.
#[derive(Debug, Default)]
pub struct Doing(String);

impl Doing {
    /// The open spans, as `services::decisions::decide{reference=RD-000001 user=…}`.
    pub fn capture() -> Doing {
        let mut spans = Vec::new();
        tracing_error::SpanTrace::capture().with_spans(|meta, fields| {
            let module = meta
                .module_path()
                .unwrap_or("")
                .trim_start_matches("app::server::");
            spans.push(if fields.is_empty() {
                format!("{module}::{}", meta.name())
            } else {
                format!("{module}::{}{{{fields}}}", meta.name())
            });
            true
        });
        Doing(spans.join(" in "))
    }
}

impl std::fmt::Display for Doing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            f.write_str("no operation recorded")
        } else {
            f.write_str(&self.0)
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(source: sqlx::Error) -> AppError {
        AppError::Database {
            source,
            during: Doing::capture(),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(source: anyhow::Error) -> AppError {
        AppError::Other {
            source,
            during: Doing::capture(),
        }
    }
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Database { source, .. } if db_unavailable(source) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Database { .. } | AppError::Other { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A single-field error, for rules only the server can check.
    pub fn field(field: &str, key: &str) -> AppError {
        let mut errors = FieldErrors::new();
        errors.add(field, key);
        AppError::Invalid(errors)
    }

    /// Any error as an internal one (a file format's, a library's).
    pub fn other(e: impl Into<anyhow::Error>) -> AppError {
        AppError::from(e.into())
    }

    /// The log line of a 500 (or 503) says what failed and during what.
    pub fn log_if_internal(&self) {
        if let AppError::Database { source, during } = self {
            tracing::error!(error = ?source, during = %during, "internal error");
        } else if let AppError::Other { source, during } = self {
            tracing::error!(error = format!("{source:#}"), during = %during, "internal error");
        }
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> ApiError {
        err.log_if_internal();
        match err {
            AppError::Unauthorized => ApiError::Unauthorized,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::Invalid(errors) => ApiError::Invalid(errors),
            AppError::TooManyAttempts(s) => ApiError::TooManyAttempts(s),
            AppError::Conflict(what) => ApiError::Conflict(what.to_owned()),
            AppError::Database { source, .. } if db_unavailable(&source) => ApiError::Unavailable,
            AppError::Database { .. } | AppError::Other { .. } => ApiError::Internal,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let status = self.status_code();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            return unavailable();
        }
        let mut res = (status, status.canonical_reason().unwrap_or("error")).into_response();
        if let AppError::TooManyAttempts(secs) = self {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

/// The database cannot take requests now: unreachable or shut down, out of
/// connections, or out of disk. Such a request fails whole (its transaction
/// rolls back) and may be tried again later: a 503, not a 500.
pub fn db_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            if code.len() == 5 {
                // PostgreSQL's SQLSTATE: connection exceptions, insufficient
                // resources (disk full, out of memory), shutting down.
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
            } else {
                // SQLite: SQLITE_FULL and the SQLITE_IOERR family.
                code.parse::<i64>()
                    .is_ok_and(|n| matches!(n & 0xff, 10 | 13))
            }
        }
        _ => false,
    }
}

/// What a person sees when nothing can be saved now, in both languages
/// (the request's language is not known this deep), with when to try again.
pub fn unavailable() -> Response {
    let body = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>ただいま保存できません / We cannot save right now</title></head><body>\
<main><h1>ただいま保存できません</h1>\
<p>システムの一部が止まっています。送信した内容は保存されていません。数分後にもう一度お試しください。</p>\
<h1 lang=\"en\">We cannot save anything right now</h1>\
<p lang=\"en\">Part of the system is down. Nothing you sent was saved. Please try again in a few minutes.</p>\
</main></body></html>";
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response();
    res.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(30u32),
    );
    res
}
