//! The payments reads: the approved cases a batch can take, a batch with its
//! lines, and the ledger's check (admins).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// An approved case the ledger says is owed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayableView {
    pub reference: String,
    pub owed: i64,
    pub bank_code: String,
    pub payee: String,
    /// Why it cannot be paid by transfer (an i18n key and the character).
    pub problem: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub number: i64,
    pub state: String,
    pub transfer_date: String,
    pub line_count: i64,
    pub total: i64,
    pub creator: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsView {
    pub payable: Vec<PayableView>,
    /// The earliest transfer date (one business day ahead), `YYYY-MM-DD`.
    pub suggested_date: String,
    /// The batch form's one-time token.
    pub request_id: String,
    pub batches: Vec<BatchSummary>,
    pub can_create: bool,
    /// Failed transfers waiting for another account: (reference, batch,
    /// reason key, note).
    pub failed: Vec<(String, i64, String, Option<String>)>,
}

#[cfg(feature = "ssr")]
const PAYOUT_STAFF: [crate::domain::Role; 3] = [
    crate::domain::Role::Payments,
    crate::domain::Role::Approver,
    crate::domain::Role::Admin,
];

/// What a payments user may put in a batch now, and the batches so far.
#[server(endpoint = "payments_overview")]
pub async fn payments_overview() -> Result<PaymentsView, ApiError> {
    use super::ctx;
    use crate::server::services::payouts::{payee_name, unpayable};
    use crate::server::store::payouts;
    let (state, user) = ctx::require(&PAYOUT_STAFF).await?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let candidates = payouts::candidates(&state.db, &Default::default(), 1000)
        .await
        .map_err(fail)?;
    let batches = payouts::batches(&state.db, 50).await.map_err(fail)?;
    let failed = payouts::failed(&state.db).await.map_err(fail)?;
    let today = crate::server::services::drafts::today_jst(chrono::Utc::now());
    Ok(PaymentsView {
        payable: candidates
            .iter()
            .map(|c| PayableView {
                reference: c.reference.clone(),
                owed: c.owed.value(),
                bank_code: c.bank_code.clone().unwrap_or_default(),
                payee: payee_name(c).unwrap_or_default().to_owned(),
                problem: unpayable(c).map(|(k, d)| (k.to_owned(), d)),
            })
            .collect(),
        suggested_date: crate::domain::payout::earliest_transfer_date(today).to_string(),
        request_id: uuid::Uuid::new_v4().to_string(),
        batches: batches
            .into_iter()
            .map(|b| BatchSummary {
                number: b.number,
                state: b.state,
                transfer_date: b.transfer_date.to_string(),
                line_count: b.line_count,
                total: b.total.value(),
                creator: b.creator,
            })
            .collect(),
        can_create: user.role == crate::domain::Role::Payments,
        failed: failed
            .into_iter()
            .map(|(r, n, reason, note)| (r, n, format!("fail_reason_{reason}"), note))
            .collect(),
    })
}

/// One transfer of a batch: the account shown with its last 3 digits only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutLineView {
    pub position: i64,
    pub reference: String,
    pub bank_code: String,
    pub branch_code: String,
    pub account: String,
    pub payee: String,
    pub amount: i64,
    pub result: Option<String>,
    pub paid_on: Option<String>,
    pub fail_reason: Option<String>,
    /// Another line of the batch pays the same account the same amount.
    pub duplicate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub summary: BatchSummary,
    pub releaser: Option<String>,
    pub sha256: Option<String>,
    pub lines: Vec<PayoutLineView>,
    pub can_release: bool,
    pub can_export: bool,
    pub can_record: bool,
    /// Lines that would pay a debit their case does not hold, or twice:
    /// (reference, debit line, the other case paying the same debit).
    pub conflicts: Vec<(String, i64, Option<String>)>,
}

