//! One row of a bank's own list of fraudulent debits (its CSV export), and
//! how a row is matched to a claimed debit line.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::claim::{parse_date, parse_descriptor};
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
}

/// Account types as bank exports write them: our names, the Japanese
/// words, or the Zengin digit.
fn account_type(input: &str) -> Result<AccountType, &'static str> {
    match input.trim() {
        "普通" | "1" => Ok(AccountType::Ordinary),
        "当座" | "2" => Ok(AccountType::Current),
        "貯蓄" | "4" => Ok(AccountType::Savings),
        other => AccountType::parse(other),
    }
}

/// Reads one row (the fields of a CSV line). The first problem is the
/// reason the row is rejected.
pub fn parse_row(fields: &[&str], today: NaiveDate) -> Result<BankDebitRow, &'static str> {
    if fields.len() != COLUMNS {
        return Err("row_columns");
    }
    let branch = BranchCode::parse(fields[0])?;
    let account_type = account_type(fields[1])?;
    let number = AccountNumber::parse(fields[2])?;
    let holder = KatakanaName::parse(fields[3])?;
    let date = parse_date(fields[4], today)?;
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

/// Descriptors compared without spaces or the small/large kana difference
/// passbooks print differently (`デイーバライ` / `ディーバライ`).
fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'ァ' => 'ア',
            'ィ' => 'イ',
            'ゥ' => 'ウ',
            'ェ' => 'エ',
            'ォ' => 'オ',
            'ッ' => 'ツ',
            'ャ' => 'ヤ',
            'ュ' => 'ユ',
            'ョ' => 'ヨ',
            other => other,
        })
        .collect()
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
        let r = parse_row(&row(), today()).unwrap();
        assert_eq!(
            (r.account_type, r.amount),
            (AccountType::Ordinary, Yen::from_db(100_000))
        );
        let mut bad = row();
        bad[5] = "-500";
        assert_eq!(parse_row(&bad, today()), Err("amount_not_whole_yen"));
        let mut bad = row();
        bad[4] = "2020-13-01";
        assert_eq!(parse_row(&bad, today()), Err("date_invalid"));
        let mut bad = row();
        bad[7] = "";
        assert_eq!(parse_row(&bad, today()), Err("bank_reference_invalid"));
        assert_eq!(parse_row(&row()[..7], today()), Err("row_columns"));
    }

    #[test]
    fn matching_is_exact_probable_or_none() {
        let r = parse_row(&row(), today()).unwrap();
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
}
