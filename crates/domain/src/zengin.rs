//! The Zengin general-transfer file (総合振込, type 21): names converted to
//! the Zengin character set, the four record kinds of exactly 120 bytes,
//! and a validator that reads a file back. Pure: the bytes are built here,
//! Shift_JIS is only the byte value of each JIS X 0201 character (see
//! `../shared/docs/zengin.md`).

use chrono::NaiveDate;

/// Every record is this many bytes.
pub const RECORD: usize = 120;

/// The full-width katakana letters and the half-width ones they become.
const FULL: &str =
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";
const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ";
/// Voiced (゛) and semi-voiced (゜) letters and their unvoiced base.
const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
const VOICED_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
const SEMI: &str = "パピプペポ";
const SEMI_BASE: &str = "ハヒフヘホ";
/// Small letters (full- and half-width) and the large ones Zengin writes.
const SMALL: &str = "ァィゥェォャュョッヮヵヶｧｨｩｪｫｬｭｮｯ";
const SMALL_LARGE: &str = "ｱｲｳｴｵﾔﾕﾖﾂﾜｶｹｱｲｳｴｵﾔﾕﾖﾂ";

fn nth(s: &str, i: usize) -> char {
    s.chars().nth(i).unwrap_or(' ')
}

fn index(s: &str, c: char) -> Option<usize> {
    s.chars().position(|x| x == c)
}

/// Full-width (and small half-width) kana and what Zengin writes for each,
/// built once from the tables above.
fn kana_table() -> &'static std::collections::HashMap<char, String> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<char, String>> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = std::collections::HashMap::new();
        for (full, half) in FULL.chars().zip(HALF.chars()) {
            t.insert(full, half.to_string());
        }
        for (marks, bases, mark) in [(VOICED, VOICED_BASE, 'ﾞ'), (SEMI, SEMI_BASE, 'ﾟ')] {
            for (c, base) in marks.chars().zip(bases.chars()) {
                let half = nth(HALF, index(FULL, base).unwrap_or(0));
                t.insert(c, format!("{half}{mark}"));
            }
        }
        for (small, large) in SMALL.chars().zip(SMALL_LARGE.chars()) {
            t.insert(small, large.to_string());
        }
        t
    })
}

/// Whether `c` is a character of the Zengin set for payee names: digits,
/// upper-case letters, half-width katakana (ｱ-ﾝ), the voicing marks, space,
/// and `( ) - .`.
pub fn is_zengin_name_char(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_ascii_uppercase()
        || matches!(c, ' ' | '(' | ')' | '-' | '.' | 'ﾞ' | 'ﾟ')
        || ('ｱ'..='ﾝ').contains(&c)
}

/// A name in the Zengin character set: full-width katakana to half-width
/// (a voiced letter becomes two characters), small kana to large, `ヲ` to
/// `ｵ`, the long-vowel mark to `-`, lower-case letters to upper case,
/// full-width spaces to spaces. The character that cannot be written is
/// the error.
pub fn to_zengin(name: &str) -> Result<String, char> {
    let table = kana_table();
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if let Some(z) = table.get(&c) {
            out.push_str(z);
        } else {
            match c {
                'ヴ' => out.push_str("ｳﾞ"),
                'ヲ' | 'ｦ' => out.push('ｵ'),
                'ヰ' => out.push('ｲ'),
                'ヱ' => out.push('ｴ'),
                'ー' | 'ｰ' | '－' | '‐' | '−' => out.push('-'),
                '゛' => out.push('ﾞ'),
                '゜' => out.push('ﾟ'),
                '\u{3000}' => out.push(' '),
                '（' => out.push('('),
                '）' => out.push(')'),
                '．' => out.push('.'),
                c if c.is_ascii_lowercase() => out.push(c.to_ascii_uppercase()),
                c if ('Ａ'..='Ｚ').contains(&c) || ('０'..='９').contains(&c) => {
                    out.push(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c))
                }
                c if ('ａ'..='ｚ').contains(&c) => out.push(
                    char::from_u32(c as u32 - 0xFEE0)
                        .unwrap_or(c)
                        .to_ascii_uppercase(),
                ),
                c if is_zengin_name_char(c) => out.push(c),
                c => return Err(c),
            }
        }
    }
    // One space between words, as banks hold names.
    let words: Vec<&str> = out.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return Err(' ');
    }
    Ok(words.join(" "))
}

/// `text` cut to at most `width` characters (one byte each), never between
/// a kana and its voicing mark, then padded with spaces.
pub fn fit(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut end = chars.len().min(width);
    if end < chars.len() && matches!(chars[end], 'ﾞ' | 'ﾟ') && end > 0 {
        end -= 1;
    }
    let mut out: String = chars[..end].iter().collect();
    out.extend(std::iter::repeat_n(' ', width - end));
    out
}

