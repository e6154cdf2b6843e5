//! Japan Post Bank (ゆうちょ銀行, bank code 9900) accounts as the passbook
//! prints them: a 記号 (symbol, 5 digits) and a 番号 (number, up to 8
//! digits), not a branch and an account number. Japan Post Bank's published
//! rule turns them into the Zengin branch, account type and number every
//! other bank (and the transfer file) uses:
//!
//! - 通常貯金 (ordinary savings, the symbol starts with 1): the branch is
//!   the symbol's 2nd and 3rd digits followed by 8; the type is ordinary
//!   (普通); the account number is the number without its last digit
//!   (always 1), zero-padded to 7 digits. `10530-12345671` is branch 058,
//!   ordinary, 1234567.
//! - 振替口座 (transfer account, the symbol starts with 0): the branch is
//!   the symbol's 2nd and 3rd digits followed by 9; the type is current
//!   (当座); the account number is the number zero-padded to 7 digits.
//!   `00120-123456` is branch 019, current, 0123456.

use serde::{Deserialize, Serialize};

use super::text::to_half_width_ascii;
use super::{AccountNumber, AccountType, BranchCode};

/// Japan Post Bank's Zengin bank code.
pub const YUCHO: &str = "9900";

/// A Japan Post Bank account by its passbook's 記号 and 番号.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Passbook {
    symbol: String,
    number: String,
}

/// What the passbook's two numbers stand for in the Zengin system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zengin {
    pub branch: BranchCode,
    pub account_type: AccountType,
    pub number: AccountNumber,
}

fn digits(input: &str) -> String {
    to_half_width_ascii(input)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '‐' | '−' | 'ー'))
        .collect()
}

