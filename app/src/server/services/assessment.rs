//! A case against the policy: its flags and its SLA clock, from what the
//! database holds. (The policy is the first version until admins edit it.)

use chrono::Utc;
use uuid::Uuid;

use crate::domain::calendar::{SlaState, sla_elapsed, sla_state};
use crate::domain::policy::{
    ClaimFacts, CostFacts, DebitFacts, Elsewhere, Flag, Policy, Suggested, flags, suggested_amounts,
};
use crate::server::db::Db;
use crate::server::error::AppError;
use crate::server::services::drafts::today_jst;
use crate::server::store::{assessment, claims};

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

pub async fn checks(db: &Db, claim: &claims::ClaimRow) -> Result<CaseChecks, AppError> {
    let policy = Policy::default();
    let facts = facts(db, claim).await?;
    let elsewhere = Elsewhere {
        same_account: assessment::same_account(db, claim.id).await?,
        same_debit: assessment::same_debit(db, claim.id).await?,
        same_contact: assessment::same_contact(
            db,
            claim.id,
            claim.claimant_id,
            &claim.phone,
            claim.submitted_at,
        )
        .await?,
    };
    let sla_days = clock(db, claim.id, claim.submitted_at).await?;
    Ok(CaseChecks {
        flags: flags(&policy, &facts, &elsewhere),
        suggested: suggested_amounts(&policy, &facts),
        policy,
        sla_days,
        sla: sla_state(sla_days),
    })
}

async fn facts(db: &Db, claim: &claims::ClaimRow) -> Result<ClaimFacts, AppError> {
    let cost = |r: assessment::CostFactRow| CostFacts {
        position: r.position,
        amount: r.amount,
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
                amount: d.amount,
                bank_verdict: d.bank_verdict,
                confirmed_amount: d.confirmed_amount,
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
        compensated_elsewhere: assessment::compensated(db, claim.id).await?.unwrap_or(0),
    })
}

/// Business days since the claim was sent, less the days spent waiting
/// for the claimant.
async fn clock(db: &Db, claim: Uuid, submitted: chrono::DateTime<Utc>) -> Result<i64, AppError> {
    let waits: Vec<_> = crate::server::store::queue::waits(db, &[claim])
        .await?
        .into_iter()
        .map(|(_, at, into)| (at, into))
        .collect();
    Ok(clock_from(&waits, submitted))
}

/// The clock from a case's moves into (true) and out of `awaiting_claimant`.
pub fn clock_from(
    waits: &[(chrono::DateTime<Utc>, bool)],
    submitted: chrono::DateTime<Utc>,
) -> i64 {
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
    sla_elapsed(today_jst(submitted), &paused, today_jst(Utc::now()))
}
