//! One row of a bank's own list of fraudulent debits (its CSV export), and
//! how a row is matched to a claimed debit line.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::claim::{parse_descriptor, parse_list_date};
use super::dates::Written;
use super::yucho::{Passbook, YUCHO};
use super::{AccountNumber, AccountType, BranchCode, KatakanaName, Yen};

/// The largest list accepted (about 250,000 rows).
pub const MAX_LIST_BYTES: usize = 32 * 1024 * 1024;

/// The columns, in order (the header row names them; any names are fine).
pub const COLUMNS: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankDebitRow {
    pub branch: String,
    pub account_type: AccountType,
    pub number: String,
    pub holder_kana: String,
    pub date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
    pub reference: String,
    /// What was read in another form than the one stored (an import
    /// report counts them): `conv_half_width_kana`, `conv_hiragana`,
    /// `conv_full_width`, `conv_era_date`, `conv_compact_date`,
    /// `conv_excel_date`, `conv_zero_padded`, `conv_passbook`.
    #[serde(default)]
    pub conversions: Vec<String>,
}

/// The conversions a row may need, in the order a report lists them.
pub const CONVERSIONS: [&str; 8] = [
    "conv_half_width_kana",
    "conv_hiragana",
    "conv_full_width",
    "conv_era_date",
    "conv_compact_date",
    "conv_excel_date",
    "conv_zero_padded",
    "conv_passbook",
];

/// What in a row's raw text will be written differently.
fn text_conversions(fields: &[&str], out: &mut Vec<String>) {
    let any = |f: fn(char) -> bool| fields.iter().any(|t| t.chars().any(f));
    if any(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c)) {
        out.push("conv_half_width_kana".into());
    }
    if any(|c| ('\u{3041}'..='\u{3096}').contains(&c)) {
        out.push("conv_hiragana".into());
    }
    if any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c)) {
        out.push("conv_full_width".into());
    }
}

/// Account types as bank exports write them: our names, the Japanese
/// words, or the Zengin digit.
fn account_type(input: &str) -> Result<AccountType, &'static str> {
    match super::text::normalise(input).as_str() {
        "普通" | "1" => Ok(AccountType::Ordinary),
        "当座" | "2" => Ok(AccountType::Current),
        "貯蓄" | "4" => Ok(AccountType::Savings),
        other => AccountType::parse(other),
    }
}

/// Reads one row of `bank`'s list (the fields of a CSV line). The first
/// problem is the reason the row is rejected. Japan Post Bank's rows may
/// name the account by the passbook's 記号 (a 5-digit "branch") and 番号,
/// converted by Japan Post Bank's rule.
pub fn parse_row(
    bank: &str,
    fields: &[&str],
    today: NaiveDate,
) -> Result<BankDebitRow, &'static str> {
    if fields.len() != COLUMNS {
        return Err("row_columns");
    }
    let mut conversions = Vec::new();
    text_conversions(fields, &mut conversions);
    let symbol = super::text::normalise(fields[0]);
    let (branch, account_type, number) = if bank == YUCHO && symbol.len() == 5 {
        let z = Passbook::parse(&symbol, fields[2])
            .map_err(|(_, key)| key)?
            .to_zengin();
        conversions.push("conv_passbook".into());
        (z.branch, z.account_type, z.number)
    } else {
        // A list's branch is always a code: Excel keeps `001` as the
        // number 1, and it is read back at its three digits.
        let short = (1..3).contains(&symbol.len()) && symbol.chars().all(|c| c.is_ascii_digit());
        let digits = super::text::normalise(fields[2]);
        let number_short = (1..7).contains(&digits.len());
        if short || number_short {
            conversions.push("conv_zero_padded".into());
        }
        let branch = if short {
            format!("{symbol:0>3}")
        } else {
            symbol
        };
        (
            BranchCode::parse(&branch)?,
            account_type(fields[1])?,
            AccountNumber::parse(fields[2])?,
        )
    };
    let holder = KatakanaName::parse(fields[3])?;
    let (date, written) = parse_list_date(fields[4], today)?;
    match written {
        Written::Era => conversions.push("conv_era_date".into()),
        Written::Compact => conversions.push("conv_compact_date".into()),
        Written::ExcelSerial => conversions.push("conv_excel_date".into()),
        Written::Plain => {}
    }
    let amount = Yen::parse_debit(fields[5])?;
    let descriptor = parse_descriptor(fields[6])?;
    let reference = fields[7].trim();
    if reference.is_empty()
        || reference.chars().count() > 60
        || reference.chars().any(char::is_control)
    {
        return Err("bank_reference_invalid");
    }
    Ok(BankDebitRow {
        branch: branch.as_str().to_owned(),
        account_type,
        number: number.reveal().to_owned(),
        holder_kana: holder.as_str().to_owned(),
        date,
        amount,
        descriptor,
        reference: reference.to_owned(),
        conversions,
    })
}

/// How a bank's row stands to a claimed line on the same account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// Same date, amount and descriptor.
    Exact,
    /// Same amount, and the date a day off or the descriptor different.
    Probable,
    None,
}

/// Compares a bank row with a claimed line of the same account.
pub fn compare(
    row: &BankDebitRow,
    line_date: NaiveDate,
    line_amount: Yen,
    line_descriptor: &str,
) -> Match {
    if row.amount != line_amount {
        return Match::None;
    }
    let days = (row.date - line_date).num_days().abs();
    let same_text = normalise(&row.descriptor) == normalise(line_descriptor);
    match (days, same_text) {
        (0, true) => Match::Exact,
        (0, false) | (1, _) => Match::Probable,
        _ => Match::None,
    }
}

