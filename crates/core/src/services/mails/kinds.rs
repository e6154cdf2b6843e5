//! Every mail the product sends: one function per kind, with what its
//! template needs.

use super::*;
use crate::domain::money::Yen;

pub fn verify_email(lang: Lang, public_url: &str, code: &str) -> MailText {
    mail("verify", lang, public_url, context! { code })
}

pub fn password_reset(lang: Lang, public_url: &str, code: &str) -> MailText {
    mail("reset", lang, public_url, context! { code })
}

pub fn claim_received(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("claim_received", lang, public_url, context! { reference })
}

/// A draft will be deleted on `deleted_on` unless the claimant changes it.
pub fn draft_expiring(lang: Lang, public_url: &str, deleted_on: NaiveDate) -> MailText {
    mail(
        "draft_expiring",
        lang,
        public_url,
        context! { date => day(deleted_on) },
    )
}

/// The claimant has not answered a request for 14 days.
pub fn request_reminder(
    lang: Lang,
    public_url: &str,
    reference: &str,
    asked_on: NaiveDate,
) -> MailText {
    mail(
        "request_reminder",
        lang,
        public_url,
        context! { reference, date => day(asked_on) },
    )
}

/// The reviewer who asked: no answer for 30 days.
pub fn request_unanswered(
    lang: Lang,
    public_url: &str,
    reference: &str,
    asked_on: NaiveDate,
) -> MailText {
    mail(
        "request_unanswered",
        lang,
        public_url,
        context! { reference, date => day(asked_on) },
    )
}

/// Staff asked the claimant `question`; an answer is hoped for by `answer_by`.
pub fn info_requested(
    lang: Lang,
    public_url: &str,
    reference: &str,
    question: &str,
    answer_by: NaiveDate,
) -> MailText {
    mail(
        "info_requested",
        lang,
        public_url,
        context! { reference, question, date => day(answer_by) },
    )
}

/// Every bank has answered on the claim's debits.
pub fn bank_checked(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("bank_checked", lang, public_url, context! { reference })
}

/// The owner of a case: the claimant has answered and the case is back.
pub fn case_returned(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("case_returned", lang, public_url, context! { reference })
}

/// The claim is approved for `amount` yen; the payment follows.
pub fn approved(lang: Lang, public_url: &str, reference: &str, amount: Yen) -> MailText {
    let amount = lang.yen(amount.value());
    mail("approved", lang, public_url, context! { reference, amount })
}

/// The claim is rejected: the reason in plain words, and until when the
/// claimant may appeal.
pub fn rejected(
    lang: Lang,
    public_url: &str,
    reference: &str,
    reason: &str,
    appeal_until: NaiveDate,
) -> MailText {
    let reason = lang.t(&format!("reject_reason_{reason}"));
    mail(
        "rejected",
        lang,
        public_url,
        context! { reference, reason, date => day(appeal_until) },
    )
}

/// The transfer went out: the amount, the date and the last three digits
/// of the account (nothing more of it).
pub fn payment_sent(
    lang: Lang,
    public_url: &str,
    reference: &str,
    amount: Yen,
    paid_on: NaiveDate,
    account_number: &str,
) -> MailText {
    let amount = lang.yen(amount.value());
    let last3 = crate::domain::payout::last3(account_number);
    mail(
        "payment_sent",
        lang,
        public_url,
        context! { reference, amount, last3, date => day(paid_on) },
    )
}

/// The batch holding the case is released: the transfer date, the amount
/// and the last three digits of the account (what the approval promised).
pub fn transfer_scheduled(
    lang: Lang,
    public_url: &str,
    reference: &str,
    amount: Yen,
    transfer_date: NaiveDate,
    account_number: &str,
) -> MailText {
    let amount = lang.yen(amount.value());
    let last3 = crate::domain::payout::last3(account_number);
    mail(
        "transfer_scheduled",
        lang,
        public_url,
        context! { reference, amount, last3, date => day(transfer_date) },
    )
}

/// The case was closed as a duplicate of another (never named: it may be
/// someone else's).
pub fn closed_duplicate(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("closed_duplicate", lang, public_url, context! { reference })
}

/// The approval is taken back before any payment: reviewed again.
pub fn reopened(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("reopened", lang, public_url, context! { reference })
}

/// Someone registered with an address that has an account: its owner is
/// told (the page answers as for a new address, so it tells nobody else).
pub fn register_existing(lang: Lang, public_url: &str) -> MailText {
    mail("register_existing", lang, public_url, context! {})
}

