//! A bank's answer on one claimed debit: confirmed (with the bank's own
//! figures) or disputed (with a reason). Checked here, for the browser and
//! the server alike.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::answers::{Form, parse_text};
use super::claim::parse_date;
use super::{FieldErrors, KatakanaName, Yen};

/// Why a bank disputes a debit, in the order the form lists them.
pub const DISPUTE_REASONS: [&str; 6] = [
    "no_such_debit",
    "amount_differs",
    "authorized_by_holder",
    "not_at_this_bank",
    "compensated_by_bank",
    "other",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    Confirmed {
        amount: Yen,
        bank_date: NaiveDate,
        bank_reference: Option<String>,
        holder_kana: String,
    },
    Disputed {
        reason: String,
        note: Option<String>,
    },
}

impl Verification {
    pub fn verdict(&self) -> &'static str {
        match self {
            Verification::Confirmed { .. } => "confirmed",
            Verification::Disputed { .. } => "disputed",
        }
    }
}

fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

/// The verify form: `verdict` = `confirmed` (amount, date, reference,
/// holder's name in katakana) or `disputed` (reason, note; a note is
/// required for "other").
pub fn parse_verification(form: &Form, today: NaiveDate) -> Result<Verification, FieldErrors> {
    let mut e = FieldErrors::new();
    match field(form, "verdict") {
        "confirmed" => {
            let amount = e.check(
                "confirmed_amount",
                Yen::parse_debit(field(form, "confirmed_amount")),
            );
            let bank_date = e.check("bank_date", parse_date(field(form, "bank_date"), today));
            let bank_reference = e
                .check(
                    "bank_reference",
                    parse_text(field(form, "bank_reference"), false, 60, "bank_reference"),
                )
                .flatten();
            let holder = e.check(
                "holder_kana",
                KatakanaName::parse(field(form, "holder_kana")),
            );
            match (amount, bank_date, holder) {
                (Some(amount), Some(bank_date), Some(holder)) if e.is_empty() => {
                    Ok(Verification::Confirmed {
                        amount,
                        bank_date,
                        bank_reference,
                        holder_kana: holder.as_str().to_owned(),
                    })
                }
                _ => Err(e),
            }
        }
        "disputed" => {
            let reason = field(form, "reason");
            if !DISPUTE_REASONS.contains(&reason) {
                e.add("reason", "reason_required");
            }
            let note = e
                .check("note", parse_text(field(form, "note"), false, 1000, "note"))
                .flatten();
            if reason == "other" && note.is_none() {
                e.add("note", "note_required");
            }
            if e.is_empty() {
                Ok(Verification::Disputed {
                    reason: reason.to_owned(),
                    note,
                })
            } else {
                Err(e)
            }
        }
        _ => {
            e.add("verdict", "verdict_required");
            Err(e)
        }
    }
}

/// The account check: `matches` = `yes` or `no`, an optional note.
pub fn parse_account_check(form: &Form) -> Result<(bool, Option<String>), FieldErrors> {
    let mut e = FieldErrors::new();
    let matches = match field(form, "matches") {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            e.add("matches", "matches_required");
            None
        }
    };
    let note = e
        .check("note", parse_text(field(form, "note"), false, 1000, "note"))
        .flatten();
    match matches {
        Some(m) if e.is_empty() => Ok((m, note)),
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 10, 1).unwrap()
    }

    #[test]
    fn a_confirmation_needs_the_banks_figures() {
        let ok = parse_verification(
            &form(&[
                ("verdict", "confirmed"),
                ("confirmed_amount", "99,000"),
                ("bank_date", "2020-09-03"),
                ("holder_kana", "ヤマダ タロウ"),
            ]),
            today(),
        )
        .unwrap();
        assert_eq!(ok.verdict(), "confirmed");
        let e = parse_verification(&form(&[("verdict", "confirmed")]), today()).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["confirmed_amount", "bank_date", "holder_kana"]);
    }

    #[test]
    fn a_dispute_needs_a_reason_and_other_needs_a_note() {
        assert!(
            parse_verification(
                &form(&[("verdict", "disputed"), ("reason", DISPUTE_REASONS[0])]),
                today()
            )
            .is_ok()
        );
        let e = parse_verification(
            &form(&[("verdict", "disputed"), ("reason", "other")]),
            today(),
        )
        .unwrap_err();
        assert_eq!(e.0[0].key, "note_required");
        let e = parse_verification(&form(&[("verdict", "disputed"), ("reason", "x")]), today())
            .unwrap_err();
        assert_eq!(e.0[0].key, "reason_required");
        let e = parse_verification(&form(&[]), today()).unwrap_err();
        assert_eq!(e.0[0].key, "verdict_required");
    }
}
