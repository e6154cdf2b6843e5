//! A claim sent after its bank reported the debit: the bank's own row
//! (a reported loss no claim named) is matched to the claim's line, and an
//! exact match confirms the line as the report said, so the bank does not
//! confirm by hand, again, what its own list already told.

use uuid::Uuid;

use super::confirm_many;
use crate::auth::CurrentUser;
use crate::domain::account::AccountType;
use crate::domain::bank_list::{BankDebitRow, Match, compare};
use crate::error::AppError;
use crate::state::Core;
use crate::store::{bank_debits, claims};

/// The bank's row as the matcher reads it.
fn as_list_row(d: &bank_debits::DebitRow) -> BankDebitRow {
    BankDebitRow {
        branch: d.branch_code.clone(),
        account_type: AccountType::parse(&d.account_type).unwrap_or(AccountType::Ordinary),
        number: d.account_number.clone(),
        holder_kana: d.holder_kana.clone(),
        date: d.debit_date,
        amount: d.amount,
        descriptor: d.descriptor.clone(),
        reference: d.bank_reference.clone(),
        conversions: Vec::new(),
    }
}

/// The person who sent the list, acting for its bank (as the import did).
async fn sender(state: &Core, import: Uuid, bank: &str) -> Result<CurrentUser, AppError> {
    let row = bank_debits::import_by_id(&state.db, import)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = crate::store::users::by_id(&state.db, row.actor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(CurrentUser {
        id: user.id,
        email: user.email,
        role: crate::domain::Role::BankStaff,
        bank_code: Some(bank.to_owned()),
        bank_lead: false,
        lang: crate::i18n::Lang::parse(&user.lang).unwrap_or_default(),
    })
}

/// Matches the reported losses on this claim's accounts to its lines: an
/// exact match (date, amount, passbook text) confirms the line with the
/// bank's figures and reference, by the list's sender; a probable one (a
/// day off, or other text) waits on the bank's import page for a click.
/// Each row goes to one line, each line takes one row. Returns how many
/// lines were confirmed.
#[tracing::instrument(skip_all, fields(claim = %claim))]
pub async fn match_reported(state: &Core, claim: Uuid) -> Result<usize, AppError> {
    let reported = bank_debits::reported_for_claim(&state.db, claim).await?;
    if reported.is_empty() {
        return Ok(0);
    }
    let lines = claims::lines(&state.db, claim, None).await?;
    let mut taken: Vec<Uuid> = Vec::new();
    let mut confirmed = 0;
    for kind in [Match::Exact, Match::Probable] {
        for d in &reported {
            let row = as_list_row(d);
            let line = lines.iter().find(|l| {
                l.bank_verdict.is_none()
                    && !taken.contains(&l.id)
                    && (&l.bank_code, &l.branch_code, &l.account_number)
                        == (&d.bank_code, &d.branch_code, &d.account_number)
                    && compare(&row, l.debit_date, l.amount, &l.descriptor) == kind
            });
            let Some(line) = line else { continue };
            if taken.contains(&d.id) {
                continue;
            }
            let mut tx = state.db.begin().await?;
            let status = if kind == Match::Exact {
                "matched"
            } else {
                "probable"
            };
            // Another claim (or the bank) took it meanwhile: leave it.
            if !bank_debits::take_reported(&mut tx, d.id, status, line.id).await? {
                continue;
            }
            if kind == Match::Exact {
                let staff = sender(state, d.import_id, &d.bank_code).await?;
                let public_url = &state.settings.public_url;
                confirm_many(&mut tx, public_url, &staff, &[(claim, line.id, &row)]).await?;
                confirmed += 1;
            }
            tx.commit().await?;
            taken.extend([line.id, d.id]);
        }
    }
    if confirmed > 0 {
        tracing::info!(confirmed, "lines confirmed by the bank's earlier report");
    }
    Ok(confirmed)
}
