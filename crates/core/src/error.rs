//! One error type for the core. The web edge maps it to a status once;
//! 500-class details are logged, never shown.

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
                .trim_start_matches("redress_core::");
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
                // 57014: a statement cancelled by the statement timeout.
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "57014"
            } else {
                // SQLite: SQLITE_BUSY and SQLITE_LOCKED (the one writer's
                // lock not had within the busy timeout), SQLITE_FULL and the
                // SQLITE_IOERR family.
                code.parse::<i64>()
                    .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13))
            }
        }
        _ => false,
    }
}
