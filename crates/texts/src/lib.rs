//! Japanese and English text. Every string a person reads is a key in
//! `crates/texts/locales/app.yml`, read by rust-i18n at compile time; a missing key
//! shows the key itself (and a test fails).

use serde::{Deserialize, Serialize};

// Every text, by key, from locales/*.yml.
rust_i18n::i18n!("locales");

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// An amount of yen as this language writes it: `100,000円`, `¥100,000`
    /// (pages and mails alike).
    pub fn yen(self, amount: i64) -> String {
        let grouped = domain::Yen::from_db(amount).grouped();
        match self {
            Lang::Ja => format!("{grouped}円"),
            Lang::En => format!("¥{grouped}"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim() {
            "ja" => Some(Lang::Ja),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }

    /// Chooses from an `Accept-Language` header: English when the first
    /// language the browser names is English, else Japanese.
    pub fn from_accept_language(header: &str) -> Lang {
        let first = header
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if first.starts_with("en") {
            Lang::En
        } else {
            Lang::Ja
        }
    }

    /// The text of `key` in this language.
    pub fn t(self, key: &str) -> String {
        rust_i18n::t!(key, locale = self.code()).into_owned()
    }
}

// Makes cargo rebuild when the texts change (the i18n! macro reads the file
// at compile time but does not tell cargo about it).
const _TEXTS: &str = include_str!("../locales/app.yml");

/// Whether `key` has a text (in Japanese, the default).
pub fn has_key(key: &str) -> bool {
    Lang::Ja.t(key) != key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of the locale file, in order.
    fn file_keys() -> Vec<&'static str> {
        include_str!("../locales/app.yml")
            .lines()
            .filter(|l| !l.starts_with([' ', '#', '_']) && l.ends_with(':'))
            .map(|l| l.trim_end_matches(':'))
            .collect()
    }

    #[test]
    fn every_key_has_both_languages_once() {
        let keys = file_keys();
        assert!(keys.len() > 100);
        for key in &keys {
            let (ja, en) = (Lang::Ja.t(key), Lang::En.t(key));
            assert!(ja != *key && en != *key, "{key} lacks a language");
            assert_ne!(ja, en, "{key}: the same text in both languages");
        }
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len(), "a key is defined twice");
    }

    #[test]
    fn every_domain_error_has_a_message() {
        let errors = [
            "amount_required",
            "amount_not_whole_yen",
            "amount_out_of_range",
            "reference_invalid",
            "kana_required",
            "kana_invalid",
            "kana_too_long",
            "bank_required",
            "bank_invalid",
            "branch_invalid",
            "branch_required",
            "account_type_required",
            "account_type_invalid",
            "account_number_required",
            "account_number_invalid",
            "name_required",
            "name_invalid",
            "name_too_long",
            "email_required",
            "email_invalid",
            "phone_required",
            "phone_invalid",
            "password_required",
            "password_too_short",
            "password_too_long",
            "password_common",
            "password_is_email",
            "date_required",
            "date_invalid",
            "date_in_future",
            "date_too_old",
            "descriptor_required",
            "descriptor_invalid",
            "descriptor_too_long",
            "lines_required",
            "lines_too_many",
            "declaration_required",
        ];
        for key in errors {
            assert!(has_key(key), "{key}");
        }
        // What a question page gives its browser-side check.
        for kind in domain::check_keys::KINDS {
            for key in domain::check_keys::error_keys(kind) {
                assert!(has_key(key), "{kind}: {key}");
            }
        }
    }

    /// Every key the code names literally (`t("..")`, `label=".."`,
    /// `hint=".."`, `Err("..")`, `field("..", "..")`) exists.
    #[test]
    fn every_key_used_in_the_code_exists() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        fn literal_after(text: &str, marker: &str) -> Vec<String> {
            text.match_indices(marker)
                .filter_map(|(i, _)| {
                    let rest = &text[i + marker.len()..];
                    let end = rest.find('"')?;
                    let key = &rest[..end];
                    (!key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                        .then(|| key.to_owned())
                })
                .collect()
        }
        // The pages, the server core and the domain name keys.
        let mut sources = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        for dir in [
            "app/src",
            "crates/core/src",
            "crates/domain/src",
            "crates/web/src",
        ] {
            walk(&root.join(dir), &mut sources);
        }
        assert!(sources.len() > 100, "the walk found the sources");
        let mut missing = Vec::new();
        for src in &sources {
            for marker in [".t(\"", "label=\"", "hint=\"", "Err(\"", "key=\"", "\", \""] {
                for key in literal_after(src, marker) {
                    let dynamic = ["debit_", "account_", "state_"].iter().any(|p| key == *p);
                    if !has_key(&key) && !dynamic && (marker != "\", \"" || key.contains('_')) {
                        missing.push(format!("{marker}{key}"));
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "keys without a translation: {missing:?}"
        );
    }

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("ja,en;q=0.8"), Lang::Ja);
        assert_eq!(Lang::from_accept_language(""), Lang::Ja);
    }
}
