//! Requests for information nobody answers: after 14 days the claimant is
//! reminded once; after 30 days the reviewer who asked is told. Each mail is
//! written with its mark in one transaction, so every process may run this
//! and nobody is written to twice.

use chrono::{DateTime, Duration, Utc};

use super::drafts::today_jst;
use super::mails;
use crate::db::Db;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::store::requests;

pub const REMIND_AFTER_DAYS: i64 = 14;
pub const TELL_REVIEWER_AFTER_DAYS: i64 = 30;

/// Sends what is due; returns (reminders, reviewers told).
#[tracing::instrument(skip_all)]
pub async fn remind_requests(
    db: &Db,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(usize, usize), AppError> {
    let due = requests::needing_reminder(db, now - Duration::days(REMIND_AFTER_DAYS)).await?;
    let reminded = follow_up(db, public_url, now, due, FollowUp::Remind).await?;
    let due =
        requests::needing_escalation(db, now - Duration::days(TELL_REVIEWER_AFTER_DAYS)).await?;
    let told = follow_up(db, public_url, now, due, FollowUp::TellReviewer).await?;
    if reminded + told > 0 {
        tracing::info!(reminded, told, "unanswered requests followed up");
    }
    Ok((reminded, told))
}

#[derive(Clone, Copy)]
enum FollowUp {
    Remind,
    TellReviewer,
}

/// Writes each due mail with its mark; returns how many went out.
async fn follow_up(
    db: &Db,
    public_url: &str,
    now: DateTime<Utc>,
    due: Vec<requests::DueRequest>,
    kind: FollowUp,
) -> Result<usize, AppError> {
    let mut sent = 0;
    for r in due {
        let lang = Lang::parse(&r.lang).unwrap_or_default();
        let asked_on = today_jst(r.created_at);
        let text = match kind {
            FollowUp::Remind => mails::request_reminder(lang, public_url, &r.reference, asked_on),
            FollowUp::TellReviewer => {
                mails::request_unanswered(lang, public_url, &r.reference, asked_on)
            }
        };
        let mut tx = db.begin().await?;
        let marked = match kind {
            FollowUp::Remind => requests::mark_reminded(&mut tx, r.id, now).await?,
            FollowUp::TellReviewer => requests::mark_escalated(&mut tx, r.id, now).await?,
        };
        if marked {
            mails::queue(&mut tx, &r.email, Some(r.claim_id), &text, now).await?;
            tx.commit().await?;
            sent += 1;
        }
    }
    Ok(sent)
}
