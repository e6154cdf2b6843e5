//! The operator's and the claimant's steps on a case as typed commands, and
//! the parsers of the case page's forms that make them. The web edge runs a
//! parser; the services take the command and never read a form. Each error
//! names the form's field it is about (the page shows it there).

use crate::answers::{Form, parse_text};
use crate::workflow::Assignment;
use crate::{CaseRef, FieldErrors};

fn field<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

fn one(name: &str, key: &str) -> FieldErrors {
    let mut e = FieldErrors::new();
    e.add(name, key);
    e
}

/// Text of at most `max` characters under `name`; `Some` when given.
fn text(
    form: &Form,
    name: &'static str,
    required: bool,
    max: usize,
) -> Result<Option<String>, FieldErrors> {
    parse_text(field(form, name), required, max, name).map_err(|k| one(name, k))
}

/// The version of the case a form was written against (compare-and-set);
/// `None` when the form carries none a number (then the case "changed").
pub fn version(form: &Form) -> Option<i64> {
    field(form, "version").parse().ok()
}

/// An approver's approval: why it goes ahead when the payout account's bank
/// did not confirm the account (the service decides whether one is needed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    pub account_override: Option<String>,
}

pub fn parse_approval(form: &Form) -> Result<Approval, FieldErrors> {
    Ok(Approval {
        account_override: text(form, "account_override", false, 1000)?,
    })
}

/// The reason an approver sends an assessment back to the reviewer.
pub fn parse_send_back(form: &Form) -> Result<String, FieldErrors> {
    Ok(text(form, "reason", true, 1000)?.unwrap_or_default())
}

/// A case closed as a duplicate of another one, with an optional note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseDuplicate {
    pub duplicate_of: CaseRef,
    pub note: Option<String>,
}

/// The field of the other case's reference (the service says there that
/// no such case exists).
pub const DUPLICATE_OF_FIELD: &str = "duplicate_of";

pub fn parse_close_duplicate(form: &Form) -> Result<CloseDuplicate, FieldErrors> {
    let mut e = FieldErrors::new();
    let duplicate_of = CaseRef::parse(field(form, DUPLICATE_OF_FIELD).trim()).ok();
    if duplicate_of.is_none() {
        e.add(DUPLICATE_OF_FIELD, "duplicate_of_invalid");
    }
    let note = match text(form, "duplicate_note", false, 1000) {
        Ok(note) => note,
        Err(t) => {
            e.0.extend(t.0);
            None
        }
    };
    match duplicate_of {
        Some(duplicate_of) if e.is_empty() => Ok(CloseDuplicate { duplicate_of, note }),
        _ => Err(e),
    }
}

/// Why an approver takes an approval back.
pub fn parse_reopen(form: &Form) -> Result<String, FieldErrors> {
    Ok(text(form, "reopen_reason", true, 1000)?.unwrap_or_default())
}

/// The claimant's appeal of a rejection: what they want reviewed again.
pub fn parse_appeal(form: &Form) -> Result<String, FieldErrors> {
    Ok(text(form, "appeal_text", true, 2000)?.unwrap_or_default())
}

/// An internal note on a case (staff only).
pub fn parse_note(form: &Form) -> Result<String, FieldErrors> {
    Ok(text(form, "note_body", true, 2000)?.unwrap_or_default())
}

/// Which list of a claim a line is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineKind {
    Debit,
    Call,
    Travel,
}

impl LineKind {
    pub const ALL: [LineKind; 3] = [LineKind::Debit, LineKind::Call, LineKind::Travel];

    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Debit => "debit",
            LineKind::Call => "call",
            LineKind::Travel => "travel",
        }
    }
}

/// The case page's field of a line's approved amount (and, with `_note`,
/// of the reason it differs from the claim).
pub fn amount_field(kind: LineKind, position: i64) -> String {
    format!("approved_{}_{position}", kind.as_str())
}

/// The case page's field acknowledging a flag.
pub fn ack_field(flag_key: &str) -> String {
    format!("ack_{}", flag_key.replace(':', "_"))
}

/// Pay (an amount per line) or propose to reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pay,
    Reject,
}

