//! The bank's side of a case: answering each debit line at its own bank
//! (confirmed or disputed, corrected until approval), the payout account
//! check, and moving the case on when every line has an answer.

use chrono::Utc;
use uuid::Uuid;

use super::cases;
use crate::domain::CaseRef;
use crate::domain::FieldErrors;
use crate::domain::verification::Verification;

/// The payout account's bank on the account: the claimant's or not, and a note.
pub type AccountCheck = (bool, Option<String>);
use crate::auth::CurrentUser;
use crate::domain::workflow::{Action, CaseFacts, CaseState};
use crate::error::AppError;
use crate::state::Core;
use crate::store::{bank_review, claims};

/// States in which a bank may still answer or correct (until approval).
const ANSWERABLE: [CaseState; 5] = [
    CaseState::Submitted,
    CaseState::BankReview,
    CaseState::InReview,
    CaseState::AwaitingClaimant,
    CaseState::Assessed,
];

/// The claim and one of its lines, if the line is at the staff's bank;
/// NotFound otherwise (another bank's line is not there for this user).
async fn own_line(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    line: Uuid,
) -> Result<(claims::ClaimRow, claims::LineRow), AppError> {
    let bank = staff.bank()?;
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    let line = claims::lines(&state.db, claim.id, Some(bank))
        .await?
        .into_iter()
        .find(|l| l.id == line)
        .ok_or(AppError::NotFound)?;
    Ok((claim, line))
}

/// Answers one debit line known by its id (the REST API): the line must
/// be at the staff's bank on a claim the bank sees, else NotFound.
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn verify_line(
    state: &Core,
    staff: &CurrentUser,
    line: Uuid,
    answer: &Verification,
) -> Result<CaseState, AppError> {
    let bank = staff.bank()?;
    let line = crate::store::api_keys::line_at_bank(&state.db, bank, line)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let next = answer_line(
        &mut tx,
        &state.settings.public_url,
        staff,
        line.claim_id,
        (line.id, line.amount),
        answer,
    )
    .await?;
    tx.commit().await?;
    super::assessment::refresh_after_change(&state.db, line.claim_id).await;
    tracing::info!(verdict = answer.verdict(), "bank answered a debit line");
    Ok(next)
}

/// Answers (or corrects the answer on) one debit line. The first answer on
/// a submitted claim starts the bank review; the answer that leaves no line
/// without one sends the case to the operator's review.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn verify(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    line: Uuid,
    answer: &Verification,
) -> Result<CaseState, AppError> {
    let (claim, line) = own_line(state, staff, reference, line).await?;
    let mut tx = state.db.begin().await?;
    let next = answer_line(
        &mut tx,
        &state.settings.public_url,
        staff,
        claim.id,
        (line.id, line.amount),
        answer,
    )
    .await?;
    tx.commit().await?;
    super::assessment::refresh_after_change(&state.db, claim.id).await;
    tracing::info!(verdict = answer.verdict(), "bank answered a debit line");
    Ok(next)
}

/// A bank's answer on one line as its row: the bank's figures when it
/// confirmed the debit, the reason when it disputed it.
fn new_answer<'a>(
    answer: &'a Verification,
    (claim, line): (Uuid, Uuid),
    bank: &'a str,
    actor: Uuid,
) -> bank_review::NewAnswer<'a> {
    let (amount, date, reference, holder, reason, note) = match answer {
        Verification::Confirmed {
            amount,
            bank_date,
            bank_reference,
            holder_kana,
            less_reason,
        } => (
            Some(*amount),
            Some(*bank_date),
            bank_reference.as_deref(),
            Some(holder_kana.as_str()),
            None,
            less_reason.as_deref(),
        ),
        Verification::Disputed { reason, note } => (
            None,
            None,
            None,
            None,
            Some(reason.as_str()),
            note.as_deref(),
        ),
    };
    bank_review::NewAnswer {
        line_id: line,
        claim_id: claim,
        bank_code: bank,
        verdict: answer.verdict(),
        confirmed_amount: amount,
        bank_date: date,
        bank_reference: reference,
        holder_kana: holder,
        reason,
        note,
        actor,
        at: Utc::now(),
    }
}

