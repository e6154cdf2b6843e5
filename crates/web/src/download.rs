//! Files the browser downloads: the headers that make a response an
//! attachment (the bytes come from the core's one CSV writer).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use redress_core::csv::*;

/// Rows (the header first) as a CSV file named `name` (UTF-8 with a BOM).
pub fn csv_file<I, R>(rows: I, name: &str) -> Response
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    match csv_with_bom(rows) {
        Ok(body) => attachment(body, CSV, name),
        Err(e) => app::server::error::Respond::into_response(e),
    }
}

/// `body` as a file named `name`, never cached.
pub fn attachment(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Every CSV download, asked for with `?encoding=sjis`, comes in Shift_JIS
/// (CP932) instead of UTF-8: one layer over all the routes, so a new
/// download cannot miss it. Characters Shift_JIS cannot hold are written
/// `〓` and counted in the `Redress-Replaced-Characters` header.
pub async fn shift_jis_when_asked(req: Request, next: Next) -> Response {
    let asked = req.uri().query().is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k == "encoding" && (v == "sjis" || v == "shift_jis"))
    });
    let res = next.run(req).await;
    let is_csv = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/csv"));
    if !asked || !is_csv || !res.status().is_success() {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Exports are made whole in memory already (the one CSV writer).
    let Ok(utf8) = axum::body::to_bytes(body, usize::MAX).await else {
        let e = app::server::error::AppError::other(anyhow::anyhow!("a CSV body was unreadable"));
        return app::server::error::Respond::into_response(e);
    };
    let (sjis, replaced) = to_shift_jis(&utf8);
    if replaced > 0 {
        tracing::info!(replaced, "characters not in Shift_JIS written as 〓");
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CSV_SJIS));
    parts
        .headers
        .insert("redress-replaced-characters", HeaderValue::from(replaced));
    Response::from_parts(parts, Body::from(sjis))
}
