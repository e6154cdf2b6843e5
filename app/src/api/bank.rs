//! A bank's reads: only debit lines at that bank, never anything of another.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::claimant::ClaimDetail;

pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankLine {
    pub line_id: uuid::Uuid,
    pub reference: String,
    pub position: i64,
    pub branch_code: String,
    pub account: String,
    pub date: String,
    pub amount: i64,
    pub descriptor: String,
    /// `confirmed`, `disputed`, or None while unanswered.
    pub verdict: Option<String>,
}

/// The queue's filters as typed (the page shows them back).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    pub page: i64,
    pub status: String,
    pub date_from: String,
    pub date_to: String,
    pub amount_min: String,
    pub amount_max: String,
    pub branch: String,
    pub q: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankQueuePage {
    pub rows: Vec<BankLine>,
    pub page: i64,
    /// Lines and claims matching the filters.
    pub total: i64,
    pub claims: i64,
    /// Filters that could not be read (ignored), as field errors.
    pub errors: crate::domain::FieldErrors,
}

impl BankQueuePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

/// The queue's filters read from what was typed, and the ones that could
/// not be read (the page and its CSV download share this).
#[cfg(feature = "ssr")]
pub fn queue_filter(
    query: &QueueQuery,
) -> (
    crate::server::store::bank_review::QueueFilter,
    crate::domain::FieldErrors,
) {
    use crate::domain::claim::parse_date;
    use crate::domain::{FieldErrors, Yen};
    use crate::server::store::bank_review::QueueFilter;
    let mut errors = FieldErrors::new();
    let far = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).expect("date");
    let date = |errors: &mut FieldErrors, name: &str, text: &str| {
        (!text.trim().is_empty())
            .then(|| errors.check(name, parse_date(text, far)))
            .flatten()
    };
    let amount = |errors: &mut FieldErrors, name: &str, text: &str| {
        (!text.trim().is_empty())
            .then(|| errors.check(name, Yen::parse_debit(text)))
            .flatten()
    };
    let filter = QueueFilter {
        status: query.status.clone(),
        date_from: date(&mut errors, "date_from", &query.date_from),
        date_to: date(&mut errors, "date_to", &query.date_to),
        amount_min: amount(&mut errors, "amount_min", &query.amount_min),
        amount_max: amount(&mut errors, "amount_max", &query.amount_max),
        branch: match query.branch.trim() {
            "" => None,
            b if b.len() == 3 && b.chars().all(|c| c.is_ascii_digit()) => Some(b.to_owned()),
            _ => {
                errors.add("branch", "branch_invalid");
                None
            }
        },
        search: Some(query.q.trim().to_uppercase()).filter(|q| !q.is_empty()),
    };
    (filter, errors)
}

/// Debit lines at the user's bank, grouped by claim, oldest first, filtered.
/// Another bank's lines are never among them, nor in the counts.
#[server(endpoint = "bank_queue")]
pub async fn bank_queue(query: QueueQuery) -> Result<BankQueuePage, ApiError> {
    use super::ctx;
    use crate::server::store::bank_review::queue_page;
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let page = query.page.max(1);
    let (filter, errors) = queue_filter(&query);
    // Bad filters are ignored and named beside their fields, with a 422.
    if !errors.is_empty()
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>()
    {
        res.set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (rows, total, claims) =
        queue_page(&state.db, bank, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            .await
            .map_err(|e| ctx::fail(e.into()))?;
    Ok(BankQueuePage {
        rows: rows
            .into_iter()
            .map(|r| BankLine {
                line_id: r.line_id,
                reference: r.reference,
                position: r.position,
                branch_code: r.branch_code,
                account: r.account_number,
                date: r.debit_date.format("%Y-%m-%d").to_string(),
                amount: r.amount.value(),
                descriptor: r.descriptor,
                verdict: r.bank_verdict,
            })
            .collect(),
        page,
        total,
        claims,
        errors,
    })
}

/// One answer in a line's history, with who gave it (bank and operator
/// only; the claimant never sees clerks' names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerView {
    pub line_id: uuid::Uuid,
    pub verdict: String,
    pub confirmed_amount: Option<i64>,
    pub bank_date: Option<String>,
    pub bank_reference: Option<String>,
    pub holder_kana: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub by: String,
    pub at: String,
}

/// A claim as its bank sees it: the claim, the bank's own lines in full with
/// their answers, and the payout account when this bank holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankCaseView {
    pub detail: ClaimDetail,
    pub line_ids: Vec<uuid::Uuid>,
    pub verdicts: Vec<Option<String>>,
    pub history: Vec<AnswerView>,
    /// Answers can still be given or corrected (until approval).
    pub open: bool,
    /// This bank holds the payout account: (account number, holder kana).
    pub payout: Option<(String, String)>,
    /// The newest account check: (matches, note, when).
    pub account_check: Option<(bool, Option<String>, String)>,
    /// This bank's lines it confirmed on another claim too: (line, the
    /// other claim, the reference the bank gave there).
    pub confirmed_elsewhere: Vec<(i64, String, String)>,
}

