//! Deciding a case: the reviewer's assessment (an approved amount per line,
//! a reason where it differs from the claim, every flag acknowledged), the
//! approver's approval (never by the assessor; two approvers above the
//! configured amount) or sending it back, and internal notes. Each step is
//! one transaction: compare-and-set on the case's state and version, the
//! event row, and the writes it carries.

use chrono::Utc;

use super::{assessment, cases, mails};
use crate::auth::CurrentUser;
use crate::domain::answers::parse_text;
use crate::domain::decision::{
    ASSIGNEE_FIELD, Approval, Assessment, Assign, CloseDuplicate, DUPLICATE_OF_FIELD, Outcome,
};
use crate::domain::workflow::{
    APPEAL_DAYS, Action, CaseFacts, CaseState, REJECTION_REASONS, next_state,
};
use crate::domain::{CaseRef, FieldErrors};
use crate::error::AppError;
use crate::state::Core;
use crate::store::claims::{self, ClaimRow};
use crate::store::decisions::{self, LineTable};
use crate::store::reservations;

async fn case(state: &Core, reference: &str) -> Result<ClaimRow, AppError> {
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)
}

/// An approver's step on an assessed case, as a typed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decide {
    Approve(Approval),
    SendBack { reason: String },
    Reject,
}

impl Decide {
    pub fn action(&self) -> Action {
        match self {
            Decide::Approve(_) => Action::Approve,
            Decide::SendBack { .. } => Action::SendBack,
            Decide::Reject => Action::Reject,
        }
    }
}

use crate::domain::decision::{ack_field, amount_field};

mod appeal;
mod assess;
mod closing;
mod decide;
mod page;

pub use appeal::{appeal, appeal_facts, rejection_for_claimant};
pub use assess::assess;
pub use closing::{close_duplicate, reopen};
pub use decide::{ACCOUNT_OVERRIDE, decide};
pub use page::{Decision, DecisionLine, decision};

/// Who did what on a case so far, for the four-eyes rule: whether `actor`
/// assessed it (ever), approved the current assessment, and how many
/// approvals the current assessment has.
async fn approvals(
    state: &Core,
    claim: &ClaimRow,
    actor: &CurrentUser,
) -> Result<(bool, bool, usize), AppError> {
    let events = decisions::events(&state.db, claim.id).await?;
    Ok(approvals_in(&events, actor))
}

/// (`actor` assessed the case, `actor` approved its current assessment, how
/// many approvals that assessment has) from the case's history.
fn approvals_in(events: &[decisions::EventRow], actor: &CurrentUser) -> (bool, bool, usize) {
    let assessed = events
        .iter()
        .any(|e| e.action == Action::Assess.as_str() && e.actor_id == Some(actor.id));
    let since = events
        .iter()
        .rposition(|e| e.action == Action::Assess.as_str())
        .map(|i| i + 1)
        .unwrap_or(events.len());
    let current: Vec<_> = events[since..]
        .iter()
        .filter(|e| e.action == Action::Approve.as_str())
        .collect();
    let approved = current.iter().any(|e| e.actor_id == Some(actor.id));
    (assessed, approved, current.len())
}

/// The claimant's address and language, to write a mail about the case.
async fn claimant_of(
    state: &Core,
    claim: &ClaimRow,
) -> Result<(String, crate::i18n::Lang), AppError> {
    let (email, lang) = claims::claimant_contact(&state.db, claim.id).await?;
    Ok((
        email,
        crate::i18n::Lang::parse(&lang).unwrap_or(crate::i18n::Lang::Ja),
    ))
}

/// An internal note on a case (staff only; never shown outside).
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn add_note(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    body: String,
) -> Result<(), AppError> {
    let claim = case(state, reference).await?;
    let mut tx = state.db.begin().await?;
    decisions::insert_note(&mut tx, claim.id, staff.id, &body, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a case (reviewer or admin, when nobody has it), releases it (its
/// assignee, or an admin), or assigns it to a reviewer (admin): the rule is
/// `Assignment::allowed`, the one the page asks; the update's condition
/// settles a race with another assignment.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn assign(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    assign: Assign,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::domain::workflow::Assignment;
    use crate::store::{queue, users};
    let claim = case(state, reference).await?;
    let what = assign.what;
    let assignee = queue::assignee(&state.db, claim.id).await?;
    if ![None, Some(true), Some(false)]
        .into_iter()
        .any(|a| what.allowed(staff.role, a))
    {
        return Err(AppError::Forbidden);
    }
    if !what.allowed(staff.role, assignee.as_ref().map(|(id, _)| *id == staff.id)) {
        return Err(AppError::Conflict("assignment_changed"));
    }
    let mut note = None;
    let mut tx = state.db.begin().await?;
    let done = match what {
        Assignment::Take => queue::assign(&mut tx, claim.id, Some(staff.id), Some(None)).await?,
        Assignment::Release if staff.role == Role::Admin => {
            queue::assign(&mut tx, claim.id, None, None).await?
        }
        Assignment::Release => queue::assign(&mut tx, claim.id, None, Some(Some(staff.id))).await?,
        Assignment::To => {
            let target = users::by_email(&state.db, &assign.assignee_email)
                .await?
                .filter(|u| u.role == Role::Reviewer.as_str() || u.role == Role::Admin.as_str())
                .ok_or_else(|| AppError::field(ASSIGNEE_FIELD, "assignee_not_reviewer"))?;
            note = Some(target.email);
            queue::assign(&mut tx, claim.id, Some(target.id), None).await?
        }
    };
    if !done {
        return Err(AppError::Conflict("assignment_changed"));
    }
    // The history says who worked on the case, and who handed it on.
    cases::record(
        &mut tx,
        claim.id,
        claim.state,
        cases::Kept::Assignment(what),
        staff.into(),
        note.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A case's history as CSV: every event with who, when, the states and the
/// note (through the one CSV writer, which neutralises formulas).
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn history_csv(state: &Core, reference: &str) -> Result<Vec<u8>, AppError> {
    let claim = case(state, reference).await?;
    let events = decisions::events(&state.db, claim.id).await?;
    let header = ["reference", "at", "actor", "from", "to", "action", "note"].map(String::from);
    let rows = events.into_iter().map(|e| {
        [
            claim.reference.clone(),
            e.at.to_rfc3339(),
            e.actor_email.unwrap_or_default(),
            e.from_state.unwrap_or_default(),
            e.to_state,
            e.action,
            e.note.unwrap_or_default(),
        ]
    });
    crate::csv::csv_with_bom(std::iter::once(header).chain(rows))
}
