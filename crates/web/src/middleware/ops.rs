//! Operations: a request id on every request (in its log lines, its
//! `X-Request-Id` header and the error page people see), an access log line,
//! and the process's Prometheus metrics at `GET /metrics` (only from the
//! addresses in `REDRESS_METRICS_ALLOW`).

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::fmt::Write;
use std::net::SocketAddr;
use std::time::Instant;
use tracing::Instrument;

use app::server::metrics::{RequestId, escape};
use app::server::state::AppState;

/// The route a path belongs to, with a bounded number of values: what is
/// not found is `unmatched`, and a segment holding a digit (a reference, an
/// id, a number) becomes `:id`.
pub fn route_label(path: &str, status: u16) -> String {
    if status == 404 || status == 405 {
        return "unmatched".into();
    }
    if path.starts_with("/pkg/") {
        return "/pkg/*".into();
    }
    let label: Vec<&str> = path
        .split('/')
        .map(|s| {
            if s.chars().any(|c| c.is_ascii_digit()) || s.len() > 40 {
                ":id"
            } else {
                s
            }
        })
        .collect();
    let label = label.join("/");
    if label.is_empty() { "/".into() } else { label }
}

/// No request without an end: a request still running after `limit` is
/// dropped (its transaction, uncommitted, rolls back) and answered 503 with
/// a message, so a slow client or a stuck query holds no connection and no
/// pool slot for ever. (The response's body, once started, is the client's
/// to read at its pace: a download is limited by what it is made from.)
pub async fn time_limit(
    State(limit): State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(
                seconds = limit.as_secs_f64(),
                "request stopped at its time limit"
            );
            app::server::error::timed_out()
        }
    }
}

/// A fresh reading of who is logged in for each request (see
/// `auth::UserMemo`): the page's server functions and guards share it.
pub async fn user_memo(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    req.extensions_mut()
        .insert(app::server::auth::UserMemo::default());
    next.run(req).await
}

/// The outermost layer: gives the request its id, runs it inside a span
/// carrying the id, writes one access-log line, counts it, and names the id
/// in the response (and in the body of a bare server error).
pub async fn request_context(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let id = RequestId::fresh();
    req.extensions_mut().insert(id.clone());
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id.0, method = %method, path = %path);
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    state
        .metrics
        .observe(&route_label(&path, status), &method, status, seconds);
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(
                status,
                ms = seconds * 1000.0,
                "answered with a server error"
            );
        } else {
            tracing::info!(status, ms = seconds * 1000.0, "answered");
        }
    });
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/"));
    if status >= 500 && !is_html {
        let body = format!(
            "サーバーで問題が起きました。お問い合わせの際は次のコードをお伝えください: {0}\n\
             Something went wrong on our side. If you contact us, quote this code: {0}\n",
            id.0
        );
        let mut bare = (res.status(), body).into_response();
        std::mem::swap(bare.headers_mut(), res.headers_mut());
        res = bare;
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        res.headers_mut().remove(header::CONTENT_LENGTH);
    }
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

use app::server::net::ip_allowed;

/// `GET /metrics`: Prometheus text format, for the configured addresses
/// only (the socket's address: a scraper talks to each process directly).
/// Anyone else gets a 404, as if there were nothing here.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    if !ip_allowed(peer.ip(), &state.settings.metrics_allow) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut out = String::new();
    state.metrics.render(&mut out);
    let db = &state.db;
    match app::server::store::outbox::unsent_counts(db).await {
        Ok((failed, waiting)) => {
            out.push_str("# HELP redress_outbox_pending Mails waiting to be sent.\n# TYPE redress_outbox_pending gauge\n");
            let _ = writeln!(out, "redress_outbox_pending {waiting}");
            out.push_str("# HELP redress_outbox_failed Mails the SMTP server refused for good.\n# TYPE redress_outbox_failed gauge\n");
            let _ = writeln!(out, "redress_outbox_failed {failed}");
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox counts"),
    }
    match app::server::store::queue::counts(db).await {
        Ok(states) => {
            out.push_str("# HELP redress_cases Cases by state.\n# TYPE redress_cases gauge\n");
            for (s, n) in states {
                let _ = writeln!(out, "redress_cases{{state=\"{}\"}} {n}", escape(&s));
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: case counts"),
    }
    out.push_str("# HELP redress_db_pool_connections Database connections of this process, by pool and state.\n# TYPE redress_db_pool_connections gauge\n");
    for (pool, size, idle) in db.pool_stats() {
        let _ = writeln!(
            out,
            "redress_db_pool_connections{{pool=\"{pool}\",state=\"idle\"}} {idle}"
        );
        let _ = writeln!(
            out,
            "redress_db_pool_connections{{pool=\"{pool}\",state=\"in_use\"}} {}",
            (size as usize).saturating_sub(idle)
        );
    }
    let mut res = Response::new(Body::from(out));
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_labelled_with_few_values() {
        assert_eq!(
            route_label("/staff/claims/RD-000123", 200),
            "/staff/claims/:id"
        );
        assert_eq!(
            route_label("/claims/3f2a0c1e-aaaa-4bbb-8ccc-123456789abc/debits", 303),
            "/claims/:id/debits"
        );
        assert_eq!(route_label("/login", 200), "/login");
        assert_eq!(route_label("/", 200), "/");
        assert_eq!(route_label("/wp-admin/x.php", 404), "unmatched");
        assert_eq!(route_label("/pkg/redress.wasm", 200), "/pkg/*");
    }

    #[test]
    fn the_histogram_counts_into_every_bucket_above_the_time() {
        let m = app::server::metrics::Metrics::default();
        m.observe("/login", "GET", 200, 0.004);
        m.observe("/login", "GET", 200, 0.2);
        let mut out = String::new();
        m.render(&mut out);
        assert!(
            out.contains(
                "redress_http_requests_total{route=\"/login\",method=\"GET\",status=\"200\"} 2"
            ),
            "{out}"
        );
        assert!(out.contains(
            "redress_http_request_duration_seconds_bucket{route=\"/login\",le=\"0.0025\"} 0"
        ));
        assert!(out.contains(
            "redress_http_request_duration_seconds_bucket{route=\"/login\",le=\"0.005\"} 1"
        ));
        assert!(out.contains(
            "redress_http_request_duration_seconds_bucket{route=\"/login\",le=\"0.25\"} 2"
        ));
        assert!(out.contains(
            "redress_http_request_duration_seconds_bucket{route=\"/login\",le=\"+Inf\"} 2"
        ));
        assert!(out.contains("redress_http_request_duration_seconds_count{route=\"/login\"} 2"));
    }
}
