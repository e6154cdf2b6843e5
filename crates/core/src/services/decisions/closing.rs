//! A case leaves the money's path: closed as a duplicate of another case, or
//! an approval taken back before any money moved; its debits are released
//! and its claimant is told, in the same transaction.

use super::*;
use crate::domain::money::Yen;

/// A reviewer closes a case as a duplicate of another case (named, with an
/// optional note): the case holds no debit afterwards and its claimant is
/// told, in the same transaction.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn close_duplicate(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    version: i64,
    close: CloseDuplicate,
) -> Result<(), AppError> {
    let claim = case(state, reference).await?;
    let other = claims::by_reference(&state.db, &close.duplicate_of.to_string())
        .await?
        .filter(|o| o.id != claim.id)
        .ok_or_else(|| AppError::field(DUPLICATE_OF_FIELD, "duplicate_of_unknown"))?;
    let note = close.note;
    cases::next(
        claim.state,
        &cases::Step::new(Action::CloseDuplicate, staff),
        &CaseFacts::default(),
    )?;
    let (email, lang) = claimant_of(state, &claim).await?;
    let text = mails::closed_duplicate(lang, &state.settings.public_url, &claim.reference);
    let why = match &note {
        Some(n) => format!("{}: {n}", other.reference),
        None => other.reference.clone(),
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    step_releasing(
        &mut tx,
        &claim,
        version,
        staff,
        Action::CloseDuplicate,
        &why,
        (&email, &text),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(reference, duplicate_of = %other.reference, "case closed as a duplicate");
    Ok(())
}

/// An approver takes an approval back before any money moved (the case is
/// approved, or its transfer failed and will not be retried), with a
/// reason: the case's debits are released (another case may then hold
/// them), what the ledger owes is revoked, the claimant is told, and the
/// case is reviewed again. All in one transaction.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn reopen(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    version: i64,
    reason: String,
) -> Result<(), AppError> {
    let claim = case(state, reference).await?;
    cases::next(
        claim.state,
        &cases::Step::new(Action::Reopen, staff),
        &CaseFacts::default(),
    )?;
    let (email, lang) = claimant_of(state, &claim).await?;
    let text = mails::reopened(lang, &state.settings.public_url, &claim.reference);
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    step_releasing(
        &mut tx,
        &claim,
        version,
        staff,
        Action::Reopen,
        &reason,
        (&email, &text),
        now,
    )
    .await?;
    let owed = crate::store::payouts::owed(&mut tx, claim.id).await?;
    if owed > Yen::ZERO {
        crate::store::payouts::post(
            &mut tx,
            claim.id,
            None,
            crate::domain::payout::Movement::Revoke,
            owed,
            now,
        )
        .await?;
    }
    decisions::set_rejection(&mut tx, claim.id, None).await?;
    tx.commit().await?;
    tracing::info!(reference, revoked = owed.value(), "approval taken back");
    Ok(())
}

/// A case leaves the money's path (closed, or its approval taken back), in
/// `tx`: the step with its note, its debits released, the claimant's mail.
#[allow(clippy::too_many_arguments)]
pub(super) async fn step_releasing(
    tx: &mut crate::db::Tx,
    claim: &ClaimRow,
    version: i64,
    staff: &CurrentUser,
    action: Action,
    note: &str,
    (email, text): (&str, &mails::MailText),
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    cases::transition(
        tx,
        cases::CaseAt::of(claim, version),
        &CaseFacts::default(),
        &cases::Step::new(action, staff).note(Some(note)).at(now),
    )
    .await?;
    reservations::release_claim(tx, claim.id, Some(staff.id), action.as_str(), now).await?;
    mails::queue(tx, email, Some(claim.id), text, now).await?;
    Ok(())
}
