//! Rules for the fields of a debit line: dates, branches, descriptors.

use chrono::NaiveDate;

use super::text::{collapse_spaces, has_control, to_half_width_ascii};

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

pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, &'static str> {
    let text = to_half_width_ascii(input.trim()).replace('/', "-");
    if text.is_empty() {
        return Err("date_required");
    }
    let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| "date_invalid")?;
    let (y, m, d) = EARLIEST_DEBIT;
    if date > today {
        return Err("date_in_future");
    }
    if date < NaiveDate::from_ymd_opt(y, m, d).unwrap_or(date) {
        return Err("date_too_old");
    }
    Ok(date)
}

pub fn parse_branch(input: &str) -> Result<BranchQuery, &'static str> {
    let text = collapse_spaces(&to_half_width_ascii(input));
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

pub fn parse_descriptor(input: &str) -> Result<String, &'static str> {
    if has_control(input) {
        return Err("descriptor_invalid");
    }
    let text = collapse_spaces(input);
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
    }
}
