//! The case reference a claimant quotes: `RD-000123`.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::text::to_half_width_ascii;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseRef(u64);

impl CaseRef {
    pub fn from_seq(seq: u64) -> Self {
        CaseRef(seq)
    }

    pub fn seq(self) -> u64 {
        self.0
    }

    /// Accepts `RD-000123`, `rd-123`, `ＲＤ－０００１２３` and `RD000123`.
    pub fn parse(input: &str) -> Result<CaseRef, &'static str> {
        let text = to_half_width_ascii(input.trim()).to_ascii_uppercase();
        let rest = text.strip_prefix("RD").ok_or("reference_invalid")?;
        let digits = rest.strip_prefix('-').unwrap_or(rest);
        if digits.is_empty() || digits.len() > 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("reference_invalid");
        }
        let seq: u64 = digits.parse().map_err(|_| "reference_invalid")?;
        if seq == 0 {
            return Err("reference_invalid");
        }
        Ok(CaseRef(seq))
    }
}

impl fmt::Display for CaseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RD-{:06}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(CaseRef(123).to_string(), "RD-000123");
        assert_eq!(CaseRef(1234567).to_string(), "RD-1234567");
        assert_eq!(CaseRef::parse("rd-000123"), Ok(CaseRef(123)));
        assert_eq!(CaseRef::parse("ＲＤ－０００１２３"), Ok(CaseRef(123)));
        assert!(CaseRef::parse("RD-").is_err());
        assert!(CaseRef::parse("RD-0").is_err());
        assert!(CaseRef::parse("XX-000123").is_err());
        assert!(CaseRef::parse("RD-12a").is_err());
    }

    proptest! {
        #[test]
        fn display_round_trips(seq in 1u64..100_000_000_000) {
            let r = CaseRef(seq);
            prop_assert_eq!(CaseRef::parse(&r.to_string()), Ok(r));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,16}") {
            let _ = CaseRef::parse(&s);
        }
    }
}