/// A claim as the bank sees it: only its own lines (in full); NotFound when
/// the claim has no line at this bank, or when `line` is given and is not
/// one of this bank's lines. Opening it is recorded.
#[server(endpoint = "bank_case")]
pub async fn bank_case(reference: String, line: Option<String>) -> Result<BankCaseView, ApiError> {
    use super::{claimant::convert, ctx};
    use crate::server::services::claims::{Viewer, view};
    use crate::server::store::{bank_review as store, claims};
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?.to_owned();
    let (claim, lines) = view(&state.db, &reference, Viewer::Bank(&bank))
        .await
        .map_err(ctx::fail)?;
    if let Some(line) = line
        && !lines.iter().any(|l| l.id.to_string() == line)
    {
        return Err(ctx::fail(crate::server::AppError::NotFound));
    }
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let history = store::answers(&state.db, claim.id, &bank)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|a| AnswerView {
            line_id: a.line_id,
            verdict: a.verdict,
            confirmed_amount: a.confirmed_amount.map(crate::domain::Yen::value),
            bank_date: a.bank_date.map(|d| d.to_string()),
            bank_reference: a.bank_reference,
            holder_kana: a.holder_kana,
            reason: a.reason,
            note: a.note,
            by: a.actor_email,
            at: convert::jst_time(a.at),
        })
        .collect();
    let payout = claims::payout_account_at(&state.db, claim.id, &bank)
        .await
        .map_err(fail)?;
    let account_check = store::account_check(&state.db, claim.id, &bank)
        .await
        .map_err(fail)?
        .map(|(m, note, at)| (m, note, convert::jst_time(at)));
    // Only this bank's lines, and claims that hold a line at this bank.
    let confirmed_elsewhere = store::confirmed_elsewhere(&state.db, claim.id, Some(&bank))
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| {
            (
                c.position,
                c.reference,
                c.bank_reference.unwrap_or_default(),
            )
        })
        .collect();
    let open = matches!(
        claim.state.as_str(),
        "submitted" | "bank_review" | "in_review" | "awaiting_claimant" | "assessed"
    );
    // The files linked to this bank's lines (its passbook photos), no other.
    let files = crate::server::store::evidence::files_for_bank(&state.db, claim.id, &bank)
        .await
        .map_err(fail)?;
    let positions: Vec<(uuid::Uuid, i64)> = lines.iter().map(|l| (l.id, l.position)).collect();
    let line_ids = lines.iter().map(|l| l.id).collect();
    let verdicts = lines.iter().map(|l| l.bank_verdict.clone()).collect();
    // A bank sees the total of its own lines, never the claim's (other
    // banks' debits, the claimant's costs).
    let own_total = lines.iter().map(|l| l.amount.value()).sum();
    let mut detail = convert::detail(claim, lines, true, false);
    detail.total = own_total;
    detail.files = convert::files(files, &positions);
    Ok(BankCaseView {
        detail,
        line_ids,
        verdicts,
        history,
        open,
        payout,
        account_check,
        confirmed_elsewhere,
    })
}

