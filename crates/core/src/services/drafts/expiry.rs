//! Drafts left untouched: a reminder before they expire, then removal.

use super::*;

/// Old drafts: a reminder mail 7 days before deletion, then deletion (with
/// their files) 90 days after the last change. Returns (reminded, deleted).
#[tracing::instrument(skip_all)]
pub async fn expire_drafts(
    db: &Db,
    files: &dyn crate::files::FileStore,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<(usize, usize), AppError> {
    let remind_before = now - Duration::days(DRAFT_DAYS - REMINDER_DAYS_BEFORE);
    let mut reminded = 0;
    for d in drafts::needing_reminder(db, remind_before).await? {
        let lang = Lang::parse(&d.lang).unwrap_or_default();
        let deleted_on = today_jst(d.updated_at + Duration::days(DRAFT_DAYS));
        let text = mails::draft_expiring(lang, public_url, deleted_on);
        let mut tx = db.begin().await?;
        if drafts::mark_reminded(&mut tx, d.id, d.updated_at, now).await? {
            mails::queue(&mut tx, &d.email, None, &text, now).await?;
            tx.commit().await?;
            reminded += 1;
        }
    }
    let mut deleted = 0;
    let expired = drafts::expired(
        db,
        now - Duration::days(DRAFT_DAYS),
        now - Duration::days(REMINDER_DAYS_BEFORE),
    )
    .await?;
    for id in expired {
        let mut tx = db.begin().await?;
        let names = evidence::delete_case(&mut tx, id).await?;
        if drafts::delete(&mut tx, id).await? {
            tx.commit().await?;
            for name in names {
                if let Err(e) = files.delete(&name).await {
                    tracing::warn!(error = %e, "could not delete an expired draft's file");
                }
            }
            deleted += 1;
        }
    }
    if reminded + deleted > 0 {
        tracing::info!(reminded, deleted, "draft expiry");
    }
    Ok((reminded, deleted))
}

/// Runs the draft expiry and the request reminders every `every` until the
/// process stops.
#[tracing::instrument(skip_all)]
pub async fn run_expiry(state: Core, every: std::time::Duration) {
    // The first round comes one period after start: a process that restarts
    // often does not repeat the work, and nothing races a fresh start.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        if let Err(e) = expire_drafts(
            &state.db,
            state.files.as_ref(),
            &state.settings.public_url,
            Utc::now(),
        )
        .await
        {
            tracing::warn!(error = %e, "draft expiry failed; will retry");
        }
        if let Err(e) = crate::services::reminders::remind_requests(
            &state.db,
            &state.settings.public_url,
            Utc::now(),
        )
        .await
        {
            tracing::warn!(error = %e, "request reminders failed; will retry");
        }
    }
}
