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

/// One line of the assessment form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountView {
    /// The form field of the approved amount (its reason: `{field}_note`).
    pub field: String,
    /// `line_debit`, `line_call` or `line_travel` (i18n keys).
    pub kind: String,
    pub position: i64,
    pub claimed: i64,
    /// The approved amount, or the policy's suggestion before assessment.
    pub value: i64,
    pub note: Option<String>,
}

/// A flag with its acknowledgement, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckView {
    pub field: String,
    pub kind: String,
    pub line: Option<i64>,
    /// (note, who) once acknowledged.
    pub ack: Option<(String, String)>,
}

/// One event of the history, as staff see it (with names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub at: String,
    pub who: Option<String>,
    pub action: String,
    pub to: String,
    pub note: Option<String>,
}

/// The decision steps of a case for the viewing staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionView {
    pub version: i64,
    pub state: String,
    pub amounts: Vec<AmountView>,
    pub total: i64,
    pub flags: Vec<AckView>,
    pub can_assess: bool,
    pub can_approve: bool,
    pub can_send_back: bool,
    pub can_reject: bool,
    /// The proposed rejection: (reason's i18n key, explanation).
    pub rejection: Option<(String, String)>,
    pub approvals: usize,
    pub needs_two: bool,
    pub history: Vec<HistoryView>,
    /// (when, who, text).
    pub notes: Vec<(String, String, String)>,
}

/// What a staff member may decide on a case now, and its history and notes.
#[server(endpoint = "operator_decision")]
pub async fn operator_decision(reference: String) -> Result<DecisionView, ApiError> {
    use super::claimant::convert::jst_time;
    use super::ctx;
    use crate::domain::workflow::Action;
    use crate::server::services::decisions::{ack_field, amount_field, decision};
    use crate::server::store::decisions::LineTable;
    let (state, user) = ctx::require(&OPERATORS).await?;
    let d = decision(&state, &user, &reference)
        .await
        .map_err(ctx::fail)?;
    let assessed = d.claim.state != "in_review";
    let amounts: Vec<AmountView> = d
        .lines
        .iter()
        .map(|l| AmountView {
            field: amount_field(l.table, l.position),
            kind: match l.table {
                LineTable::Debit => "line_debit",
                LineTable::Call => "line_call",
                LineTable::Travel => "line_travel",
            }
            .to_owned(),
            position: l.position,
            claimed: l.claimed,
            value: if assessed {
                l.approved.unwrap_or(l.suggested)
            } else {
                l.suggested
            },
            note: l.note.clone(),
        })
        .collect();
    Ok(DecisionView {
        version: d.claim.version,
        state: d.claim.state.clone(),
        total: amounts.iter().map(|a| a.value).sum(),
        amounts,
        flags: d
            .checks
            .flags
            .iter()
            .map(|f| {
                let key = f.key();
                let view = flag_view(f.clone());
                AckView {
                    field: ack_field(&key),
                    kind: view.kind,
                    line: view.line,
                    ack: d
                        .acks
                        .iter()
                        .find(|(k, _, _)| *k == key)
                        .map(|(_, note, who)| (note.clone(), who.clone())),
                }
            })
            .collect(),
        can_assess: d.allowed.contains(&Action::Assess),
        can_approve: d.allowed.contains(&Action::Approve),
        can_send_back: d.allowed.contains(&Action::SendBack),
        can_reject: d.allowed.contains(&Action::Reject),
        rejection: d
            .rejection
            .clone()
            .map(|(r, n)| (format!("reject_reason_{r}"), n)),
        approvals: d.approvals,
        needs_two: d.needs_two,
        history: d
            .events
            .iter()
            .map(|e| HistoryView {
                at: jst_time(e.at),
                who: e.actor_email.clone(),
                action: format!("action_{}", e.action),
                to: e.to_state.clone(),
                note: e.note.clone(),
            })
            .collect(),
        notes: d
            .notes
            .iter()
            .map(|(at, who, body)| (jst_time(*at), who.clone(), body.clone()))
            .collect(),
    })
}
