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
    /// What was paid, once the bank reported the transfer made.
    #[serde(default)]
    pub paid: Option<i64>,
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
    pub calls: Vec<ExpenseView>,
    pub travel: Vec<ExpenseView>,
    /// An open request for information (the claimant's view only).
    pub request: Option<RequestView>,
    /// Why the claim was rejected and how to appeal (the claimant's view only).
    pub rejection: Option<RejectionView>,
    /// The approved total, once approved (the claimant's view only).
    #[serde(default)]
    pub approved_total: Option<i64>,
    /// The transfers of the compensation (the claimant's view only).
    #[serde(default)]
    pub payments: Vec<PaymentView>,
    /// Every other fact the claimant gave (operator staff only).
    #[serde(default)]
    pub facts: Option<ClaimantFacts>,
    /// The evidence files and the lines each supports (operator staff only).
    #[serde(default)]
    pub files: Vec<CaseFile>,
    /// Every request for information with the claimant's answer (operator
    /// staff only).
    #[serde(default)]
    pub requests: Vec<RequestExchange>,
}

/// A request for information and what came back: the answer's words and
/// the files sent with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestExchange {
    pub asked_on: String,
    pub question: String,
    /// i18n keys of the sections it opened (`section_calls`…).
    pub sections: Vec<String>,
    pub answered_on: Option<String>,
    pub answer: Option<String>,
    /// (file id, name) of the files sent with the answer.
    pub files: Vec<(String, String)>,
}

/// What the claimant told us beyond the lines: where they live, when they
/// were born, the police report, compensation from elsewhere, where to pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimantFacts {
    pub birth_date: String,
    pub postal_code: String,
    pub address: String,
    /// i18n keys: `contact_email`…, and the language of their letters.
    pub contact_key: String,
    pub lang: String,
    pub compensated: bool,
    pub compensated_amount: Option<i64>,
    pub compensated_by: Option<String>,
    pub police_number: Option<String>,
    pub police_date: Option<String>,
    /// The payout account: (bank and branch, its kind's i18n key, the
    /// number masked).
    pub payout: Option<(String, String, String)>,
}

/// An evidence file of a case: its name, kind, size, and the debit lines
/// (by number) it supports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub id: String,
    pub name: String,
    /// `pdf`, `jpeg`, `png` or `heic`.
    pub kind: String,
    pub size: i64,
    pub lines: Vec<i64>,
    /// The request for information it came with, if any.
    #[serde(default)]
    pub request: Option<String>,
}

/// A transfer of the compensation, as its claimant sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub amount: i64,
    pub transfer_date: String,
    /// `scheduled`, `paid` or `failed`.
    pub status: String,
    pub paid_on: Option<String>,
    /// "七十七銀行 本店 (100)".
    pub to_bank: String,
    /// An i18n key: `account_ordinary`…
    pub account_type: String,
    /// Masked: the last three digits only.
    pub account: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionView {
    /// An i18n key: `reject_reason_...`.
    pub reason_key: String,
    pub explanation: String,
    pub appeal_until: String,
    pub can_appeal: bool,
}

/// A call or a journey: what it was, what was claimed, what was approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpenseView {
    pub date: String,
    /// An i18n key (`callee_bank`, `means_train`).
    pub kind_key: String,
    pub detail: String,
    pub amount: i64,
    pub approved: Option<i64>,
    /// Why less was approved than claimed (the reviewer's words).
    #[serde(default)]
    pub approved_note: Option<String>,
    /// A call's length (shown in the reader's language).
    #[serde(default)]
    pub minutes: Option<i64>,
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
    pub confirmed: Option<i64>,
    pub approved: Option<i64>,
    /// A Japan Post Bank account's 記号-番号 (masked like the account).
    #[serde(default)]
    pub passbook: Option<String>,
    /// Why less was approved than claimed (the reviewer's words; the
    /// claimant's view only).
    #[serde(default)]
    pub approved_note: Option<String>,
    /// The bank's words on its answer (why it confirmed less, its dispute
    /// note): staff views only.
    #[serde(default)]
    pub bank_note: Option<String>,
}

#[cfg(feature = "ssr")]
pub mod convert;

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
    let (calls, travel) = convert::expenses(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let request = if claim.state == CaseState::AwaitingClaimant {
        crate::server::store::requests::open_for(&state.db, claim.id)
            .await
            .map_err(|e| ctx::fail(e.into()))?
            .map(|r| RequestView {
                question: r.question,
                sections: r
                    .sections
                    .split(',')
                    .filter_map(crate::domain::answers::Section::parse)
                    .collect(),
                asked_on: convert::jst_date(r.created_at),
            })
    } else {
        None
    };
    let events = crate::server::store::claims::events(&state.db, claim.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    // The page offers withdrawal exactly when the workflow allows it.
    let facts = CaseFacts {
        actor_is_claimant: true,
        ..CaseFacts::default()
    };
    let can_withdraw =
        allowed_actions(claim.state, Role::Claimant, &facts).contains(&Action::Withdraw);
    let rejection = crate::server::services::decisions::rejection_for_claimant(&state, &claim)
        .await
        .map_err(ctx::fail)?
        .map(|(reason, explanation, until, can_appeal)| RejectionView {
            reason_key: format!("reject_reason_{reason}"),
            explanation,
            appeal_until: until.to_string(),
            can_appeal,
        });
    let compensation = convert::Compensation::read(&state.db, &claim, &lines)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let mut detail = convert::detail(claim, lines, true, true);
    // The bank's own notes are for the staff who decide.
    for line in &mut detail.lines {
        line.bank_note = None;
    }
    detail.rejection = rejection;
    if let Some(c) = compensation {
        c.show(&mut detail, &calls, &travel);
    }
    // Who on the staff works on the case is not the claimant's business.
    detail.timeline = events
        .into_iter()
        .filter(|e| !crate::domain::workflow::Assignment::is_assignment(&e.action))
        .map(|e| TimelineEntry {
            on: convert::jst_date(e.at),
            action: e.action,
        })
        .collect();
    detail.can_withdraw = can_withdraw;
    detail.calls = calls;
    detail.travel = travel;
    detail.request = request;
    Ok(detail)
}

/// A claim being written (or changed in reply to a request), as its own
/// claimant sees it: every answer, the task list, the totals and the files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimForm {
    /// The address key: the draft's id or the claim's reference.
    pub key: String,
    pub reference: Option<String>,
    pub state: String,
    pub answers: crate::domain::answers::Answers,
    pub totals: crate::domain::answers::Totals,
    pub tasks: Vec<(
        crate::domain::answers::Section,
        crate::domain::answers::Progress,
    )>,
    /// The sections that may be changed now.
    pub open: Vec<crate::domain::answers::Section>,
    pub files: Vec<FileView>,
    pub request: Option<RequestView>,
    pub last_saved_on: Option<String>,
}