/// A number right-aligned and zero-padded to `width` digits; None when it
/// does not fit (or is negative).
fn num(value: i64, width: usize) -> Option<String> {
    let s = value.to_string();
    (value >= 0 && s.len() <= width).then(|| format!("{s:0>width$}"))
}

/// Digits only, exactly `width` of them (codes, account numbers).
fn digits(text: &str, width: usize) -> Option<String> {
    (text.len() <= width && !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| format!("{text:0>width$}"))
}

/// Who pays: the operator, as its bank knows it (settings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requester {
    /// Ten digits, assigned by the operator's bank.
    pub code: String,
    pub name: String,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// `1` ordinary, `2` current.
    pub account_type: char,
    pub account_number: String,
}

/// One payee of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payee {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// `ordinary`, `current` or `savings`.
    pub account_type: String,
    pub account_number: String,
    /// In katakana; converted here.
    pub name: String,
    pub amount: i64,
    /// Written in customer code 1 (ten digits), e.g. the case number.
    pub customer_code: i64,
}

/// What is wrong with one record of a batch (0: the header).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordError {
    pub record: usize,
    /// An i18n key.
    pub key: &'static str,
    /// The character or value at fault, if any.
    pub detail: String,
}

/// How the file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// CR LF after every record.
    pub crlf: bool,
    /// Leave bank and branch names blank (some banks want that).
    pub blank_names: bool,
}

fn deposit_type(account_type: &str) -> Option<char> {
    match account_type {
        "ordinary" => Some('1'),
        "current" => Some('2'),
        "savings" => Some('4'),
        _ => None,
    }
}

/// Converts a bank or branch name: only kana, digits, letters, space and `-`.
fn place_name(name: &str, blank: bool) -> String {
    if blank {
        return String::new();
    }
    to_zengin(name)
        .map(|n| n.replace(['(', ')', '.'], ""))
        .unwrap_or_default()
}

/// The file's text (each character one Shift_JIS byte), or every record's
/// problems. Records are built in the order of `payees`.
pub fn build(
    requester: &Requester,
    transfer_date: NaiveDate,
    payees: &[Payee],
    layout: Layout,
) -> Result<String, Vec<RecordError>> {
    let mut errors = Vec::new();
    let mut records = Vec::with_capacity(payees.len() + 3);
    let err = |record: usize, key: &'static str, detail: &str| RecordError {
        record,
        key,
        detail: detail.to_owned(),
    };

    // Header.
    let mut h = String::from("1210");
    match digits(&requester.code, 10) {
        Some(d) if requester.code.len() == 10 => h.push_str(&d),
        _ => errors.push(err(0, "zengin_requester_code", &requester.code)),
    }
    match to_zengin(&requester.name) {
        Ok(n) => h.push_str(&fit(&n, 40)),
        Err(c) => errors.push(err(0, "zengin_name_char", &c.to_string())),
    }
    h.push_str(&transfer_date.format("%m%d").to_string());
    let codes = [
        (&requester.bank_code, 4, "zengin_bank_code"),
        (&requester.branch_code, 3, "zengin_branch_code"),
    ];
    for (i, (code, width, key)) in codes.iter().enumerate() {
        match digits(code, *width) {
            Some(d) if code.len() == *width => h.push_str(&d),
            _ => errors.push(err(0, key, code)),
        }
        let name = if i == 0 {
            &requester.bank_name
        } else {
            &requester.branch_name
        };
        h.push_str(&fit(&place_name(name, layout.blank_names), 15));
    }
    if !matches!(requester.account_type, '1' | '2') {
        errors.push(err(
            0,
            "zengin_account_type",
            &requester.account_type.to_string(),
        ));
    }
    h.push(requester.account_type);
    match digits(&requester.account_number, 7) {
        Some(d) => h.push_str(&d),
        None => errors.push(err(0, "zengin_account_number", &requester.account_number)),
    }
    h.push_str(&" ".repeat(17));
    records.push(h);

    // Data records.
    let mut total: i64 = 0;
    for (i, p) in payees.iter().enumerate() {
        let n = i + 1;
        let mut d = String::from("2");
        match digits(&p.bank_code, 4) {
            Some(c) if p.bank_code.len() == 4 => d.push_str(&c),
            _ => errors.push(err(n, "zengin_bank_code", &p.bank_code)),
        }
        d.push_str(&fit(&place_name(&p.bank_name, layout.blank_names), 15));
        match digits(&p.branch_code, 3) {
            Some(c) if p.branch_code.len() == 3 => d.push_str(&c),
            _ => errors.push(err(n, "zengin_branch_code", &p.branch_code)),
        }
        d.push_str(&fit(&place_name(&p.branch_name, layout.blank_names), 15));
        d.push_str("0000");
        match deposit_type(&p.account_type) {
            Some(t) => d.push(t),
            None => errors.push(err(n, "zengin_account_type", &p.account_type)),
        }
        match digits(&p.account_number, 7) {
            Some(a) => d.push_str(&a),
            None => errors.push(err(n, "zengin_account_number", &p.account_number)),
        }
        match to_zengin(&p.name) {
            Ok(name) => d.push_str(&fit(&name, 30)),
            Err(c) => errors.push(err(n, "zengin_name_char", &c.to_string())),
        }
        match num(p.amount, 10) {
            Some(a) if p.amount > 0 => d.push_str(&a),
            _ => errors.push(err(n, "zengin_amount", &p.amount.to_string())),
        }
        total += p.amount;
        d.push('0');
        match num(p.customer_code, 10) {
            Some(c) => d.push_str(&c),
            None => errors.push(err(n, "zengin_customer_code", &p.customer_code.to_string())),
        }
        d.push_str(&" ".repeat(10 + 1 + 1 + 7));
        records.push(d);
    }

    // Trailer and end.
    let n = payees.len() + 1;
    let mut t = String::from("8");
    match (num(payees.len() as i64, 6), num(total, 12)) {
        (Some(c), Some(s)) => {
            t.push_str(&c);
            t.push_str(&s);
        }
        _ => errors.push(err(n, "zengin_totals", &total.to_string())),
    }
    t.push_str(&" ".repeat(101));
    records.push(t);
    records.push(format!("9{}", " ".repeat(119)));

    if !errors.is_empty() {
        return Err(errors);
    }
    let sep = if layout.crlf { "\r\n" } else { "" };
    let mut text = records.join(sep);
    text.push_str(sep);
    Ok(text)
}

