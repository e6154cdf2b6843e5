//! Files the browser downloads: CSV with a byte-order mark (as Excel in
//! Japan expects) and the headers that make a response an attachment.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;

/// Rows as CSV: UTF-8 with a BOM, CR LF line ends.
pub fn csv_with_bom<I, R>(rows: I) -> Result<Vec<u8>, AppError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![0xEF, 0xBB, 0xBF]);
    for row in rows {
        w.write_record(row).map_err(|e| AppError::Other(e.into()))?;
    }
    w.into_inner()
        .map_err(|e| AppError::Other(anyhow::anyhow!("{e}")))
}

/// Rows (the header first) as a CSV file named `name` (UTF-8 with a BOM).
pub fn csv_file<I, R>(rows: I, name: &str) -> Response
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    match csv_with_bom(rows) {
        Ok(body) => attachment(body, CSV, name),
        Err(e) => e.into_response(),
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

pub const CSV: &str = "text/csv; charset=utf-8";
