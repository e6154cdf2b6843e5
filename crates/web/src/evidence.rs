//! Evidence files: a claimant's upload (multipart, with its own body limit)
//! and the download of a file by whoever may see its claim. The reading of
//! one file field is shared with the banks' list upload.

use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, State};
use axum::http::{HeaderValue, Request, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_sessions::Session;
use uuid::Uuid;

use crate::guard::*;
use crate::{render, see_other};
use app::components::FormState;
use app::domain::FieldErrors;
use app::domain::answers::MAX_FILE_BYTES;
use app::server::auth::{self};
use app::server::error::AppError;
use app::server::services::evidence;
use app::server::state::AppState;

/// A multipart body may be this much larger than the file it carries.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// Uploads: multipart, with a body limit of one file plus the form around it.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(routes::claim_evidence::PATH, post(upload))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + MULTIPART_OVERHEAD))
}

pub fn routes() -> Router<AppState> {
    Router::new().route(routes::file::PATH, get(download))
}

/// Shows the page at `page` with one error on the file field.
pub(crate) async fn page_with_file_error(
    state: &AppState,
    mut parts: Parts,
    page: &str,
    key: &str,
    status: StatusCode,
) -> Response {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    let mut errors = FieldErrors::new();
    errors.add("file", key);
    render(
        state,
        parts,
        FormState {
            values: Default::default(),
            errors,
            message: None,
        },
        status,
    )
    .await
}

/// The one file of a multipart upload (at most `max` bytes): the request's
/// head, the file's name and bytes; or `page` again with the file's error.
pub(crate) async fn uploaded_file(
    state: &AppState,
    req: Request<Body>,
    max: usize,
    page: &str,
) -> Result<(Parts, String, Vec<u8>), Response> {
    let (parts, body) = req.into_parts();
    let file = match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(mut m) => read_file_field(&mut m, max).await,
        Err(_) => Err(("file_required", StatusCode::BAD_REQUEST)),
    };
    match file {
        Ok((name, bytes)) => Ok((parts, name, bytes)),
        Err((key, status)) => Err(page_with_file_error(state, parts, page, key, status).await),
    }
}

/// Reads the form's `file` field (name and bytes), reading the whole body
/// so the browser gets the answer. Errors: (message key, status) — 413 when
/// the file is larger than `max`, 422 when there is none.
pub(crate) async fn read_file_field(
    multipart: &mut Multipart,
    max: usize,
) -> Result<(String, Vec<u8>), (&'static str, StatusCode)> {
    let failed = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ("file_too_large", status)
        } else {
            ("file_required", status)
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut too_large = false;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| failed(e.status()))?
    {
        let is_file = field.name() == Some("file") && file.is_none();
        let name = field.file_name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| failed(e.status()))? {
            if !is_file || too_large {
                continue;
            }
            if bytes.len() + chunk.len() > max {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some((name, bytes));
        }
    }
    if too_large {
        return Err(("file_too_large", StatusCode::PAYLOAD_TOO_LARGE));
    }
    file.filter(|(_, b)| !b.is_empty())
        .ok_or(("file_required", StatusCode::UNPROCESSABLE_ENTITY))
}

/// The file error a failed read of the multipart body stands for.
fn body_error(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::field("file", "file_too_large")
    } else {
        AppError::field("file", "file_required")
    }
}

/// Reads what is left of a multipart body, so the browser gets the answer
/// (a browser that is still sending when answered shows a network error).
async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

/// One evidence file, posted as `multipart/form-data` (field `file`). The
/// file goes to the store as it arrives (never held whole); the whole body
/// is read, at most one file plus the form around it.
async fn upload(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Guarded { user, .. }: Guarded<Claimants>,
    req: Request<Body>,
) -> Response {
    let (parts, body) = req.into_parts();
    let page = super::journey::files_page(&key);
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES + MULTIPART_OVERHEAD) {
        return page_with_file_error(
            &state,
            parts,
            &page,
            "file_too_large",
            StatusCode::PAYLOAD_TOO_LARGE,
        )
        .await;
    }
    let mut multipart =
        match Multipart::from_request(Request::from_parts(parts.clone(), body), &()).await {
            Ok(m) => m,
            Err(_) => {
                return page_with_file_error(
                    &state,
                    parts,
                    &page,
                    "file_required",
                    StatusCode::BAD_REQUEST,
                )
                .await;
            }
        };
    let result = loop {
        match multipart.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_owned();
                let chunks = futures::stream::unfold(&mut field, |f| async move {
                    match f.chunk().await {
                        Ok(Some(c)) => Some((Ok(c), f)),
                        Ok(None) => None,
                        Err(e) => Some((Err(body_error(e.status())), f)),
                    }
                });
                let stored = evidence::upload(&state, &user, &key, &name, Box::pin(chunks)).await;
                while let Ok(Some(_)) = field.chunk().await {}
                break stored;
            }
            Ok(Some(mut other)) => while let Ok(Some(_)) = other.chunk().await {},
            Ok(None) => break Err(AppError::field("file", "file_required")),
            Err(e) => break Err(body_error(e.status())),
        }
    };
    drain(&mut multipart).await;
    match result {
        Ok(_) => see_other(&page),
        Err(AppError::Invalid(errors)) => {
            let key = errors.0.first().map(|e| e.key.clone()).unwrap_or_default();
            let status = if key == "file_too_large" {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            page_with_file_error(&state, parts, &page, &key, status).await
        }
        Err(AppError::Conflict(key)) => {
            page_with_file_error(&state, parts, &page, key, StatusCode::CONFLICT).await
        }
        Err(e) => e.into_response(),
    }
}

/// How a download is asked for: `?inline=1`, a photo shown in a page's
/// <img> (JPEG and PNG only, still `nosniff` and sandboxed); everything
/// else stays an attachment.
#[derive(serde::Deserialize)]
struct Shown {
    inline: Option<String>,
}

/// A file as a download, never shown inline: `attachment`, `nosniff`, and a
/// sandbox in case a browser still tries.
async fn download(
    State(state): State<AppState>,
    Path(fid): Path<String>,
    session: Session,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Response {
    let inline = shown.inline.as_deref() == Some("1");
    let user = match auth::current_user(&session, &state.db).await {
        Ok(Some(u)) => u,
        Ok(None) => return see_other("/login?notice=login"),
        Err(e) => return e.into_response(),
    };
    let Ok(fid) = Uuid::parse_str(&fid) else {
        return AppError::NotFound.into_response();
    };
    match evidence::download(&state, &user, fid).await {
        Ok((name, kind, size, bytes)) => {
            let ascii: String = name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let encoded: String = name
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_' {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            let shown = inline && matches!(kind.mime(), "image/jpeg" | "image/png");
            let disposition = format!(
                "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
                if shown { "inline" } else { "attachment" }
            );
            // Streamed from the store as it comes, within the transfers' time
            // limit (a reader too slow for it is cut off, the file short of
            // its Content-Length, so the browser knows it is not whole).
            use futures::StreamExt as _;
            let bytes = bytes.take_until(tokio::time::sleep(state.settings.upload_timeout));
            let mut res = (StatusCode::OK, Body::from_stream(bytes)).into_response();
            let h = res.headers_mut();
            h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(
                "x-content-type-options",
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            );
            res
        }
        Err(e) => e.into_response(),
    }
}