/// What a valid file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub count: i64,
    pub total: i64,
}

/// Reads a file back as a bank would: every record 120 bytes of the Zengin
/// set, the kinds in order (1, 2..., 8, 9), numeric fields numeric, and the
/// trailer's count and sum those of the data records.
pub fn validate(bytes: &[u8], crlf: bool) -> Result<Summary, String> {
    let step = if crlf { RECORD + 2 } else { RECORD };
    if bytes.is_empty() || !bytes.len().is_multiple_of(step) {
        return Err(format!(
            "length {} is not a whole number of records",
            bytes.len()
        ));
    }
    let records: Vec<&[u8]> = bytes.chunks(step).collect();
    if records.len() < 3 {
        return Err("a file needs a header, a trailer and an end record".into());
    }
    let numeric = |r: &[u8], from: usize, len: usize| -> Result<i64, String> {
        let field = &r[from..from + len];
        if !field.iter().all(u8::is_ascii_digit) {
            return Err(format!("field at byte {from} is not numeric"));
        }
        std::str::from_utf8(field)
            .map_err(|e| e.to_string())?
            .parse::<i64>()
            .map_err(|e| e.to_string())
    };
    let (mut count, mut total) = (0i64, 0i64);
    let last = records.len() - 1;
    for (i, chunk) in records.iter().enumerate() {
        let (r, tail) = chunk.split_at(RECORD);
        if crlf && tail != b"\r\n" {
            return Err(format!("record {i} does not end with CR LF"));
        }
        // JIS X 0201: printable ASCII and half-width katakana (0xA1-0xDF).
        if let Some(b) = r
            .iter()
            .find(|b| !(0x20..=0x7E).contains(*b) && !(0xA1..=0xDF).contains(*b))
        {
            return Err(format!("record {i} holds the byte {b:#04x}"));
        }
        if r.iter().any(|b| b.is_ascii_lowercase() || *b == b',') {
            return Err(format!(
                "record {i} holds a character Zengin does not allow"
            ));
        }
        let kind = r[0];
        match (i, kind) {
            (0, b'1') => {
                numeric(r, 4, 10)?;
                numeric(r, 54, 4)?;
                numeric(r, 58, 4)?;
                numeric(r, 77, 3)?;
                numeric(r, 95, 8)?;
            }
            (i, b'2') if i > 0 && i < last - 1 => {
                numeric(r, 1, 4)?;
                numeric(r, 20, 3)?;
                numeric(r, 42, 8)?;
                let amount = numeric(r, 80, 10)?;
                if amount <= 0 {
                    return Err(format!("record {i} pays nothing"));
                }
                count += 1;
                total += amount;
            }
            (i, b'8') if i == last - 1 => {
                if numeric(r, 1, 6)? != count || numeric(r, 7, 12)? != total {
                    return Err("the trailer's count or sum is not the records'".into());
                }
            }
            (i, b'9') if i == last => {
                if r[1..].iter().any(|b| *b != b' ') {
                    return Err("the end record is not blank".into());
                }
            }
            (i, k) => return Err(format!("record {i} is of kind {}", k as char)),
        }
    }
    Ok(Summary { count, total })
}

