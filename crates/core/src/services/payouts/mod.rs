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
use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::domain::FieldErrors;
use crate::domain::answers::AccountInput;
use crate::domain::payout::{Movement, Outcome, parse_result_file, split};
use crate::domain::workflow::{Action, CaseFacts, CaseState};
use crate::domain::zengin::{self, Layout, Payee, Requester};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::payouts::{self, Candidate, CandidateFilter};
use crate::store::{banks, claims, reservations};

mod batches;
mod export;
mod ledger;
mod results;

pub use batches::*;
pub use export::*;
pub use ledger::*;
pub use results::*;

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

async fn batch(state: &Core, number: i64) -> Result<payouts::BatchRow, AppError> {
    payouts::batch(&state.db, number)
        .await?
        .ok_or(AppError::NotFound)
}

/// After a failed transfer the claimant gives another account (any bank
/// may receive the money); a new batch can then take the case.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %user.id))]
pub async fn change_account(
    state: &Core,
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
