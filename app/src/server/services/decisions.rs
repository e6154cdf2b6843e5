//! Deciding a case: the reviewer's assessment (an approved amount per line,
//! a reason where it differs from the claim, every flag acknowledged), the
//! approver's approval (never by the assessor; two approvers above the
//! configured amount) or sending it back, and internal notes. Each step is
//! one transaction: compare-and-set on the case's state and version, the
//! event row, and the writes it carries.

use chrono::Utc;

use super::{assessment, cases, mails};
use crate::domain::answers::parse_text;
use crate::domain::decision::{
    ASSIGNEE_FIELD, Approval, Assessment, Assign, CloseDuplicate, DUPLICATE_OF_FIELD, Outcome,
};
use crate::domain::workflow::{
    APPEAL_DAYS, Action, CaseFacts, CaseState, REJECTION_REASONS, next_state,
};
use crate::domain::{CaseRef, FieldErrors};
use crate::server::auth::CurrentUser;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::store::claims::{self, ClaimRow};
use crate::server::store::decisions::{self, LineTable};
use crate::server::store::reservations;

async fn case(state: &AppState, reference: &str) -> Result<ClaimRow, AppError> {
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

/// Who did what on a case so far, for the four-eyes rule: whether `actor`
/// assessed it (ever), approved the current assessment, and how many
/// approvals the current assessment has.
async fn approvals(
    state: &AppState,
    claim: &ClaimRow,
    actor: &CurrentUser,
) -> Result<(bool, bool, usize), AppError> {
    let events = decisions::events(&state.db, claim.id).await?;
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
    Ok((assessed, approved, current.len()))
}

/// The reviewer's assessment: amounts, reasons, acknowledgements.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn assess(
    state: &AppState,
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
    let mut acks = Vec::new();
    for flag in &checks.flags {
        let key = flag.key();
        let name = ack_field(&key);
        match parse_text(cmd.ack(&key), false, 1000, "ack") {
            Ok(Some(note)) => acks.push((key, note)),
            Ok(None) if known.contains(&key) => {}
            Ok(None) => errors.add(name, "ack_required"),
            Err(k) => errors.add(name, k),
        }
    }
    // Pay (an amount per line) or propose to reject (a reason and the
    // explanation the claimant will read).
    // Nothing is chosen for the reviewer: to pay or to reject is a choice.
    let reject = match cmd.outcome {
        Some(Outcome::Reject) => true,
        Some(Outcome::Pay) => false,
        None => {
            errors.add("outcome", "outcome_required");
            false
        }
    };
    let mut rejection = None;
    if reject {
        let reason = cmd.rejection_reason.as_str();
        if !REJECTION_REASONS.contains(&reason) {
            errors.add("rejection_reason", "rejection_reason_required");
        }
        match parse_text(&cmd.rejection_note, true, 2000, "rejection_note") {
            Ok(Some(note)) => rejection = Some((reason.to_owned(), note)),
            Ok(None) => {}
            Err(k) => errors.add("rejection_note", k),
        }
    }
    // An amount per line, from 0 to the claimed amount; a reason when it
    // differs. A proposed rejection approves nothing.
    let mut amounts = Vec::new();
    for table in [LineTable::Debit, LineTable::Call, LineTable::Travel] {
        for (position, claimed, _, _) in decisions::amounts(&state.db, table, claim.id).await? {
            if reject {
                amounts.push((table, position, 0, None));
                continue;
            }
            let name = amount_field(table, position);
            let (typed, typed_note) = cmd.amount(table, position);
            let amount = match crate::domain::Yen::parse_in_range(typed, 0, claimed) {
                Ok(y) => y.value(),
                Err("amount_out_of_range") => {
                    errors.add(name.clone(), "approved_over_claimed");
                    continue;
                }
                Err(k) => {
                    errors.add(name.clone(), k);
                    continue;
                }
            };
            let note_name = format!("{name}_note");
            let note = match parse_text(typed_note, false, 500, "note") {
                Ok(n) => n,
                Err(k) => {
                    errors.add(note_name, k);
                    continue;
                }
            };
            if amount != claimed && note.is_none() {
                errors.add(note_name, "approved_reason_required");
                continue;
            }
            amounts.push((table, position, amount, note));
        }
    }
    // A debit another case holds is not paid here; nor more than the bank
    // confirmed of it. Said beside the line now, not at the approval.
    let held = reservations::held_elsewhere(&state.db, claim.id).await?;
    let keyed = reservations::lines(&state.db, claim.id).await?;
    for (table, position, amount, _) in &amounts {
        if *table != LineTable::Debit || *amount == 0 {
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
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    // Every flag is acknowledged by now (else the errors above): the
    // rule is asked with the fact as it stands, not a constant.
    let facts = CaseFacts {
        flags_open: checks.flags.iter().any(|f| {
            let key = f.key();
            !known.contains(&key) && !acks.iter().any(|(k, _)| *k == key)
        }),
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
    decisions::set_rejection(
        &mut tx,
        claim.id,
        rejection.as_ref().map(|(r, n)| (r.as_str(), n.as_str())),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(reference, "case assessed");
    Ok(())
}

/// An approver approves the assessment (or gives the first of two
/// approvals), or sends it back to the reviewer with a reason.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn decide(
    state: &AppState,
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
    let (assessed, approved, count) = approvals(state, &claim, staff).await?;
    let total = decisions::approved_total(&state.db, claim.id).await?;
    let facts = CaseFacts {
        actor_assessed: assessed,
        actor_approved: approved,
        first_of_two: total > state.settings.second_approval_above && count == 0,
        rejection_proposed: proposed.is_some(),
        ..CaseFacts::default()
    };
    let step = cases::Step::new(action, staff).note(note.as_deref());
    let to = cases::next(claim.state, &step, &facts)?;
    // A debit another case holds refuses the approval, the first of two
    // too; the case page names the other case. The reservation written
    // below is what the database enforces when two approvals race.
    if action == Action::Approve {
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
    }
    // The claimant is told of the decision, in the same transaction.
    let (email, lang) = claimant_of(state, &claim).await?;
    let now = Utc::now();
    let public_url = &state.settings.public_url;
    let mail = match (to, &proposed) {
        (CaseState::Approved, _) => {
            Some(mails::approved(lang, public_url, &claim.reference, total))
        }
        (CaseState::Rejected, Some((reason, _))) => Some(mails::rejected(
            lang,
            public_url,
            &claim.reference,
            reason,
            super::drafts::today_jst(now) + chrono::Duration::days(APPEAL_DAYS),
        )),
        _ => None,
    };
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
        crate::server::store::payouts::post(
            &mut tx,
            claim.id,
            None,
            crate::domain::payout::Movement::Approve,
            total,
            now,
        )
        .await?;
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

/// What the approval needs of the payout account: the check of the bank
/// that holds it ("it is the claimant's"), or an approver's reason for
/// going ahead without (the event keeps it). Refused beside the field.
async fn payout_account_override(
    state: &AppState,
    claim: &ClaimRow,
    reason: Option<String>,
) -> Result<Option<String>, AppError> {
    let check =
        crate::server::store::bank_review::payout_account_check(&state.db, claim.id).await?;
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
    tx: &mut crate::server::db::Tx,
    claim: uuid::Uuid,
    by: uuid::Uuid,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    for line in reservations::lines_tx(tx, claim).await? {
        if line.approved <= 0 {
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

/// A reviewer closes a case as a duplicate of another case (named, with an
/// optional note): the case holds no debit afterwards and its claimant is
/// told, in the same transaction.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn close_duplicate(
    state: &AppState,
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
    state: &AppState,
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
    let owed = crate::server::store::payouts::owed(&mut tx, claim.id).await?;
    if owed > 0 {
        crate::server::store::payouts::post(
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
    tracing::info!(reference, revoked = owed, "approval taken back");
    Ok(())
}

/// The claimant's address and language, to write a mail about the case.
async fn claimant_of(
    state: &AppState,
    claim: &ClaimRow,
) -> Result<(String, crate::i18n::Lang), AppError> {
    let (email, lang) = claims::claimant_contact(&state.db, claim.id).await?;
    Ok((
        email,
        crate::i18n::Lang::parse(&lang).unwrap_or(crate::i18n::Lang::Ja),
    ))
}

/// A case leaves the money's path (closed, or its approval taken back), in
/// `tx`: the step with its note, its debits released, the claimant's mail.
#[allow(clippy::too_many_arguments)]
async fn step_releasing(
    tx: &mut crate::server::db::Tx,
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

/// An internal note on a case (staff only; never shown outside).
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn add_note(
    state: &AppState,
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
    state: &AppState,
    viewer: &CurrentUser,
    reference: &str,
) -> Result<Decision, AppError> {
    let claim = case(state, reference).await?;
    let checks = assessment::checks(&state.db, &claim).await?;
    let acks = decisions::acks(&state.db, claim.id).await?;
    let mut lines = Vec::new();
    for table in [LineTable::Debit, LineTable::Call, LineTable::Travel] {
        let suggested = match table {
            LineTable::Debit => &checks.suggested.debits,
            LineTable::Call => &checks.suggested.calls,
            LineTable::Travel => &checks.suggested.travel,
        };
        for (position, claimed, approved, note) in
            decisions::amounts(&state.db, table, claim.id).await?
        {
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
    }
    let (assessed, approved, approvals) = approvals(state, &claim, viewer).await?;
    let total = decisions::approved_total(&state.db, claim.id).await?;
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
        account_check: crate::server::store::bank_review::payout_account_check(&state.db, claim.id)
            .await?,
        events: decisions::events(&state.db, claim.id).await?,
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

/// The claimant appeals a rejection: once, within 30 days; the case goes
/// back to review.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %claimant.id))]
pub async fn appeal(
    state: &AppState,
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
pub async fn appeal_facts(state: &AppState, claim: &ClaimRow) -> Result<CaseFacts, AppError> {
    let events = decisions::events(&state.db, claim.id).await?;
    let rejected = events
        .iter()
        .rev()
        .find(|e| e.action == Action::Reject.as_str())
        .map(|e| e.at);
    let today = super::drafts::today_jst(Utc::now());
    Ok(CaseFacts {
        actor_is_claimant: true,
        appealed_before: events.iter().any(|e| e.action == Action::Appeal.as_str()),
        days_since_rejection: rejected
            .map(|at| (today - super::drafts::today_jst(at)).num_days())
            .unwrap_or(0),
        ..CaseFacts::default()
    })
}

/// The rejection as the claimant sees it: the reason, the explanation, the
/// last day to appeal, and whether they still may.
#[tracing::instrument(skip_all)]
pub async fn rejection_for_claimant(
    state: &AppState,
    claim: &ClaimRow,
) -> Result<Option<(String, String, chrono::NaiveDate, bool)>, AppError> {
    if claim.state != CaseState::Rejected {
        return Ok(None);
    }
    let Some((reason, note)) = decisions::rejection(&state.db, claim.id).await? else {
        return Ok(None);
    };
    let facts = appeal_facts(state, claim).await?;
    let today = super::drafts::today_jst(Utc::now());
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

/// Takes a case (reviewer or admin, when nobody has it), releases it (its
/// assignee, or an admin), or assigns it to a reviewer (admin): the rule is
/// `Assignment::allowed`, the one the page asks; the update's condition
/// settles a race with another assignment.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn assign(
    state: &AppState,
    staff: &CurrentUser,
    reference: &str,
    assign: Assign,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::domain::workflow::Assignment;
    use crate::server::store::{queue, users};
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
pub async fn history_csv(state: &AppState, reference: &str) -> Result<Vec<u8>, AppError> {
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
    crate::server::download::csv_with_bom(std::iter::once(header).chain(rows))
}