/// Descriptors compared as bank systems keep them: half-width or
/// full-width, small or large kana, voiced marks or not, spaces and
/// long-vowel marks aside (`ﾄﾞｺﾓｺｳｻﾞ` is `ドコモコウザ`; `デイーバライ` is
/// `ディーバライ`).
fn normalise(text: &str) -> String {
    super::text::kana_fold(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 10, 1).unwrap()
    }

    fn row() -> Vec<&'static str> {
        vec![
            "100",
            "普通",
            "1234567",
            "ヤマダ ハナコ",
            "2020-09-03",
            "100000",
            "ドコモコウザ",
            "TX-1",
        ]
    }

    #[test]
    fn rows_parse_and_bad_rows_say_why() {
        let r = parse_row("0125", &row(), today()).unwrap();
        assert_eq!(
            (r.account_type, r.amount),
            (AccountType::Ordinary, Yen::from_db(100_000))
        );
        let mut bad = row();
        bad[5] = "-500";
        assert_eq!(
            parse_row("0125", &bad, today()),
            Err("amount_not_whole_yen")
        );
        let mut bad = row();
        bad[4] = "2020-13-01";
        assert_eq!(parse_row("0125", &bad, today()), Err("date_invalid"));
        let mut bad = row();
        bad[7] = "";
        assert_eq!(
            parse_row("0125", &bad, today()),
            Err("bank_reference_invalid")
        );
        assert_eq!(parse_row("0125", &row()[..7], today()), Err("row_columns"));
    }

    #[test]
    fn matching_is_exact_probable_or_none() {
        let r = parse_row("0125", &row(), today()).unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2020, 9, day).unwrap();
        assert_eq!(
            compare(&r, d(3), Yen::from_db(100_000), "ドコモコウザ"),
            Match::Exact
        );
        assert_eq!(
            compare(&r, d(4), Yen::from_db(100_000), "ドコモコウザ"),
            Match::Probable
        );
        assert_eq!(
            compare(&r, d(3), Yen::from_db(100_000), "デイーバライ"),
            Match::Probable
        );
        assert_eq!(
            compare(&r, d(5), Yen::from_db(100_000), "ドコモコウザ"),
            Match::None
        );
        assert_eq!(
            compare(&r, d(3), Yen::from_db(99_999), "ドコモコウザ"),
            Match::None
        );
        assert_eq!(normalise("ディー バライ"), normalise("デイーバライ"));
    }

    /// A row as a core banking system writes it: half-width kana for the
    /// holder and the descriptor, full-width digits, the Zengin type digit.
    #[test]
    fn a_row_as_core_banking_writes_it_reads_and_matches_exactly() {
        let fields = [
            "１００",
            "1",
            "1234567",
            "ﾔﾏﾀﾞ ﾊﾅｺ",
            "2020/09/03",
            "１００，０００",
            "ﾄﾞｺﾓｺｳｻﾞ",
            "TX-1",
        ];
        let r = parse_row("0125", &fields, today()).unwrap();
        assert_eq!(r.conversions, ["conv_half_width_kana", "conv_full_width"]);
        assert_eq!(r.holder_kana, "ヤマダ ハナコ");
        assert_eq!(r.descriptor, "ドコモコウザ");
        assert_eq!(r.branch, "100");
        let on = NaiveDate::from_ymd_opt(2020, 9, 3).unwrap();
        assert_eq!(
            compare(&r, on, Yen::from_db(100_000), "ドコモコウザ"),
            Match::Exact
        );
        assert_eq!(
            compare(&r, on, Yen::from_db(100_000), "ドコモ コウザ"),
            Match::Exact
        );
    }

    /// Japan Post Bank's rows by 記号・番号 read as the Zengin account; a
    /// 5-digit branch from any other bank is still refused.
    #[test]
    fn japan_post_banks_rows_may_name_the_passbook() {
        let mut fields = row();
        fields[0] = "10530";
        fields[1] = "";
        fields[2] = "12345671";
        let r = parse_row(YUCHO, &fields, today()).unwrap();
        assert_eq!(r.conversions, ["conv_passbook"]);
        assert_eq!(
            (r.branch.as_str(), r.account_type, r.number.as_str()),
            ("058", AccountType::Ordinary, "1234567")
        );
        fields[1] = "普通";
        fields[2] = "1234567";
        assert_eq!(
            parse_row(YUCHO, &fields, today()),
            Err("yucho_number_invalid")
        );
        assert_eq!(parse_row("0125", &fields, today()), Err("branch_invalid"));
        // Excel's numbers: branch 1 is 001, account 1234 is 0001234.
        let mut excel = row();
        excel[0] = "1";
        excel[2] = "1234";
        excel[4] = "R2.9.3";
        let r = parse_row("0125", &excel, today()).unwrap();
        assert_eq!(r.conversions, ["conv_zero_padded", "conv_era_date"]);
        assert_eq!((r.branch.as_str(), r.number.as_str()), ("001", "0001234"));
        // Japan Post Bank's rows in the Zengin form read as before.
        let r = parse_row(YUCHO, &row(), today()).unwrap();
        assert_eq!(r.branch, "100");
    }
}