#[server(endpoint = "payout_batch")]
pub async fn payout_batch(number: i64) -> Result<BatchView, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    use crate::server::store::payouts;
    let (state, user) = ctx::require(&PAYOUT_STAFF).await?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let b = payouts::batch(&state.db, number)
        .await
        .map_err(fail)?
        .ok_or(ApiError::NotFound)?;
    let lines = payouts::lines(&state.db, b.id).await.map_err(fail)?;
    let key = |l: &payouts::LineRow| {
        (
            l.bank_code.clone(),
            l.branch_code.clone(),
            l.account_number.clone(),
            l.amount,
        )
    };
    let open = b.state == "open";
    let conflicts: Vec<(String, i64, Option<String>)> = if open {
        crate::server::store::reservations::batch_conflicts(&state.db, b.id)
            .await
            .map_err(fail)?
            .into_iter()
            .map(|c| (c.reference, c.position, c.other))
            .collect()
    } else {
        Vec::new()
    };
    Ok(BatchView {
        can_release: open
            && user.role == Role::Approver
            && user.id != b.created_by
            && conflicts.is_empty(),
        conflicts,
        can_export: !open && matches!(user.role, Role::Payments | Role::Admin),
        can_record: b.state == "released" && user.role == Role::Payments,
        releaser: b.releaser.clone(),
        sha256: b.file_sha256.clone(),
        lines: lines
            .iter()
            .map(|l| PayoutLineView {
                position: l.position,
                reference: l.reference.clone(),
                bank_code: l.bank_code.clone(),
                branch_code: l.branch_code.clone(),
                account: format!("****{}", crate::domain::payout::last3(&l.account_number)),
                payee: l.payee_kana.clone(),
                amount: l.amount.value(),
                result: l.result.clone(),
                paid_on: l.paid_on.map(|d| d.to_string()),
                fail_reason: l.fail_reason.clone(),
                duplicate: lines.iter().filter(|m| key(m) == key(l)).count() > 1,
            })
            .collect(),
        summary: BatchSummary {
            number: b.number,
            state: b.state,
            transfer_date: b.transfer_date.to_string(),
            line_count: b.line_count,
            total: b.total.value(),
            creator: b.creator,
        },
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerTotal {
    pub bank_code: String,
    pub state: String,
    pub cases: i64,
    pub approved: i64,
    pub paid: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerView {
    pub totals: Vec<LedgerTotal>,
    /// (the invariant's i18n key, how many break it).
    pub checks: Vec<(String, i64)>,
    pub bad_files: Vec<(i64, String)>,
    pub ok: bool,
}

/// The ledger's totals by bank and state, and its invariants (admins).
#[server(endpoint = "ledger_report")]
pub async fn ledger_report() -> Result<LedgerView, ApiError> {
    use super::ctx;
    let (state, _) = ctx::require(&[crate::domain::Role::Admin]).await?;
    let c = crate::server::services::payouts::check_ledger(&state)
        .await
        .map_err(ctx::fail)?;
    let v = &c.violations;
    Ok(LedgerView {
        ok: c.ok(),
        checks: vec![
            ("ledger_unbalanced".into(), v.unbalanced_txns),
            ("ledger_sum".into(), v.ledger_sum.value()),
            ("ledger_overpaid".into(), v.overpaid_cases),
            ("ledger_debits_twice".into(), v.debits_paid_twice),
            (
                "ledger_debits_reserved_twice".into(),
                v.debits_reserved_twice,
            ),
            (
                "ledger_debits_scheduled_twice".into(),
                v.debits_scheduled_twice,
            ),
            (
                "ledger_debits_scheduled_while_paid".into(),
                v.debits_scheduled_while_paid,
            ),
            ("ledger_debits_unreserved".into(), v.debits_unreserved),
            ("ledger_debits_over_amount".into(), v.debits_over_amount),
            ("ledger_cases_twice".into(), v.cases_paid_twice),
            ("ledger_paid_mismatch".into(), v.paid_mismatch),
        ],
        bad_files: c.bad_files.clone(),
        totals: c
            .totals
            .into_iter()
            .map(|t| LedgerTotal {
                bank_code: t.bank_code.unwrap_or_default(),
                state: t.state,
                cases: t.cases,
                approved: t.approved.value(),
                paid: t.paid.value(),
            })
            .collect(),
    })
}
