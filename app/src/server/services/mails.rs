//! The text of every mail, in the recipient's language, from the same
//! locale file as the pages (`mail_*` keys). Plain words, the reference where
//! there is one, no personal data beyond that, and the same anti-phishing
//! notice at the end of every message.

use crate::i18n::Lang;

pub struct MailText {
    pub subject: String,
    pub body: String,
}

/// Fills `%{name}` placeholders of a text.
fn fill(text: String, args: &[(&str, &str)]) -> String {
    args.iter().fold(text, |t, (name, value)| {
        t.replace(&format!("%{{{name}}}"), value)
    })
}

fn mail(lang: Lang, key: &str, public_url: &str, args: &[(&str, &str)]) -> MailText {
    let subject = fill(lang.t(&format!("mail_{key}_subject")), args);
    let body = fill(lang.t(&format!("mail_{key}_body")), args);
    let footer = fill(lang.t("mail_footer"), &[("public_url", public_url)]);
    MailText {
        subject: format!("Redress: {subject}"),
        body: format!("{body}\n\n--\n{footer}"),
    }
}

pub fn verify_email(lang: Lang, public_url: &str, token: &str) -> MailText {
    let link = format!("{public_url}/verify?token={token}");
    mail(lang, "verify", public_url, &[("link", &link)])
}

pub fn password_reset(lang: Lang, public_url: &str, token: &str) -> MailText {
    let link = format!("{public_url}/password/reset?token={token}");
    mail(lang, "reset", public_url, &[("link", &link)])
}

pub fn claim_received(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail(
        lang,
        "claim_received",
        public_url,
        &[("reference", reference)],
    )
}

/// A draft will be deleted on `deleted_on` unless the claimant changes it.
pub fn draft_expiring(
    lang: Lang,
    public_url: &str,
    draft_id: &str,
    deleted_on: chrono::NaiveDate,
) -> MailText {
    let link = format!("{public_url}/claims/{draft_id}");
    let date = deleted_on.format("%Y-%m-%d").to_string();
    mail(
        lang,
        "draft_expiring",
        public_url,
        &[("link", &link), ("date", &date)],
    )
}

/// The claimant has not answered a request for 14 days.
pub fn request_reminder(
    lang: Lang,
    public_url: &str,
    reference: &str,
    asked_on: chrono::NaiveDate,
) -> MailText {
    let link = format!("{public_url}/claims/{reference}");
    let date = asked_on.format("%Y-%m-%d").to_string();
    mail(
        lang,
        "request_reminder",
        public_url,
        &[("reference", reference), ("date", &date), ("link", &link)],
    )
}

/// The reviewer who asked: no answer for 30 days.
pub fn request_unanswered(
    lang: Lang,
    public_url: &str,
    reference: &str,
    asked_on: chrono::NaiveDate,
) -> MailText {
    let link = format!("{public_url}/staff/claims/{reference}");
    let date = asked_on.format("%Y-%m-%d").to_string();
    mail(
        lang,
        "request_unanswered",
        public_url,
        &[("reference", reference), ("date", &date), ("link", &link)],
    )
}

/// Staff asked the claimant `question`; an answer is hoped for by `answer_by`.
pub fn info_requested(
    lang: Lang,
    public_url: &str,
    reference: &str,
    question: &str,
    answer_by: chrono::NaiveDate,
) -> MailText {
    let date = answer_by.format("%Y-%m-%d").to_string();
    mail(
        lang,
        "info_requested",
        public_url,
        &[
            ("reference", reference),
            ("question", question),
            ("date", &date),
            ("public_url", public_url),
        ],
    )
}

/// The claim is approved for `amount` yen; the payment follows.
pub fn approved(lang: Lang, public_url: &str, reference: &str, amount: i64) -> MailText {
    let amount = crate::components::yen(lang, amount);
    mail(
        lang,
        "approved",
        public_url,
        &[
            ("reference", reference),
            ("amount", &amount),
            ("public_url", public_url),
        ],
    )
}

/// The claim is rejected: the reason in plain words, and until when the
/// claimant may appeal.
pub fn rejected(
    lang: Lang,
    public_url: &str,
    reference: &str,
    reason: &str,
    appeal_until: chrono::NaiveDate,
) -> MailText {
    let reason = lang.t(&format!("reject_reason_{reason}"));
    let date = appeal_until.format("%Y-%m-%d").to_string();
    mail(
        lang,
        "rejected",
        public_url,
        &[
            ("reference", reference),
            ("reason", &reason),
            ("date", &date),
            ("public_url", public_url),
        ],
    )
}

