//! A case against the policy: its flags and its SLA clock, from what the
//! database holds, and the stored kinds of flag the queues filter on.

use crate::domain::money::Yen;
use chrono::Utc;
use uuid::Uuid;

use crate::db::Db;
use crate::domain::calendar::{SlaState, sla_elapsed, sla_start, sla_state};
use crate::domain::policy::{
    ClaimFacts, CostFacts, DebitFacts, Elsewhere, Flag, Policy, Suggested, flags, suggested_amounts,
};
use crate::error::AppError;
use crate::services::drafts::today_jst;
use crate::store::{assessment, claims, policies};

/// What the reviewer sees beside a case.
#[derive(Clone, Debug)]
pub struct CaseChecks {
    pub policy: Policy,
    pub flags: Vec<Flag>,
    /// The amounts an assessment starts from.
    pub suggested: Suggested,
    /// Business days on the clock, and where that stands against the target.
    pub sla_days: i64,
    pub sla: SlaState,
}

/// The policy a case is judged under: the one in force while it is being
/// reviewed, the one its assessment recorded after that.
#[tracing::instrument(skip_all)]
pub async fn policy_for(db: &Db, claim: &claims::ClaimRow) -> Result<Policy, AppError> {
    let reviewing = matches!(
        claim.state.as_str(),
        "submitted" | "bank_review" | "in_review" | "awaiting_claimant"
    );
    if let (false, Some(v)) = (reviewing, claim.policy_version)
        && let Some(p) = policies::by_version(db, v).await?
    {
        return Ok(p);
    }
    Ok(policies::current(db).await?)
}

#[tracing::instrument(skip_all)]
pub async fn checks(db: &Db, claim: &claims::ClaimRow) -> Result<CaseChecks, AppError> {
    let policy = policy_for(db, claim).await?;
    let facts = facts(db, claim).await?;
    let elsewhere = elsewhere(db, claim).await?;
    let sla_days = clock(db, claim.id, claim.submitted_at).await?;
    Ok(CaseChecks {
        flags: flags(&policy, &facts, &elsewhere),
        suggested: suggested_amounts(&policy, &facts),
        policy,
        sla_days,
        sla: sla_state(sla_days),
    })
}

/// Other claims sent from the claim's address on its day (in Japan), and
/// when there is exactly one, that one: the second claim from an address
/// flags the first once; later ones only raise the count, which each case
/// reads when its checks are computed (constant time, however many).
async fn same_address(
    db: &Db,
    claim: &claims::ClaimRow,
) -> Result<(i64, Option<String>), AppError> {
    let Some(ip) = claim.submit_ip.as_deref() else {
        return Ok((0, None));
    };
    let day = crate::domain::calendar::date_in_japan(claim.submitted_at);
    let others = (assessment::address_count(db, ip, day).await? - 1).max(0);
    let first = match others {
        1 => {
            let from = crate::domain::calendar::start_of_day_in_japan(day);
            let to = from + chrono::Duration::days(1);
            assessment::other_from_address(db, claim.id, ip, from, to).await?
        }
        _ => None,
    };
    Ok((others, first))
}

async fn elsewhere(db: &Db, claim: &claims::ClaimRow) -> Result<Elsewhere, AppError> {
    Ok(elsewhere_and_first_from_address(db, claim).await?.0)
}

/// [`elsewhere`], and the one other claim from the claim's address when
/// there is exactly one (its address read once for both).
async fn elsewhere_and_first_from_address(
    db: &Db,
    claim: &claims::ClaimRow,
) -> Result<(Elsewhere, Option<String>), AppError> {
    let (same_address, first_from_address) = same_address(db, claim).await?;
    let elsewhere = Elsewhere {
        same_account: assessment::same_account(db, claim.id).await?,
        same_debit: assessment::same_debit(db, claim.id).await?,
        same_contact: assessment::same_contact(db, claim).await?,
        same_address,
        confirmed_elsewhere: crate::store::bank_review::confirmed_elsewhere(db, claim.id, None)
            .await?
            .into_iter()
            .map(|c| (c.position, c.reference))
            .collect(),
    };
    Ok((elsewhere, first_from_address))
}

/// Computes a claim's flags again and stores their kinds (for the queue
/// filters). Returns the other claims it touches (same account, debit or
/// contact), whose flags a new claim changes too.
#[tracing::instrument(skip_all)]
pub async fn refresh_flags(db: &Db, claim: Uuid) -> Result<Vec<String>, AppError> {
    let mark = assessment::dirty_mark(db, claim).await?;
    let Some(row) = claims::by_id(db, claim).await? else {
        return Ok(Vec::new());
    };
    let policy = policy_for(db, &row).await?;
    let facts = facts(db, &row).await?;
    let (elsewhere, first_from_address) = elsewhere_and_first_from_address(db, &row).await?;
    let mut kinds: Vec<&str> = flags(&policy, &facts, &elsewhere)
        .iter()
        .map(Flag::kind)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut tx = db.begin().await?;
    assessment::save_flags(&mut tx, claim, &kinds, mark).await?;
    tx.commit().await?;
    let mut others: Vec<String> = elsewhere
        .same_account
        .into_iter()
        .chain(elsewhere.same_debit.into_iter().map(|(_, r)| r))
        .chain(elsewhere.confirmed_elsewhere.into_iter().map(|(_, r)| r))
        .chain(elsewhere.same_contact)
        .chain(first_from_address)
        .collect();
    others.sort();
    others.dedup();
    Ok(others)
}

