//! The bank's results, by hand or from its file: each case paid or failed
//! once, with its ledger entries, the debits paid (unique in the database),
//! the cost split and the claimant's mail, in one transaction.

use super::*;
use crate::domain::money::Yen;

/// Records the bank's result for one case of a released batch (a form).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn record_result(
    state: &Core,
    user: &CurrentUser,
    number: i64,
    reference: &str,
    outcome: Outcome,
) -> Result<(), AppError> {
    let b = batch(state, number).await?;
    paid_on_possible(&b, &outcome, Utc::now()).map_err(|k| AppError::field("paid_on", k))?;
    let target = target(state, &b, reference).await?;
    let mut tx = state.db.begin().await?;
    apply(state, &mut tx, &b, &target, &outcome, user).await?;
    payouts::finish_if_complete(&mut tx, b.id).await?;
    tx.commit().await?;
    Ok(())
}

/// The bank's result file: every row checked first, then all of it in one
/// transaction. A row whose case already has the same result is skipped
/// (sending the file again changes nothing); a different one is an error.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn upload_results(
    state: &Core,
    user: &CurrentUser,
    number: i64,
    bytes: &[u8],
) -> Result<usize, AppError> {
    let b = batch(state, number).await?;
    let text =
        std::str::from_utf8(bytes).map_err(|_| AppError::field("results", "results_not_utf8"))?;
    let rows = parse_result_file(text).map_err(|errors| {
        let mut e = FieldErrors::new();
        // The first bad row is named; the page says which.
        if let Some((_, key)) = errors.first() {
            e.add("results", key);
        }
        AppError::Invalid(e)
    })?;
    let now = Utc::now();
    for row in &rows {
        paid_on_possible(&b, &row.outcome, now).map_err(|k| AppError::field("results", k))?;
    }
    // Everything read first: inside the transaction only its own connection
    // is used (waiting for a second one while holding the first can starve
    // the pool when many results arrive at once).
    let mut targets = Vec::with_capacity(rows.len());
    for row in &rows {
        targets.push(target(state, &b, &row.reference).await?);
    }
    let mut tx = state.db.begin().await?;
    let mut done = 0;
    for (row, t) in rows.iter().zip(&targets) {
        if apply(state, &mut tx, &b, t, &row.outcome, user).await? {
            done += 1;
        }
    }
    payouts::finish_if_complete(&mut tx, b.id).await?;
    tx.commit().await?;
    tracing::info!(
        number,
        rows = rows.len(),
        recorded = done,
        "bank results recorded"
    );
    Ok(done)
}

/// A transfer cannot have been paid after today (Japan time) nor before
/// its batch was released.
pub(super) fn paid_on_possible(
    b: &payouts::BatchRow,
    outcome: &Outcome,
    now: chrono::DateTime<Utc>,
) -> Result<(), &'static str> {
    let Outcome::Paid { on } = outcome else {
        return Ok(());
    };
    if *on > today_jst(now) {
        return Err("paid_on_future");
    }
    match b.released_at {
        Some(at) if *on < today_jst(at) => Err("paid_on_before_release"),
        _ => Ok(()),
    }
}

/// A line of a batch, found by its case reference, and whom to tell.
pub(super) struct Target {
    line: Uuid,
    claim: Uuid,
    amount: Yen,
    reference: String,
    account: String,
    email: String,
    lang: Lang,
}

pub(super) async fn target(
    state: &Core,
    b: &payouts::BatchRow,
    reference: &str,
) -> Result<Target, AppError> {
    let (line, claim, amount, reference, account) =
        payouts::line_by_reference(&state.db, b.id, reference.trim())
            .await?
            .ok_or_else(|| AppError::field("reference", "payout_line_unknown"))?;
    let (email, lang) = claims::claimant_contact(&state.db, claim).await?;
    Ok(Target {
        line,
        claim,
        amount,
        reference,
        account,
        email,
        lang: Lang::parse(&lang).unwrap_or(Lang::Ja),
    })
}