/// One import of the bank's own list, with its counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: uuid::Uuid,
    pub file_name: String,
    pub at: String,
    pub read: i64,
    pub rejected: i64,
    pub matched: i64,
    pub probable: i64,
    pub unmatched: i64,
    pub known: i64,
    /// `processing`, `done` or `failed`.
    pub status: String,
    /// Rows in the list, and how many are done.
    pub total: i64,
    pub done: i64,
}

/// A row of the bank's list as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    pub id: uuid::Uuid,
    pub bank: String,
    pub reference: String,
    pub branch: String,
    pub account: String,
    pub holder_kana: String,
    pub date: String,
    pub amount: i64,
    pub descriptor: String,
    /// An invitation letter has been written for this account.
    pub invited: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub summary: ImportSummary,
    /// (line number in the file, reason key).
    pub rejections: Vec<(usize, String)>,
    /// (conversion key, rows): what was read in another form than stored.
    pub conversions: Vec<(String, i64)>,
    pub probable: Vec<ListRow>,
    pub unmatched: Vec<ListRow>,
}

#[cfg(feature = "ssr")]
mod list_convert {
    use super::*;
    use crate::server::store::bank_debits::{DebitRow, ImportRow};

    pub fn summary(r: &ImportRow) -> ImportSummary {
        let status = crate::server::services::bank_import::status_of(r);
        ImportSummary {
            status: status.status,
            total: status.total,
            done: status.done,
            id: r.id,
            file_name: r.file_name.clone(),
            at: crate::api::claimant::convert::jst_time(r.created_at),
            read: r.rows_read,
            rejected: r.rows_rejected,
            matched: r.rows_matched,
            probable: r.rows_probable,
            unmatched: r.rows_unmatched,
            known: r.rows_known,
        }
    }

    pub fn row(d: DebitRow) -> ListRow {
        ListRow {
            id: d.id,
            bank: d.bank_code,
            reference: d.bank_reference,
            branch: d.branch_code,
            account: d.account_number,
            holder_kana: d.holder_kana,
            date: d.debit_date.to_string(),
            amount: d.amount.value(),
            descriptor: d.descriptor,
            invited: d.invitation_id.is_some(),
        }
    }
}

/// The bank's recent imports, newest first.
#[server(endpoint = "bank_imports")]
pub async fn bank_imports() -> Result<Vec<ImportSummary>, ApiError> {
    use super::ctx;
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let rows = crate::server::store::bank_debits::imports_for(&state.db, bank, 50)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    Ok(rows.iter().map(list_convert::summary).collect())
}

/// The report of one import of the user's bank (another bank's: NotFound).
#[server(endpoint = "bank_import_report")]
pub async fn bank_import_report(id: String) -> Result<ImportReport, ApiError> {
    use super::ctx;
    use crate::server::store::bank_debits;
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let id =
        uuid::Uuid::parse_str(&id).map_err(|_| ctx::fail(crate::server::AppError::NotFound))?;
    let import = bank_debits::import_by_id(&state.db, id)
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .filter(|i| i.bank_code == bank)
        .ok_or_else(|| ctx::fail(crate::server::AppError::NotFound))?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let probable = bank_debits::debits_of_import(&state.db, id, "probable")
        .await
        .map_err(fail)?;
    let unmatched = bank_debits::debits_of_import(&state.db, id, "unmatched")
        .await
        .map_err(fail)?;
    Ok(ImportReport {
        summary: list_convert::summary(&import),
        rejections: serde_json::from_str(&import.rejections).map_err(|e| {
            ctx::fail(anyhow::anyhow!("import {id}: its rejections cannot be read: {e}").into())
        })?,
        conversions: {
            let counts: std::collections::BTreeMap<String, i64> =
                serde_json::from_str(&import.conversions).map_err(|e| {
                    ctx::fail(
                        anyhow::anyhow!("import {id}: its conversions cannot be read: {e}").into(),
                    )
                })?;
            crate::domain::bank_list::CONVERSIONS
                .iter()
                .filter_map(|k| counts.get(*k).map(|n| ((*k).to_owned(), *n)))
                .collect()
        },
        probable: probable.into_iter().map(list_convert::row).collect(),
        unmatched: unmatched.into_iter().map(list_convert::row).collect(),
    })
}

