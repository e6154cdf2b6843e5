//! An approver's step on an assessed case: approve (never the assessor's; a
//! second approver above the configured amount), send back, or confirm a
//! proposed rejection; each approved debit is reserved for the case, once in
//! the whole system.

use super::*;
use crate::domain::money::Yen;

/// The claimant's mail about a decision: approved (with the total), or
/// rejected (with the reason and the last day to appeal); none otherwise.
fn decision_mail(
    lang: crate::i18n::Lang,
    public_url: &str,
    claim: &ClaimRow,
    (to, proposed): (CaseState, &Option<(String, String)>),
    total: Yen,
) -> Option<mails::MailText> {
    match (to, proposed) {
        (CaseState::Approved, _) => {
            Some(mails::approved(lang, public_url, &claim.reference, total))
        }
        (CaseState::Rejected, Some((reason, _))) => {
            let until = crate::domain::calendar::date_in_japan(Utc::now())
                + chrono::Duration::days(APPEAL_DAYS);
            Some(mails::rejected(
                lang,
                public_url,
                &claim.reference,
                reason,
                until,
            ))
        }
        _ => None,
    }
}

/// An approver approves the assessment (or gives the first of two
/// approvals), or sends it back to the reviewer with a reason.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn decide(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    version: i64,
    decision: Decide,
) -> Result<CaseState, AppError> {
    let claim = case(state, reference).await?;
    let proposed = decisions::rejection(&state.db, claim.id).await?;
    // The event keeps the why: the reason sent back, or the rejection's, or
    // why an approval went ahead without the bank's check of the account.
    let action = decision.action();
    let note = match decision {
        Decide::Approve(approval) => {
            payout_account_override(state, &claim, approval.account_override).await?
        }
        Decide::SendBack { reason } => Some(reason),
        Decide::Reject => proposed.as_ref().map(|(r, n)| format!("{r}: {n}")),
    };
    let total = decisions::approved_total(&state.db, claim.id).await?;
    let facts = decide_facts(state, &claim, staff, total, proposed.is_some()).await?;
    let step = cases::Step::new(action, staff).note(note.as_deref());
    let to = cases::next(claim.state, &step, &facts)?;
    if action == Action::Approve {
        refuse_held_debits(state, &claim).await?;
    }
    // The claimant is told of the decision, in the same transaction.
    let (email, lang) = claimant_of(state, &claim).await?;
    let now = Utc::now();
    let mail = decision_mail(
        lang,
        &state.settings.public_url,
        &claim,
        (to, &proposed),
        total,
    );
    let mut tx = state.db.begin().await?;
    cases::transition(
        &mut tx,
        cases::CaseAt::of(&claim, version),
        &facts,
        &step.at(now),
    )
    .await?;
    // Sent back, the proposal is gone; the reviewer assesses again.
    if action == Action::SendBack {
        decisions::set_rejection(&mut tx, claim.id, None).await?;
    }
    // Approved: each debit paid is reserved for this case, once in the
    // whole system (the database refuses a second active reservation).
    if to == CaseState::Approved {
        reserve_debits(&mut tx, claim.id, staff.id, now).await?;
    }
    // Rejected: the case holds no debit any more.
    if to == CaseState::Rejected {
        reservations::release_claim(&mut tx, claim.id, Some(staff.id), "rejected", now).await?;
    }
    // Approved: the operator owes the claimant the approved total.
    if to == CaseState::Approved {
        let owed = crate::domain::payout::Movement::Approve;
        crate::store::payouts::post(&mut tx, claim.id, None, owed, total, now).await?;
    }
    if let Some(text) = mail {
        mails::queue(&mut tx, &email, Some(claim.id), &text, now).await?;
    }
    tx.commit().await?;
    tracing::info!(
        reference,
        action = action.as_str(),
        to = to.as_str(),
        "case decided"
    );
    Ok(to)
}

/// What the four-eyes and second-approval rules need to know of this
/// approver and this case.
async fn decide_facts(
    state: &Core,
    claim: &ClaimRow,
    staff: &CurrentUser,
    total: Yen,
    rejection_proposed: bool,
) -> Result<CaseFacts, AppError> {
    let (assessed, approved, count) = approvals(state, claim, staff).await?;
    Ok(CaseFacts {
        actor_assessed: assessed,
        actor_approved: approved,
        first_of_two: total.value() > state.settings.second_approval_above && count == 0,
        rejection_proposed,
        ..CaseFacts::default()
    })
}

/// A debit another case holds refuses the approval, the first of two too;
/// the case page names the other case. The reservation written at the
/// approval is what the database enforces when two approvals race.
async fn refuse_held_debits(state: &Core, claim: &ClaimRow) -> Result<(), AppError> {
    let approved: Vec<i64> = decisions::amounts(&state.db, LineTable::Debit, claim.id)
        .await?
        .into_iter()
        .filter(|(_, _, a, _)| a.unwrap_or(0) > 0)
        .map(|(p, ..)| p)
        .collect();
    let held = reservations::held_elsewhere(&state.db, claim.id).await?;
    if held.iter().any(|h| approved.contains(&h.position)) {
        return Err(AppError::Conflict("debit_reserved_elsewhere"));
    }
    Ok(())
}

/// What the approval needs of the payout account: the check of the bank
/// that holds it ("it is the claimant's"), or an approver's reason for
/// going ahead without (the event keeps it). Refused beside the field.
pub(super) async fn payout_account_override(
    state: &Core,
    claim: &ClaimRow,
    reason: Option<String>,
) -> Result<Option<String>, AppError> {
    let check = crate::store::bank_review::payout_account_check(&state.db, claim.id).await?;
    match (check, reason) {
        (Some((true, _)), _) => Ok(None),
        (_, Some(reason)) => Ok(Some(format!("{ACCOUNT_OVERRIDE} {reason}"))),
        (None, None) => Err(AppError::field(
            "account_override",
            "payout_account_unchecked",
        )),
        (Some((false, _)), None) => Err(AppError::field(
            "account_override",
            "payout_account_mismatch",
        )),
    }
}

/// How an approval's event note begins when the payout account's bank had
/// not confirmed the account.
pub const ACCOUNT_OVERRIDE: &str =
    "[口座確認なしで承認 / approved without the bank's account check]";

/// Reserves every debit the approval pays (approved above 0), inside the
/// approval's transaction. Another case holding one refuses the whole
/// approval; so does an approved amount above what the bank confirmed.
pub(crate) async fn reserve_debits(
    tx: &mut crate::db::Tx,
    claim: uuid::Uuid,
    by: uuid::Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    for line in reservations::lines_tx(tx, claim).await? {
        if line.approved <= Yen::ZERO {
            continue;
        }
        if line.approved > line.amount {
            return Err(AppError::Conflict("approved_over_confirmed"));
        }
        reservations::reserve(tx, &line, by, now)
            .await
            .map_err(|e| {
                if reservations::is_conflict(&e) {
                    AppError::Conflict("debit_reserved_elsewhere")
                } else {
                    e.into()
                }
            })?;
    }
    Ok(())
}
