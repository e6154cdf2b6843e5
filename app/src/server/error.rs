//! The core's error as the web answers it: each kind mapped to a status
//! once. 500-class details are logged, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::ApiError;
pub use redress_core::error::*;

/// The status of an error: 401, 403, 404, 422, 429, 409; 503 when the
/// database cannot take requests now; else 500.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
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

/// An error as an HTTP response (the core knows nothing of HTTP, and the
/// orphan rule keeps `IntoResponse` off the core's type): a handler answers
/// with `err.into_response()` through `Respond`.
#[derive(Debug)]
pub struct WebError(pub AppError);

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

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let WebError(err) = self;
        err.log_if_internal();
        let status = status_of(&err);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            return unavailable();
        }
        let mut res = (status, status.canonical_reason().unwrap_or("error")).into_response();
        if let AppError::TooManyAttempts(secs) = err {
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
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
    try_again_later(body)
}

/// A 503 page in both languages, to be tried again in 30 s.
fn try_again_later(body: &'static str) -> Response {
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

/// A request stopped at its time limit (`REDRESS_REQUEST_TIMEOUT_SECS`):
/// 503, to be tried again.
pub fn timed_out() -> Response {
    let body = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>時間がかかりすぎました / This took too long</title></head><body>\
<main><h1>時間がかかりすぎたため、処理を止めました</h1>\
<p>混み合っているか、通信が遅くなっています。数分後にもう一度お試しください。\
申請やファイルを送った場合は、送り直す前に「私の申請」で届いているかご確認ください。</p>\
<h1 lang=\"en\">This took too long, so we stopped it</h1>\
<p lang=\"en\">We are busy or the connection is slow. Please try again in a few minutes. \
If you were sending a claim or a file, look in My claims first to see whether it arrived.</p>\
</main></body></html>";
    try_again_later(body)
}

/// `err.into_response()` for a core error, where a handler answers with it
/// directly (import the trait: `use crate::server::error::Respond as _`).
pub trait Respond {
    fn into_response(self) -> Response;
}

impl Respond for AppError {
    fn into_response(self) -> Response {
        WebError(self).into_response()
    }
}
