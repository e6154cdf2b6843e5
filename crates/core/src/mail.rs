//! Delivers the outbox: one interface, two transports (SMTP, or `.eml` files
//! in the data folder when no SMTP server is configured).
//!
//! Every process may run a sender. Rows are claimed in small batches with a
//! lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so two processes never
//! send one row in normal operation; a process that dies mid-send leaves the
//! lease to run out and the row is sent again with the same `Message-ID`,
//! which lets the receiving side recognise the repeat.

use chrono::{DateTime, Duration, Utc};
pub use lettre::message::Mailbox;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Message, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rand::Rng;
use std::path::PathBuf;

use super::db::Db;
use super::state::Settings;
use super::store::outbox::{self, OutboxRow};

/// How many rows one claim takes, and for how long.
const BATCH: i64 = 10;
const LEASE: Duration = Duration::minutes(10);
/// Temporary failures are retried for this long, then the mail is failed.
pub const GIVE_UP_AFTER: Duration = Duration::days(3);

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

/// Why a mail was not sent.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// Try again later: the server is down, busy (4xx) or the link broke.
    Temporary(String),
    /// Trying again will not help: the address or the message was refused (5xx).
    Permanent(String),
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a valid SMTP URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => {
                let dir = settings.data_dir.join("mail");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    anyhow::anyhow!("cannot create the mail folder {}: {e}", dir.display())
                })?;
                Ok(Mailer::Files(dir))
            }
        }
    }

    async fn send(&self, message: Message) -> Result<String, Failure> {
        match self {
            Mailer::Smtp(t) => match t.send(message).await {
                Ok(_) => Ok("smtp".into()),
                Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
                Err(e) => Err(Failure::Temporary(e.to_string())),
            },
            Mailer::Files(dir) => {
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map_err(|e| Failure::Temporary(e.to_string()))?;
                Ok(dir.join(format!("{id}.eml")).display().to_string())
            }
        }
    }
}

/// Builds the message of one outbox row: plain text and simple HTML, never
/// an attachment. The Message-ID is derived from the row, so a resend after
/// a crash is recognisable as the same mail.
pub fn build_message(row: &OutboxRow, settings: &Settings) -> Result<Message, Failure> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| Failure::Temporary(format!("REDRESS_MAIL_FROM: {e}")))?;
    let to: Mailbox = row
        .to_addr
        .parse()
        .map_err(|e| Failure::Permanent(format!("invalid address: {e}")))?;
    let domain = settings
        .mail_from
        .rsplit('@')
        .next()
        .unwrap_or("redress.invalid")
        .trim_end_matches('>');
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .date(row.created_at.into())
        .message_id(Some(format!("<{}@{}>", row.id, domain)));
    if let Some(reply_to) = &settings.mail_reply_to {
        let reply_to: Mailbox = reply_to
            .parse()
            .map_err(|e| Failure::Temporary(format!("REDRESS_MAIL_REPLY_TO: {e}")))?;
        builder = builder.reply_to(reply_to);
    }
    let built = match &row.body_html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            html.clone(),
        )),
        None => builder.body(row.body_text.clone()),
    };
    let mut message = built.map_err(|e| Failure::Permanent(e.to_string()))?;
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_owned(),
    ));
    Ok(message)
}

/// The wait before try `attempts + 1`: `base` doubled per failure, at most an
/// hour, then ±25% at random so that many mails (or processes) do not all
/// come back at once.
pub fn backoff(attempts: i64, base: std::time::Duration) -> Duration {
    let base = Duration::from_std(base).unwrap_or(Duration::minutes(1));
    let wait = (base * (1i32 << attempts.clamp(0, 12))).min(Duration::hours(1));
    let factor = rand::thread_rng().gen_range(0.75..1.25);
    Duration::milliseconds((wait.num_milliseconds() as f64 * factor) as i64)
}

/// This process, as recorded on the mails it sends.
pub fn process_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    format!("{host}:{}", std::process::id())
}

/// Sends every due mail once; returns how many were sent.
pub async fn deliver_due(
    db: &Db,
    mailer: &Mailer,
    settings: &Settings,
    me: &str,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        if *stop.borrow() {
            return Ok(sent);
        }
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let rows = outbox::claim_due(&mut tx, now, now + LEASE, BATCH).await?;
        tx.commit().await?;
        if rows.is_empty() {
            return Ok(sent);
        }
        let mut rows = rows.into_iter();
        while let Some(row) = rows.next() {
            if *stop.borrow() {
                // Stopping: the mails claimed and not sent go back at once.
                for unsent in std::iter::once(row).chain(rows) {
                    outbox::release(db, unsent.id).await?;
                }
                return Ok(sent);
            }
            let result = match build_message(&row, settings) {
                Ok(message) => mailer.send(message).await,
                Err(e) => Err(e),
            };
            let now = Utc::now();
            match result {
                Ok(where_to) => {
                    outbox::mark_sent(db, row.id, me, now).await?;
                    tracing::info!(id = %row.id, kind = %row.kind, to = %where_to, "mail sent");
                    sent += 1;
                }
                Err(Failure::Permanent(e)) => {
                    tracing::warn!(id = %row.id, kind = %row.kind, error = %e, "mail refused for good");
                    outbox::mark_failed(db, row.id, &e, now).await?;
                }
                Err(Failure::Temporary(e)) => {
                    if gave_up(row.created_at, now) {
                        tracing::warn!(id = %row.id, error = %e, "mail not sent for days; failed");
                        let reason = format!("gave up after {} tries: {e}", row.attempts + 1);
                        outbox::mark_failed(db, row.id, &reason, now).await?;
                    } else {
                        tracing::warn!(id = %row.id, error = %e, "mail not sent; will retry");
                        let at = now + backoff(row.attempts, settings.mail_retry_base);
                        outbox::mark_retry(db, row.id, &e, at).await?;
                    }
                }
            }
        }
    }
}

fn gave_up(created: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - created > GIVE_UP_AFTER
}

/// The background sender: polls the outbox (every process may run one).
/// Sends due mail every `every` until `stop` turns true; then hands back
/// what it claimed and did not send, and returns.
pub async fn run_sender(
    db: Db,
    settings: std::sync::Arc<Settings>,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mailer = match Mailer::from_settings(&settings) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail sender not started");
            return;
        }
    };
    let me = process_name();
    loop {
        if let Err(e) = deliver_due(&db, &mailer, &settings, &me, &stop).await {
            tracing::warn!(error = %e, "outbox pass failed");
        }
        if *stop.borrow() {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let base = std::time::Duration::from_secs(60);
        for _ in 0..50 {
            let first = backoff(0, base);
            assert!(
                first >= Duration::seconds(45) && first <= Duration::seconds(75),
                "{first}"
            );
            let fourth = backoff(3, base);
            assert!(
                fourth >= Duration::minutes(6) && fourth <= Duration::minutes(10),
                "{fourth}"
            );
            let late = backoff(50, base);
            assert!(
                late >= Duration::minutes(45) && late <= Duration::minutes(75),
                "{late}"
            );
        }
        // The jitter spreads the retries.
        let spread: std::collections::HashSet<i64> = (0..20)
            .map(|_| backoff(2, base).num_milliseconds())
            .collect();
        assert!(spread.len() > 1);
    }

    #[test]
    fn temporary_failures_give_up_after_three_days() {
        let now = Utc::now();
        assert!(!gave_up(now - Duration::days(2), now));
        assert!(gave_up(now - Duration::days(4), now));
    }
}
