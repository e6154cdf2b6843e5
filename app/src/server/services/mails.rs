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
