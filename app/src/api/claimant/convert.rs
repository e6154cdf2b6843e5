//! From the store's rows to what the claimant's, the operator's and the
//! bank's pages show.

use super::*;
use crate::domain::account::{mask_account, mask_passbook};
use crate::server::store::claims::{ClaimRow, ClaimSummaryRow, LineRow};

pub fn jst_date(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::calendar::japan_time(at, "%Y-%m-%d")
}

/// `2020-09-03 14:05` in Japan.
pub fn jst_time(at: chrono::DateTime<chrono::Utc>) -> String {
    crate::domain::calendar::japan_time(at, "%Y-%m-%d %H:%M")
}

pub fn summary(r: ClaimSummaryRow) -> ClaimSummary {
    ClaimSummary {
        reference: r.reference,
        state: r.state,
        full_name: r.full_name,
        total: r.total_claimed.value(),
        submitted_on: jst_date(r.submitted_at),
        last_change_on: jst_date(r.last_change),
        paid: r.paid_total,
    }
}

/// The reviewer's reason for approving less than claimed (none when
/// approved in full, or not yet).
pub fn reduction_note(
    claimed: crate::domain::Yen,
    approved: Option<crate::domain::Yen>,
    note: Option<String>,
) -> Option<String> {
    note.filter(|n| approved.is_some_and(|a| a < claimed) && !n.trim().is_empty())
}

/// Every fact the claimant gave beyond the lines, for operator staff
/// (the payout account masked).
pub fn facts(a: &crate::domain::answers::Answers) -> Option<ClaimantFacts> {
    let about = a.about.as_ref()?;
    let payout = a.payout_account().map(|p| {
        (
            format!(
                "{} {} ({})",
                crate::domain::account::bank_display_name(&p.bank, &p.bank_name),
                p.branch_name,
                p.branch
            ),
            format!("account_{}", p.account_type),
            mask_account(&p.number),
        )
    });
    Some(ClaimantFacts {
        birth_date: about.birth_date.to_string(),
        postal_code: about.postal_code.clone(),
        address: about.address.clone(),
        contact_key: format!("contact_{}", about.contact),
        lang: about.lang.clone(),
        compensated: about.compensated,
        compensated_amount: about.compensated_amount,
        compensated_by: about.compensated_by.clone(),
        police_number: about.police_number.clone(),
        police_date: about.police_date.map(|d| d.to_string()),
        payout,
    })
}

/// A case's files with the numbers of the debit lines each supports.
pub fn files(
    rows: Vec<crate::server::store::evidence::FileLine>,
    lines: &[(uuid::Uuid, i64)],
) -> Vec<CaseFile> {
    let mut out: Vec<CaseFile> = Vec::new();
    for r in rows {
        let position = r
            .line_id
            .and_then(|l| lines.iter().find(|(i, _)| *i == l).map(|(_, p)| *p));
        let id = r.id.to_string();
        match out.iter_mut().find(|f| f.id == id) {
            Some(f) => f.lines.extend(position),
            None => out.push(CaseFile {
                id,
                name: r.file_name,
                kind: r.kind,
                size: r.size_bytes,
                lines: position.into_iter().collect(),
                request: r.request_id.map(|q| q.to_string()),
            }),
        }
    }
    for f in &mut out {
        f.lines.sort_unstable();
    }
    out
}

/// Each request for information with its answer and the files sent with it.
pub fn requests(
    rows: Vec<crate::server::store::requests::RequestRow>,
    files: &[CaseFile],
) -> Vec<RequestExchange> {
    rows.into_iter()
        .map(|r| {
            let id = r.id.to_string();
            RequestExchange {
                asked_on: jst_time(r.created_at),
                question: r.question,
                sections: r
                    .sections
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| format!("section_{s}"))
                    .collect(),
                answered_on: r.answered_at.map(jst_time),
                answer: r.answer,
                files: files
                    .iter()
                    .filter(|f| f.request.as_deref() == Some(id.as_str()))
                    .map(|f| (f.id.clone(), f.name.clone()))
                    .collect(),
            }
        })
        .collect()
}

