//! The claimant's appeal of a rejection: once, within the appeal period.

use super::*;

/// The claimant appeals a rejection: once, within 30 days; the case goes
/// back to review.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %claimant.id))]
pub async fn appeal(
    state: &Core,
    claimant: &CurrentUser,
    reference: &str,
    appeal: Result<String, FieldErrors>,
) -> Result<(), AppError> {
    let claim = case(state, reference).await?;
    // Somebody else's case is not found, whatever the form says.
    if claim.claimant_id != claimant.id {
        return Err(AppError::NotFound);
    }
    let text = appeal.map_err(AppError::Invalid)?;
    let facts = appeal_facts(state, &claim).await?;
    let mut tx = state.db.begin().await?;
    cases::transition(
        &mut tx,
        cases::CaseAt::of(&claim, claim.version),
        &facts,
        &cases::Step::new(Action::Appeal, claimant).note(Some(&text)),
    )
    .await?;
    decisions::set_rejection(&mut tx, claim.id, None).await?;
    tx.commit().await?;
    Ok(())
}

/// What the appeal rule needs: an earlier appeal, the days since rejection.
#[tracing::instrument(skip_all)]
pub async fn appeal_facts(state: &Core, claim: &ClaimRow) -> Result<CaseFacts, AppError> {
    let events = decisions::events(&state.db, claim.id).await?;
    let rejected = events
        .iter()
        .rev()
        .find(|e| e.action == Action::Reject.as_str())
        .map(|e| e.at);
    let today = crate::domain::calendar::date_in_japan(Utc::now());
    Ok(CaseFacts {
        actor_is_claimant: true,
        appealed_before: events.iter().any(|e| e.action == Action::Appeal.as_str()),
        days_since_rejection: rejected
            .map(|at| (today - crate::domain::calendar::date_in_japan(at)).num_days())
            .unwrap_or(0),
        ..CaseFacts::default()
    })
}

/// The rejection as the claimant sees it: the reason, the explanation, the
/// last day to appeal, and whether they still may.
#[tracing::instrument(skip_all)]
pub async fn rejection_for_claimant(
    state: &Core,
    claim: &ClaimRow,
) -> Result<Option<(String, String, chrono::NaiveDate, bool)>, AppError> {
    if claim.state != CaseState::Rejected {
        return Ok(None);
    }
    let Some((reason, note)) = decisions::rejection(&state.db, claim.id).await? else {
        return Ok(None);
    };
    let facts = appeal_facts(state, claim).await?;
    let today = crate::domain::calendar::date_in_japan(Utc::now());
    let until = today - chrono::Duration::days(facts.days_since_rejection)
        + chrono::Duration::days(crate::domain::workflow::APPEAL_DAYS);
    let open = next_state(
        CaseState::Rejected,
        Action::Appeal,
        crate::domain::Role::Claimant,
        &facts,
    )
    .is_ok();
    Ok(Some((reason, note, until, open)))
}
