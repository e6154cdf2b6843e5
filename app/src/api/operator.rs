//! The operator's reads: the case queue and a case.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::claimant::ClaimDetail;

pub const PAGE_SIZE: i64 = 50;

/// One case in a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub reference: String,
    pub state: String,
    pub full_name: String,
    pub total: i64,
    pub submitted_on: String,
    pub assignee: Option<String>,
    /// Business days on the clock and where that stands (`sla_...`).
    pub sla_days: i64,
    pub sla: String,
    /// The kinds of flag it raises (`flag_...`).
    pub flags: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueEntry>,
    pub page: i64,
    pub total: i64,
    /// More cases than `total` match (a filtered queue is counted only so
    /// far past the page).
    pub more: bool,
    /// (state, cases) for every queue.
    pub counts: Vec<(String, i64)>,
    /// Filters that could not be read (ignored), as field errors.
    pub errors: crate::domain::FieldErrors,
}

impl QueuePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE + i64::from(self.more)).max(1)
    }
}

/// What a queue page asks for (every field may be left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseQuery {
    pub state: Option<String>,
    pub bank: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub age: Option<String>,
    pub assignee: Option<String>,
    pub q: Option<String>,
    /// A kind of flag (`flag_...`): only cases raising it.
    pub flag: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
}

/// The queues staff work, in the order of the workflow.
pub const QUEUES: [&str; 12] = [
    "submitted",
    "bank_review",
    "in_review",
    "awaiting_claimant",
    "assessed",
    "approved",
    "payout_scheduled",
    "paid",
    "payout_failed",
    "rejected",
    "withdrawn",
    "closed_duplicate",
];

#[cfg(feature = "ssr")]
pub const OPERATORS: [crate::domain::Role; 4] = [
    crate::domain::Role::Reviewer,
    crate::domain::Role::Approver,
    crate::domain::Role::Payments,
    crate::domain::Role::Admin,
];

#[cfg(feature = "ssr")]
mod filter;
#[cfg(feature = "ssr")]
pub use filter::queue_filter;