/// Records each debit of a paid claim as paid (once in the whole system:
/// the database refuses a second time, and the whole step with it) and
/// each bank's share of what was paid for its debits.
async fn settle_debits(
    tx: &mut Tx,
    claim: Uuid,
    line: Uuid,
    on: chrono::NaiveDate,
) -> Result<(), AppError> {
    let debits = payouts::debits_to_pay(tx, claim).await?;
    let mut by_bank: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for d in &debits {
        payouts::insert_paid_debit(tx, d, claim, line)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(db) if db.is_unique_violation() => {
                    AppError::Conflict("debit_paid_twice")
                }
                e => e.into(),
            })?;
        let entry = by_bank
            .entry(d.bank_code.clone())
            .or_insert((0, d.share_percent));
        entry.0 += d.approved.value();
    }
    for (bank, (paid, percent)) in &by_bank {
        let (bank_share, operator_share) = split(*paid, *percent);
        payouts::insert_cost_share(
            tx,
            &payouts::CostShare {
                claim_id: claim,
                bank_code: bank,
                debits_paid: Yen::from_db(*paid),
                share_percent: *percent,
                bank_share: Yen::from_db(bank_share),
                operator_share: Yen::from_db(operator_share),
                paid_on: on,
            },
        )
        .await?;
    }
    Ok(())
}

/// One case's result inside `tx` (and only through it): the line, the
/// case's state and event, the ledger, the debits paid, the cost split and
/// the claimant's mail. False when the line already had this very result.
pub(super) async fn apply(
    state: &Core,
    tx: &mut Tx,
    b: &payouts::BatchRow,
    t: &Target,
    outcome: &Outcome,
    user: &CurrentUser,
) -> Result<bool, AppError> {
    if b.state == "open" {
        return Err(AppError::Conflict("batch_not_released"));
    }
    let (line, claim, amount) = (t.line, t.claim, t.amount);
    let now = Utc::now();
    if !payouts::record(tx, line, outcome, user.id, now).await? {
        // Recorded before: the same result again is no change.
        let (result, paid_on, reason) = payouts::line_result(tx, line).await?;
        let same = match outcome {
            Outcome::Paid { on } => result.as_deref() == Some("paid") && paid_on == Some(*on),
            Outcome::Failed { reason: r, .. } => {
                result.as_deref() == Some("failed") && reason.as_deref() == Some(r)
            }
        };
        return if same {
            Ok(false)
        } else {
            Err(AppError::Conflict("result_recorded"))
        };
    }
    let (action, movement, note) = match outcome {
        Outcome::Paid { on } => (Action::MarkPaid, Movement::Pay, on.to_string()),
        Outcome::Failed { reason, note } => (
            Action::MarkPayoutFailed,
            Movement::Fail,
            match note {
                Some(n) => format!("{reason}: {n}"),
                None => reason.clone(),
            },
        ),
    };
    // The payout line's result (written above, once) settles races: the
    // case moves from where a scheduled transfer leaves it, any version.
    let case = cases::CaseAt {
        id: claim,
        state: CaseState::PayoutScheduled,
        version: None,
    };
    let step = cases::Step::new(action, user).note(Some(&note)).at(now);
    cases::transition(tx, case, &CaseFacts::default(), &step).await?;
    payouts::post(tx, claim, Some(b.id), movement, amount, now).await?;
    let (lang, public_url) = (t.lang, &state.settings.public_url);
    let text = match outcome {
        Outcome::Paid { on } => {
            // Each debit line is paid once in the whole system: the
            // database refuses a second time, and the whole step with it.
            settle_debits(tx, claim, line, *on).await?;
            mails::payment_sent(lang, public_url, &t.reference, amount, *on, &t.account)
        }
        Outcome::Failed { .. } => mails::payment_failed(lang, public_url, &t.reference),
    };
    mails::queue(tx, &t.email, Some(t.claim), &text, now).await?;
    Ok(true)
}
