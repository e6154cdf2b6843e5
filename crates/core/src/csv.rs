//! The one safe CSV writer: CSV with a byte-order mark (as Excel in Japan
//! expects), every cell neutralised against formulas.

use super::error::AppError;

/// A cell as a spreadsheet may read it safely. Text that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return would run as a formula when a
/// clerk opens the file (OWASP's CSV injection): it is written with a
/// leading apostrophe. A plain number (`-1200`) is left as it is: it
/// cannot carry a formula. Every CSV and Excel export writes its cells
/// through this, so a claimant's name or a bank's descriptor never runs.
pub fn safe_cell(cell: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let risky = matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let number = {
        let digits = cell
            .strip_prefix(b"-")
            .or(cell.strip_prefix(b"+"))
            .unwrap_or(cell);
        !digits.is_empty()
            && digits.iter().all(|b| b.is_ascii_digit() || *b == b'.')
            && digits.first().is_some_and(u8::is_ascii_digit)
            && digits.iter().filter(|b| **b == b'.').count() <= 1
    };
    if risky && !number {
        let mut out = Vec::with_capacity(cell.len() + 1);
        out.push(b'\'');
        out.extend_from_slice(cell);
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `safe_cell` for text (an Excel cell written as a string).
pub fn safe_text(cell: &str) -> std::borrow::Cow<'_, str> {
    match safe_cell(cell.as_bytes()) {
        std::borrow::Cow::Borrowed(_) => std::borrow::Cow::Borrowed(cell),
        std::borrow::Cow::Owned(_) => std::borrow::Cow::Owned(format!("'{cell}")),
    }
}

/// Rows as CSV: UTF-8 with a BOM, CR LF line ends, every cell through
/// `safe_cell`. The one CSV writer: every CSV the product hands out is made
/// here.
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
        w.write_record(row.into_iter().map(|c| safe_cell(c.as_ref()).into_owned()))
            .map_err(AppError::other)?;
    }
    w.into_inner()
        .map_err(|e| AppError::other(anyhow::anyhow!("{e}")))
}

pub const CSV: &str = "text/csv; charset=utf-8";
/// The same file in Shift_JIS (Windows' CP932): what older Excel, core
/// banking tools and many regulators' systems open without asking.
pub const CSV_SJIS: &str = "text/csv; charset=Shift_JIS";

/// What stands for a character Shift_JIS cannot hold: the geta mark, as
/// Japanese systems have always printed it (visible, never a silent gap).
pub const NOT_IN_SJIS: char = '〓';

/// A CSV file made by [`csv_with_bom`] (UTF-8, with or without its BOM)
/// written again in Shift_JIS (CP932). Every character CP932 cannot hold
/// (an emoji, a rare kanji, `𠮷`) becomes [`NOT_IN_SJIS`]; returns the
/// bytes and how many characters were replaced.
pub fn to_shift_jis(utf8: &[u8]) -> (Vec<u8>, usize) {
    let text = String::from_utf8_lossy(utf8.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(utf8));
    let sjis = encoding_rs::SHIFT_JIS;
    let (whole, _, lossy) = sjis.encode(&text);
    if !lossy {
        return (whole.into_owned(), 0);
    }
    let mut out = Vec::with_capacity(whole.len());
    let mut replaced = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        let (bytes, _, lossy) = sjis.encode(c.encode_utf8(&mut buf));
        if lossy {
            replaced += 1;
            out.extend_from_slice(&sjis.encode(NOT_IN_SJIS.encode_utf8(&mut buf)).0);
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    (out, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for hostile in [
            "=HYPERLINK(\"//evil.example\",\"x\")",
            "+cmd|' /C calc'!A0",
            "-SUM(A:A)",
            "@SUM(A1)",
            "\t=1+1",
            "\r=1+1",
            "-",
            "+",
            "-1+2",
        ] {
            let safe = safe_cell(hostile.as_bytes());
            assert_eq!(safe.first(), Some(&b'\''), "{hostile}");
            assert_eq!(&safe[1..], hostile.as_bytes());
            assert_eq!(safe_text(hostile), format!("'{hostile}"));
        }
        for plain in ["-1200", "+81", "12.5", "ヤマダ", "RD-000001", "", "a=b"] {
            assert_eq!(&*safe_cell(plain.as_bytes()), plain.as_bytes(), "{plain}");
        }
        let csv = csv_with_bom([["=1+1", "-5", "ok"]]).unwrap();
        assert_eq!(csv, "\u{feff}'=1+1,-5,ok\r\n".as_bytes());
    }

    /// Shift_JIS holds what Japanese text needs (kana, kanji, half-width
    /// kana, ①, the NEC and IBM extensions CP932 adds); what it cannot
    /// hold is replaced by 〓 and counted, never dropped.
    #[test]
    fn shift_jis_keeps_japanese_and_marks_what_it_cannot_hold() {
        let rows = [
            ["ヤマダ タロウ", "山田 太郎", "ﾄﾞｺﾓｺｳｻﾞ", "①髙"],
            ["𠮷野家", "🙂", "=1+1", "12,000"],
        ];
        let utf8 = csv_with_bom(rows).unwrap();
        let (sjis, replaced) = to_shift_jis(&utf8);
        assert_eq!(replaced, 2);
        let (back, _, errors) = encoding_rs::SHIFT_JIS.decode(&sjis);
        assert!(!errors);
        assert_eq!(
            back,
            "ヤマダ タロウ,山田 太郎,ﾄﾞｺﾓｺｳｻﾞ,①髙\r\n〓野家,〓,'=1+1,\"12,000\"\r\n"
        );
        // Nothing to replace: the whole file in one go, the same bytes.
        let (plain, none) = to_shift_jis("a,b\r\n".as_bytes());
        assert_eq!((plain.as_slice(), none), (&b"a,b\r\n"[..], 0));
    }
}
