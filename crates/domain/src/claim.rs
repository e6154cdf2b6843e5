//! Rules for the fields of a debit line: dates, branches, descriptors.

use chrono::NaiveDate;

use super::dates::{Written, parse_day};
use super::text::{has_control, normalise};

/// Passbook descriptors are short (`ドコモコウザ`); more is a mistake.
pub const MAX_DESCRIPTOR_CHARS: usize = 40;
/// Debits before this date cannot belong to the incident.
pub const EARLIEST_DEBIT: (i32, u32, u32) = (2015, 1, 1);

/// Where the branch field points: a 3-digit code, or a name to look up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BranchQuery {
    Code(String),
    Name(String),
}

/// A debit's day as a person writes it (`2020-09-07`, `2020/9/7`,
/// `20200907`, `令和2年9月7日`, `R2.9.7`), between 2015 and today.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    match parse_day(input) {
        Some((_, Written::ExcelSerial)) => Err("date_invalid"),
        _ => parse_list_date(input, today).map(|(day, _)| day),
    }
}

/// A day in a bank's list: as [`parse_date`], and an Excel serial day
/// number too (a date cell read as a number). Says how it was written.
pub fn parse_list_date(
    input: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, Written), &'static str> {
    if input.trim().is_empty() {
        return Err("date_required");
    }
    let (date, written) = parse_day(input).ok_or("date_invalid")?;
    let (y, m, d) = EARLIEST_DEBIT;
    if date > today {
        return Err("date_in_future");
    }
    if date < NaiveDate::from_ymd_opt(y, m, d).unwrap_or(date) {
        return Err("date_too_old");
    }
    Ok((date, written))
}

pub fn parse_branch(input: &str) -> Result<BranchQuery, &'static str> {
    let text = normalise(input);
    if text.is_empty() {
        return Err("branch_required");
    }
    if has_control(&text) || text.chars().count() > 40 {
        return Err("branch_invalid");
    }
    if text.chars().all(|c| c.is_ascii_digit()) {
        return if text.len() == 3 {
            Ok(BranchQuery::Code(text))
        } else {
            Err("branch_invalid")
        };
    }
    Ok(BranchQuery::Name(text))
}

/// A descriptor as the passbook prints it, kept [`normalise`]d: a bank's
/// half-width `ﾄﾞｺﾓｺｳｻﾞ` is stored as `ドコモコウザ`.
pub fn parse_descriptor(input: &str) -> Result<String, &'static str> {
    if has_control(input) {
        return Err("descriptor_invalid");
    }
    let text = normalise(input);
    if text.is_empty() {
        return Err("descriptor_required");
    }
    if text.chars().count() > MAX_DESCRIPTOR_CHARS {
        return Err("descriptor_too_long");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 9, 20).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2020/09/03", today()),
            Ok(NaiveDate::from_ymd_opt(2020, 9, 3).unwrap())
        );
        assert_eq!(parse_date("", today()), Err("date_required"));
        assert_eq!(parse_date("3 Sept", today()), Err("date_invalid"));
        assert_eq!(parse_date("2020-02-30", today()), Err("date_invalid"));
        assert_eq!(parse_date("2014-12-31", today()), Err("date_too_old"));
        let sept3 = NaiveDate::from_ymd_opt(2020, 9, 3).unwrap();
        for typed in ["令和2年9月3日", "R2.9.3", "20200903", "２０２０年９月３日"] {
            assert_eq!(parse_date(typed, today()), Ok(sept3), "{typed}");
        }
        assert_eq!(parse_date("令和2年9月21日", today()), Err("date_in_future"));
        // A person never types Excel's day number; a bank's sheet may.
        assert_eq!(parse_date("44077", today()), Err("date_invalid"));
        assert_eq!(
            parse_list_date("44077", today()),
            Ok((sept3, Written::ExcelSerial))
        );
    }
}
