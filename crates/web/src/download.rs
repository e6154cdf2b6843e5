//! Files the browser downloads: the headers that make a response an
//! attachment (the bytes come from the core's one CSV writer).

use axum::http::{HeaderValue, header};
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
