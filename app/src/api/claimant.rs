//! The claimant's reads: their own claims and nothing else.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One line of a claim list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSummary {
    pub reference: String,
    pub state: String,
    pub full_name: String,
    pub total: i64,
    pub submitted_on: String,
    pub last_change_on: String,
}

/// One step in a claim's history as the claimant sees it (never who did it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub on: String,
    pub action: String,
}

/// A claim with its debit lines, as the reader may see it (account numbers
/// in full only for the claimant and the account's own bank).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDetail {
    pub reference: String,
    pub state: String,
    pub full_name: String,
    pub name_kana: String,
    pub phone: Option<String>,
    pub total: i64,
    pub submitted_on: String,
    pub lines: Vec<LineView>,
    /// The claimant's view only: what happened, and whether they may withdraw.
    pub timeline: Vec<TimelineEntry>,
    pub can_withdraw: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub position: i64,
    pub bank: String,
    pub branch: String,
    pub account_type: String,
    pub account: String,
    pub date: String,
    pub amount: i64,
    pub descriptor: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod convert {
    use super::*;
    use crate::domain::account::mask_account;
    use crate::server::store::claims::{ClaimRow, ClaimSummaryRow, LineRow};

    pub fn jst_date(at: chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("JST"))
            .format("%Y-%m-%d")
            .to_string()
    }

    pub fn summary(r: ClaimSummaryRow) -> ClaimSummary {
        ClaimSummary {
            reference: r.reference,
            state: r.state,
            full_name: r.full_name,
            total: r.total_claimed,
            submitted_on: jst_date(r.submitted_at),
            last_change_on: jst_date(r.last_change),
        }
    }

    /// `full_accounts`: the reader may see account numbers in full.
    pub fn detail(
        c: ClaimRow,
        lines: Vec<LineRow>,
        full_accounts: bool,
        with_phone: bool,
    ) -> ClaimDetail {
        ClaimDetail {
            reference: c.reference,
            state: c.state,
            full_name: c.full_name,
            name_kana: c.name_kana,
            phone: with_phone.then_some(c.phone),
            total: c.total_claimed,
            submitted_on: jst_date(c.submitted_at),
            timeline: Vec::new(),
            can_withdraw: false,
            lines: lines
                .into_iter()
                .map(|l| LineView {
                    position: l.position,
                    bank: format!("{} ({})", l.bank_name, l.bank_code),
                    branch: format!("{} ({})", l.branch_name, l.branch_code),
                    account_type: l.account_type,
                    account: if full_accounts {
                        l.account_number
                    } else {
                        mask_account(&l.account_number)
                    },
                    date: l.debit_date.format("%Y-%m-%d").to_string(),
                    amount: l.amount,
                    descriptor: l.descriptor,
                })
                .collect(),
        }
    }
}

#[server(endpoint = "my_claims")]
pub async fn my_claims() -> Result<Vec<ClaimSummary>, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    let (state, user) = ctx::require(&[Role::Claimant]).await?;
    let rows = crate::server::store::claims::for_claimant(&state.db, user.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    Ok(rows.into_iter().map(convert::summary).collect())
}

/// One of the claimant's own claims; another person's is NotFound.
#[server(endpoint = "my_claim")]
pub async fn my_claim(reference: String) -> Result<ClaimDetail, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    use crate::server::services::claims::{Viewer, view};
    let (state, user) = ctx::require(&[Role::Claimant]).await?;
    use crate::domain::workflow::{Action, CaseFacts, CaseState, allowed_actions};
    let (claim, lines) = view(&state.db, &reference, Viewer::Claimant(&user))
        .await
        .map_err(ctx::fail)?;
    let events = crate::server::store::claims::events(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    // The page offers withdrawal exactly when the workflow allows it.
    let facts = CaseFacts {
        actor_is_claimant: true,
        ..CaseFacts::default()
    };
    let can_withdraw = CaseState::parse(&claim.state)
        .is_some_and(|s| allowed_actions(s, Role::Claimant, &facts).contains(&Action::Withdraw));
    let mut detail = convert::detail(claim, lines, true, true);
    detail.timeline = events
        .into_iter()
        .map(|e| TimelineEntry {
            on: convert::jst_date(e.at),
            action: e.action,
        })
        .collect();
    detail.can_withdraw = can_withdraw;
    Ok(detail)
}
