//! Names in full-width katakana, as Japanese banks hold them (`ヤマダ タロウ`),
//! read from however a person or a bank system wrote them: hiragana,
//! half-width katakana, full-width spaces, a dash for the long vowel.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::text::kana_reading;

/// A name in full-width katakana: katakana, the long-vowel mark `ー` and
/// single spaces between words; nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KatakanaName(String);

pub const MAX_KANA_CHARS: usize = 60;

fn is_katakana(c: char) -> bool {
    // ァ (U+30A1) .. ヺ (U+30FA): the katakana letters, small ones and ヴ included.
    ('\u{30A1}'..='\u{30FA}').contains(&c) || c == 'ー'
}

impl KatakanaName {
    pub fn parse(input: &str) -> Result<KatakanaName, &'static str> {
        let text = kana_reading(input);
        if text.is_empty() {
            return Err("kana_required");
        }
        if text.chars().count() > MAX_KANA_CHARS {
            return Err("kana_too_long");
        }
        if !text.chars().all(|c| c == ' ' || is_katakana(c)) {
            return Err("kana_invalid");
        }
        Ok(KatakanaName(text))
    }

    pub fn from_db(value: String) -> Self {
        KatakanaName(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KatakanaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_katakana_long_vowels_and_spaces() {
        assert_eq!(
            KatakanaName::parse(" ヤマダ　タロウ ").unwrap().as_str(),
            "ヤマダ タロウ"
        );
        assert!(KatakanaName::parse("スズキ イチロー").is_ok());
        assert!(KatakanaName::parse("ヴァレンティーナ").is_ok());
    }

    #[test]
    fn reads_hiragana_and_half_width_kana_as_katakana() {
        for typed in [
            "やまだ たろう",
            "ﾔﾏﾀﾞ ﾀﾛｳ",
            "ヤマダ　　タロウ",
            "ﾔﾏﾀﾞ　たろう",
        ] {
            assert_eq!(
                KatakanaName::parse(typed).unwrap().as_str(),
                "ヤマダ タロウ",
                "{typed}"
            );
        }
        assert_eq!(
            KatakanaName::parse("すずき いちろ-").unwrap().as_str(),
            "スズキ イチロー"
        );
        assert_eq!(
            KatakanaName::parse("ｽｽﾞｷ ｲﾁﾛｰ").unwrap().as_str(),
            "スズキ イチロー"
        );
    }

    #[test]
    fn refuses_everything_else() {
        assert_eq!(KatakanaName::parse(""), Err("kana_required"));
        assert_eq!(KatakanaName::parse("   "), Err("kana_required"));
        assert_eq!(KatakanaName::parse("山田"), Err("kana_invalid"));
        assert_eq!(KatakanaName::parse("山田 たろう"), Err("kana_invalid"));
        assert_eq!(KatakanaName::parse("Yamada"), Err("kana_invalid"));
        assert_eq!(KatakanaName::parse("ヤマダ・タロウ"), Err("kana_invalid"));
        assert_eq!(KatakanaName::parse(&"ア".repeat(61)), Err("kana_too_long"));
    }

    proptest! {
        #[test]
        fn valid_names_round_trip(words in proptest::collection::vec("[ァ-ヺー]{1,8}", 1..4)) {
            let joined = words.join(" ");
            let parsed = KatakanaName::parse(&joined).unwrap();
            prop_assert_eq!(parsed.as_str(), joined.as_str());
            prop_assert_eq!(KatakanaName::parse(parsed.as_str()), Ok(parsed.clone()));
        }

        #[test]
        fn parsed_names_hold_only_allowed_characters(s in "\\PC{0,30}") {
            if let Ok(n) = KatakanaName::parse(&s) {
                prop_assert!(n.as_str().chars().all(|c| c == ' ' || is_katakana(c)));
                prop_assert!(!n.as_str().starts_with(' ') && !n.as_str().contains("  "));
            }
        }
    }
}
