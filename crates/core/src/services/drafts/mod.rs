//! The claimant writing a claim: drafts saved answer by answer, sending, and
//! changing the sections staff asked about. Every function checks that the
//! claim is the user's own (another person's gives NotFound) and that the
//! section may be changed now.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::{assessment, mails};
use crate::auth::CurrentUser;
use crate::db::{Db, Tx};
use crate::domain::answers::{
    self, Account, Answers, MAX_ACCOUNTS, MAX_LINES, Payout, PayoutAccount, Section,
};
use crate::domain::claim::BranchQuery;
use crate::domain::workflow::{Action, CaseFacts, CaseState};
use crate::domain::{CaseRef, FieldErrors};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::Core;
use crate::store::assessment as store_assessment;
use crate::store::{bank_review, banks, claims, drafts, evidence, figures, requests};

mod expiry;
mod replies;
mod sections;
mod send;

pub use expiry::*;
pub use replies::*;
pub use sections::*;
pub use send::*;

/// A person may hold this many drafts at once.
pub const MAX_DRAFTS: i64 = 10;
/// Drafts untouched this long are deleted...
pub const DRAFT_DAYS: i64 = 90;
/// ...after a reminder this many days before.
pub const REMINDER_DAYS_BEFORE: i64 = 7;

/// The date in Japan at `now`: dates typed by claimants are Japanese dates.
pub use crate::domain::calendar::date_in_japan as today_jst;

/// A claim the claimant can open: a draft (by id) or a sent claim (by reference).
#[derive(Clone, Debug)]
pub struct Editable {
    pub id: Uuid,
    /// What the address uses: the draft's id, or the claim's reference.
    pub key: String,
    pub reference: Option<String>,
    pub state: CaseState,
    pub version: i64,
    pub answers: Answers,
    /// The sections that may be changed now: all of a draft, the requested
    /// ones of a claim awaiting the claimant, none otherwise.
    pub open: Vec<Section>,
    pub request: Option<requests::RequestRow>,
}

impl Editable {
    pub fn is_draft(&self) -> bool {
        self.reference.is_none()
    }

    pub fn may_change(&self, section: Section) -> bool {
        self.open.contains(&section)
    }
}

/// Answers as stored; a row that cannot be read is an error (never an
/// empty claim that the next save would write over).
pub fn stored_answers(text: &str) -> Result<Answers, anyhow::Error> {
    Answers::from_json(text).map_err(|e| anyhow::anyhow!("stored answers cannot be read: {e}"))
}

/// Loads a draft or claim of `user` by its address key.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn load(db: &Db, user: &CurrentUser, key: &str) -> Result<Editable, AppError> {
    if let Ok(reference) = CaseRef::parse(key) {
        let claim = claims::by_reference(db, &reference.to_string())
            .await?
            .filter(|c| c.claimant_id == user.id)
            .ok_or(AppError::NotFound)?;
        let state = claim.state;
        let (sent, pending) = claims::answers_and_pending(db, claim.id).await?;
        let answers = stored_answers(pending.as_deref().or(sent.as_deref()).unwrap_or("{}"))
            .map_err(|e| e.context(format!("loading the answers of {}", claim.reference)))?;
        let request = if state == CaseState::AwaitingClaimant {
            requests::open_for(db, claim.id).await?
        } else {
            None
        };
        let open = request
            .as_ref()
            .map(|r| r.sections.split(',').filter_map(Section::parse).collect())
            .unwrap_or_default();
        return Ok(Editable {
            id: claim.id,
            key: claim.reference.clone(),
            reference: Some(claim.reference),
            state,
            version: claim.version,
            answers,
            open,
            request,
        });
    }
    let id = Uuid::parse_str(key).map_err(|_| AppError::NotFound)?;
    let draft = drafts::by_id(db, id)
        .await?
        .filter(|d| d.claimant_id == user.id)
        .ok_or(AppError::NotFound)?;
    Ok(Editable {
        id,
        key: id.to_string(),
        reference: None,
        state: CaseState::Draft,
        version: draft.version,
        answers: stored_answers(&draft.answers)
            .map_err(|e| e.context(format!("loading the answers of draft {id}")))?,
        open: Section::ALL.to_vec(),
        request: None,
    })
}

/// Starts a new, empty draft.
#[tracing::instrument(skip_all, fields(user = %user.id))]
pub async fn create(state: &Core, user: &CurrentUser) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    let mut tx = state.db.begin().await?;
    open_draft(&mut tx, id, user.id, &Answers::default(), Utc::now()).await?;
    tx.commit().await?;
    Ok(id)
}

/// The one way a draft comes to exist (a new claim, a redeemed claim code):
/// refused while the claimant has [`MAX_DRAFTS`] open.
#[tracing::instrument(skip_all)]
pub async fn open_draft(
    tx: &mut Tx,
    id: Uuid,
    user: Uuid,
    answers: &Answers,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    if drafts::count_for(tx, user).await? >= MAX_DRAFTS {
        return Err(AppError::Conflict("too_many_drafts"));
    }
    drafts::insert(tx, id, user, &answers.to_json(), now).await?;
    Ok(())
}

/// Changes one section: `change` gets the answers so far and either changes
/// them or says what is wrong (then nothing is written). Saves with a
/// compare-and-set, retrying when another tab saved in between.
#[tracing::instrument(skip_all, fields(key = %key, user = %user.id))]
pub async fn change<F>(
    state: &Core,
    user: &CurrentUser,
    key: &str,
    section: Section,
    mut change: F,
) -> Result<Editable, AppError>
where
    F: FnMut(&mut Answers) -> Result<(), AppError>,
{
    for _ in 0..3 {
        let mut doc = load(&state.db, user, key).await?;
        if !doc.may_change(section) {
            return Err(AppError::Conflict("section_locked"));
        }
        change(&mut doc.answers)?;
        let json = doc.answers.to_json();
        let now = Utc::now();
        let mut tx = state.db.begin().await?;
        let saved = if doc.is_draft() {
            drafts::save(&mut tx, doc.id, doc.version, &json, now).await?
        } else {
            claims::save_pending(&mut tx, doc.id, doc.version, &json).await?
        };
        if saved {
            tx.commit().await?;
            return Ok(doc);
        }
    }
    Err(AppError::Conflict("case_changed"))
}

fn invalid(errors: FieldErrors) -> AppError {
    AppError::Invalid(errors)
}
