//! A bank's answer on one claimed debit: confirmed (with the bank's own
//! figures) or disputed (with a reason). Checked here, for the browser and
//! the server alike.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::answers::{Form, parse_text};
use super::claim::parse_date;
use super::{FieldErrors, KatakanaName, Yen};

/// Why a bank disputes a debit, in the order the form lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum DisputeReason {
    NoSuchDebit,
    AmountDiffers,
    AuthorizedByHolder,
    NotAtThisBank,
    CompensatedByBank,
    Other,
}

impl DisputeReason {
    pub const ALL: [DisputeReason; 6] = [
        DisputeReason::NoSuchDebit,
        DisputeReason::AmountDiffers,
        DisputeReason::AuthorizedByHolder,
        DisputeReason::NotAtThisBank,
        DisputeReason::CompensatedByBank,
        DisputeReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DisputeReason::NoSuchDebit => "no_such_debit",
            DisputeReason::AmountDiffers => "amount_differs",
            DisputeReason::AuthorizedByHolder => "authorized_by_holder",
            DisputeReason::NotAtThisBank => "not_at_this_bank",
            DisputeReason::CompensatedByBank => "compensated_by_bank",
            DisputeReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<DisputeReason> {
        DisputeReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// A bank's answer on one debit line: the typed command its services take,
/// whether it came from the verify form or the REST API's JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verification {
    Confirmed {
        amount: Yen,
        bank_date: NaiveDate,
        bank_reference: Option<String>,
        holder_kana: KatakanaName,
        /// Why the bank confirms less than was claimed (required then; see
        /// `check_against`), or any remark.
        #[serde(default)]
        less_reason: Option<String>,
    },
    Disputed {
        reason: DisputeReason,
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

    /// The answer set against the line it is about: a bank that confirms
    /// less than the claimant claimed says why (the reviewer decides on it
    /// and the claimant is told), under the field `less_reason`.
    pub fn check_against(&self, claimed: Yen) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if let Verification::Confirmed {
            amount,
            less_reason: None,
            ..
        } = self
            && *amount < claimed
        {
            e.add(LESS_REASON, "less_reason_required");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The field (form and JSON alike) of a confirmation's reason for less.
pub const LESS_REASON: &str = "less_reason";

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
            let named = |name| (name, field(form, name));
            confirmed(
                named("confirmed_amount"),
                named("bank_date"),
                named("bank_reference"),
                named("holder_kana"),
                named(LESS_REASON),
                today,
            )
        }
        "disputed" => {
            let reason = DisputeReason::parse(field(form, "reason"));
            if reason.is_none() {
                e.add("reason", "reason_required");
            }
            let note = dispute_note(&mut e, "note", field(form, "note"), reason);
            match reason {
                Some(reason) if e.is_empty() => Ok(Verification::Disputed { reason, note }),
                _ => Err(e),
            }
        }
        _ => {
            e.add("verdict", "verdict_required");
            Err(e)
        }
    }
}

/// A confirmation's values, each checked under the name its sender gave it
/// (the verify form's field, the API's JSON key): `(name, value)`.
pub fn confirmed(
    amount: (&str, &str),
    bank_date: (&str, &str),
    bank_reference: (&str, &str),
    holder_kana: (&str, &str),
    less_reason: (&str, &str),
    today: NaiveDate,
) -> Result<Verification, FieldErrors> {
    let mut e = FieldErrors::new();
    let amount = e.check(amount.0, Yen::parse_debit(amount.1));
    let date = e.check(bank_date.0, parse_date(bank_date.1, today));
    let reference = e
        .check(
            bank_reference.0,
            parse_text(bank_reference.1, false, 60, "bank_reference"),
        )
        .flatten();
    let holder = e.check(holder_kana.0, KatakanaName::parse(holder_kana.1));
    let less_reason = e
        .check(
            less_reason.0,
            parse_text(less_reason.1, false, 1000, "note"),
        )
        .flatten();
    match (amount, date, holder) {
        (Some(amount), Some(bank_date), Some(holder_kana)) if e.is_empty() => {
            Ok(Verification::Confirmed {
                amount,
                bank_date,
                bank_reference: reference,
                holder_kana,
                less_reason,
            })
        }
        _ => Err(e),
    }
}

/// A dispute's note, checked under `name`: required for "other".
pub fn dispute_note(
    e: &mut FieldErrors,
    name: &str,
    text: &str,
    reason: Option<DisputeReason>,
) -> Option<String> {
    let note = e
        .check(name, parse_text(text, false, 1000, "note"))
        .flatten();
    if reason == Some(DisputeReason::Other) && note.is_none() {
        e.add(name, "note_required");
    }
    note
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
    fn confirming_less_than_claimed_needs_a_reason() {
        let answer = |amount: &str, reason: &str| {
            parse_verification(
                &form(&[
                    ("verdict", "confirmed"),
                    ("confirmed_amount", amount),
                    ("bank_date", "2020-09-03"),
                    ("holder_kana", "ヤマダ タロウ"),
                    (LESS_REASON, reason),
                ]),
                today(),
            )
            .unwrap()
        };
        let claimed = Yen::parse_debit("30000").unwrap();
        // As claimed, or more: no reason asked.
        assert!(answer("30000", "").check_against(claimed).is_ok());
        assert!(answer("３０，０００", "").check_against(claimed).is_ok());
        // Less: the reason is asked under its field, and then accepted.
        let e = answer("29999", "  ").check_against(claimed).unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].key.as_str()),
            (LESS_REASON, "less_reason_required")
        );
        assert!(
            answer("20000", "手数料分を差し引き")
                .check_against(claimed)
                .is_ok()
        );
        // A dispute is not a confirmation of less.
        let disputed = parse_verification(
            &form(&[
                ("verdict", "disputed"),
                ("reason", DisputeReason::NoSuchDebit.as_str()),
            ]),
            today(),
        )
        .unwrap();
        assert!(disputed.check_against(claimed).is_ok());
    }

    #[test]
    fn a_dispute_needs_a_reason_and_other_needs_a_note() {
        assert!(
            parse_verification(
                &form(&[
                    ("verdict", "disputed"),
                    ("reason", DisputeReason::ALL[0].as_str())
                ]),
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
