//! Requests for information nobody answers: after 14 days the claimant is
//! reminded once; after 30 days the reviewer who asked is told. Each mail is
//! written with its mark in one transaction, so every process may run this
//! and nobody is written to twice.

use chrono::{DateTime, Duration, Utc};

use super::drafts::today_jst;
use super::mails;
use crate::i18n::Lang;
use crate::server::db::Db;
use crate::server::error::AppError;
use crate::server::store::{outbox, requests};

pub const REMIND_AFTER_DAYS: i64 = 14;
pub const TELL_REVIEWER_AFTER_DAYS: i64 = 30;

/// Sends what is due; returns (reminders, reviewers told).
pub async fn remind_requests(
    db: &Db,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(usize, usize), AppError> {
    let mut reminded = 0;
    for r in requests::needing_reminder(db, now - Duration::days(REMIND_AFTER_DAYS)).await? {
        let lang = Lang::parse(&r.lang).unwrap_or_default();
        let text = mails::request_reminder(lang, public_url, &r.reference, today_jst(r.created_at));
        let mut tx = db.begin().await?;
        if requests::mark_reminded(&mut tx, r.id, now).await? {
            outbox::enqueue(
                &mut tx,
                &outbox::NewMail {
                    kind: "request_reminder",
                    to: &r.email,
                    subject: &text.subject,
                    body_text: &text.body,
                },
                now,
            )
            .await?;
            tx.commit().await?;
            reminded += 1;
        }
    }
    let mut told = 0;
    for r in
        requests::needing_escalation(db, now - Duration::days(TELL_REVIEWER_AFTER_DAYS)).await?
    {
        let lang = Lang::parse(&r.lang).unwrap_or_default();
        let text =
            mails::request_unanswered(lang, public_url, &r.reference, today_jst(r.created_at));
        let mut tx = db.begin().await?;
        if requests::mark_escalated(&mut tx, r.id, now).await? {
            outbox::enqueue(
                &mut tx,
                &outbox::NewMail {
                    kind: "request_unanswered",
                    to: &r.email,
                    subject: &text.subject,
                    body_text: &text.body,
                },
                now,
            )
            .await?;
            tx.commit().await?;
            told += 1;
        }
    }
    if reminded + told > 0 {
        tracing::info!(reminded, told, "unanswered requests followed up");
    }
    Ok((reminded, told))
}
