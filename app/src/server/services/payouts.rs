//! Payouts: a payments user makes a batch of approved cases, an approver
//! who did not make it releases it, the Zengin file is exported (written
//! once, kept, handed out only after it passed its own validation), and the
//! bank's results are recorded by hand or from its file. Every step is one
//! transaction with the case's state change, its event, the ledger's double
//! entries, the debits paid (unique in the database), the cost split and
//! the claimant's mail: a step runs whole or not at all, and running it
//! again changes nothing.

use chrono::Utc;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::drafts::today_jst;
use super::{cases, mails};
use crate::domain::FieldErrors;
use crate::domain::answers::AccountInput;
use crate::domain::payout::{Movement, Outcome, parse_result_file, split};
use crate::domain::workflow::{Action, CaseFacts, CaseState};
use crate::domain::zengin::{self, Layout, Payee, Requester};
use crate::i18n::Lang;
use crate::server::auth::CurrentUser;
use crate::server::db::Tx;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::server::store::payouts::{self, Candidate, CandidateFilter};
use crate::server::store::{banks, claims, reservations};

/// The most cases one batch takes.
pub const MAX_BATCH: i64 = 100_000;

/// The payee's name for the transfer: the holder's name as the bank
/// confirmed it for this account, else the claimant's own.
pub fn payee_name(c: &Candidate) -> Option<&str> {
    c.bank_holder_kana
        .as_deref()
        .or(c.holder_kana.as_deref())
        .filter(|n| !n.trim().is_empty())
}

/// Why an approved case cannot go into a batch (an i18n key and the
/// character at fault), or None.
pub fn unpayable(c: &Candidate) -> Option<(&'static str, String)> {
    let (Some(_), Some(_), Some(_), Some(_)) = (
        &c.bank_code,
        &c.branch_code,
        &c.account_type,
        &c.account_number,
    ) else {
        return Some(("payout_no_account", String::new()));
    };
    match payee_name(c).map(zengin::to_zengin) {
        None => Some(("payout_no_name", String::new())),
        Some(Err(ch)) => Some(("zengin_name_char", ch.to_string())),
        Some(Ok(_)) => None,
    }
}

/// A payments user makes a batch of the approved cases the filter takes,
/// for a transfer date a business day ahead. Posting the same form again
/// (its one-time token) finds the same batch. Returns the batch's number.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn create_batch(
    state: &AppState,
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
    let total: i64 = cases.iter().map(|c| c.owed).sum();
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
        payouts::insert_line(
            &mut tx,
            &payouts::NewLine {
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
            },
        )
        .await?;
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
    tracing::info!(number, cases = cases.len(), total, "payout batch made");
    Ok(number)
}

