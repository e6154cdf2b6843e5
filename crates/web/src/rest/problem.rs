//! Problem documents (RFC 9457): every error the API answers, with a stable `type`.

use super::*;

/// An error (RFC 9457). `type` is stable; `title` and `detail` are for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `https://redress.example/problems/invalid-body`.
    #[serde(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: String,
    /// The fields that were refused, for `invalid-fields`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<ProblemField>,
}

/// One refused field: its name, a stable code and an explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    field: String,
    code: String,
    detail: String,
}

/// An RFC 9457 problem response.
pub fn problem(status: StatusCode, kind: &str, title: &str, detail: &str) -> Response {
    problem_with(status, kind, title, detail, Vec::new())
}

pub(super) fn problem_with(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: &str,
    errors: Vec<ProblemField>,
) -> Response {
    let body = Problem {
        kind: format!("https://redress.example/problems/{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        errors,
    };
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

pub(super) fn unavailable() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Try again later",
        "The service could not answer this time; nothing was changed.",
    )
}

pub fn not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "There is no such resource for this key's bank.",
    )
}

/// The problem for a service error; field errors name the API's fields.
pub(super) fn from_app_error(err: AppError, rename: &[(&str, &str)]) -> Response {
    err.log_if_internal();
    match err {
        AppError::NotFound | AppError::Forbidden => not_found(),
        AppError::Unauthorized => unauthorized(),
        AppError::Invalid(errors) => invalid_fields(&errors, rename),
        AppError::Conflict(what) => problem(
            StatusCode::CONFLICT,
            &what.replace('_', "-"),
            &Lang::En.t(what),
            "Read the resource again and decide on its current state.",
        ),
        AppError::TooManyAttempts(secs) => too_many(secs),
        AppError::Database { .. } | AppError::Other { .. } => unavailable(),
    }
}

pub(super) fn invalid_fields(errors: &FieldErrors, rename: &[(&str, &str)]) -> Response {
    let fields = errors
        .0
        .iter()
        .map(|e| ProblemField {
            field: rename
                .iter()
                .find(|(form, _)| *form == e.field)
                .map(|(_, api)| (*api).to_owned())
                .unwrap_or_else(|| e.field.clone()),
            code: e.key.clone(),
            detail: Lang::En.t(&e.key),
        })
        .collect();
    problem_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-fields",
        "Some fields are not valid",
        "See `errors`: each names a field and what is wrong with it.",
        fields,
    )
}

pub(super) fn unauthorized() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "A valid API key is required",
        "Send the key as `Authorization: Bearer <key>`. Revoked keys stop working at once.",
    )
}

pub(super) fn too_many(secs: u64) -> Response {
    let mut res = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        "Too many requests",
        "This key has made too many requests in the last minute; see Retry-After.",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// The JSON body of a write, or the problem that explains why not.
pub(super) fn parse_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Box<Response>> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(Box::new(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            "Send `Content-Type: application/json`.",
        )));
    }
    serde_json::from_slice(body).map_err(|e| {
        let (status, kind) = if e.is_data() {
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid-body")
        } else {
            (StatusCode::BAD_REQUEST, "malformed-json")
        };
        // serde's message names the field and what was expected; no internals.
        Box::new(problem(
            status,
            kind,
            "The body is not valid",
            &e.to_string(),
        ))
    })
}
