//! Notices: the claimant told when every bank has answered (written in the
//! transaction of the last answer, never derived later from the case's
//! state, which may have moved on), the bank told an import has finished,
//! and the daily digests for banks and operator staff. Each mail is written
//! in one transaction with the mark that it was written, so it is written
//! once however many processes run.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use uuid::Uuid;

use super::drafts::today_jst;
use super::mails::{self, BankDigest, ImportCounts, QueueCount};
use crate::db::{Db, Tx};
use crate::domain::calendar::{SLA_TARGET_DAYS, business_days_between, is_business_day};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::{banks, notifications as store};

/// Digests go out once a day, from this hour (JST) on.
pub const DIGEST_HOUR_JST: u32 = 8;

/// Tells the claimants of `claims` every bank has answered, inside `tx`:
/// the transaction of the last answer, which moves the cases to review
/// (one claim by hand, many in a bank's list). Each claim is marked first,
/// so its mail is written once however the answers arrive; a case moved on
/// at once (assessed, approved) has already been told.
#[tracing::instrument(skip_all)]
pub async fn tell_bank_checked(
    tx: &mut Tx,
    public_url: &str,
    claims: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let told = store::mark_bank_checked(tx, claims, now).await?;
    let texts: Vec<_> = told
        .iter()
        .map(|(_, reference, _, lang)| {
            let lang = Lang::parse(lang).unwrap_or_default();
            mails::bank_checked(lang, public_url, reference)
        })
        .collect();
    let mails: Vec<_> = told
        .iter()
        .zip(&texts)
        .map(|((claim, _, email, _), text)| mails::new_mail(email, Some(*claim), text))
        .collect();
    crate::store::outbox::enqueue_many(tx, &mails, now).await
}

/// The latest day a case's clock may have started on and be past its target today.
pub fn late_start(today: NaiveDate) -> NaiveDate {
    let mut day = today;
    while business_days_between(day, today) <= SLA_TARGET_DAYS {
        day -= Duration::days(1);
    }
    day
}

/// The start of the fifth business day before `today` (lines sent before it
/// are overdue for the bank).
fn five_business_days_before(today: NaiveDate) -> NaiveDate {
    let mut day = today;
    let mut n = 0;
    while n < 5 {
        day -= Duration::days(1);
        if is_business_day(day) {
            n += 1;
        }
    }
    day
}

use crate::domain::calendar::start_of_day_in_japan as jst_midnight;

/// Writes today's digests not yet written (from `DIGEST_HOUR_JST` on):
/// one per participating bank to the bank's chosen recipients, and one to
/// each operator staff member. Returns how many mails were written.
#[tracing::instrument(skip_all)]
pub async fn digests(db: &Db, public_url: &str, now: DateTime<Utc>) -> Result<usize, AppError> {
    if now.with_timezone(&crate::domain::calendar::jst()).hour() < DIGEST_HOUR_JST {
        return Ok(0);
    }
    let today = today_jst(now);
    let day = today.format("%Y-%m-%d").to_string();
    let mut written = 0;
    for bank in banks::participating(db).await? {
        if store::digest_written(db, "bank", &bank.code, today).await? {
            continue;
        }
        let (open, new, overdue) = store::bank_waiting(
            db,
            &bank.code,
            now - Duration::hours(24),
            jst_midnight(five_business_days_before(today)),
        )
        .await?;
        let recipients = banks::notify_recipients(db, &bank.code).await?;
        let digest = BankDigest {
            bank: bank.name.clone(),
            day: day.clone(),
            new_lines: new,
            open_lines: open,
            overdue_lines: overdue,
        };
        let mut tx = db.begin().await?;
        if store::claim_digest(&mut tx, "bank", &bank.code, today, now).await? {
            for (email, lang) in &recipients {
                let lang = Lang::parse(lang).unwrap_or_default();
                let text = mails::bank_digest(lang, public_url, &digest);
                mails::queue(&mut tx, email, None, &text, now).await?;
                written += 1;
            }
            tx.commit().await?;
        }
    }
    if !store::digest_written(db, "operator", "all", today).await? {
        let counts = store::queue_counts(db, late_start(today)).await?;
        let recipients = store::operator_recipients(db).await?;
        let mut tx = db.begin().await?;
        if store::claim_digest(&mut tx, "operator", "all", today, now).await? {
            for (email, lang) in &recipients {
                let lang = Lang::parse(lang).unwrap_or_default();
                let queues: Vec<QueueCount> = QUEUE_ORDER
                    .iter()
                    .map(|state| {
                        let (count, past_sla) = counts
                            .iter()
                            .find(|(s, _, _)| s == state)
                            .map(|(_, n, late)| (*n, *late))
                            .unwrap_or((0, 0));
                        QueueCount {
                            name: lang.t(&format!("state_{state}")),
                            count,
                            past_sla,
                        }
                    })
                    .collect();
                let text = mails::operator_digest(lang, public_url, today, &queues);
                mails::queue(&mut tx, email, None, &text, now).await?;
                written += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(written)
}

const QUEUE_ORDER: [&str; 8] = [
    "submitted",
    "bank_review",
    "in_review",
    "awaiting_claimant",
    "assessed",
    "approved",
    "payout_scheduled",
    "payout_failed",
];

/// The bank is told an import of its list has finished, in the import's
/// last transaction.
#[tracing::instrument(skip_all)]
pub async fn import_finished(
    tx: &mut Tx,
    public_url: &str,
    recipients: &[(String, String)],
    counts: &ImportCounts,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for (email, lang) in recipients {
        let lang = Lang::parse(lang).unwrap_or_default();
        let text = mails::import_finished(lang, public_url, counts);
        mails::queue(tx, email, None, &text, now).await?;
    }
    Ok(())
}

/// An admin asks for a failed or waiting mail to be tried at once.
#[tracing::instrument(skip_all, fields(user = %admin.id))]
pub async fn retry_mail(
    state: &Core,
    admin: &crate::auth::CurrentUser,
    id: &str,
) -> Result<(), AppError> {
    let id = uuid::Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    if !crate::store::outbox::retry_now(&mut tx, id, Utc::now()).await? {
        return Err(AppError::Conflict("mail_not_retryable"));
    }
    tx.commit().await?;
    tracing::info!(mail = %id, admin = %admin.id, "mail retried by an admin");
    Ok(())
}

/// Writes the daily digests due, every `every` (every process may run this).
#[tracing::instrument(skip_all)]
pub async fn run(state: Core, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        let now = Utc::now();
        let url = &state.settings.public_url;
        // (The claimant's "the bank has checked" mail is not here: it is
        // written with the last bank answer, see `tell_bank_checked`.)
        if let Err(e) = digests(&state.db, url, now).await {
            tracing::warn!(error = ?e, "daily digests failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_sla_and_overdue_cut_offs_count_business_days() {
        // Thursday 2026-11-26: ten business days back passes 23 Nov (Labour
        // Thanksgiving, a Monday) and two weekends.
        let today = day(2026, 11, 26);
        let late = late_start(today);
        assert!(business_days_between(late, today) > SLA_TARGET_DAYS);
        assert!(business_days_between(late + Duration::days(1), today) <= SLA_TARGET_DAYS);
        assert_eq!(five_business_days_before(today), day(2026, 11, 18));
        assert_eq!(
            jst_midnight(today).to_rfc3339(),
            "2026-11-25T15:00:00+00:00"
        );
    }
}
