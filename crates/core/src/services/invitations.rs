//! Reaching people who never noticed their loss: from a bank-reported debit
//! the operator writes a letter with a one-time claim code; redeeming the
//! code starts a claim that already holds the bank's debits.

use chrono::Utc;
use rand::Rng;
use uuid::Uuid;

use crate::auth::{CurrentUser, token_hash};
use crate::domain::answers::{Account, Answers, DebitLine};
use crate::domain::invite::{ALPHABET, LENGTH, format_code, normalise_code};
use crate::error::AppError;
use crate::limits::{Limit, check_rate};
use crate::state::Core;
use crate::store::{bank_debits, banks, invitations};

/// Guessing codes: 10 tries per 10 minutes per address.
pub const REDEEM_PER_IP: Limit = Limit {
    max: 10,
    window: chrono::Duration::minutes(10),
};

/// Writes an invitation for the account of an unmatched bank row. Returns
/// its id and the code, which exists only in this answer (and the letter).
#[tracing::instrument(skip_all, fields(user = %staff.id))]
pub async fn create(
    state: &Core,
    staff: &CurrentUser,
    debit: Uuid,
) -> Result<(Uuid, String), AppError> {
    let row = bank_debits::debit_by_id(&state.db, debit)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status != "unmatched" {
        return Err(AppError::Conflict("not_unmatched"));
    }
    let raw: String = {
        let mut rng = rand::thread_rng();
        (0..LENGTH)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect()
    };
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    let covered = invitations::insert(
        &mut tx,
        &invitations::NewInvitation {
            id,
            code_hash: &token_hash(&raw),
            debit: &row,
            created_by: staff.id,
            now: Utc::now(),
        },
    )
    .await?;
    if covered == 0 {
        return Err(AppError::Conflict("already_invited"));
    }
    tx.commit().await?;
    Ok((id, format_code(&raw)))
}

/// Redeems a claim code: a new draft holding the invitation's account and
/// debits. A code works once; wrong codes count against a limit.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn redeem(
    state: &Core,
    user: &CurrentUser,
    code: &str,
    ip: &str,
) -> Result<Uuid, AppError> {
    check_rate(state, &format!("redeem:ip:{ip}"), REDEEM_PER_IP).await?;
    let code = normalise_code(code).map_err(|k| AppError::field("claim_code", k))?;
    let hash = token_hash(&code);
    // Read outside the write; `mark_used` below settles a race between two
    // redemptions of one code.
    let Some(inv) = invitations::unused_by_code(&state.db, &hash).await? else {
        return Err(AppError::field("claim_code", "claim_code_unknown"));
    };
    let bank = banks::by_code(&state.db, &inv.bank_code)
        .await?
        .ok_or(AppError::NotFound)?;
    let branch = banks::find_branches(&state.db, &inv.bank_code, Some(&inv.branch_code), None)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let lines = invitations::debits(&state.db, inv.id)
        .await?
        .into_iter()
        .map(|(date, amount, descriptor, reference)| DebitLine {
            id: Uuid::new_v4(),
            date,
            amount,
            descriptor,
            reference: Some(reference),
        })
        .collect();
    let answers = Answers {
        accounts: vec![Account {
            id: Uuid::new_v4(),
            bank: inv.bank_code.clone(),
            bank_name: bank.name,
            branch: inv.branch_code.clone(),
            branch_name: branch.name,
            account_type: inv.account_type.clone(),
            number: inv.account_number.clone(),
            passbook: None,
            lines,
        }],
        ..Answers::default()
    };
    let draft = Uuid::new_v4();
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    if !invitations::mark_used(&mut tx, inv.id, user.id, draft, now).await? {
        return Err(AppError::field("claim_code", "claim_code_unknown"));
    }
    // Within the limit of open drafts, like any new claim (refused, the
    // code stays unused: nothing of this transaction is kept).
    super::drafts::open_draft(&mut tx, draft, user.id, &answers, now).await?;
    tx.commit().await?;
    Ok(draft)
}