/// The transfer went out: the amount, the date and the last three digits
/// of the account (nothing more of it).
pub fn payment_sent(
    lang: Lang,
    public_url: &str,
    reference: &str,
    amount: i64,
    paid_on: chrono::NaiveDate,
    account_number: &str,
) -> MailText {
    let amount = crate::components::yen(lang, amount);
    let date = paid_on.format("%Y-%m-%d").to_string();
    let last3 = crate::domain::payout::last3(account_number);
    mail(
        lang,
        "payment_sent",
        public_url,
        &[
            ("reference", reference),
            ("amount", &amount),
            ("date", &date),
            ("last3", &last3),
            ("public_url", public_url),
        ],
    )
}

/// The bank could not pay: what the claimant should do.
pub fn payment_failed(lang: Lang, public_url: &str, reference: &str) -> MailText {
    mail(
        lang,
        "payment_failed",
        public_url,
        &[("reference", reference), ("public_url", public_url)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_ends_with_the_notice_and_asks_for_nothing() {
        for lang in [Lang::Ja, Lang::En] {
            for mail in [
                verify_email(lang, "https://r.example", "abc"),
                password_reset(lang, "https://r.example", "abc"),
                claim_received(lang, "https://r.example", "RD-000001"),
                draft_expiring(
                    lang,
                    "https://r.example",
                    "x",
                    chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
                ),
                request_reminder(
                    lang,
                    "https://r.example",
                    "RD-000001",
                    chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
                ),
                request_unanswered(
                    lang,
                    "https://r.example",
                    "RD-000001",
                    chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
                ),
                info_requested(
                    lang,
                    "https://r.example",
                    "RD-000001",
                    "Which card?",
                    chrono::NaiveDate::from_ymd_opt(2021, 1, 15).unwrap(),
                ),
                approved(lang, "https://r.example", "RD-000001", 130_000),
                payment_sent(
                    lang,
                    "https://r.example",
                    "RD-000001",
                    130_000,
                    chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
                    "1234567",
                ),
                payment_failed(lang, "https://r.example", "RD-000001"),
                rejected(
                    lang,
                    "https://r.example",
                    "RD-000001",
                    "no_loss",
                    chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
                ),
            ] {
                assert!(
                    mail.body.contains("https://r.example/genuine"),
                    "{}",
                    mail.body
                );
                assert!(mail.subject.starts_with("Redress: "));
                assert!(
                    !mail.body.contains("%{") && !mail.subject.contains("%{"),
                    "every placeholder filled"
                );
            }
        }
        assert!(
            claim_received(Lang::En, "u", "RD-000001")
                .subject
                .contains("[RD-000001]")
        );
        // The decisions say what was decided, with the reference, and link
        // to nothing but the service's own address.
        let ok = approved(Lang::En, "https://r.example", "RD-000007", 130_000);
        assert!(ok.subject.contains("[RD-000007]"), "{}", ok.subject);
        assert!(ok.body.contains("130,000"), "{}", ok.body);
        let no = rejected(
            Lang::Ja,
            "https://r.example",
            "RD-000007",
            "no_loss",
            chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
        );
        assert!(
            no.body.contains("損害が確認できませんでした"),
            "{}",
            no.body
        );
        assert!(no.body.contains("2021-02-01"), "{}", no.body);
        let paid = payment_sent(
            Lang::En,
            "https://r.example",
            "RD-000007",
            130_000,
            chrono::NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
            "7654321",
        );
        assert!(
            paid.body.contains("321") && !paid.body.contains("7654321"),
            "{}",
            paid.body
        );
        for m in [&ok, &no, &paid] {
            let rest = m.body.replace("https://r.example/genuine", "");
            assert!(rest.contains("https://r.example"), "{rest}");
            assert!(!rest.contains("https://r.example/"), "a deep link: {rest}");
        }
        assert!(
            verify_email(Lang::Ja, "https://r.example", "abc")
                .body
                .contains("https://r.example/verify?token=abc")
        );
        assert!(
            password_reset(Lang::En, "https://r.example", "t")
                .body
                .contains("never asks for a PIN")
        );
    }
}
