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
                include_str!(concat!("../../../templates/mail/", $kind, ".ja.txt")),
                include_str!(concat!("../../../templates/mail/", $kind, ".en.txt")),
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

const LAYOUT: &str = include_str!("../../../templates/mail/_layout.html");

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
    outbox::enqueue(tx, &new_mail(to, claim, mail), now).await
}

/// The outbox row of a mail to `to` (about `claim`).
pub fn new_mail<'a>(to: &'a str, claim: Option<Uuid>, mail: &'a MailText) -> outbox::NewMail<'a> {
    outbox::NewMail {
        kind: mail.kind,
        to,
        claim_id: claim,
        subject: &mail.subject,
        body_text: &mail.text,
        body_html: &mail.html,
    }
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The code that confirms a new account's address (typed on the site; the
/// mail holds no link but the public address).
mod kinds;
pub use kinds::*;

#[cfg(test)]
mod tests;