/// Records `answer` on a line of the staff's bank (its id and the amount
/// claimed on it) inside `tx` and moves the case on as the answers allow. The claim row is locked first, so answers
/// on one claim from several banks queue and the last one sees all others.
/// The answer that sends the case to review also writes the claimant's
/// "the bank has checked" mail, in `tx` (links to `public_url`).
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn answer_line(
    tx: &mut crate::db::Tx,
    public_url: &str,
    staff: &CurrentUser,
    claim: Uuid,
    (line, claimed): (Uuid, crate::domain::Yen),
    answer: &Verification,
) -> Result<CaseState, AppError> {
    let bank = staff.bank()?;
    let (mut current, mut version) = bank_review::lock_claim(tx, claim).await?;
    if !ANSWERABLE.contains(&current) {
        return Err(AppError::Conflict("answers_closed"));
    }
    // Less than claimed is confirmed with the bank's reason, never silently.
    answer.check_against(claimed).map_err(AppError::Invalid)?;
    let row = new_answer(answer, (claim, line), bank, staff.id);
    bank_review::insert_answer(tx, &row).await?;
    crate::store::assessment::mark_dirty(tx, &[claim]).await?;
    // A debit the bank confirmed on another claim too: both are flagged.
    let others: Vec<uuid::Uuid> = bank_review::confirmed_elsewhere_tx(tx, claim)
        .await?
        .into_iter()
        .map(|c| c.claim_id)
        .collect();
    crate::store::assessment::mark_dirty(tx, &others).await?;
    let at = |state, version| cases::CaseAt {
        id: claim,
        state,
        version: Some(version),
    };
    if current == CaseState::Submitted {
        let step = cases::Step::new(Action::StartBankReview, staff);
        current = cases::transition(tx, at(current, version), &CaseFacts::default(), &step).await?;
        version += 1;
    }
    let facts = CaseFacts {
        all_lines_answered: bank_review::unanswered_lines(tx, claim).await? == 0,
        ..CaseFacts::default()
    };
    if current == CaseState::BankReview && facts.all_lines_answered {
        let step = cases::Step::new(Action::BankChecked, staff);
        current = cases::transition(tx, at(current, version), &facts, &step).await?;
        super::notifications::tell_bank_checked(tx, public_url, &[claim], Utc::now()).await?;
    }
    Ok(current)
}

/// Confirms every line of the staff's bank on this case that has no answer
/// yet, as the claimant claimed it (amount, date, the claimant's name as
/// holder), in one transaction: the clerk first says (`checked`) that each
/// was checked in the bank's own records. Lines already answered keep their
/// answer. Returns how many were confirmed.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn confirm_all_as_claimed(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    checked: bool,
) -> Result<usize, AppError> {
    let bank = staff.bank()?;
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = claims::lines(&state.db, claim.id, Some(bank)).await?;
    // Another bank's case (no line here) is not there for this user.
    if lines.is_empty() {
        return Err(AppError::NotFound);
    }
    if !checked {
        let mut e = FieldErrors::new();
        e.add("checked_all", "confirm_all_check_required");
        return Err(AppError::Invalid(e));
    }
    let open: Vec<&claims::LineRow> = lines.iter().filter(|l| l.bank_verdict.is_none()).collect();
    if open.is_empty() {
        return Err(AppError::Conflict("nothing_to_confirm"));
    }
    let holder = crate::domain::KatakanaName::from_db(claim.name_kana.clone());
    let mut tx = state.db.begin().await?;
    for line in &open {
        let answer = Verification::Confirmed {
            amount: line.amount,
            bank_date: line.debit_date,
            bank_reference: None,
            holder_kana: holder.clone(),
            less_reason: None,
        };
        let line = (line.id, line.amount);
        answer_line(
            &mut tx,
            &state.settings.public_url,
            staff,
            claim.id,
            line,
            &answer,
        )
        .await?;
    }
    tx.commit().await?;
    super::assessment::refresh_after_change(&state.db, claim.id).await;
    tracing::info!(
        lines = open.len(),
        "bank confirmed every open line as claimed"
    );
    Ok(open.len())
}

