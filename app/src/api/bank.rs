//! A bank's reads: only debit lines at that bank, never anything of another.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::claimant::ClaimDetail;

pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankLine {
    pub reference: String,
    pub position: i64,
    pub branch_code: String,
    pub account: String,
    pub date: String,
    pub amount: i64,
    pub descriptor: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankQueuePage {
    pub rows: Vec<BankLine>,
    pub page: i64,
    pub total: i64,
}

impl BankQueuePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

/// Debit lines at the user's bank on submitted claims, oldest first.
#[server(endpoint = "bank_queue")]
pub async fn bank_queue(page: i64) -> Result<BankQueuePage, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    let (state, user) = ctx::require(&[Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let page = page.max(1);
    let (rows, total) = crate::server::store::claims::bank_queue_page(
        &state.db,
        bank,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await
    .map_err(|e| ctx::fail(e.into()))?;
    Ok(BankQueuePage {
        rows: rows
            .into_iter()
            .map(|r| BankLine {
                reference: r.reference,
                position: r.position,
                branch_code: r.branch_code,
                account: r.account_number,
                date: r.debit_date.format("%Y-%m-%d").to_string(),
                amount: r.amount,
                descriptor: r.descriptor,
            })
            .collect(),
        page,
        total,
    })
}

/// A claim as the bank sees it: only its own lines (in full); NotFound when
/// the claim has no line at this bank.
#[server(endpoint = "bank_case")]
pub async fn bank_case(reference: String) -> Result<ClaimDetail, ApiError> {
    use super::{claimant::convert, ctx};
    use crate::domain::Role;
    use crate::server::services::claims::{Viewer, view};
    let (state, user) = ctx::require(&[Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let (claim, lines) = view(&state.db, &reference, Viewer::Bank(bank))
        .await
        .map_err(ctx::fail)?;
    Ok(convert::detail(claim, lines, true, false))
}
