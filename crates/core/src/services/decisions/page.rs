//! What the case page needs to offer the decision steps (the workflow's own
//! answer for the viewing user).

use super::*;

/// Everything the case page needs to offer the decision steps.
pub struct Decision {
    pub claim: ClaimRow,
    pub checks: assessment::CaseChecks,
    /// (flag key, note, who) of acknowledged flags.
    pub acks: Vec<(String, String, String)>,
    pub lines: Vec<DecisionLine>,
    /// What the viewing user may do now (the workflow's own answer).
    pub allowed: Vec<Action>,
    pub approvals: usize,
    pub needs_two: bool,
    /// The rejection the assessment proposes: reason and explanation.
    pub rejection: Option<(String, String)>,
    pub events: Vec<decisions::EventRow>,
    pub notes: Vec<(chrono::DateTime<Utc>, String, String)>,
    /// This case's debits that other cases hold.
    pub held_elsewhere: Vec<reservations::HeldElsewhere>,
    /// The payout account's bank's check: (it is the claimant's, when).
    pub account_check: Option<(bool, chrono::DateTime<Utc>)>,
}

pub struct DecisionLine {
    pub table: LineTable,
    pub position: i64,
    pub claimed: i64,
    pub approved: Option<i64>,
    pub note: Option<String>,
    pub suggested: i64,
}

#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn decision(
    state: &Core,
    viewer: &CurrentUser,
    reference: &str,
) -> Result<Decision, AppError> {
    let claim = case(state, reference).await?;
    let checks = assessment::checks(&state.db, &claim).await?;
    let acks = decisions::acks(&state.db, claim.id).await?;
    let mut lines = Vec::new();
    for (table, position, claimed, approved, note) in
        decisions::all_amounts(&state.db, claim.id).await?
    {
        let suggested = match table {
            LineTable::Debit => &checks.suggested.debits,
            LineTable::Call => &checks.suggested.calls,
            LineTable::Travel => &checks.suggested.travel,
        };
        lines.push(DecisionLine {
            table,
            position,
            claimed,
            approved,
            note,
            suggested: suggested
                .iter()
                .find(|(p, _)| *p == position)
                .map(|(_, a)| *a)
                .unwrap_or(0),
        });
    }
    let events = decisions::events(&state.db, claim.id).await?;
    let (assessed, approved, approvals) = approvals_in(&events, viewer);
    // What `decisions::approved_total` sums, from the lines just read.
    let total: i64 = lines.iter().filter_map(|l| l.approved).sum();
    let needs_two = total > state.settings.second_approval_above;
    let rejection = decisions::rejection(&state.db, claim.id).await?;
    let facts = CaseFacts {
        actor_assessed: assessed,
        actor_approved: approved,
        first_of_two: needs_two && approvals == 0,
        rejection_proposed: rejection.is_some(),
        // The assessment form acknowledges flags itself: it is offered.
        flags_open: false,
        ..CaseFacts::default()
    };
    let allowed = crate::domain::workflow::allowed_actions(claim.state, viewer.role, &facts);
    Ok(Decision {
        held_elsewhere: reservations::held_elsewhere(&state.db, claim.id).await?,
        account_check: crate::store::bank_review::payout_account_check(&state.db, claim.id).await?,
        events,
        notes: decisions::notes(&state.db, claim.id).await?,
        claim,
        checks,
        acks,
        lines,
        allowed,
        approvals,
        needs_two,
        rejection,
    })
}
