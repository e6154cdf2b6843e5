//! Request-level defences: the same-origin rule for writes, security headers
//! and rate limits.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::server::state::AppState;
pub use redress_core::limits::*;

/// Refuses state-changing requests from another origin with 403. Leptos
/// server functions do no origin check of their own, and neither do forms.
///
/// A write is allowed when `Origin` is exactly one of the allowed origins
/// (the configured public origin; never one built from the request's own
/// `Host`, which a proxy or an attacker's DNS controls), or, without `Origin`,
/// when `Sec-Fetch-Site` says `same-origin` or `none`. A write with neither
/// header is allowed only from non-browser clients (no cookies can ride on
/// it without a browser sending `Sec-Fetch-Site`/`Origin`).
pub async fn same_origin_writes(
    State(state): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if matches!(
        req.method(),
        &Method::GET | &Method::HEAD | &Method::OPTIONS
    ) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let allowed = match (origin, fetch_site) {
        (Some(origin), _) => state.settings.allowed_origins.iter().any(|o| o == origin),
        (None, Some(site)) => site == "same-origin" || site == "none",
        (None, None) => true,
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(?origin, ?fetch_site, path = %req.uri().path(), "cross-origin write refused");
        (StatusCode::FORBIDDEN, "cross-origin request refused").into_response()
    }
}

/// Headers on every response. Leptos pages set their own CSP with the
/// per-request nonce of their hydration script (see `shell`); everything else
/// gets the strictest policy.
pub async fn security_headers(req: Request<Body>, next: Next) -> Response {
    // Every page carries its own nonce and most show personal data: nothing
    // is stored by a browser or a proxy but the hashed assets and the few
    // public files, which set their own caching.
    let asset = is_asset(req.uri().path());
    let hashed = is_hashed_asset(req.uri().path());
    let mut res = next.run(req).await;
    let found = res.status().is_success();
    let h = res.headers_mut();
    if !asset {
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    } else if hashed && found {
        // Its name changes with its content: kept a year, never asked again.
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
    } else {
        // The same name for new content: asked again (a 304 when unchanged).
        h.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-cache"));
    }
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    res
}

/// The browser's files: the built site (`/pkg/`) and the public files.
fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || matches!(path, "/favicon.ico" | "/robots.txt")
}

/// A file of the built site named by its content: `/pkg/redress.<16 hex>.js`,
/// `/pkg/redress-claimant.<16 hex>.wasm`.
fn is_hashed_asset(path: &str) -> bool {
    path.strip_prefix("/pkg/redress.")
        .or_else(|| path.strip_prefix("/pkg/redress-claimant."))
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(hash, ext)| app::is_site_hash(hash) && matches!(ext, "js" | "wasm" | "css"))
}

/// A path with a control character (`%0A`, `%00`, …) names nothing: 404
/// before any handler runs, so nothing is written for it and no redirect is
/// built from it.
pub async fn control_characters_not_found(req: Request<Body>, next: Next) -> Response {
    let path = req.uri().path();
    let decoded: Vec<u8> = percent_decode(path.as_bytes());
    let bad = match std::str::from_utf8(&decoded) {
        Ok(text) => text.chars().any(char::is_control),
        Err(_) => true,
    };
    if bad {
        // The API answers as documented: a problem document.
        if path.starts_with("/api/") {
            return crate::rest::not_found();
        }
        return (axum::http::StatusCode::NOT_FOUND, "not found").into_response();
    }
    next.run(req).await
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// A server function whose arguments cannot be read answers 400, not the
/// framework's 500: bad input is the caller's, and says so. (Errors of our
/// own code come as `ApiError::Internal`, with the status already set.)
pub async fn server_fn_bad_input(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if bytes.starts_with(b"{\"Transport\"") {
        parts.status = StatusCode::BAD_REQUEST;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A bare 500 from below (the session layer cannot load or save a session)
/// while the database is down is the 503 page: the request failed whole and
/// may be tried again.
pub async fn database_down(
    State(state): State<AppState>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    if res.status() == StatusCode::INTERNAL_SERVER_ERROR && !state.db.ping().await {
        return app::server::error::unavailable();
    }
    res
}

#[cfg(test)]
mod hashed_tests {
    #[test]
    fn only_the_sites_content_named_files_are_immutable() {
        for yes in [
            "/pkg/redress.0123456789abcdef.js",
            "/pkg/redress.0123456789ABCDEF.wasm",
            "/pkg/redress.ffffffffffffffff.css",
            "/pkg/redress-claimant.0123456789abcdef.wasm",
        ] {
            assert!(super::is_hashed_asset(yes), "{yes}");
        }
        for no in [
            "/pkg/redress.js",
            "/pkg/redress.css",
            "/pkg/redress.0123.js",
            "/pkg/redress.0123456789abcdef.txt",
            "/pkg/other.0123456789abcdef.js",
            "/pkg/redress-claimant.js",
            "/pkg/redress-claimant.0123456789abcdef.css.map",
            "/claims/redress.0123456789abcdef.js",
        ] {
            assert!(!super::is_hashed_asset(no), "{no}");
        }
    }
}