/// After a new or changed claim: its flags, and those of the claims it
/// matches (they now have a neighbour). Failures are logged; the sweep
/// catches what is left dirty.
#[tracing::instrument(skip_all)]
pub async fn refresh_after_change(db: &Db, claim: Uuid) {
    let others = match refresh_flags(db, claim).await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %e, "flags not computed; the sweep will");
            return;
        }
    };
    for reference in others {
        let result = async {
            if let Some(other) = claims::by_reference(db, &reference).await? {
                refresh_flags(db, other.id).await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "flags not computed; the sweep will");
        }
    }
}

/// How long a sweep holds the claims it took (another process's sweep
/// takes them after that, if they are still dirty).
const SWEEP_LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// Computes the flags of up to `limit` dirty claims, taken for this sweep
/// alone (several processes sweep at once without computing a claim
/// twice); the claims it computed.
#[tracing::instrument(skip_all)]
pub async fn sweep(db: &Db, limit: i64) -> Result<Vec<Uuid>, AppError> {
    let now = chrono::Utc::now();
    let dirty = assessment::take_dirty(db, limit, now, now + SWEEP_LEASE).await?;
    for (id, _) in &dirty {
        refresh_flags(db, *id).await?;
    }
    Ok(dirty.into_iter().map(|(id, _)| id).collect())
}

/// Keeps the stored flags current: every few seconds, the dirty claims.
#[tracing::instrument(skip_all)]
pub async fn run_flag_sweep(db: Db, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        loop {
            match sweep(&db, 200).await {
                Ok(done) if done.len() == 200 => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "flag sweep failed");
                    break;
                }
            }
        }
    }
}

async fn facts(db: &Db, claim: &claims::ClaimRow) -> Result<ClaimFacts, AppError> {
    let cost = |r: assessment::CostFactRow| CostFacts {
        position: r.position,
        amount: r.amount.value(),
        has_receipt: r.receipt,
    };
    Ok(ClaimFacts {
        sent_on: today_jst(claim.submitted_at),
        debits: assessment::debits(db, claim.id)
            .await?
            .into_iter()
            .map(|d| DebitFacts {
                position: d.position,
                account: d.account,
                wallet: d.wallet_ref,
                date: d.debit_date,
                amount: d.amount.value(),
                bank_verdict: d.bank_verdict,
                confirmed_amount: d.confirmed_amount.map(Yen::value),
                bank_holder: d.bank_holder,
            })
            .collect(),
        calls: assessment::calls(db, claim.id)
            .await?
            .into_iter()
            .map(cost)
            .collect(),
        travel: assessment::travel(db, claim.id)
            .await?
            .into_iter()
            .map(cost)
            .collect(),
        compensated_elsewhere: assessment::compensated(db, claim.id)
            .await?
            .map_or(0, Yen::value),
        claimant_kana: claim.name_kana.clone(),
    })
}

/// Business days since the claim was sent, less the days spent waiting
/// for the claimant.
async fn clock(db: &Db, claim: Uuid, submitted: chrono::DateTime<Utc>) -> Result<i64, AppError> {
    Ok(clock_from(&waits(db, claim).await?, submitted))
}

async fn waits(db: &Db, claim: Uuid) -> Result<Vec<(chrono::DateTime<Utc>, bool)>, AppError> {
    Ok(crate::store::queue::waits(db, &[claim])
        .await?
        .into_iter()
        .map(|(_, at, into)| (at, into))
        .collect())
}

/// The day a case's clock counts from once the claimant answers today: the
/// day it was sent, moved on by the business days it waited.
#[tracing::instrument(skip_all)]
pub async fn sla_start_after_wait(
    db: &Db,
    claim: Uuid,
    submitted: chrono::DateTime<Utc>,
) -> Result<chrono::NaiveDate, AppError> {
    let paused = pauses(&waits(db, claim).await?);
    Ok(sla_start(
        today_jst(submitted),
        &paused,
        today_jst(Utc::now()),
    ))
}

/// The spans a case waited for the claimant, from its moves into (true) and
/// out of `awaiting_claimant`.
fn pauses(
    waits: &[(chrono::DateTime<Utc>, bool)],
) -> Vec<(chrono::NaiveDate, Option<chrono::NaiveDate>)> {
    let mut paused = Vec::new();
    let mut open = None;
    for (at, into) in waits {
        let day = today_jst(*at);
        match (*into, open) {
            (true, None) => open = Some(day),
            (false, Some(from)) => {
                paused.push((from, Some(day)));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        paused.push((from, None));
    }
    paused
}

/// The clock from a case's moves into (true) and out of `awaiting_claimant`.
pub fn clock_from(
    waits: &[(chrono::DateTime<Utc>, bool)],
    submitted: chrono::DateTime<Utc>,
) -> i64 {
    sla_elapsed(today_jst(submitted), &pauses(waits), today_jst(Utc::now()))
}
