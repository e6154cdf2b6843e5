//! Bank, branch and account identifiers as the Zengin system numbers them.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::text::to_half_width_ascii;

fn digits_exact(input: &str, len: usize, err: &'static str) -> Result<String, &'static str> {
    let text = to_half_width_ascii(input.trim());
    if text.len() == len && text.chars().all(|c| c.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(err)
    }
}

/// A 4-digit bank code (`0001` Mizuho, `9900` Japan Post Bank, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BankCode(String);

impl BankCode {
    pub fn parse(input: &str) -> Result<BankCode, &'static str> {
        if input.trim().is_empty() {
            return Err("bank_required");
        }
        digits_exact(input, 4, "bank_invalid").map(BankCode)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A 3-digit branch code, unique within its bank.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BranchCode(String);

impl BranchCode {
    pub fn parse(input: &str) -> Result<BranchCode, &'static str> {
        digits_exact(input, 3, "branch_invalid").map(BranchCode)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The deposit type, with its Zengin code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AccountType {
    Ordinary,
    Current,
    Savings,
}

impl AccountType {
    pub const ALL: [AccountType; 3] = [
        AccountType::Ordinary,
        AccountType::Current,
        AccountType::Savings,
    ];

    pub fn parse(input: &str) -> Result<AccountType, &'static str> {
        match input.trim() {
            "ordinary" => Ok(AccountType::Ordinary),
            "current" => Ok(AccountType::Current),
            "savings" => Ok(AccountType::Savings),
            "" => Err("account_type_required"),
            _ => Err("account_type_invalid"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Ordinary => "ordinary",
            AccountType::Current => "current",
            AccountType::Savings => "savings",
        }
    }

    /// The one-digit code of the Zengin transfer file.
    pub fn zengin_code(self) -> char {
        match self {
            AccountType::Ordinary => '1',
            AccountType::Current => '2',
            AccountType::Savings => '4',
        }
    }
}

/// A 7-digit account number. Shorter numbers (as printed on some passbooks)
/// are zero-padded on the left, as the banks do.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountNumber(String);

impl AccountNumber {
    pub fn parse(input: &str) -> Result<AccountNumber, &'static str> {
        let text: String = to_half_width_ascii(input.trim())
            .chars()
            .filter(|c| *c != '-' && *c != ' ')
            .collect();
        if text.is_empty() {
            return Err("account_number_required");
        }
        if text.len() > 7 || !text.chars().all(|c| c.is_ascii_digit()) {
            return Err("account_number_invalid");
        }
        Ok(AccountNumber(format!("{text:0>7}")))
    }

    pub fn from_db(value: String) -> Self {
        AccountNumber(value)
    }

    /// The full number: only for the claimant and the account's own bank.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// `****567`: what everyone else sees.
    pub fn masked(&self) -> String {
        mask_account(&self.0)
    }
}

/// Masks any account number to its last three digits.
/// A passbook's `記号-番号` as staff see it: the symbol (which names the
/// office, like a branch) and the number masked as an account is.
pub fn mask_passbook(printed: &str) -> String {
    match printed.split_once('-') {
        Some((symbol, number)) => format!("{symbol}-{}", mask_account(number)),
        None => mask_account(printed),
    }
}

/// A bank's name as people write it. The Zengin list names banks without
/// 銀行 ("七十七", "ゆうちょ"); credit unions, labour banks and agricultural
/// cooperatives carry their kind in the name already ("北海道信金"). Banks
/// are the codes below 1000, and Japan Post Bank (9900).
pub fn bank_display_name(code: &str, name: &str) -> String {
    let bank = code.parse::<u32>().is_ok_and(|c| c < 1000 || c == 9900);
    if bank && !name.is_empty() && !name.ends_with("銀行") {
        format!("{name}銀行")
    } else {
        name.to_owned()
    }
}

pub fn mask_account(number: &str) -> String {
    let tail: String = number
        .chars()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}

/// Debug output never shows the number in full (logs are read by many).
impl fmt::Debug for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes() {
        assert_eq!(BankCode::parse("0001").unwrap().as_str(), "0001");
        assert_eq!(BankCode::parse("９９００").unwrap().as_str(), "9900");
        assert_eq!(BankCode::parse(""), Err("bank_required"));
        assert_eq!(BankCode::parse("1"), Err("bank_invalid"));
        assert_eq!(BranchCode::parse("001").unwrap().as_str(), "001");
        assert_eq!(BranchCode::parse("01"), Err("branch_invalid"));
        assert_eq!(BranchCode::parse("本店"), Err("branch_invalid"));
    }

    #[test]
    fn account_numbers_pad_and_mask() {
        let n = AccountNumber::parse("１２３４５").unwrap();
        assert_eq!(n.reveal(), "0012345");
        assert_eq!(n.masked(), "****345");
        assert_eq!(format!("{n:?}"), "AccountNumber(****345)");
        assert_eq!(
            AccountNumber::parse("123-4567").unwrap().reveal(),
            "1234567"
        );
        assert_eq!(AccountNumber::parse(""), Err("account_number_required"));
        assert_eq!(
            AccountNumber::parse("12345678"),
            Err("account_number_invalid")
        );
        assert_eq!(AccountNumber::parse("12a4"), Err("account_number_invalid"));
    }

    #[test]
    fn account_types() {
        for t in AccountType::ALL {
            assert_eq!(AccountType::parse(t.as_str()), Ok(t));
        }
        assert_eq!(AccountType::parse(""), Err("account_type_required"));
        assert_eq!(AccountType::parse("pin"), Err("account_type_invalid"));
        assert_eq!(AccountType::Savings.zengin_code(), '4');
    }

    proptest! {
        #[test]
        fn any_number_up_to_seven_digits_pads(n in "[0-9]{1,7}") {
            let a = AccountNumber::parse(&n).unwrap();
            prop_assert_eq!(a.reveal().len(), 7);
            prop_assert!(a.reveal().ends_with(&n));
            prop_assert_eq!(a.masked().len(), 7);
            prop_assert!(a.masked().starts_with("****"));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,12}") {
            if let Ok(a) = AccountNumber::parse(&s) {
                prop_assert!(a.reveal().len() == 7 && a.reveal().chars().all(|c| c.is_ascii_digit()));
            }
        }
    }
}