/// The calls and journeys of a claim, for its page.
pub async fn expenses(
    db: &crate::server::db::Db,
    claim_id: uuid::Uuid,
) -> Result<(Vec<ExpenseView>, Vec<ExpenseView>), sqlx::Error> {
    use crate::server::store::claims;
    let calls = claims::call_lines(db, claim_id)
        .await?
        .into_iter()
        .map(|c| ExpenseView {
            date: c.call_date.to_string(),
            kind_key: format!("callee_{}", c.callee),
            detail: String::new(),
            amount: c.amount.value(),
            approved: c.approved_amount.map(crate::domain::Yen::value),
            approved_note: reduction_note(c.amount, c.approved_amount, c.approved_note),
            minutes: Some(c.minutes),
        })
        .collect();
    let travel = claims::travel_lines(db, claim_id)
        .await?
        .into_iter()
        .map(|t| ExpenseView {
            date: t.travel_date.to_string(),
            kind_key: format!("means_{}", t.means),
            detail: format!("{} → {} ({})", t.from_place, t.to_place, t.purpose),
            amount: t.amount.value(),
            approved: t.approved_amount.map(crate::domain::Yen::value),
            approved_note: reduction_note(t.amount, t.approved_amount, t.approved_note),
            minutes: None,
        })
        .collect();
    Ok((calls, travel))
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
        state: c.state.as_str().to_owned(),
        full_name: c.full_name,
        name_kana: c.name_kana,
        phone: with_phone.then_some(c.phone),
        total: c.total_claimed.value(),
        submitted_on: jst_date(c.submitted_at),
        timeline: Vec::new(),
        can_withdraw: false,
        rejection: None,
        approved_total: None,
        payments: Vec::new(),
        facts: None,
        files: Vec::new(),
        requests: Vec::new(),
        calls: Vec::new(),
        travel: Vec::new(),
        request: None,
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
                amount: l.amount.value(),
                descriptor: l.descriptor,
                confirmed: l.confirmed_amount.map(crate::domain::Yen::value),
                approved: l.approved_amount.map(crate::domain::Yen::value),
                passbook: if full_accounts {
                    l.passbook
                } else {
                    l.passbook.as_deref().map(mask_passbook)
                },
                approved_note: None,
                bank_note: l.bank_note,
            })
            .collect(),
    }
}

/// What a claimant is told of their compensation once it is approved: the
/// reviewer's reason beside each line approved for less, and the transfers
/// once in a released batch.
pub struct Compensation {
    notes: Vec<(i64, Option<String>)>,
    payments: Vec<crate::server::store::payouts::ClaimPayment>,
}

impl Compensation {
    /// None before approval (and after a rejection or a withdrawal).
    pub async fn read(
        db: &crate::server::db::Db,
        claim: &ClaimRow,
        lines: &[LineRow],
    ) -> Result<Option<Compensation>, sqlx::Error> {
        use crate::domain::workflow::CaseState;
        let paying = matches!(
            claim.state,
            CaseState::PayoutScheduled | CaseState::Paid | CaseState::PayoutFailed
        );
        if !(paying || claim.state == CaseState::Approved) {
            return Ok(None);
        }
        let payments = if paying {
            crate::server::store::payouts::for_claim(db, claim.id).await?
        } else {
            Vec::new()
        };
        let notes = lines
            .iter()
            .map(|l| {
                let note = reduction_note(l.amount, l.approved_amount, l.approved_note.clone());
                (l.position, note)
            })
            .collect();
        Ok(Some(Compensation { notes, payments }))
    }

    /// Puts it on the claim's page: the reasons beside the lines, the
    /// approved total (calls and journeys included), the transfers with the
    /// account masked.
    pub fn show(self, detail: &mut ClaimDetail, calls: &[ExpenseView], travel: &[ExpenseView]) {
        for l in &mut detail.lines {
            l.approved_note = self
                .notes
                .iter()
                .find(|(p, _)| *p == l.position)
                .and_then(|(_, n)| n.clone());
        }
        let lines: i64 = detail.lines.iter().map(|l| l.approved.unwrap_or(0)).sum();
        let expenses: i64 = calls
            .iter()
            .chain(travel)
            .map(|e| e.approved.unwrap_or(0))
            .sum();
        detail.approved_total = Some(lines + expenses);
        detail.payments = self
            .payments
            .into_iter()
            .map(|p| PaymentView {
                amount: p.amount.value(),
                transfer_date: p.transfer_date.to_string(),
                status: p.result.clone().unwrap_or_else(|| "scheduled".to_owned()),
                paid_on: p.paid_on.map(|d| d.to_string()),
                to_bank: format!(
                    "{} {} ({})",
                    p.bank_name.unwrap_or_else(|| p.bank_code.clone()),
                    p.branch_name.unwrap_or_default(),
                    p.branch_code
                ),
                account_type: format!("account_{}", p.account_type),
                account: mask_account(&p.account_number),
            })
            .collect();
    }
}
