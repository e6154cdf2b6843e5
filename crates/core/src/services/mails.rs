//! The text of every mail, in the recipient's language. Each mail is a
//! template file per language in `crates/core/templates/mail/` (`<kind>.<lang>.txt`:
//! a `Subject:` line, a blank line, the body), rendered with minijinja in
//! strict mode, so a placeholder the code does not fill is an error, never a
//! blank. Every mail gets the same footer (`_footer.<lang>.txt`) and a simple
//! HTML part made from its text (`_layout.html`).
//!
//! The content rules: the reference where there is one, no personal data
//! beyond it, never an account number (its last three digits where a payment
//! is concerned), no link but the service's public address written out in
//! full, and the notice that the service never asks for a PIN, a password,
//! a card number or a payment.

use chrono::{DateTime, NaiveDate, Utc};
use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use std::sync::OnceLock;
use uuid::Uuid;

use crate::db::Tx;
use crate::i18n::Lang;
use crate::store::outbox;

/// A rendered mail: what the outbox stores and the sender sends.
#[derive(Clone, Debug)]
pub struct MailText {
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! templates {
    ($($kind:literal),* $(,)?) => {
        &[$(
            (
                $kind,
                include_str!(concat!("../../templates/mail/", $kind, ".ja.txt")),
                include_str!(concat!("../../templates/mail/", $kind, ".en.txt")),
            )
        ),*]
    };
}

/// Every mail the product sends: (kind, Japanese, English). A kind without
/// both files does not compile.
pub const TEMPLATES: &[(&str, &str, &str)] = templates!(
    "_footer",
    "verify",
    "reset",
    "claim_received",
    "info_requested",
    "request_reminder",
    "bank_checked",
    "approved",
    "rejected",
    "payment_sent",
    "payment_failed",
    "transfer_scheduled",
    "closed_duplicate",
    "reopened",
    "register_existing",
    "password_changed",
    "draft_expiring",
    "request_unanswered",
    "case_returned",
    "bank_digest",
    "import_finished",
    "operator_digest",
    "staff_invite",
);

const LAYOUT: &str = include_str!("../../templates/mail/_layout.html");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (kind, ja, en) in TEMPLATES {
            for (lang, source) in [("ja", ja), ("en", en)] {
                env.add_template_owned(format!("{kind}.{lang}.txt"), *source)
                    .expect("mail templates are checked by the unit tests");
            }
        }
        env.add_template("_layout.html", LAYOUT)
            .expect("the mail layout is checked by the unit tests");
        env
    })
}

#[derive(Serialize)]
struct Part<'a> {
    text: &'a str,
    link: bool,
}

/// Renders one mail. Fails on an unknown kind, a template without its
/// `Subject:` line, or a placeholder the context does not fill.
pub fn render(
    kind: &'static str,
    lang: Lang,
    public_url: &str,
    ctx: Value,
) -> Result<MailText, minijinja::Error> {
    let env = env();
    let ctx = context! { public_url => public_url, ..ctx };
    let whole = env
        .get_template(&format!("{kind}.{}.txt", lang.code()))?
        .render(&ctx)?;
    let (first, body) = whole.split_once("\n\n").unwrap_or((&whole, ""));
    let Some(subject) = first.strip_prefix("Subject: ") else {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!(
                "{kind}.{}: the first line must be `Subject: ...`",
                lang.code()
            ),
        ));
    };
    let footer = env
        .get_template(&format!("_footer.{}.txt", lang.code()))?
        .render(&ctx)?;
    let text = format!("{}\n\n{}\n", body.trim_end(), footer.trim_end());
    let subject = format!("Redress: {}", subject.trim());
    // The HTML part says the same as the text, paragraph by paragraph; the
    // public address, wherever it stands, is the only link.
    let paragraphs: Vec<Vec<Vec<Part>>> = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.lines()
                .map(|line| {
                    let mut parts = Vec::new();
                    let mut rest = line;
                    while let Some(at) = rest.find(public_url).filter(|_| !public_url.is_empty()) {
                        parts.push(Part {
                            text: &rest[..at],
                            link: false,
                        });
                        parts.push(Part {
                            text: public_url,
                            link: true,
                        });
                        rest = &rest[at + public_url.len()..];
                    }
                    parts.push(Part {
                        text: rest,
                        link: false,
                    });
                    parts
                })
                .collect()
        })
        .collect();
    // The address is configuration, escaped here by hand so that it reads
    // as written (minijinja would also escape its slashes).
    let url_html = public_url
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let html = env.get_template("_layout.html")?.render(context! {
        lang => lang.code(),
        subject => &subject,
        public_url => Value::from_safe_string(url_html),
        paragraphs => paragraphs,
    })?;
    Ok(MailText {
        kind,
        subject,
        text,
        html,
    })
}

/// The typed mails below fill every placeholder of their template; the unit
/// tests render each in both languages, so this cannot fail at run time.
fn mail(kind: &'static str, lang: Lang, public_url: &str, ctx: Value) -> MailText {
    render(kind, lang, public_url, ctx)
        .unwrap_or_else(|e| panic!("mail template {kind}.{}: {e:#}", lang.code()))
}

