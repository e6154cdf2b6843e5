//! A claim as the claimant's form gives it, and the rules that turn it into
//! a claim we accept.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text::{collapse_spaces, has_control, to_half_width_ascii};
use super::{
    AccountNumber, AccountType, BankCode, FieldErrors, KatakanaName, PersonName, Phone, Yen,
};

/// The most debit lines one claim may hold.
pub const MAX_DEBIT_LINES: usize = 50;
/// Passbook descriptors are short (`ドコモコウザ`); more is a mistake.
pub const MAX_DESCRIPTOR_CHARS: usize = 40;
/// Debits before this date cannot belong to the incident.
pub const EARLIEST_DEBIT: (i32, u32, u32) = (2015, 1, 1);

/// One debit line exactly as typed (every field a string, nothing trusted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DebitLineInput {
    pub bank: String,
    pub branch: String,
    pub account_type: String,
    pub account_number: String,
    pub date: String,
    pub amount: String,
    pub descriptor: String,
}

/// The claim form exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimInput {
    pub full_name: String,
    pub name_kana: String,
    pub phone: String,
    pub lines: Vec<DebitLineInput>,
    pub declaration: bool,
}

/// Where the branch field points: a 3-digit code, or a name to look up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BranchQuery {
    Code(String),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDebitLine {
    pub bank: BankCode,
    pub branch: BranchQuery,
    pub account_type: AccountType,
    pub account_number: AccountNumber,
    pub date: NaiveDate,
    pub amount: Yen,
    pub descriptor: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewClaim {
    pub full_name: PersonName,
    pub name_kana: KatakanaName,
    pub phone: Phone,
    pub lines: Vec<NewDebitLine>,
}

impl NewClaim {
    pub fn total(&self) -> Yen {
        self.lines.iter().map(|l| l.amount).sum()
    }
}

/// The form field name of one debit line's field: `debit_0_amount`.
pub fn line_field(index: usize, field: &str) -> String {
    format!("debit_{index}_{field}")
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

impl ClaimInput {
    /// Checks every field and returns the claim, or every problem at once
    /// (a person fixes all of them in one go, not one per submit).
    pub fn parse(&self, today: NaiveDate) -> Result<NewClaim, FieldErrors> {
        let mut errors = FieldErrors::new();
        let full_name = errors.check("full_name", PersonName::parse(&self.full_name));
        let name_kana = errors.check("name_kana", KatakanaName::parse(&self.name_kana));
        let phone = errors.check("phone", Phone::parse(&self.phone));

        if self.lines.is_empty() {
            errors.add("debit_0_amount", "lines_required");
        }
        if self.lines.len() > MAX_DEBIT_LINES {
            errors.add(line_field(MAX_DEBIT_LINES, "amount"), "lines_too_many");
        }
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, l) in self.lines.iter().enumerate().take(MAX_DEBIT_LINES) {
            let f = |name: &str| line_field(i, name);
            let bank = errors.check(f("bank"), BankCode::parse(&l.bank));
            let branch = errors.check(f("branch"), parse_branch(&l.branch));
            let account_type = errors.check(f("account_type"), AccountType::parse(&l.account_type));
            let account_number =
                errors.check(f("account_number"), AccountNumber::parse(&l.account_number));
            let date = errors.check(f("date"), parse_date(&l.date, today));
            let amount = errors.check(f("amount"), Yen::parse_debit(&l.amount));
            let descriptor = errors.check(f("descriptor"), parse_descriptor(&l.descriptor));
            if let (
                Some(bank),
                Some(branch),
                Some(account_type),
                Some(account_number),
                Some(date),
                Some(amount),
                Some(descriptor),
            ) = (
                bank,
                branch,
                account_type,
                account_number,
                date,
                amount,
                descriptor,
            ) {
                lines.push(NewDebitLine {
                    bank,
                    branch,
                    account_type,
                    account_number,
                    date,
                    amount,
                    descriptor,
                });
            }
        }
        if !self.declaration {
            errors.add("declaration", "declaration_required");
        }
        match (full_name, name_kana, phone) {
            (Some(full_name), Some(name_kana), Some(phone)) if errors.is_empty() => Ok(NewClaim {
                full_name,
                name_kana,
                phone,
                lines,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 9, 20).unwrap()
    }

    fn good_line() -> DebitLineInput {
        DebitLineInput {
            bank: "0158".into(),
            branch: "001".into(),
            account_type: "ordinary".into(),
            account_number: "1234567".into(),
            date: "2020-09-03".into(),
            amount: "100,000".into(),
            descriptor: "ドコモコウザ".into(),
        }
    }

    fn good() -> ClaimInput {
        ClaimInput {
            full_name: "山田 太郎".into(),
            name_kana: "ヤマダ タロウ".into(),
            phone: "090-1234-5678".into(),
            lines: vec![
                good_line(),
                DebitLineInput {
                    amount: "50000".into(),
                    branch: "本店".into(),
                    ..good_line()
                },
            ],
            declaration: true,
        }
    }

    #[test]
    fn a_complete_claim_parses_with_its_total() {
        let claim = good().parse(today()).unwrap();
        assert_eq!(claim.total(), Yen::from_db(150_000));
        assert_eq!(claim.lines[1].branch, BranchQuery::Name("本店".into()));
        assert_eq!(claim.lines[0].branch, BranchQuery::Code("001".into()));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = ClaimInput {
            full_name: "".into(),
            name_kana: "やまだ".into(),
            phone: "12".into(),
            lines: vec![DebitLineInput {
                bank: "x".into(),
                branch: "".into(),
                account_type: "".into(),
                account_number: "abc".into(),
                date: "2020-10-01".into(),
                amount: "0".into(),
                descriptor: "".into(),
            }],
            declaration: false,
        };
        let errors = input.parse(today()).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "full_name",
                "name_kana",
                "phone",
                "debit_0_bank",
                "debit_0_branch",
                "debit_0_account_type",
                "debit_0_account_number",
                "debit_0_date",
                "debit_0_amount",
                "debit_0_descriptor",
                "declaration"
            ]
        );
        assert_eq!(
            errors.for_field("debit_0_date").unwrap().key,
            "date_in_future"
        );
    }

    #[test]
    fn a_claim_needs_a_line_and_not_too_many() {
        let mut input = good();
        input.lines.clear();
        assert_eq!(input.parse(today()).unwrap_err().0[0].key, "lines_required");
        input.lines = vec![good_line(); MAX_DEBIT_LINES + 1];
        assert!(
            input
                .parse(today())
                .unwrap_err()
                .0
                .iter()
                .any(|e| e.key == "lines_too_many")
        );
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
