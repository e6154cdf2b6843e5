//! The operator's reads: the case queue and a case.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::claimant::{ClaimDetail, ClaimSummary};

pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<ClaimSummary>,
    pub page: i64,
    pub total: i64,
}

impl QueuePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

#[cfg(feature = "ssr")]
const OPERATORS: [crate::domain::Role; 4] = [
    crate::domain::Role::Reviewer,
    crate::domain::Role::Approver,
    crate::domain::Role::Payments,
    crate::domain::Role::Admin,
];

/// Submitted claims, newest first, 50 a page.
#[server(endpoint = "operator_queue")]
pub async fn operator_queue(page: i64) -> Result<QueuePage, ApiError> {
    use super::{claimant::convert, ctx};
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let page = page.max(1);
    let (rows, total) = crate::server::store::claims::queue_page(
        &state.db,
        "submitted",
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await
    .map_err(|e| ctx::fail(e.into()))?;
    Ok(QueuePage {
        rows: rows.into_iter().map(convert::summary).collect(),
        page,
        total,
    })
}

/// A case as the operator sees it: account numbers masked.
#[server(endpoint = "operator_case")]
pub async fn operator_case(reference: String) -> Result<ClaimDetail, ApiError> {
    use super::{claimant::convert, ctx};
    use crate::server::services::claims::{Viewer, view};
    let (state, _user) = ctx::require(&OPERATORS).await?;
    let (claim, lines) = view(&state.db, &reference, Viewer::Operator)
        .await
        .map_err(ctx::fail)?;
    let (calls, travel) = convert::expenses(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let mut detail = convert::detail(claim, lines, false, true);
    detail.calls = calls;
    detail.travel = travel;
    Ok(detail)
}
