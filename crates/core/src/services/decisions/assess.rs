//! The reviewer's assessment: an amount per line (a reason where it differs
//! from the claim), every flag acknowledged, or a proposed rejection. The
//! typed command is checked against the case's own lines and flags; every
//! problem is said beside its field, and nothing is written until none is
//! left.

use super::*;
use crate::domain::money::Yen;

/// An approved amount: the line, the amount, the reason it differs.
type LineAmount = (LineTable, i64, Yen, Option<String>);

/// The reviewer's assessment: amounts, reasons, acknowledgements.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn assess(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    version: i64,
    cmd: Assessment,
) -> Result<(), AppError> {
    let claim = case(state, reference).await?;
    let checks = assessment::checks(&state.db, &claim).await?;
    let mut errors = FieldErrors::new();
    // Every flag acknowledged, now or before, with a note.
    let known: Vec<String> = decisions::acks(&state.db, claim.id)
        .await?
        .into_iter()
        .map(|(k, _, _)| k)
        .collect();
    let keys: Vec<String> = checks.flags.iter().map(|f| f.key()).collect();
    let acks = check_acks(&keys, &known, &cmd, &mut errors);
    let rejection = check_outcome(&cmd, &mut errors);
    let reject = cmd.outcome == Some(Outcome::Reject);
    let amounts = check_amounts(state, &claim, &cmd, reject, &mut errors).await?;
    check_debits(state, &claim, &amounts, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // Every flag is acknowledged by now (else the errors above): the
    // rule is asked with the fact as it stands, not a constant.
    let facts = CaseFacts {
        flags_open: keys
            .iter()
            .any(|key| !known.contains(key) && !acks.iter().any(|(k, _)| k == key)),
        ..CaseFacts::default()
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    cases::transition(
        &mut tx,
        cases::CaseAt::of(&claim, version),
        &facts,
        &cases::Step::new(Action::Assess, staff).at(now),
    )
    .await?;
    for (table, position, amount, note) in &amounts {
        decisions::set_approved(
            &mut tx,
            *table,
            claim.id,
            *position,
            *amount,
            note.as_deref(),
        )
        .await?;
    }
    for (key, note) in &acks {
        decisions::ack_flag(&mut tx, claim.id, key, note, staff.id, now).await?;
    }
    decisions::set_policy_version(&mut tx, claim.id, checks.policy.version).await?;
    let rejection = rejection.as_ref().map(|(r, n)| (r.as_str(), n.as_str()));
    decisions::set_rejection(&mut tx, claim.id, rejection).await?;
    tx.commit().await?;
    tracing::info!(reference, "case assessed");
    Ok(())
}

/// The acknowledgements given now, (flag key, note): a flag needs one unless
/// it was acknowledged before.
fn check_acks(
    keys: &[String],
    known: &[String],
    cmd: &Assessment,
    errors: &mut FieldErrors,
) -> Vec<(String, String)> {
    let mut acks = Vec::new();
    for key in keys {
        let name = ack_field(key);
        match parse_text(cmd.ack(key), false, 1000, "ack") {
            Ok(Some(note)) => acks.push((key.clone(), note)),
            Ok(None) if known.contains(key) => {}
            Ok(None) => errors.add(name, "ack_required"),
            Err(k) => errors.add(name, k),
        }
    }
    acks
}

/// Pay (an amount per line) or propose to reject (a reason and the
/// explanation the claimant will read): nothing is chosen for the reviewer.
/// The proposed rejection, (reason, explanation), when there is one.
fn check_outcome(cmd: &Assessment, errors: &mut FieldErrors) -> Option<(String, String)> {
    match cmd.outcome {
        Some(Outcome::Pay) => None,
        None => {
            errors.add("outcome", "outcome_required");
            None
        }
        Some(Outcome::Reject) => {
            let reason = cmd.rejection_reason.as_str();
            if !REJECTION_REASONS.contains(&reason) {
                errors.add("rejection_reason", "rejection_reason_required");
            }
            match parse_text(&cmd.rejection_note, true, 2000, "rejection_note") {
                Ok(Some(note)) => Some((reason.to_owned(), note)),
                Ok(None) => None,
                Err(k) => {
                    errors.add("rejection_note", k);
                    None
                }
            }
        }
    }
}

/// An amount per line, from 0 to the claimed amount; a reason when it
/// differs. A proposed rejection approves nothing.
async fn check_amounts(
    state: &Core,
    claim: &ClaimRow,
    cmd: &Assessment,
    reject: bool,
    errors: &mut FieldErrors,
) -> Result<Vec<LineAmount>, AppError> {
    let mut amounts = Vec::new();
    for table in LineTable::ALL {
        for (position, claimed, _, _) in decisions::amounts(&state.db, table, claim.id).await? {
            if reject {
                amounts.push((table, position, Yen::ZERO, None));
            } else if let Some(line) = check_amount(cmd, (table, position), claimed, errors) {
                amounts.push(line);
            }
        }
    }
    Ok(amounts)
}

/// One line's amount and reason, or its errors.
fn check_amount(
    cmd: &Assessment,
    (table, position): (LineTable, i64),
    claimed: i64,
    errors: &mut FieldErrors,
) -> Option<LineAmount> {
    let name = amount_field(table, position);
    let (typed, typed_note) = cmd.amount(table, position);
    let amount = match crate::domain::Yen::parse_in_range(typed, 0, claimed) {
        Ok(y) => y,
        Err("amount_out_of_range") => {
            errors.add(name, "approved_over_claimed");
            return None;
        }
        Err(k) => {
            errors.add(name, k);
            return None;
        }
    };
    let note_name = format!("{name}_note");
    let note = match parse_text(typed_note, false, 500, "note") {
        Ok(n) => n,
        Err(k) => {
            errors.add(note_name, k);
            return None;
        }
    };
    if amount.value() != claimed && note.is_none() {
        errors.add(note_name, "approved_reason_required");
        return None;
    }
    Some((table, position, amount, note))
}

/// A debit another case holds is not paid here; nor more than the bank
/// confirmed of it. Said beside the line now, not at the approval.
async fn check_debits(
    state: &Core,
    claim: &ClaimRow,
    amounts: &[LineAmount],
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let held = reservations::held_elsewhere(&state.db, claim.id).await?;
    let keyed = reservations::lines(&state.db, claim.id).await?;
    for (table, position, amount, _) in amounts {
        if *table != LineTable::Debit || *amount == Yen::ZERO {
            continue;
        }
        let name = amount_field(*table, *position);
        if held.iter().any(|h| h.position == *position) {
            errors.add(name, "debit_reserved_elsewhere");
        } else if keyed
            .iter()
            .any(|k| k.position == *position && *amount > k.amount)
        {
            errors.add(name, "approved_over_confirmed");
        }
    }
    Ok(())
}
