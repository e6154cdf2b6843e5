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
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
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
            AppError::Database(_) | AppError::Other(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A single-field error, for rules only the server can check.
    pub fn field(field: &str, key: &str) -> AppError {
        let mut errors = FieldErrors::new();
        errors.add(field, key);
        AppError::Invalid(errors)
    }

    pub fn log_if_internal(&self) {
        if self.status_code().is_server_error() {
            tracing::error!(error = ?self, "internal error");
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
            AppError::Database(_) | AppError::Other(_) => ApiError::Internal,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        let status = self.status_code();
        let mut res = (status, status.canonical_reason().unwrap_or("error")).into_response();
        if let AppError::TooManyAttempts(secs) = self {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}
