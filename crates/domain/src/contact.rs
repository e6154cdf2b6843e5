//! How we reach a person: name, e-mail address, phone.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::text::{has_control, normalise, to_half_width_ascii};

/// A person's full name as they write it (kanji, kana or Latin letters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<PersonName, &'static str> {
        if has_control(input) {
            return Err("name_invalid");
        }
        let text = normalise(input);
        if text.is_empty() {
            return Err("name_required");
        }
        if text.chars().count() > 100 {
            return Err("name_too_long");
        }
        if !text.chars().any(char::is_alphabetic)
            || text
                .chars()
                .any(|c| c.is_ascii_digit() || "<>{}[]@#$%^*=|\\\"".contains(c))
        {
            return Err("name_invalid");
        }
        Ok(PersonName(text))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address, lower-cased so that one person has one account.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, &'static str> {
        let text = to_half_width_ascii(input.trim()).to_lowercase();
        if text.is_empty() {
            return Err("email_required");
        }
        if text.len() > 254 || has_control(&text) || text.contains(char::is_whitespace) {
            return Err("email_invalid");
        }
        let Some((local, domain)) = text.split_once('@') else {
            return Err("email_invalid");
        };
        let domain_ok = domain.len() >= 3
            && domain.contains('.')
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        if !(domain_ok && local_ok) {
            return Err("email_invalid");
        }
        Ok(Email(text))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Addresses are personal data: debug output shows only the domain.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.split_once('@').map(|(_, d)| d).unwrap_or("");
        write!(f, "Email(…@{domain})")
    }
}

/// A phone number: Japanese (`090-1234-5678`, `03 1234 5678`) or international
/// (`+81 90 1234 5678`). Stored as typed digits without separators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, &'static str> {
        let text: String = to_half_width_ascii(input.trim())
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | 'ー' | '‐' | '−'))
            .collect();
        if text.is_empty() {
            return Err("phone_required");
        }
        let (plus, digits) = match text.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("phone_invalid");
        }
        let ok = if plus {
            (8..=15).contains(&digits.len())
        } else {
            digits.starts_with('0') && (10..=11).contains(&digits.len())
        };
        if !ok {
            return Err("phone_invalid");
        }
        Ok(Phone(text))
    }
    /// As Japanese people write it: `090-1234-5678`, `03-1234-5678`,
    /// `0120-123-456`, `+81 90-1234-5678`.
    pub fn formatted(&self) -> String {
        format_phone(&self.0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Digits of a stored phone number (`09012345678`, `+819012345678`) in
/// the groups Japanese numbers are written in. The area code's length
/// varies by town; the common ones are grouped by their prefix, the rest
/// 3-3-4 (a readable approximation, never a different number).
pub fn format_phone(digits: &str) -> String {
    if let Some(national) = digits.strip_prefix("+81") {
        return format!(
            "+81 {}",
            format_phone(&format!("0{national}"))[1..].to_owned()
        );
    }
    if digits.starts_with('+') || !digits.chars().all(|c| c.is_ascii_digit()) {
        return digits.to_owned();
    }
    let groups: &[usize] = match digits.len() {
        11 => &[3, 4, 4],
        10 if digits.starts_with("0120") || digits.starts_with("0800") => &[4, 3, 3],
        10 if digits.starts_with("03") || digits.starts_with("06") => &[2, 4, 4],
        10 => &[3, 3, 4],
        _ => return digits.to_owned(),
    };
    let mut out = Vec::new();
    let mut at = 0;
    for g in groups {
        out.push(&digits[at..at + g]);
        at += g;
    }
    out.join("-")
}

/// The last 4 digits of a phone number (the public lookup asks for them).
pub fn parse_last4(input: &str) -> Result<String, &'static str> {
    let text = to_half_width_ascii(input.trim());
    if text.is_empty() {
        return Err("phone_last4_required");
    }
    if text.len() == 4 && text.chars().all(|c| c.is_ascii_digit()) {
        Ok(text)
    } else {
        Err("phone_last4_invalid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names() {
        assert_eq!(
            PersonName::parse(" 山田　太郎 ").unwrap().as_str(),
            "山田 太郎"
        );
        assert!(PersonName::parse("Taro Yamada").is_ok());
        assert_eq!(PersonName::parse(""), Err("name_required"));
        assert_eq!(PersonName::parse("1234"), Err("name_invalid"));
        assert_eq!(PersonName::parse("<script>"), Err("name_invalid"));
        assert_eq!(PersonName::parse("a\nb"), Err("name_invalid"));
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Hanako@Example.JP ").unwrap().as_str(),
            "hanako@example.jp"
        );
        assert_eq!(Email::parse(""), Err("email_required"));
        for bad in [
            "a",
            "a@b",
            "@example.jp",
            "a@.jp",
            "a b@example.jp",
            "a..b@example.jp",
            "a@exa_mple.jp",
        ] {
            assert_eq!(Email::parse(bad), Err("email_invalid"), "{bad}");
        }
        assert_eq!(
            format!("{:?}", Email::parse("x@example.jp").unwrap()),
            "Email(…@example.jp)"
        );
    }

    #[test]
    fn last_four_digits() {
        assert_eq!(parse_last4("４５６７"), Ok("4567".into()));
        assert_eq!(parse_last4(""), Err("phone_last4_required"));
        assert_eq!(parse_last4("456"), Err("phone_last4_invalid"));
        assert_eq!(parse_last4("45a7"), Err("phone_last4_invalid"));
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("090-1234-5678").unwrap().as_str(),
            "09012345678"
        );
        assert_eq!(
            Phone::parse("０３（１２３４）５６７８").unwrap().as_str(),
            "0312345678"
        );
        assert_eq!(
            Phone::parse("+81 90 1234 5678").unwrap().as_str(),
            "+819012345678"
        );
        assert_eq!(Phone::parse(""), Err("phone_required"));
        assert_eq!(Phone::parse("12345"), Err("phone_invalid"));
        assert_eq!(Phone::parse("090-1234-567a"), Err("phone_invalid"));
    }

    #[test]
    fn phones_are_shown_as_japanese_write_them() {
        for (typed, shown) in [
            ("09012345678", "090-1234-5678"),
            ("０９０（１２３４）５６７８", "090-1234-5678"),
            ("+81 90 1234 5678", "+81 90-1234-5678"),
            ("03 1234 5678", "03-1234-5678"),
            ("0120-123-456", "0120-123-456"),
            ("022-123-4567", "022-123-4567"),
            ("+1 415 555 0100", "+14155550100"),
        ] {
            assert_eq!(Phone::parse(typed).unwrap().formatted(), shown, "{typed}");
        }
    }

    proptest! {
        #[test]
        fn japanese_mobiles_parse(n in "0[789]0[0-9]{8}") {
            let phone = Phone::parse(&n).unwrap();
            prop_assert_eq!(phone.as_str(), n.as_str());
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = Phone::parse(&s);
            let _ = PersonName::parse(&s);
            if let Ok(e) = Email::parse(&s) {
                prop_assert!(e.as_str().contains('@'));
            }
        }
    }
}