/// The file's bytes: Shift_JIS, one byte per character of the Zengin set.
pub fn to_shift_jis(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            // Half-width katakana U+FF61..U+FF9F are the bytes 0xA1..0xDF.
            '\u{FF61}'..='\u{FF9F}' => (c as u32 - 0xFF61 + 0xA1) as u8,
            c if c.is_ascii() => c as u8,
            // `build` writes nothing else; the validator catches it if so.
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_the_zengin_set() {
        assert_eq!(to_zengin("ヤマダ タロウ").unwrap(), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(to_zengin("サトウ　ジョウジ").unwrap(), "ｻﾄｳ ｼﾞﾖｳｼﾞ");
        assert_eq!(to_zengin("スズキ イチロー").unwrap(), "ｽｽﾞｷ ｲﾁﾛ-");
        assert_eq!(to_zengin("ポール ヴェルレーヌ").unwrap(), "ﾎﾟ-ﾙ ｳﾞｴﾙﾚ-ﾇ");
        assert_eq!(to_zengin("ヲノ ッテ ヵヶ").unwrap(), "ｵﾉ ﾂﾃ ｶｹ");
        assert_eq!(to_zengin("ﾔﾏﾀﾞ ｷｮｳｺ").unwrap(), "ﾔﾏﾀﾞ ｷﾖｳｺ");
        assert_eq!(to_zengin("smith (jr.)").unwrap(), "SMITH (JR.)");
        assert_eq!(to_zengin("山田"), Err('山'));
        assert_eq!(to_zengin("ヤマダ,タロウ"), Err(','));
        assert_eq!(to_zengin("   "), Err(' '));
    }

    #[test]
    fn a_name_is_never_cut_between_a_kana_and_its_mark() {
        // 29 characters, then ｶﾞ: the mark would be the 31st.
        let name = format!("{}ｶﾞ", "ｱ".repeat(29));
        let field = fit(&name, 30);
        assert_eq!(field.chars().count(), 30);
        assert!(field.ends_with('ｱ') || field.ends_with(' '));
        assert!(!field.contains('ｶ'));
        assert_eq!(fit("ﾀﾛｳ", 5), "ﾀﾛｳ  ");
    }

    fn requester() -> Requester {
        Requester {
            code: "1234567890".into(),
            name: "レドレス ホショウ ジムキョク".into(),
            bank_code: "0001".into(),
            bank_name: "ミズホ".into(),
            branch_code: "001".into(),
            branch_name: "トウキョウエイギョウブ".into(),
            account_type: '1',
            account_number: "1234567".into(),
        }
    }

    fn payee(name: &str, amount: i64) -> Payee {
        Payee {
            bank_code: "0125".into(),
            bank_name: "シチジユウシチ".into(),
            branch_code: "100".into(),
            branch_name: "ホンテン".into(),
            account_type: "ordinary".into(),
            account_number: "1234567".into(),
            name: name.into(),
            amount,
            customer_code: 42,
        }
    }

    #[test]
    fn a_file_has_records_of_120_bytes_and_reads_back() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for crlf in [true, false] {
            let layout = Layout {
                crlf,
                blank_names: false,
            };
            let text = build(
                &requester(),
                date,
                &[
                    payee("ヤマダ タロウ", 130_000),
                    payee("サトウ ハナコ", 30_000),
                ],
                layout,
            )
            .unwrap();
            let bytes = to_shift_jis(&text);
            // Header, two payees, trailer, end.
            assert_eq!(bytes.len(), 5 * (RECORD + if crlf { 2 } else { 0 }));
            assert_eq!(
                validate(&bytes, crlf).unwrap(),
                Summary {
                    count: 2,
                    total: 160_000
                }
            );
            // Shift_JIS of the maintained library gives the same bytes.
            let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(&text);
            assert!(!bad);
            assert_eq!(&sjis[..], &bytes[..]);
        }
        let text = build(
            &requester(),
            date,
            &[payee("ヤマダ タロウ", 130_000)],
            Layout {
                crlf: false,
                blank_names: false,
            },
        )
        .unwrap();
        let data: String = text.chars().skip(RECORD).take(RECORD).collect();
        assert_eq!(&data[..5], "20125");
        assert!(data.contains("ﾔﾏﾀﾞ ﾀﾛｳ"));
        assert!(data.contains("00001300000"), "amount then new code 0");
        let header: String = text.chars().take(RECORD).collect();
        assert_eq!(&header[..4], "1210");
        assert_eq!(header.chars().skip(54).take(4).collect::<String>(), "1201");
    }

    #[test]
    fn a_bad_record_is_named_and_no_file_is_made() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let errors = build(
            &requester(),
            date,
            &[
                payee("ヤマダ タロウ", 1),
                payee("山田 花子", 5),
                payee("ア", 0),
            ],
            Layout {
                crlf: true,
                blank_names: false,
            },
        )
        .unwrap_err();
        assert_eq!(
            errors.iter().map(|e| (e.record, e.key)).collect::<Vec<_>>(),
            [(2, "zengin_name_char"), (3, "zengin_amount")]
        );
    }

    #[test]
    fn the_validator_refuses_what_a_bank_would() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let layout = Layout {
            crlf: false,
            blank_names: true,
        };
        let good = to_shift_jis(&build(&requester(), date, &[payee("ﾀﾛｳ", 5)], layout).unwrap());
        assert!(validate(&good, false).is_ok());
        // A wrong trailer sum.
        let mut bad = good.clone();
        bad[2 * RECORD + 18] = b'9';
        assert!(validate(&bad, false).is_err());
        // A record one byte short.
        assert!(validate(&good[1..], false).is_err());
        // A lower-case letter.
        let mut bad = good.clone();
        bad[50] = b'a';
        assert!(validate(&bad, false).is_err());
        // A multi-byte character.
        let mut bad = good.clone();
        bad[60] = 0x82;
        assert!(validate(&bad, false).is_err());
    }

    #[test]
    fn a_small_batch_matches_the_hand_checked_file() {
        // Voiced kana, small kana, the long-vowel mark, and a name of 31
        // characters whose last is a voicing mark: cut to 29 and a space.
        let mut p = payee("ヤマダ ショウタロウ ガーデンブリッジ ジュニズ", 130_000);
        p.customer_code = 42;
        let text = build(
            &requester(),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            &[p],
            Layout {
                crlf: true,
                blank_names: false,
            },
        )
        .unwrap();
        let sp = |n: usize| " ".repeat(n);
        let header = [
            "1",
            "21",
            "0",
            "1234567890",
            "ﾚﾄﾞﾚｽ ﾎｼﾖｳ ｼﾞﾑｷﾖｸ",
            &sp(40 - 17),
            "1201",
            "0001",
            "ﾐｽﾞﾎ",
            &sp(15 - 4),
            "001",
            "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ",
            &sp(15 - 13),
            "1",
            "1234567",
            &sp(17),
        ]
        .concat();
        let data = [
            "2",
            "0125",
            "ｼﾁｼﾞﾕｳｼﾁ",
            &sp(15 - 8),
            "100",
            "ﾎﾝﾃﾝ",
            &sp(15 - 4),
            "0000",
            "1",
            "1234567",
            "ﾔﾏﾀﾞ ｼﾖｳﾀﾛｳ ｶﾞ-ﾃﾞﾝﾌﾞﾘﾂｼﾞ ｼﾞﾕﾆ",
            " ",
            "0000130000",
            "0",
            "0000000042",
            &sp(10),
            " ",
            " ",
            &sp(7),
        ]
        .concat();
        let trailer = ["8", "000001", "000000130000", &sp(101)].concat();
        let end = ["9", &sp(119)].concat();
        let expected = [header, data, trailer, end]
            .iter()
            .map(|r| format!("{r}\r\n"))
            .collect::<String>();
        assert_eq!(text, expected);
        let bytes = to_shift_jis(&text);
        assert_eq!(bytes.len(), 4 * 122);
        // ﾔ ﾏ ﾀ and the voicing mark ﾞ: one byte each (0xD4 0xCF 0xC0 0xDE).
        let name_at = 122 + 50;
        assert_eq!(&bytes[name_at..name_at + 4], &[0xD4, 0xCF, 0xC0, 0xDE]);
    }

    proptest::proptest! {
        #[test]
        fn every_katakana_name_converts_to_the_set_or_names_its_character(
            name in "[ァ-ヺー ]{1,20}"
        ) {
            match to_zengin(&name) {
                Ok(z) => proptest::prop_assert!(z.chars().all(is_zengin_name_char)),
                Err(c) => proptest::prop_assert!(name.contains(c)),
            }
        }
    }
}