impl Passbook {
    /// Parses the two fields as a person copies them from the passbook
    /// (full-width digits, spaces and dashes allowed). Errors name the
    /// field: (`yucho_symbol` | `yucho_number`, message key).
    pub fn parse(symbol: &str, number: &str) -> Result<Passbook, (&'static str, &'static str)> {
        let symbol = digits(symbol);
        let number = digits(number);
        if symbol.is_empty() {
            return Err(("yucho_symbol", "yucho_symbol_required"));
        }
        if symbol.len() != 5 || !symbol.chars().all(|c| c.is_ascii_digit()) {
            return Err(("yucho_symbol", "yucho_symbol_invalid"));
        }
        if number.is_empty() {
            return Err(("yucho_number", "yucho_number_required"));
        }
        if !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(("yucho_number", "yucho_number_invalid"));
        }
        match symbol.as_bytes()[0] {
            // 通常貯金: up to 8 digits, the last one a 1.
            b'1' if number.len() <= 8 && number.len() >= 2 && number.ends_with('1') => {}
            b'1' => return Err(("yucho_number", "yucho_number_invalid")),
            // 振替口座: up to 7 digits.
            b'0' if number.len() <= 7 => {}
            b'0' => return Err(("yucho_number", "yucho_number_invalid")),
            _ => return Err(("yucho_symbol", "yucho_symbol_invalid")),
        }
        Ok(Passbook { symbol, number })
    }

    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    pub fn number(&self) -> &str {
        &self.number
    }

    /// `10530-12345671`, as the passbook prints it.
    pub fn printed(&self) -> String {
        format!("{}-{}", self.symbol, self.number)
    }

    /// The Zengin branch, type and number, by Japan Post Bank's rule.
    pub fn to_zengin(&self) -> Zengin {
        let middle = &self.symbol[1..3];
        let (last, account_type, number) = if self.symbol.starts_with('1') {
            let body = &self.number[..self.number.len() - 1];
            ('8', AccountType::Ordinary, format!("{body:0>7}"))
        } else {
            ('9', AccountType::Current, format!("{:0>7}", self.number))
        };
        Zengin {
            branch: BranchCode::parse(&format!("{middle}{last}")).expect("three digits"),
            account_type,
            number: AccountNumber::parse(&number).expect("seven digits"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn zengin(symbol: &str, number: &str) -> (String, AccountType, String) {
        let z = Passbook::parse(symbol, number).unwrap().to_zengin();
        (
            z.branch.as_str().to_owned(),
            z.account_type,
            z.number.reveal().to_owned(),
        )
    }

    /// Japan Post Bank's own examples and the ones banks print in their
    /// guides: 記号 10530 番号 12345671 is 〇五八 (058), 普通, 1234567.
    #[test]
    fn the_published_examples_convert() {
        assert_eq!(
            zengin("10530", "12345671"),
            ("058".into(), AccountType::Ordinary, "1234567".into())
        );
        assert_eq!(
            zengin("17300", "19927651"),
            ("738".into(), AccountType::Ordinary, "1992765".into())
        );
        // A shorter number: the last digit dropped, zeros in front.
        assert_eq!(
            zengin("14280", "1234561"),
            ("428".into(), AccountType::Ordinary, "0123456".into())
        );
        // 振替口座: 9 after the two digits, current, the number as is.
        assert_eq!(
            zengin("00120", "123456"),
            ("019".into(), AccountType::Current, "0123456".into())
        );
    }

    #[test]
    fn reads_the_numbers_as_people_copy_them() {
        let p = Passbook::parse("１０５３０", "1234567-1").unwrap();
        assert_eq!(p.printed(), "10530-12345671");
        assert!(Passbook::parse(" 10530 ", "1234 5671").is_ok());
    }

    #[test]
    fn refuses_what_no_passbook_prints() {
        let err = |s, n| Passbook::parse(s, n).unwrap_err();
        assert_eq!(
            err("", "12345671"),
            ("yucho_symbol", "yucho_symbol_required")
        );
        assert_eq!(
            err("1053", "12345671"),
            ("yucho_symbol", "yucho_symbol_invalid")
        );
        assert_eq!(
            err("105300", "12345671"),
            ("yucho_symbol", "yucho_symbol_invalid")
        );
        assert_eq!(
            err("20530", "12345671"),
            ("yucho_symbol", "yucho_symbol_invalid")
        );
        assert_eq!(err("10530", ""), ("yucho_number", "yucho_number_required"));
        // 通常貯金's numbers end in 1.
        assert_eq!(
            err("10530", "12345678"),
            ("yucho_number", "yucho_number_invalid")
        );
        assert_eq!(
            err("10530", "123456781"),
            ("yucho_number", "yucho_number_invalid")
        );
        assert_eq!(
            err("00120", "12345678"),
            ("yucho_number", "yucho_number_invalid")
        );
        assert_eq!(
            err("10530", "1234567a"),
            ("yucho_number", "yucho_number_invalid")
        );
    }

    proptest! {
        /// Every ordinary passbook gives a valid Zengin account whose
        /// branch ends in 8 and whose number is the passbook's without its 1.
        #[test]
        fn every_ordinary_passbook_converts(sym in "1[0-9]{4}", body in "[0-9]{1,7}") {
            let number = format!("{body}1");
            let z = Passbook::parse(&sym, &number).unwrap().to_zengin();
            prop_assert_eq!(z.branch.as_str(), format!("{}8", &sym[1..3]));
            prop_assert_eq!(z.account_type, AccountType::Ordinary);
            prop_assert_eq!(z.number.reveal(), format!("{body:0>7}"));
        }

        #[test]
        fn every_transfer_account_converts(sym in "0[0-9]{4}", number in "[0-9]{1,7}") {
            let z = Passbook::parse(&sym, &number).unwrap().to_zengin();
            prop_assert_eq!(z.branch.as_str(), format!("{}9", &sym[1..3]));
            prop_assert_eq!(z.account_type, AccountType::Current);
            prop_assert_eq!(z.number.reveal(), format!("{number:0>7}"));
        }
    }
}