/// The payout account's bank says whether the account is the claimant's.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %staff.id))]
pub async fn check_account(
    state: &Core,
    staff: &CurrentUser,
    reference: &str,
    check: Result<AccountCheck, FieldErrors>,
) -> Result<(), AppError> {
    let bank = staff.bank()?;
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    // Only a bank that sees the claim (a line there) and holds the payout account.
    if claims::lines(&state.db, claim.id, Some(bank))
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    let payout = claims::payout_bank(&state.db, claim.id).await?;
    if payout.as_deref() != Some(bank) {
        return Err(AppError::Conflict("not_payout_bank"));
    }
    // Checked after access: another bank's case is not found, whatever the form.
    let (matches, note) = check.map_err(AppError::Invalid)?;
    let mut tx = state.db.begin().await?;
    let (current, _) = bank_review::lock_claim(&mut tx, claim.id).await?;
    if !ANSWERABLE.contains(&current) {
        return Err(AppError::Conflict("answers_closed"));
    }
    bank_review::insert_account_check(
        &mut tx,
        claim.id,
        bank,
        matches,
        note.as_deref(),
        staff.id,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes that `user` opened the case with this reference (an admin can
/// list these). Called once per page served (see `record_case_views`).
#[tracing::instrument(skip_all, fields(reference = %reference, user = %user.id))]
pub async fn record_view(
    state: &Core,
    user: &CurrentUser,
    reference: &str,
) -> Result<(), AppError> {
    let reference = CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    let (claim, user, at) = (claim.id, user.id, Utc::now());
    // Committed with the other writes waiting for SQLite's writer: case
    // pages viewed at once share one fsync.
    let write = crate::group_commit::work(move |tx| {
        Box::pin(async move {
            bank_review::insert_view(tx, claim, user, at).await?;
            Ok(())
        })
    });
    state.commits.run(&state.db, write).await
}

/// Confirms many lines of the staff's bank at once (exact matches of the
/// bank's own list), then moves each claim on as `answer_line` would: a
/// submitted claim starts its bank review; a claim with no line left
/// unanswered goes to the operator's review and its claimant is mailed
/// (links to `public_url`). All inside `tx`.
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn confirm_many(
    tx: &mut crate::db::Tx,
    public_url: &str,
    staff: &CurrentUser,
    matches: &[(Uuid, Uuid, &crate::domain::bank_list::BankDebitRow)],
) -> Result<(), AppError> {
    if matches.is_empty() {
        return Ok(());
    }
    let bank = staff.bank()?;
    let now = Utc::now();
    let answers: Vec<bank_review::NewAnswer<'_>> = matches
        .iter()
        .map(|(claim, line, row)| bank_review::NewAnswer {
            line_id: *line,
            claim_id: *claim,
            bank_code: bank,
            verdict: "confirmed",
            confirmed_amount: Some(row.amount),
            bank_date: Some(row.date),
            bank_reference: Some(row.reference.as_str()),
            holder_kana: Some(row.holder_kana.as_str()),
            reason: None,
            note: None,
            actor: staff.id,
            at: now,
        })
        .collect();
    bank_review::confirm_lines_bulk(tx, &answers, now).await?;
    let mut claims: Vec<Uuid> = matches.iter().map(|(c, _, _)| *c).collect();
    claims.sort();
    claims.dedup();
    let states = bank_review::claims_states(tx, &claims).await?;
    let mut start = Vec::new();
    let mut checked = Vec::new();
    // Their flags change (debits confirmed); the sweep computes them. A
    // case moved on below is marked by its move, the others here.
    let mut stays = Vec::new();
    for (id, state, _, open_lines) in &states {
        let facts = CaseFacts {
            all_lines_answered: !open_lines,
            ..CaseFacts::default()
        };
        let starts = *state == CaseState::Submitted;
        let checks = matches!(state, CaseState::Submitted | CaseState::BankReview) && !open_lines;
        if starts {
            start.push((*id, facts));
        }
        if checks {
            checked.push((*id, facts));
        }
        if !starts && !checks {
            stays.push(*id);
        }
    }
    crate::store::assessment::mark_dirty(tx, &stays).await?;
    let step = cases::Step::new(Action::StartBankReview, staff).at(now);
    cases::transition_many(tx, &start, CaseState::Submitted, &step).await?;
    let later = now + chrono::Duration::milliseconds(1);
    let step = cases::Step::new(Action::BankChecked, staff).at(later);
    cases::transition_many(tx, &checked, CaseState::BankReview, &step).await?;
    let checked: Vec<Uuid> = checked.into_iter().map(|(id, _)| id).collect();
    super::notifications::tell_bank_checked(tx, public_url, &checked, later).await?;
    Ok(())
}