/// To the owner, after their password was changed while logged in.
pub fn password_changed(lang: Lang, public_url: &str) -> MailText {
    mail("password_changed", lang, public_url, context! {})
}

/// The bank could not pay: what the claimant should do.
pub fn payment_failed(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail("payment_failed", lang, public_url, context! { reference })
}

/// A bank's daily count of the lines waiting for it (counts only).
#[derive(Clone, Debug, Serialize)]
pub struct BankDigest {
    pub bank: String,
    pub day: String,
    pub new_lines: i64,
    pub open_lines: i64,
    pub overdue_lines: i64,
}

pub fn bank_digest(lang: Lang, public_url: &str, digest: &BankDigest) -> MailText {
    mail(
        "bank_digest",
        lang,
        public_url,
        Value::from_serialize(digest),
    )
}

/// What an import of a bank's list did (counts only).
#[derive(Clone, Debug, Serialize)]
pub struct ImportCounts {
    pub bank: String,
    pub file: String,
    pub rows: i64,
    pub confirmed: i64,
    pub waiting: i64,
    pub unmatched: i64,
    pub rejected: i64,
}

pub fn import_finished(lang: Lang, public_url: &str, counts: &ImportCounts) -> MailText {
    mail(
        "import_finished",
        lang,
        public_url,
        Value::from_serialize(counts),
    )
}

/// One queue in the operator's digest.
#[derive(Clone, Debug, Serialize)]
pub struct QueueCount {
    pub name: String,
    pub count: i64,
    pub past_sla: i64,
}

pub fn operator_digest(
    lang: Lang,
    public_url: &str,
    on: NaiveDate,
    queues: &[QueueCount],
) -> MailText {
    mail(
        "operator_digest",
        lang,
        public_url,
        context! { day => day(on), queues },
    )
}

/// An admin invited this address to a staff account (`role`): the code
/// sets the password.
pub fn staff_invite(lang: Lang, public_url: &str, role: &str, code: &str) -> MailText {
    let role = lang.t(&format!("role_{role}"));
    mail("staff_invite", lang, public_url, context! { role, code })
}

/// A rejection reason for the samples.
pub(super) const SAMPLE_REASON: &str = "no_loss";

/// One of every mail, with sample values, in `lang` (the tests check the
/// content rules on each; the admin's mail page could preview them).
pub fn samples(lang: Lang, public_url: &str) -> Vec<MailText> {
    let d = NaiveDate::from_ymd_opt(2021, 2, 1).expect("a valid date");
    vec![
        verify_email(lang, public_url, "ACDE-FGHJ-KMNP"),
        password_reset(lang, public_url, "ACDE-FGHJ-KMNP"),
        staff_invite(lang, public_url, "reviewer", "ACDE-FGHJ-KMNP"),
        claim_received(lang, public_url, "RD-000001"),
        info_requested(lang, public_url, "RD-000001", "Which card?", d),
        request_reminder(lang, public_url, "RD-000001", d),
        bank_checked(lang, public_url, "RD-000001"),
        approved(lang, public_url, "RD-000001", Yen::from_db(130_000)),
        rejected(lang, public_url, "RD-000001", SAMPLE_REASON, d),
        payment_sent(
            lang,
            public_url,
            "RD-000001",
            Yen::from_db(130_000),
            d,
            "7654321",
        ),
        transfer_scheduled(
            lang,
            public_url,
            "RD-000001",
            Yen::from_db(130_000),
            d,
            "7654321",
        ),
        closed_duplicate(lang, public_url, "RD-000001"),
        reopened(lang, public_url, "RD-000001"),
        register_existing(lang, public_url),
        password_changed(lang, public_url),
        payment_failed(lang, public_url, "RD-000001"),
        draft_expiring(lang, public_url, d),
        request_unanswered(lang, public_url, "RD-000001", d),
        case_returned(lang, public_url, "RD-000001"),
        bank_digest(
            lang,
            public_url,
            &BankDigest {
                bank: "ゆうちょ銀行".into(),
                day: day(d),
                new_lines: 12,
                open_lines: 40,
                overdue_lines: 3,
            },
        ),
        import_finished(
            lang,
            public_url,
            &ImportCounts {
                bank: "ゆうちょ銀行".into(),
                file: "list.csv".into(),
                rows: 100,
                confirmed: 80,
                waiting: 5,
                unmatched: 14,
                rejected: 1,
            },
        ),
        operator_digest(
            lang,
            public_url,
            d,
            &[QueueCount {
                name: "In review".into(),
                count: 7,
                past_sla: 2,
            }],
        ),
    ]
}
