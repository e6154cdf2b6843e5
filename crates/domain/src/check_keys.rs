//! The message keys each question page's browser-side check can answer
//! with (`answers::check_page`): the server gives the page these texts, so
//! the browser's code carries none of its own (the texts of every page in
//! both languages would be a quarter of what a phone downloads).

/// The kinds of page `answers::check_page` checks.
pub const KINDS: [&str; 9] = [
    "about",
    "account",
    "debit",
    "call",
    "travel",
    "payout",
    "declaration",
    "verification",
    "reply",
];

/// Every key `check_page(kind, ..)` can give (none for an unknown kind).
pub fn error_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "about" => &[
            "address_required",
            "amount_not_whole_yen",
            "amount_out_of_range",
            "amount_required",
            "birth_date_required",
            "birth_date_too_old",
            "compensated_by_required",
            "compensated_required",
            "contact_required",
            "date_in_future",
            "date_invalid",
            "date_required",
            "date_too_old",
            "kana_invalid",
            "kana_required",
            "kana_too_long",
            "lang_required",
            "name_invalid",
            "name_required",
            "name_too_long",
            "phone_invalid",
            "phone_required",
            "police_number_required",
            "postal_code_invalid",
            "postal_code_required",
            "text_invalid",
            "text_required",
            "text_too_long",
        ],
        "account" | "payout" => &[
            "account_number_invalid",
            "account_number_required",
            "account_type_invalid",
            "account_type_required",
            "bank_invalid",
            "bank_required",
            "branch_invalid",
            "branch_required",
            "kana_invalid",
            "kana_required",
            "kana_too_long",
            "payout_required",
            "yucho_number_invalid",
            "yucho_number_required",
            "yucho_other_bank",
            "yucho_symbol_invalid",
            "yucho_symbol_required",
        ],
        "debit" | "call" | "travel" => &[
            "amount_not_whole_yen",
            "amount_out_of_range",
            "amount_required",
            "callee_required",
            "date_in_future",
            "date_invalid",
            "date_required",
            "date_too_old",
            "descriptor_invalid",
            "descriptor_required",
            "descriptor_too_long",
            "from_required",
            "means_required",
            "minutes_invalid",
            "minutes_required",
            "purpose_required",
            "text_invalid",
            "text_required",
            "text_too_long",
            "to_required",
        ],
        "declaration" => &["consent_required", "declaration_required"],
        "verification" => &[
            "amount_not_whole_yen",
            "amount_out_of_range",
            "amount_required",
            "date_in_future",
            "date_invalid",
            "date_required",
            "date_too_old",
            "kana_invalid",
            "kana_required",
            "kana_too_long",
            "less_reason_required",
            "note_required",
            "reason_required",
            "text_invalid",
            "text_required",
            "text_too_long",
            "verdict_required",
        ],
        "reply" => &["reply_invalid", "reply_required", "reply_too_long"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use chrono::NaiveDate;

    use super::*;
    use crate::answers::{Form, check_page};

    /// Every field name a question page's check reads.
    const FIELDS: &[&str] = &[
        "full_name",
        "name_kana",
        "birth_date",
        "postal_code",
        "address",
        "phone",
        "lang",
        "contact",
        "compensated",
        "compensated_amount",
        "compensated_by",
        "police_number",
        "police_date",
        "bank",
        "branch",
        "account_type",
        "account_number",
        "yucho_symbol",
        "yucho_number",
        "date",
        "amount",
        "descriptor",
        "reference",
        "callee",
        "minutes",
        "cost",
        "receipt",
        "from",
        "to",
        "means",
        "purpose",
        "choice",
        "holder_kana",
        "declare_true",
        "declare_share",
        "verdict",
        "confirmed_amount",
        "bank_date",
        "bank_reference",
        "less_reason",
        "note",
        "reason",
        "matches",
        "reply",
    ];

    /// What people and attackers type: empty, blank, full-width digits,
    /// half-width and hiragana kana, dates past, future and wrong, amounts
    /// too small and too large, text too long, control characters, and
    /// every value a choice accepts.
    fn values() -> Vec<String> {
        let mut v: Vec<String> = [
            "",
            " ",
            "　",
            "abc",
            "１２３４５６７",
            "0",
            "-1",
            "1",
            "100,000",
            "99999999999",
            "1.5",
            "2020-09-04",
            "2099-01-01",
            "1800-01-01",
            "2020-02-30",
            "令和2年9月4日",
            "ｽｽﾞｷ ｲﾁﾛｳ",
            "すずき いちろう",
            "スズキ イチロウ",
            "鈴木 一郎",
            "=1+1",
            "a\u{0}b",
            "yes",
            "no",
            "other",
            "account-1",
            "bank",
            "operator",
            "police",
            "train",
            "taxi",
            "ordinary",
            "current",
            "savings",
            "0125",
            "9900",
            "0001",
            "本店営業部",
            "108",
            "1234567",
            "12345678",
            "10180",
            "980-0811",
            "9800811",
            "ja",
            "en",
            "phone",
            "email",
            "confirmed",
            "disputed",
            "not_found",
            "ドコモコウザ",
            "x@example.jp",
            "090-1111-2222",
            "TX-0001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.push("あ".repeat(2001));
        v.push("a".repeat(301));
        v
    }

    /// Runs every kind's check over random forms of those values and
    /// returns the keys each gave.
    fn seen() -> BTreeMap<&'static str, BTreeSet<String>> {
        let values = values();
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
        for kind in KINDS {
            for _ in 0..10_000 {
                let mut form = Form::new();
                for f in FIELDS {
                    // Now and then a field is left out.
                    if next(8) > 0 {
                        form.insert(f.to_string(), values[next(values.len())].clone());
                    }
                }
                for e in check_page(kind, &form, today).0 {
                    out.entry(kind).or_default().insert(e.key);
                }
            }
        }
        out
    }

    /// Whatever a page's check gives is a key the page was given a text
    /// for (the browser leaves a key it has no text for to the server).
    #[test]
    fn every_key_a_check_gives_is_listed_for_its_page() {
        let seen = seen();
        assert_eq!(seen.len(), KINDS.len(), "every kind found a problem");
        for (kind, keys) in seen {
            let listed = error_keys(kind);
            let missing: Vec<_> = keys
                .iter()
                .filter(|k| !listed.contains(&k.as_str()))
                .collect();
            assert!(missing.is_empty(), "{kind}: {missing:?}");
        }
        assert!(error_keys("no-such-page").is_empty());
    }
}