/// The reviewer's assessment as typed on the case page: the choice, the
/// proposed rejection, and the text given for each line's amount and each
/// flag's acknowledgement. The service checks it against the case's own
/// lines and flags (it knows them; a form does not), and says what is wrong
/// by the page's fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assessment {
    pub outcome: Option<Outcome>,
    pub rejection_reason: String,
    pub rejection_note: String,
    /// (amount, note) as typed, by line.
    pub amounts: std::collections::BTreeMap<(LineKind, i64), (String, String)>,
    /// The acknowledgement typed for a flag, by its field (`ack_field`).
    pub acks: std::collections::BTreeMap<String, String>,
}

impl Assessment {
    /// The amount and note typed for a line ("" when none).
    pub fn amount(&self, kind: LineKind, position: i64) -> (&str, &str) {
        self.amounts
            .get(&(kind, position))
            .map(|(a, n)| (a.as_str(), n.as_str()))
            .unwrap_or(("", ""))
    }

    /// The acknowledgement typed for a flag ("" when none).
    pub fn ack(&self, flag_key: &str) -> &str {
        self.acks
            .get(&ack_field(flag_key))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The assessment form: every `approved_<kind>_<position>` (and its
/// `_note`), every `ack_…`, the outcome and the proposed rejection.
pub fn parse_assessment(form: &Form) -> Assessment {
    let mut a = Assessment {
        outcome: match field(form, "outcome") {
            "pay" => Some(Outcome::Pay),
            "reject" => Some(Outcome::Reject),
            _ => None,
        },
        rejection_reason: field(form, "rejection_reason").to_owned(),
        rejection_note: field(form, "rejection_note").to_owned(),
        ..Assessment::default()
    };
    for (name, value) in form {
        if name.starts_with("ack_") {
            a.acks.insert(name.clone(), value.clone());
        }
        for kind in LineKind::ALL {
            let prefix = format!("approved_{}_", kind.as_str());
            if let Some(position) = name
                .strip_prefix(&prefix)
                .and_then(|p| p.parse::<i64>().ok())
            {
                let note = field(form, &format!("{name}_note")).to_owned();
                a.amounts.insert((kind, position), (value.clone(), note));
            }
        }
    }
    a
}

/// Who works on a case: take it, release it, or give it to a reviewer (by
/// address, lower-cased).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub what: Assignment,
    pub assignee_email: String,
}

/// The field of the reviewer's address (the service says there that the
/// address is not a reviewer's).
pub const ASSIGNEE_FIELD: &str = "assignee_email";

/// `None`: the form names no assignment (nobody's to make).
pub fn parse_assign(form: &Form) -> Option<Assign> {
    Some(Assign {
        what: Assignment::from_form(field(form, "assign"))?,
        assignee_email: field(form, ASSIGNEE_FIELD).trim().to_lowercase(),
    })
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

    #[test]
    fn each_form_becomes_its_command_or_says_which_field_is_wrong() {
        assert_eq!(version(&form(&[("version", "7")])), Some(7));
        assert_eq!(version(&form(&[("version", "x")])), None);
        assert_eq!(
            parse_send_back(&form(&[("reason", " why ")])).unwrap(),
            "why"
        );
        assert_eq!(
            parse_send_back(&form(&[])).unwrap_err().0[0].field,
            "reason"
        );
        let d = parse_close_duplicate(&form(&[("duplicate_of", " RD-000002 ")])).unwrap();
        assert_eq!(d.duplicate_of.to_string(), "RD-000002");
        let e = parse_close_duplicate(&form(&[("duplicate_of", "nope")])).unwrap_err();
        assert_eq!(
            (e.0[0].field.as_str(), e.0[0].key.as_str()),
            ("duplicate_of", "duplicate_of_invalid")
        );
        let long = "x".repeat(1001);
        let e = parse_close_duplicate(&form(&[
            ("duplicate_of", "RD-000002"),
            ("duplicate_note", &long),
        ]))
        .unwrap_err();
        assert_eq!(e.0[0].field, "duplicate_note");
        assert!(parse_reopen(&form(&[])).is_err());
        assert!(parse_appeal(&form(&[("appeal_text", "please")])).is_ok());
        assert!(parse_note(&form(&[])).is_err());
        let a = parse_assign(&form(&[
            ("assign", "to"),
            ("assignee_email", " R@Example.jp "),
        ]))
        .unwrap();
        assert_eq!(
            (a.what, a.assignee_email.as_str()),
            (Assignment::To, "r@example.jp")
        );
        assert_eq!(parse_assign(&form(&[("assign", "steal")])), None);
    }
}
