//! Delivers the outbox: one interface, two transports (SMTP, or `.eml` files
//! in the data folder when no SMTP server is configured).

use chrono::{Duration, Utc};
pub use lettre::message::Mailbox;
use lettre::message::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

use super::db::Db;
use super::state::Settings;
use super::store::outbox::{self, OutboxRow};

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(PathBuf),
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        match &settings.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a valid SMTP URL: {e}"))?
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

    async fn send(&self, message: Message) -> anyhow::Result<String> {
        match self {
            Mailer::Smtp(t) => {
                t.send(message).await?;
                Ok("smtp".into())
            }
            Mailer::Files(dir) => {
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await?;
                Ok(dir.join(format!("{id}.eml")).display().to_string())
            }
        }
    }
}

/// Builds the message of one outbox row. The Message-ID is derived from the
/// row, so a resend after a crash is recognisable as the same mail.
pub fn build_message(row: &OutboxRow, settings: &Settings) -> anyhow::Result<Message> {
    let from: Mailbox = settings
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("REDRESS_MAIL_FROM: {e}"))?;
    let to: Mailbox = row.to_addr.parse()?;
    let domain = settings
        .mail_from
        .rsplit('@')
        .next()
        .unwrap_or("redress.invalid")
        .trim_end_matches('>');
    let mut message = Message::builder()
        .from(from)
        .to(to)
        .subject(row.subject.clone())
        .message_id(Some(format!("<{}@{}>", row.id, domain)))
        .body(row.body_text.clone())?;
    message.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".to_owned(),
    ));
    Ok(message)
}

/// Retry after 1, 2, 4, ... minutes, at most an hour.
fn backoff(attempts: i64) -> Duration {
    Duration::minutes(1i64 << attempts.clamp(0, 6)).min(Duration::hours(1))
}

/// Sends every due mail once; returns how many were sent.
pub async fn deliver_due(db: &Db, mailer: &Mailer, settings: &Settings) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let now = Utc::now();
        let mut tx = db.begin().await?;
        let row = outbox::claim_due(&mut tx, now, now + Duration::minutes(5)).await?;
        tx.commit().await?;
        let Some(row) = row else { return Ok(sent) };
        let result = match build_message(&row, settings) {
            Ok(message) => mailer.send(message).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(where_to) => {
                outbox::mark_sent(db, row.id, Utc::now()).await?;
                tracing::info!(id = %row.id, kind = %row.kind, to = %where_to, "mail sent");
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(id = %row.id, error = %e, "mail not sent; will retry");
                outbox::mark_failed(
                    db,
                    row.id,
                    &e.to_string(),
                    Utc::now() + backoff(row.attempts),
                )
                .await?;
            }
        }
    }
}

/// The background sender: polls the outbox (every process may run one; the
/// row lease keeps them from sending the same mail twice).
pub async fn run_sender(db: Db, settings: std::sync::Arc<Settings>, every: std::time::Duration) {
    let mailer = match Mailer::from_settings(&settings) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail sender not started");
            return;
        }
    };
    loop {
        if let Err(e) = deliver_due(&db, &mailer, &settings).await {
            tracing::warn!(error = %e, "outbox pass failed");
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(8));
        assert_eq!(backoff(50), Duration::hours(1));
    }
}