impl ClaimForm {
    pub fn may_change(&self, section: crate::domain::answers::Section) -> bool {
        self.open.contains(&section)
    }

    /// The base address of this claim's pages.
    pub fn base(&self) -> String {
        format!("/claims/{}", self.key)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: uuid::Uuid,
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub links: Vec<uuid::Uuid>,
    /// Added with the current reply (it can be changed even when the
    /// evidence section is not open).
    pub fresh: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub question: String,
    pub sections: Vec<crate::domain::answers::Section>,
    pub asked_on: String,
}

/// One of the claimant's drafts, for "My claims".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: String,
    /// None when the stored answers cannot be read (logged; the row is
    /// kept as it is, and opening the draft says it cannot be shown).
    pub total: Option<i64>,
    pub saved_on: String,
    pub delete_on: String,
}

/// A draft (by id) or a claim (by reference) of the claimant, for the task
/// list and the question pages. Another person's gives NotFound.
#[server(endpoint = "claim_answers")]
pub async fn claim_answers(key: String) -> Result<ClaimForm, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    use crate::domain::answers::Section;
    use crate::server::services::drafts;
    use crate::server::store::{drafts as draft_store, evidence};
    let (state, user) = ctx::require(&[Role::Claimant]).await?;
    let doc = drafts::load(&state.db, &user, &key)
        .await
        .map_err(ctx::fail)?;
    let rows = evidence::for_case(&state.db, doc.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let links = evidence::links_for_case(&state.db, doc.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    let request_id = doc.request.as_ref().map(|r| r.id);
    let files = rows
        .into_iter()
        .map(|r| FileView {
            id: r.id,
            links: links
                .iter()
                .filter(|(e, _)| *e == r.id)
                .map(|(_, l)| *l)
                .collect(),
            fresh: request_id.is_some() && r.request_id == request_id,
            name: r.file_name,
            kind: r.kind,
            size: r.size_bytes,
        })
        .collect();
    let last_saved_on = if doc.is_draft() {
        draft_store::by_id(&state.db, doc.id)
            .await
            .map_err(|e| ctx::fail(e.into()))?
            // Nothing saved yet (just started): nothing to say.
            .filter(|d| d.version > 1 || d.updated_at > d.created_at)
            .map(|d| convert::jst_date(d.updated_at))
    } else {
        None
    };
    Ok(ClaimForm {
        tasks: Section::ALL
            .into_iter()
            .map(|s| (s, doc.answers.progress(s)))
            .collect(),
        totals: doc.answers.totals(),
        key: doc.key,
        reference: doc.reference,
        state: doc.state.as_str().to_owned(),
        answers: doc.answers,
        open: doc.open,
        files,
        request: doc.request.map(|r| RequestView {
            question: r.question,
            sections: r.sections.split(',').filter_map(Section::parse).collect(),
            asked_on: convert::jst_date(r.created_at),
        }),
        last_saved_on,
    })
}

/// The claimant's drafts, newest first.
#[server(endpoint = "my_drafts")]
pub async fn my_drafts() -> Result<Vec<DraftSummary>, ApiError> {
    use super::ctx;
    use crate::domain::Role;
    use crate::server::services::drafts::DRAFT_DAYS;
    // The start page is for visitors too: they have no drafts.
    let Some((state, user)) = ctx::require_if_logged_in(&[Role::Claimant]).await? else {
        return Ok(Vec::new());
    };
    let rows = crate::server::store::drafts::for_claimant(&state.db, user.id)
        .await
        .map_err(|e| ctx::fail(e.into()))?;
    Ok(rows
        .into_iter()
        .map(|d| {
            let total = match crate::server::services::drafts::stored_answers(&d.answers) {
                Ok(answers) => Some(answers.totals().all.value()),
                Err(e) => {
                    tracing::error!(draft = %d.id, error = %e, "listing a draft");
                    None
                }
            };
            DraftSummary {
                id: d.id.to_string(),
                total,
                saved_on: convert::jst_date(d.updated_at),
                delete_on: convert::jst_date(d.updated_at + chrono::Duration::days(DRAFT_DAYS)),
            }
        })
        .collect())
}
