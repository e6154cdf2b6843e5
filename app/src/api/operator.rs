//! The operator's reads: the case queue and a case.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::claimant::{ClaimDetail, ClaimSummary};

pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<ClaimSummary>,
    pub page: i64,
    pub total: i64,
}

impl QueuePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

#[cfg(feature = "ssr")]
const OPERATORS: [crate::domain::Role; 4] = [
    crate::domain::Role::Reviewer,
    crate::domain::Role::Approver,
    crate::domain::Role::Payments,
    crate::domain::Role::Admin,
];

/// Submitted claims, newest first, 50 a page.
#[server(endpoint = "operator_queue")]
pub async fn operator_queue(page: i64) -> Result<QueuePage, ApiError> {
    use super::{claimant::convert, ctx};
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let page = page.max(1);
    let (rows, total) = crate::server::store::claims::queue_page(
        &state.db,
        "submitted",
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await
    .map_err(|e| ctx::fail(e.into()))?;
    Ok(QueuePage {
        rows: rows.into_iter().map(convert::summary).collect(),
        page,
        total,
    })
}

/// A case as the operator sees it: account numbers masked.
#[server(endpoint = "operator_case")]
pub async fn operator_case(reference: String) -> Result<ClaimDetail, ApiError> {
    use super::{claimant::convert, ctx};
    use crate::server::services::claims::{Viewer, view};
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let (claim, lines) = view(&state.db, &reference, Viewer::Operator)
        .await
        .map_err(ctx::fail)?;
    let (calls, travel) = convert::expenses(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let mut detail = convert::detail(claim, lines, false, true);
    detail.calls = calls;
    detail.travel = travel;
    Ok(detail)
}

/// One automatic flag on a case, with what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    /// The flag's kind: an i18n key and the queue filter.
    pub kind: String,
    pub line: Option<i64>,
    pub amount: Option<i64>,
    pub month: Option<String>,
    /// Other claims it concerns.
    pub claims: Vec<String>,
}

/// The policy's view of a case: its flags and its SLA clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseChecksView {
    pub policy_version: i64,
    pub flags: Vec<FlagView>,
    /// Business days on the clock (waiting for the claimant not counted).
    pub sla_days: i64,
    /// `sla_on_track`, `sla_near` or `sla_past`.
    pub sla: String,
}

#[cfg(feature = "ssr")]
fn flag_view(flag: crate::domain::policy::Flag) -> FlagView {
    use crate::domain::policy::Flag as F;
    let mut v = FlagView {
        kind: flag.kind().to_owned(),
        line: None,
        amount: None,
        month: None,
        claims: Vec::new(),
    };
    match flag {
        F::OverChargeLimit { line, amount } => {
            v.line = Some(line);
            v.amount = Some(amount);
        }
        F::OverMonthlyLimit { month, total, .. } => {
            v.month = Some(month);
            v.amount = Some(total);
        }
        F::OutsideWindow { line } | F::NotConfirmed { line } => v.line = Some(line),
        F::ReceiptMissing { line, .. } => v.line = Some(line),
        F::CallsOverCap { line } | F::TravelOverCap { line } => v.line = line,
        F::CompensatedElsewhere { amount } => v.amount = Some(amount),
        F::SameAccountElsewhere { claims } | F::SameContactElsewhere { claims } => {
            v.claims = claims
        }
        F::SameDebitElsewhere { line, claims } => {
            v.line = Some(line);
            v.claims = claims;
        }
    }
    v
}

/// A case's flags against the policy and its SLA clock (operator staff).
#[server(endpoint = "operator_checks")]
pub async fn operator_checks(reference: String) -> Result<CaseChecksView, ApiError> {
    use super::ctx;
    use crate::server::AppError;
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let reference =
        crate::domain::CaseRef::parse(&reference).map_err(|_| ctx::fail(AppError::NotFound))?;
    let claim = crate::server::store::claims::by_reference(&state.db, &reference.to_string())
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .ok_or_else(|| ctx::fail(AppError::NotFound))?;
    let checks = crate::server::services::assessment::checks(&state.db, &claim)
        .await
        .map_err(ctx::fail)?;
    Ok(CaseChecksView {
        policy_version: checks.policy.version,
        flags: checks.flags.into_iter().map(flag_view).collect(),
        sla_days: checks.sla_days,
        sla: checks.sla.as_str().to_owned(),
    })
}