/// How far an import of the user's bank has got (the progress display).
#[server(endpoint = "poll_import")]
pub async fn poll_import(id: String) -> Result<ImportSummary, ApiError> {
    use super::ctx;
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = user.bank().map_err(ctx::fail)?;
    let id =
        uuid::Uuid::parse_str(&id).map_err(|_| ctx::fail(crate::server::AppError::NotFound))?;
    let import = crate::server::store::bank_debits::import_by_id(&state.db, id)
        .await
        .map_err(|e| ctx::fail(e.into()))?
        .filter(|i| i.bank_code == bank)
        .ok_or_else(|| ctx::fail(crate::server::AppError::NotFound))?;
    Ok(list_convert::summary(&import))
}

/// Bank-reported losses: debits banks found that no claim names (operator).
#[server(endpoint = "reported_losses")]
pub async fn reported_losses() -> Result<Vec<ListRow>, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    let (state, _) = ctx::require(&[Role::Reviewer, Role::Approver, Role::Admin]).await?;
    let rows = crate::server::store::bank_debits::unmatched(&state.db, 1000)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    // Masked: whole only to the claimant and the account's own bank.
    Ok(rows
        .into_iter()
        .map(|d| {
            let mut row = list_convert::row(d);
            row.account = crate::domain::account::mask_account(&row.account);
            row
        })
        .collect())
}

/// An invitation letter: to whom, about which debits (the code is shown
/// only when the letter is written, never again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub id: uuid::Uuid,
    pub bank_name: String,
    pub branch: String,
    pub account: String,
    pub holder_kana: String,
    pub written_on: String,
    pub used: bool,
    /// Where to claim (the service's public address).
    pub site: String,
    /// (date, amount, descriptor)
    pub debits: Vec<(String, i64, String)>,
}

#[server(endpoint = "invitation_letter")]
pub async fn invitation_letter(id: String) -> Result<Letter, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    use crate::server::store::{banks, invitations};
    let (state, _) = ctx::require(&[Role::Reviewer, Role::Approver, Role::Admin]).await?;
    let not_found = || ctx::fail(crate::server::AppError::NotFound);
    let id = uuid::Uuid::parse_str(&id).map_err(|_| not_found())?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let inv = invitations::by_id(&state.db, id)
        .await
        .map_err(fail)?
        .ok_or_else(not_found)?;
    let bank = banks::by_code(&state.db, &inv.bank_code)
        .await
        .map_err(fail)?
        .ok_or_else(not_found)?;
    let debits = invitations::debits(&state.db, id)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|(d, a, t, _)| (d.to_string(), a, t))
        .collect();
    Ok(Letter {
        id,
        bank_name: bank.name,
        branch: inv.branch_code,
        account: crate::domain::account::mask_account(&inv.account_number),
        holder_kana: inv.holder_kana,
        written_on: crate::api::claimant::convert::jst_date(inv.created_at),
        used: inv.used_at.is_some(),
        site: state.settings.public_url.clone(),
        debits,
    })
}

/// Where the viewing lead user's bank wants its notices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeSettings {
    pub bank_name: String,
    pub notify_email: String,
    pub notify_users: bool,
}

/// The bank's notice settings (its lead users only).
#[server(endpoint = "bank_notices")]
pub async fn bank_notices() -> Result<NoticeSettings, ApiError> {
    use super::ctx;
    use crate::server::store::banks;
    let (state, user) = ctx::require(&[crate::domain::Role::BankStaff]).await?;
    let bank = match crate::server::services::api_keys::managed_bank(&user) {
        Ok(Some(bank)) => bank.to_owned(),
        _ => return Err(ctx::fail(crate::server::error::AppError::Forbidden)),
    };
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let name = banks::by_code(&state.db, &bank)
        .await
        .map_err(fail)?
        .map(|b| b.name)
        .unwrap_or_else(|| bank.clone());
    let (email, users) = banks::notify_settings(&state.db)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|(code, _, _)| *code == bank)
        .map(|(_, e, u)| (e.unwrap_or_default(), u))
        .unwrap_or((String::new(), true));
    Ok(NoticeSettings {
        bank_name: name,
        notify_email: email,
        notify_users: users,
    })
}