/// Writes a mail into the outbox in the caller's transaction: it is sent
/// only if that transaction commits.
#[tracing::instrument(skip_all)]
pub async fn queue(
    tx: &mut Tx,
    to: &str,
    claim: Option<Uuid>,
    mail: &MailText,
    now: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    outbox::enqueue(
        tx,
        &outbox::NewMail {
            kind: mail.kind,
            to,
            claim_id: claim,
            subject: &mail.subject,
            body_text: &mail.text,
            body_html: &mail.html,
        },
        now,
    )
    .await
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The code that confirms a new account's address (typed on the site; the
/// mail holds no link but the public address).
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
pub fn approved(lang: Lang, public_url: &str, reference: &str, amount: i64) -> MailText {
    let amount = lang.yen(amount);
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
    amount: i64,
    paid_on: NaiveDate,
    account_number: &str,
) -> MailText {
    let amount = lang.yen(amount);
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
    amount: i64,
    transfer_date: NaiveDate,
    account_number: &str,
) -> MailText {
    let amount = lang.yen(amount);
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
const SAMPLE_REASON: &str = "no_loss";

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
        approved(lang, public_url, "RD-000001", 130_000),
        rejected(lang, public_url, "RD-000001", SAMPLE_REASON, d),
        payment_sent(lang, public_url, "RD-000001", 130_000, d, "7654321"),
        transfer_scheduled(lang, public_url, "RD-000001", 130_000, d, "7654321"),
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

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://r.example";

    #[test]
    fn every_template_file_is_listed_and_every_mail_has_both_languages() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/mail");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let mut expected: Vec<String> = TEMPLATES
            .iter()
            .flat_map(|(k, _, _)| [format!("{k}.en.txt"), format!("{k}.ja.txt")])
            .chain(["_layout.html".to_string()])
            .collect();
        expected.sort();
        assert_eq!(
            files, expected,
            "a template file without its mail, or the reverse"
        );
        // Every kind (but the footer) has a typed mail, rendered in both
        // languages by `samples`.
        for lang in [Lang::Ja, Lang::En] {
            let kinds: Vec<&str> = samples(lang, URL).iter().map(|m| m.kind).collect();
            for (kind, _, _) in TEMPLATES.iter().filter(|(k, _, _)| *k != "_footer") {
                assert!(kinds.contains(kind), "no sample of {kind}");
            }
        }
    }

    #[test]
    fn a_placeholder_left_unfilled_is_an_error_not_a_blank() {
        let err = render("claim_received", Lang::En, URL, context! {}).unwrap_err();
        assert!(err.to_string().contains("undefined"), "{err}");
        assert!(render("no_such_mail", Lang::Ja, URL, context! {}).is_err());
    }

    #[test]
    fn every_mail_keeps_the_content_rules_in_both_languages() {
        for lang in [Lang::Ja, Lang::En] {
            for m in samples(lang, URL) {
                let what = format!("{} ({})", m.kind, lang.code());
                assert!(m.subject.starts_with("Redress: "), "{what}");
                for part in [&m.subject, &m.text, &m.html] {
                    assert!(
                        !part.contains("{{") && !part.contains("{%"),
                        "{what}: {part}"
                    );
                }
                // The notice, in the recipient's language.
                let notice = match lang {
                    Lang::Ja => {
                        "暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません"
                    }
                    Lang::En => "never asks for a PIN, a password, a card number or a payment",
                };
                assert!(m.text.contains(notice), "{what}: {}", m.text);
                assert!(m.html.contains(notice), "{what}");
                // No link but the public address, written out in full.
                let rest = m.text.replace(URL, "");
                assert!(
                    !rest.contains("http") && !rest.contains("www."),
                    "{what}: {rest}"
                );
                assert!(
                    !m.text.contains(&format!("{URL}/")) && !m.text.contains(&format!("{URL}?")),
                    "{what}: a deep link"
                );
                let hrefs: Vec<&str> = m.html.split("href=\"").skip(1).collect();
                assert!(!hrefs.is_empty(), "{what}: the address is a link in HTML");
                for h in hrefs {
                    assert!(h.starts_with(&format!("{URL}\"")), "{what}: href {h}");
                }
                // No account number: never seven digits in a row.
                let digits = m.text.chars().fold((0, 0), |(run, max), c| {
                    let run = if c.is_ascii_digit() { run + 1 } else { 0 };
                    (run, std::cmp::max(run, max))
                });
                assert!(digits.1 < 7, "{what}: a long number in {}", m.text);
                // The reference is in the subject of every mail about a case.
                if m.text.contains("RD-000001") {
                    assert!(m.subject.contains("[RD-000001]"), "{what}: {}", m.subject);
                }
            }
        }
        let paid = payment_sent(
            Lang::En,
            URL,
            "RD-000007",
            130_000,
            NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
            "7654321",
        );
        assert!(
            paid.text.contains("ending in 321") && !paid.text.contains("7654"),
            "{}",
            paid.text
        );
        assert!(paid.text.contains("130,000"), "{}", paid.text);
        let no = rejected(
            Lang::Ja,
            URL,
            "RD-000007",
            SAMPLE_REASON,
            NaiveDate::from_ymd_opt(2021, 2, 1).unwrap(),
        );
        assert!(
            no.text.contains("損害が確認できませんでした"),
            "{}",
            no.text
        );
        assert!(no.text.contains("2021-02-01"), "{}", no.text);
        let code = verify_email(Lang::Ja, URL, "ACDE-FGHJ-KMNP");
        assert!(code.text.contains("ACDE-FGHJ-KMNP"), "{}", code.text);
    }

    #[test]
    fn the_html_part_escapes_what_people_typed() {
        let m = info_requested(
            Lang::En,
            URL,
            "RD-000001",
            "<script>alert(1)</script> & more",
            NaiveDate::from_ymd_opt(2021, 1, 15).unwrap(),
        );
        assert!(m.html.contains("&lt;script&gt;"), "{}", m.html);
        assert!(!m.html.contains("<script>"));
        assert!(
            m.text.contains("<script>alert(1)</script> & more"),
            "the text part as typed"
        );
        assert!(m.html.contains("<html lang=\"en\">"));
    }
}
