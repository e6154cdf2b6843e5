//! Making a batch of approved cases and releasing it (never by the one who
//! made it): the cases move to `payout_scheduled` with their ledger entries,
//! checked against the debits' reservations before the commit.

use super::*;
use crate::domain::money::Yen;

/// A case's line in a batch: its place, what it is owed, the account to
/// pay and the payee's name as the transfer file writes it.
fn new_line(batch: Uuid, i: usize, c: &Candidate) -> payouts::NewLine<'_> {
    payouts::NewLine {
        id: Uuid::new_v4(),
        batch_id: batch,
        claim_id: c.id,
        position: i as i64 + 1,
        amount: c.owed,
        bank_code: c.bank_code.as_deref().unwrap_or_default(),
        branch_code: c.branch_code.as_deref().unwrap_or_default(),
        account_type: c.account_type.as_deref().unwrap_or_default(),
        account_number: c.account_number.as_deref().unwrap_or_default(),
        payee_kana: payee_name(c).unwrap_or_default(),
    }
}

/// A payments user makes a batch of the approved cases the filter takes,
/// for a transfer date a business day ahead. Posting the same form again
/// (its one-time token) finds the same batch. Returns the batch's number.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn create_batch(
    state: &Core,
    user: &CurrentUser,
    request: Uuid,
    batch: Result<(chrono::NaiveDate, CandidateFilter), FieldErrors>,
) -> Result<i64, AppError> {
    let request = request.to_string();
    let request = request.as_str();
    // Checked before the form: a form posted again finds its batch.
    if let Some(number) = payouts::batch_for_request(&state.db, request).await? {
        return Ok(number);
    }
    let (date, filter) = batch.map_err(AppError::Invalid)?;
    let cases: Vec<Candidate> = payouts::candidates(&state.db, &filter, MAX_BATCH)
        .await?
        .into_iter()
        .filter(|c| unpayable(c).is_none())
        .collect();
    if cases.is_empty() {
        return Err(AppError::field("transfer_date", "batch_nothing_to_pay"));
    }
    let now = Utc::now();
    let batch = Uuid::new_v4();
    let total: Yen = cases.iter().map(|c| c.owed).sum();
    let mut tx = state.db.begin().await?;
    let number = payouts::next_batch_number(&mut tx).await?;
    payouts::insert_batch(
        &mut tx,
        &payouts::NewBatch {
            id: batch,
            number,
            request_id: request,
            transfer_date: date,
            line_count: cases.len() as i64,
            total,
            created_by: user.id,
            at: now,
        },
    )
    .await?;
    for (i, c) in cases.iter().enumerate() {
        // Cases are read outside the transaction: each must still be as read.
        let note = format!("#{number} {date}");
        let case = cases::CaseAt {
            id: c.id,
            state: c.state,
            version: Some(c.version),
        };
        let step = cases::Step::new(Action::SchedulePayout, user)
            .note(Some(&note))
            .at(now);
        cases::transition(&mut tx, case, &CaseFacts::default(), &step).await?;
        payouts::insert_line(&mut tx, &new_line(batch, i, c)).await?;
        payouts::post(&mut tx, c.id, Some(batch), Movement::Schedule, c.owed, now).await?;
    }
    // Checked against the reservations as made: every debit paid is held by
    // its own case, and none twice in the batch.
    if !reservations::batch_conflicts_tx(&mut tx, batch)
        .await?
        .is_empty()
    {
        return Err(AppError::Conflict("batch_reservation_conflict"));
    }
    tx.commit().await?;
    tracing::info!(
        number,
        cases = cases.len(),
        total = total.value(),
        "payout batch made"
    );
    Ok(number)
}

/// An approver releases an open batch; never the person who made it.
#[tracing::instrument(skip_all, fields(user = %approver.id))]
pub async fn release(state: &Core, approver: &CurrentUser, number: i64) -> Result<(), AppError> {
    let b = batch(state, number).await?;
    if b.created_by == approver.id {
        return Err(AppError::Conflict("four_eyes"));
    }
    // A batch's lines never change once made: read before the transaction.
    let payees = payouts::payees(&state.db, b.id).await?;
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !payouts::release(&mut tx, b.id, approver.id, now).await? {
        return Err(AppError::Conflict("batch_changed"));
    }
    // Checked again at release: a batch that would pay a debit its case no
    // longer holds, or twice, is never released (the page lists why).
    if !reservations::batch_conflicts_tx(&mut tx, b.id)
        .await?
        .is_empty()
    {
        return Err(AppError::Conflict("batch_reservation_conflict"));
    }
    // The approval promised the transfer date: each claimant is told now,
    // in the release's transaction.
    for p in &payees {
        let lang = Lang::parse(&p.lang).unwrap_or(Lang::Ja);
        let text = mails::transfer_scheduled(
            lang,
            &state.settings.public_url,
            &p.reference,
            p.amount,
            b.transfer_date,
            &p.account_number,
        );
        mails::queue(&mut tx, &p.email, Some(p.claim_id), &text, now).await?;
    }
    tx.commit().await?;
    tracing::info!(number, "payout batch released");
    Ok(())
}
