//! Banks' lists as Excel workbooks: `.xlsx` (measured before it is read:
//! a zip can unpack to gigabytes) and the older `.xls`.

use super::{Checked, check_records};
use crate::error::AppError;

/// An Excel workbook (xlsx) starts as a zip archive does.
pub fn is_excel(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// What a workbook may hold once unpacked (an `.xlsx` is a zip: a few
/// kilobytes can expand to gigabytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SheetLimits {
    /// Bytes of all the workbook's parts together, uncompressed.
    pub max_unpacked_bytes: u64,
    /// Cells of all its sheets together.
    pub max_cells: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits {
            max_unpacked_bytes: 200 * 1024 * 1024,
            max_cells: 2_000_000,
        }
    }
}

/// Measures a workbook before anything reads it whole: every part is
/// inflated into a counter (never into memory), stopping as soon as the
/// total passes the limit; the sheets' cells (`<c` elements) are counted
/// on the way. The sizes the zip's directory declares are not trusted.
pub fn check_unpacked(bytes: &[u8], limits: SheetLimits) -> Result<(), AppError> {
    use std::io::Read;
    let unreadable = || AppError::field("file", "list_unreadable");
    let too_big = || AppError::field("file", "list_too_big");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let mut total: u64 = 0;
    let mut cells: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|_| unreadable())?;
        let sheet = part.name().starts_with("xl/worksheets/");
        // The last two bytes of the previous chunk, so a `<c ` cut in two
        // is counted once (when its third byte arrives).
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|_| unreadable())?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits.max_unpacked_bytes {
                return Err(too_big());
            }
            if sheet {
                carry.extend_from_slice(&buf[..n]);
                cells += count_cells(&carry);
                carry = carry.split_off(carry.len().saturating_sub(2));
                if cells > limits.max_cells {
                    return Err(too_big());
                }
            }
        }
    }
    Ok(())
}

/// `<c ` and `<c>` (a cell), not `<col`, `<cols` or `<cfRule`.
pub(super) fn count_cells(xml: &[u8]) -> u64 {
    xml.windows(3)
        .filter(|w| w[0] == b'<' && w[1] == b'c' && matches!(w[2], b' ' | b'>' | b'/'))
        .count() as u64
}

/// Reads the first sheet of an Excel list (`.xlsx`), header row first.
/// Dates may be real Excel dates or text; numbers are written without
/// decimals. The workbook is measured first ([`check_unpacked`]).
pub fn read_sheet(
    bank: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
    limits: SheetLimits,
) -> Result<Checked, AppError> {
    check_unpacked(bytes, limits)?;
    let range = first_sheet::<calamine::Xlsx<_>>(bytes)?;
    Ok(check_records(
        bank,
        sheet_records(&range).into_iter(),
        2,
        today,
    ))
}

/// An old Excel workbook (`.xls`, the OLE compound file): read as an
/// `.xlsx` is. Its cells are counted before they are checked (nothing in
/// it is compressed, so its size is the upload's).
pub fn read_old_sheet(
    bank: &str,
    bytes: &[u8],
    today: chrono::NaiveDate,
    limits: SheetLimits,
) -> Result<Checked, AppError> {
    let range = first_sheet::<calamine::Xls<_>>(bytes)?;
    let (rows, columns) = range.get_size();
    if (rows as u64).saturating_mul(columns as u64) > limits.max_cells {
        return Err(AppError::field("file", "list_too_big"));
    }
    Ok(check_records(
        bank,
        sheet_records(&range).into_iter(),
        2,
        today,
    ))
}

/// The first sheet of a workbook of kind `W` (`.xlsx` or `.xls`).
fn first_sheet<'a, W>(bytes: &'a [u8]) -> Result<calamine::Range<calamine::Data>, AppError>
where
    W: calamine::Reader<std::io::Cursor<&'a [u8]>>,
{
    let unreadable = || AppError::field("file", "list_unreadable");
    let mut book: W =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    book.worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())
}

/// A sheet's rows as text, the header skipped. A number is written without
/// decimals; the branch column, a number in the sheet (`001` typed, `1`
/// kept), is read back at its three digits by the row's own check.
fn sheet_records(range: &calamine::Range<calamine::Data>) -> Vec<Result<Vec<String>, ()>> {
    use calamine::Data;
    let cell = |d: &Data| -> String {
        match d {
            Data::String(s) | Data::DateTimeIso(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::DateTime(dt) => dt
                .as_datetime()
                .map(|d| d.date().to_string())
                .unwrap_or_default(),
            Data::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    };
    range
        .rows()
        .skip(1)
        .map(|row| Ok(row.iter().map(cell).collect::<Vec<_>>()))
        .collect()
}

/// An old Excel workbook (`.xls`) starts as every OLE compound file does.
pub fn is_old_excel(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
}