/// A queue: the cases in one state, filtered (bank, amount range, age in
/// days, assignee: `me`, `none` or anyone), searched (reference, name,
/// account number), sorted (`newest` by default, `oldest` for the SLA,
/// `largest`), 50 a page, with
/// the count of every queue. Bad filter values are a 422 with the fields.
#[server(endpoint = "operator_queue")]
pub async fn operator_queue(query: CaseQuery) -> Result<QueuePage, ApiError> {
    use super::{claimant::convert, ctx};
    use crate::server::store::queue;
    let (app, user) = ctx::require(&OPERATORS).await?;
    let page = query.page.unwrap_or(1).max(1);
    let (filter, errors) = queue_filter(query, &user);
    // Bad filters are ignored and named beside their fields, with a 422.
    if !errors.is_empty()
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>()
    {
        res.set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let counts = queue::counts(&app.db).await.map_err(fail)?;
    let (rows, total, more) = queue::page(&app.db, &filter, Some(&counts))
        .await
        .map_err(fail)?;
    let ids: Vec<uuid::Uuid> = rows.iter().map(|r| r.id).collect();
    let waits = queue::waits(&app.db, &ids).await.map_err(fail)?;
    let flags = queue::flags_of(&app.db, &ids).await.map_err(fail)?;
    Ok(QueuePage {
        rows: rows
            .into_iter()
            .map(|r| {
                let mine: Vec<_> = waits
                    .iter()
                    .filter(|(id, _, _)| *id == r.id)
                    .map(|(_, at, into)| (*at, *into))
                    .collect();
                let days = crate::server::services::assessment::clock_from(&mine, r.submitted_at);
                QueueEntry {
                    sla: crate::domain::calendar::sla_state(days).as_str().to_owned(),
                    sla_days: days,
                    reference: r.reference,
                    state: r.state,
                    full_name: r.full_name,
                    total: r.total_claimed.value(),
                    submitted_on: convert::jst_date(r.submitted_at),
                    flags: flags
                        .iter()
                        .filter(|(id, _)| *id == r.id)
                        .map(|(_, k)| k.clone())
                        .collect(),
                    assignee: r.assignee,
                }
            })
            .collect(),
        page,
        total,
        more,
        counts,
        errors,
    })
}

/// A case as the operator sees it: account numbers masked.
#[server(endpoint = "operator_case")]
pub async fn operator_case(reference: String) -> Result<ClaimDetail, ApiError> {
    use super::{claimant::convert, ctx};
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let (claim, answers, lines) =
        crate::server::services::claims::view_for_operator(&state.db, &reference)
            .await
            .map_err(ctx::fail)?;
    let (calls, travel) = convert::expenses(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let files = crate::server::store::evidence::files_with_lines(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let line_ids: Vec<(uuid::Uuid, i64)> = lines.iter().map(|l| (l.id, l.position)).collect();
    let detail_id = claim.id;
    let mut detail = convert::detail(claim, lines, false, true);
    detail.calls = calls;
    detail.travel = travel;
    let requests = crate::server::store::requests::for_claim(&state.db, detail_id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    detail.facts = convert::facts(&answers);
    detail.files = convert::files(files, &line_ids);
    detail.requests = convert::requests(requests, &detail.files);
    Ok(detail)
}

/// One automatic flag on a case, with what it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    /// The flag's kind: an i18n key and the queue filter.
    pub kind: String,
    pub line: Option<i64>,
    pub amount: Option<i64>,
    /// How many (other claims from the same address).
    pub count: Option<i64>,
    pub month: Option<String>,
    /// The account holder's name the bank confirmed (when it differs).
    pub holder: Option<String>,
    /// Other claims it concerns (the first [`FLAG_CLAIMS_SHOWN`]).
    pub claims: Vec<String>,
    /// How many more it concerns.
    pub more: usize,
}

/// How many related claims a flag names on a case page (the rest counted).
pub const FLAG_CLAIMS_SHOWN: usize = 20;

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
        count: None,
        month: None,
        holder: None,
        claims: Vec::new(),
        more: 0,
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
        F::HolderDiffers { line, holder } => {
            v.line = Some(line);
            v.holder = Some(holder);
        }
        F::CallsOverCap { line } | F::TravelOverCap { line } => v.line = line,
        F::CompensatedElsewhere { amount } => v.amount = Some(amount),
        F::SameAddress { count } => v.count = Some(count),
        F::SameAccountElsewhere { claims } | F::SameContactElsewhere { claims } => {
            v.claims = claims
        }
        F::SameDebitElsewhere { line, claims } | F::ConfirmedElsewhere { line, claims } => {
            v.line = Some(line);
            v.claims = claims;
        }
    }
    if v.claims.len() > FLAG_CLAIMS_SHOWN {
        v.more = v.claims.len() - FLAG_CLAIMS_SHOWN;
        v.claims.truncate(FLAG_CLAIMS_SHOWN);
    }
    v
}

/// A case's flags against the policy and its SLA clock, as its page shows
/// them.
#[cfg(feature = "ssr")]
fn checks_view(checks: &crate::server::services::assessment::CaseChecks) -> CaseChecksView {
    CaseChecksView {
        policy_version: checks.policy.version,
        flags: checks.flags.iter().cloned().map(flag_view).collect(),
        sla_days: checks.sla_days,
        sla: checks.sla.as_str().to_owned(),
    }
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
    pub can_close_duplicate: bool,
    pub can_reopen: bool,
    /// The proposed rejection: (reason's i18n key, explanation).
    pub rejection: Option<(String, String)>,
    pub approvals: usize,
    pub needs_two: bool,
    /// Who works on the case, and what the viewer may do about it.
    pub assignee: Option<String>,
    pub can_take: bool,
    pub can_release: bool,
    pub can_reassign: bool,
    pub history: Vec<HistoryView>,
    /// (when, who, text).
    pub notes: Vec<(String, String, String)>,
    /// The mails about the case, newest first.
    pub mails: Vec<super::mail::MailView>,
    /// (line, other case, its state's i18n key) for each debit of this case
    /// that another case holds (approved, scheduled or paid there).
    pub held_elsewhere: Vec<(i64, String, String)>,
    /// The payout account's bank's check: (it is the claimant's, when, JST);
    /// without a "yes", an approval needs a reason.
    pub account_check: Option<(bool, String)>,
    /// The case's flags and SLA clock (read once with the rest).
    pub checks: CaseChecksView,
}

/// The amounts of a case's lines as the decision form shows them: the
/// suggestion until the case is assessed, the approved amount after.
#[cfg(feature = "ssr")]
fn amount_views(
    d: &crate::server::services::decisions::Decision,
    assessed: bool,
) -> Vec<AmountView> {
    use crate::domain::decision::amount_field;
    use crate::server::store::decisions::LineTable;
    d.lines
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
        .collect()
}

/// A case's flags with their acknowledgements (note, who).
#[cfg(feature = "ssr")]
fn ack_views(d: &crate::server::services::decisions::Decision) -> Vec<AckView> {
    use crate::domain::decision::ack_field;
    d.checks
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
        .collect()
}

/// What a staff member may decide on a case now, and its history and notes.
#[server(endpoint = "operator_decision")]
pub async fn operator_decision(reference: String) -> Result<DecisionView, ApiError> {
    use super::claimant::convert::jst_time;
    use super::ctx;
    use crate::domain::workflow::{Action, Assignment};
    use crate::server::services::decisions::decision;
    let (state, user) = ctx::require(&OPERATORS).await?;
    let d = decision(&state, &user, &reference)
        .await
        .map_err(ctx::fail)?;
    let assessed = d.claim.state != crate::domain::workflow::CaseState::InReview;
    let assignee = crate::server::store::queue::assignee(&state.db, d.claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let mails = crate::server::store::outbox::for_claim(&state.db, d.claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let mine = assignee.as_ref().map(|(id, _)| *id == user.id);
    let amounts = amount_views(&d, assessed);
    Ok(DecisionView {
        version: d.claim.version,
        state: d.claim.state.as_str().to_owned(),
        total: amounts.iter().map(|a| a.value).sum(),
        amounts,
        flags: ack_views(&d),
        can_assess: d.allowed.contains(&Action::Assess),
        can_approve: d.allowed.contains(&Action::Approve),
        can_send_back: d.allowed.contains(&Action::SendBack),
        can_reject: d.allowed.contains(&Action::Reject),
        can_close_duplicate: d.allowed.contains(&Action::CloseDuplicate),
        can_reopen: d.allowed.contains(&Action::Reopen),
        rejection: d
            .rejection
            .clone()
            .map(|(r, n)| (format!("reject_reason_{r}"), n)),
        approvals: d.approvals,
        needs_two: d.needs_two,
        can_take: Assignment::Take.allowed(user.role, mine),
        can_release: Assignment::Release.allowed(user.role, mine),
        can_reassign: Assignment::To.allowed(user.role, mine),
        assignee: assignee.map(|(_, email)| email),
        history: d
            .events
            .iter()
            .map(|e| HistoryView {
                at: super::claimant::convert::jst_time(e.at),
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
        mails: mails.iter().map(super::mail::mail_view).collect(),
        account_check: d.account_check.map(|(m, at)| (m, jst_time(at))),
        checks: checks_view(&d.checks),
        held_elsewhere: d
            .held_elsewhere
            .iter()
            .map(|h| {
                (
                    h.position,
                    h.reference.clone(),
                    format!("state_{}", h.state),
                )
            })
            .collect(),
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::domain::policy::Flag;

    #[test]
    fn a_flag_names_twenty_related_claims_and_counts_the_rest() {
        let refs = |n: usize| (1..=n).map(|i| format!("RD-{i:06}")).collect::<Vec<_>>();
        let v = flag_view(Flag::SameContactElsewhere { claims: refs(25) });
        assert_eq!(v.claims, refs(20));
        assert_eq!(v.more, 5);
        let v = flag_view(Flag::SameDebitElsewhere {
            line: 2,
            claims: refs(20),
        });
        assert_eq!((v.claims.len(), v.more, v.line), (20, 0, Some(2)));
    }
}