async fn batch(state: &AppState, number: i64) -> Result<payouts::BatchRow, AppError> {
    payouts::batch(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// An approver releases an open batch; never the person who made it.
#[tracing::instrument(skip_all, fields(user = %approver.id))]
pub async fn release(
    state: &AppState,
    approver: &CurrentUser,
    number: i64,
) -> Result<(), AppError> {
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

/// The operator's side of the file, from the settings and the bank list.
async fn requester(state: &AppState) -> Result<Requester, AppError> {
    let r = &state.settings.zengin;
    let bank = banks::by_code(&state.db, &r.bank_code).await?;
    let branch = banks::branch_kana(&state.db, &r.bank_code, &r.branch_code).await?;
    Ok(Requester {
        code: r.code.clone(),
        name: r.name.clone(),
        bank_code: r.bank_code.clone(),
        bank_name: bank.map(|b| b.kana).unwrap_or_default(),
        branch_code: r.branch_code.clone(),
        branch_name: branch.unwrap_or_default(),
        account_type: r.account_type,
        account_number: r.account_number.clone(),
    })
}

/// The Zengin file of a released batch (with CR LF after each record, or
/// without). The first export writes it and keeps it with its SHA-256;
/// every later export hands out the same bytes. A file that fails its own
/// validation is never handed out.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn export(
    state: &AppState,
    user: &CurrentUser,
    number: i64,
    crlf: bool,
) -> Result<Vec<u8>, AppError> {
    let b = batch(state, number).await?;
    if b.state == "open" {
        return Err(AppError::Conflict("batch_not_released"));
    }
    let stored = match payouts::file(&state.db, b.id).await? {
        Some(file) => file,
        None => {
            let lines = payouts::lines(&state.db, b.id).await?;
            let payees: Vec<Payee> = lines
                .iter()
                .map(|l| Payee {
                    bank_code: l.bank_code.clone(),
                    bank_name: l.bank_kana.clone().unwrap_or_default(),
                    branch_code: l.branch_code.clone(),
                    branch_name: l.branch_kana.clone().unwrap_or_default(),
                    account_type: l.account_type.clone(),
                    account_number: l.account_number.clone(),
                    name: l.payee_kana.clone(),
                    amount: l.amount,
                    customer_code: l.seq,
                })
                .collect();
            let layout = Layout {
                crlf: true,
                blank_names: state.settings.zengin.blank_names,
            };
            let text = zengin::build(&requester(state).await?, b.transfer_date, &payees, layout)
                .map_err(|errors| {
                    tracing::error!(?errors, number, "a batch that cannot be written");
                    AppError::Conflict("zengin_invalid")
                })?;
            let bytes = zengin::to_shift_jis(&text);
            check(&bytes, true, &b)?;
            let sha = hex::encode(Sha256::digest(&bytes));
            let mut tx = state.db.begin().await?;
            let first = payouts::store_file(&mut tx, b.id, &bytes, &sha, Utc::now()).await?;
            tx.commit().await?;
            if first {
                tracing::info!(number, sha256 = %sha, "zengin file written");
                bytes
            } else {
                // Someone exported at the same moment: theirs is kept.
                payouts::file(&state.db, b.id)
                    .await?
                    .ok_or(AppError::Conflict("batch_changed"))?
            }
        }
    };
    let out = if crlf {
        stored
    } else {
        stored
            .chunks(zengin::RECORD + 2)
            .flat_map(|r| &r[..zengin::RECORD.min(r.len())])
            .copied()
            .collect()
    };
    check(&out, crlf, &b)?;
    Ok(out)
}

/// The file's own validation, and its count and sum against the batch's.
fn check(bytes: &[u8], crlf: bool, b: &payouts::BatchRow) -> Result<(), AppError> {
    match zengin::validate(bytes, crlf) {
        Ok(s) if s.count == b.line_count && s.total == b.total => Ok(()),
        Ok(s) => {
            tracing::error!(?s, b.line_count, b.total, "zengin file totals differ");
            Err(AppError::Conflict("zengin_invalid"))
        }
        Err(e) => {
            tracing::error!(error = %e, "zengin file invalid");
            Err(AppError::Conflict("zengin_invalid"))
        }
    }
}

/// The same rows for people: CSV (UTF-8 with BOM, as Excel in Japan
/// expects) with the case references and results, through the one CSV
/// writer.
#[tracing::instrument(skip_all)]
pub async fn export_csv(state: &AppState, number: i64) -> Result<Vec<u8>, AppError> {
    let b = batch(state, number).await?;
    let lines = payouts::lines(&state.db, b.id).await?;
    let header = [
        "batch",
        "transfer_date",
        "position",
        "reference",
        "bank_code",
        "branch_code",
        "account_type",
        "account_number",
        "payee",
        "amount",
        "result",
        "paid_on",
        "fail_reason",
    ]
    .map(String::from);
    let rows = lines.into_iter().map(|l| {
        [
            b.number.to_string(),
            b.transfer_date.to_string(),
            l.position.to_string(),
            l.reference,
            l.bank_code,
            l.branch_code,
            l.account_type,
            l.account_number,
            l.payee_kana,
            l.amount.to_string(),
            l.result.unwrap_or_default(),
            l.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            l.fail_reason.unwrap_or_default(),
        ]
    });
    crate::server::download::csv_with_bom(std::iter::once(header).chain(rows))
}

/// Records the bank's result for one case of a released batch (a form).
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn record_result(
    state: &AppState,
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
    state: &AppState,
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
fn paid_on_possible(
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
struct Target {
    line: Uuid,
    claim: Uuid,
    amount: i64,
    reference: String,
    account: String,
    email: String,
    lang: Lang,
}

async fn target(
    state: &AppState,
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

/// One case's result inside `tx` (and only through it): the line, the
/// case's state and event, the ledger, the debits paid, the cost split and
/// the claimant's mail. False when the line already had this very result.
async fn apply(
    state: &AppState,
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
                entry.0 += d.approved;
            }
            for (bank, (paid, percent)) in &by_bank {
                let (bank_share, operator_share) = split(*paid, *percent);
                payouts::insert_cost_share(
                    tx,
                    &payouts::CostShare {
                        claim_id: claim,
                        bank_code: bank,
                        debits_paid: *paid,
                        share_percent: *percent,
                        bank_share,
                        operator_share,
                        paid_on: *on,
                    },
                )
                .await?;
            }
            mails::payment_sent(lang, public_url, &t.reference, amount, *on, &t.account)
        }
        Outcome::Failed { .. } => mails::payment_failed(lang, public_url, &t.reference),
    };
    mails::queue(tx, &t.email, Some(t.claim), &text, now).await?;
    Ok(true)
}

/// The ledger's state: totals by bank and state, and the invariants.
pub struct LedgerCheck {
    pub totals: Vec<payouts::TotalRow>,
    pub violations: payouts::Violations,
    /// Released batches whose stored file does not hold their lines'
    /// count and total (batch number, what is wrong).
    pub bad_files: Vec<(i64, String)>,
}

impl LedgerCheck {
    pub fn ok(&self) -> bool {
        self.violations == payouts::Violations::default() && self.bad_files.is_empty()
    }
}

#[tracing::instrument(skip_all)]
pub async fn check_ledger(state: &AppState) -> Result<LedgerCheck, AppError> {
    let mut bad_files = Vec::new();
    for (number, file, total, count) in payouts::released_files(&state.db).await? {
        if let Some(file) = file {
            match zengin::validate(&file, true) {
                Ok(s) if s.total == total && s.count == count => {}
                Ok(s) => bad_files.push((
                    number,
                    format!(
                        "file {}/{} yen, lines {count}/{total} yen",
                        s.count, s.total
                    ),
                )),
                Err(e) => bad_files.push((number, e)),
            }
        }
    }
    Ok(LedgerCheck {
        totals: payouts::totals(&state.db).await?,
        violations: payouts::violations(&state.db).await?,
        bad_files,
    })
}

/// The per-bank settlement: CSV (UTF-8 with BOM), through the one CSV
/// writer.
#[tracing::instrument(skip_all)]
pub async fn settlement_csv(state: &AppState) -> Result<Vec<u8>, AppError> {
    let rows = payouts::settlement(&state.db).await?;
    let header = [
        "bank_code",
        "bank_name",
        "cases",
        "debits_paid",
        "bank_share",
        "operator_share",
    ]
    .map(String::from);
    let rows = rows.into_iter().map(|r| {
        [
            r.bank_code,
            r.bank_name,
            r.cases.to_string(),
            r.debits_paid.to_string(),
            r.bank_share.to_string(),
            r.operator_share.to_string(),
        ]
    });
    crate::server::download::csv_with_bom(std::iter::once(header).chain(rows))
}

/// The per-bank settlement as an Excel workbook (numbers as numbers).
#[tracing::instrument(skip_all)]
pub async fn settlement_xlsx(state: &AppState) -> Result<Vec<u8>, AppError> {
    use rust_xlsxwriter::Workbook;
    let rows = payouts::settlement(&state.db).await?;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::other(anyhow::anyhow!(e));
    let header = [
        "bank_code",
        "bank_name",
        "cases",
        "debits_paid",
        "bank_share",
        "operator_share",
    ];
    for (col, h) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *h).map_err(fail)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let text = crate::server::download::safe_text;
        sheet
            .write_string(row, 0, text(&r.bank_code))
            .map_err(fail)?;
        sheet
            .write_string(row, 1, text(&r.bank_name))
            .map_err(fail)?;
        for (col, value) in [r.cases, r.debits_paid, r.bank_share, r.operator_share]
            .into_iter()
            .enumerate()
        {
            sheet
                .write_number(row, col as u16 + 2, value as f64)
                .map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// After a failed transfer the claimant gives another account (any bank
/// may receive the money); a new batch can then take the case.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %user.id))]
pub async fn change_account(
    state: &AppState,
    user: &CurrentUser,
    reference: &str,
    account: Result<(AccountInput, String), FieldErrors>,
) -> Result<(), AppError> {
    let reference = crate::domain::CaseRef::parse(reference).map_err(|_| AppError::NotFound)?;
    let claim = claims::by_reference(&state.db, &reference.to_string())
        .await?
        .filter(|c| c.claimant_id == user.id)
        .ok_or(AppError::NotFound)?;
    if claim.state != CaseState::PayoutFailed {
        return Err(AppError::Conflict("payout_account_not_asked"));
    }
    // Read after access: somebody else's case is not found, whatever the form.
    let (input, holder_kana) = account.map_err(AppError::Invalid)?;
    // The branch may be given by code or name: the bank list says which.
    let (_, branch, _) = super::drafts::resolve_account(&state.db, &input, false).await?;
    if zengin::to_zengin(&holder_kana).is_err() {
        return Err(AppError::field("holder_kana", "kana_invalid"));
    }
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    let changed = payouts::change_account(
        &mut tx,
        claim.id,
        &payouts::NewAccount {
            bank: input.bank.as_str(),
            branch: &branch,
            account_type: input.account_type.as_str(),
            number: input.number.reveal(),
            holder_kana: &holder_kana,
        },
        now,
    )
    .await?;
    if !changed {
        return Err(AppError::Conflict("case_changed"));
    }
    cases::record(
        &mut tx,
        claim.id,
        CaseState::PayoutFailed,
        cases::Kept::PayoutAccountChanged,
        user.into(),
        None,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(reference = %reference, "payout account changed after a failed transfer");
    Ok(())
}
