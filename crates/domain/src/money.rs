//! Money is whole Japanese yen, held as an integer. Never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::text::to_half_width_ascii;

/// An amount of Japanese yen. The field is private: an amount from outside is
/// always parsed, and arithmetic is checked.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Yen(i64);

/// The largest single debit a claim may state (10 million yen).
pub const MAX_DEBIT: i64 = 10_000_000;

impl Yen {
    pub const ZERO: Yen = Yen(0);

    /// Wraps a trusted value (from our own database).
    pub const fn from_db(value: i64) -> Self {
        Yen(value)
    }

    pub const fn value(self) -> i64 {
        self.0
    }

    /// Parses what a person typed: `12345`, `12,345`, `１２，３４５`, `12345円`,
    /// `¥12,345`. Digits only after those are removed; no decimals, no signs.
    pub fn parse_in_range(input: &str, min: i64, max: i64) -> Result<Yen, &'static str> {
        let text = to_half_width_ascii(input.trim());
        let text = text.trim_start_matches(['¥', '￥', '\\']);
        let lower = text.to_ascii_lowercase();
        let text = text
            .strip_suffix('円')
            .or_else(|| lower.ends_with("yen").then(|| &text[..text.len() - 3]))
            .unwrap_or(text)
            .trim();
        if text.is_empty() {
            return Err("amount_required");
        }
        let digits: String = text.chars().filter(|c| *c != ',' && *c != '、').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("amount_not_whole_yen");
        }
        // 19 digits already overflow the range we accept; refuse before parsing.
        if digits.len() > 12 {
            return Err("amount_out_of_range");
        }
        let value: i64 = digits.parse().map_err(|_| "amount_not_whole_yen")?;
        if value < min || value > max {
            return Err("amount_out_of_range");
        }
        Ok(Yen(value))
    }

    /// A debit line's amount: 1 to 10,000,000 yen.
    pub fn parse_debit(input: &str) -> Result<Yen, &'static str> {
        Self::parse_in_range(input, 1, MAX_DEBIT)
    }

    pub fn checked_add(self, other: Yen) -> Option<Yen> {
        self.0.checked_add(other.0).map(Yen)
    }

    /// `12,345` (thousands separators, no currency sign).
    pub fn grouped(self) -> String {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if self.0 < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }
}

impl fmt::Display for Yen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "¥{}", self.grouped())
    }
}

impl std::iter::Sum for Yen {
    fn sum<I: Iterator<Item = Yen>>(iter: I) -> Yen {
        // Sums of debit lines are bounded far below i64::MAX by the per-line cap.
        Yen(iter.map(|y| y.0).sum())
    }
}

/// Rows carry `Yen`, not a bare integer: the column is an `INTEGER`
/// (SQLite) or `BIGINT` (PostgreSQL) of whole yen, read and written as is.
#[cfg(feature = "server")]
mod stored {
    use super::Yen;
    use sqlx::{Database, Decode, Encode, Type, encode::IsNull, error::BoxDynError};

    impl<DB: Database> Type<DB> for Yen
    where
        i64: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <i64 as Type<DB>>::type_info()
        }
        fn compatible(ty: &DB::TypeInfo) -> bool {
            <i64 as Type<DB>>::compatible(ty)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for Yen
    where
        i64: Encode<'q, DB>,
    {
        fn encode_by_ref(
            &self,
            buf: &mut <DB as Database>::ArgumentBuffer<'q>,
        ) -> Result<IsNull, BoxDynError> {
            <i64 as Encode<'q, DB>>::encode_by_ref(&self.0, buf)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for Yen
    where
        i64: Decode<'r, DB>,
    {
        fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
            <i64 as Decode<'r, DB>>::decode(value).map(Yen)
        }
    }
}

impl From<Yen> for i64 {
    fn from(value: Yen) -> i64 {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Yen::parse_debit("12345"), Ok(Yen(12345)));
        assert_eq!(Yen::parse_debit("12,345"), Ok(Yen(12345)));
        assert_eq!(Yen::parse_debit("１２，３４５"), Ok(Yen(12345)));
        assert_eq!(Yen::parse_debit("100000円"), Ok(Yen(100000)));
        assert_eq!(Yen::parse_debit("¥5,000"), Ok(Yen(5000)));
        assert_eq!(Yen::parse_debit(" 10000000 "), Ok(Yen(10_000_000)));
    }

    #[test]
    fn refuses_what_is_not_whole_yen_in_range() {
        assert_eq!(Yen::parse_debit(""), Err("amount_required"));
        assert_eq!(Yen::parse_debit("0"), Err("amount_out_of_range"));
        assert_eq!(Yen::parse_debit("10000001"), Err("amount_out_of_range"));
        assert_eq!(Yen::parse_debit("12.5"), Err("amount_not_whole_yen"));
        assert_eq!(Yen::parse_debit("-5"), Err("amount_not_whole_yen"));
        assert_eq!(Yen::parse_debit("1e5"), Err("amount_not_whole_yen"));
        assert_eq!(
            Yen::parse_debit("99999999999999999999999"),
            Err("amount_out_of_range")
        );
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(Yen(0).grouped(), "0");
        assert_eq!(Yen(999).grouped(), "999");
        assert_eq!(Yen(1000).grouped(), "1,000");
        assert_eq!(Yen(28_900_000).to_string(), "¥28,900,000");
    }

    proptest! {
        #[test]
        fn every_amount_in_range_round_trips(v in 1i64..=MAX_DEBIT) {
            prop_assert_eq!(Yen::parse_debit(&v.to_string()), Ok(Yen(v)));
            prop_assert_eq!(Yen::parse_debit(&Yen(v).grouped()), Ok(Yen(v)));
        }

        #[test]
        fn never_panics_and_stays_in_range(s in "\\PC{0,20}") {
            if let Ok(y) = Yen::parse_debit(&s) {
                prop_assert!(y.value() >= 1 && y.value() <= MAX_DEBIT);
            }
        }
    }
}
