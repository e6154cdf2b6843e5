//! Filing a claim and reading claims, each reader seeing only what is theirs.

use chrono::Utc;

use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::CaseRef;
use crate::domain::FieldErrors;
use crate::domain::workflow::{Action, CaseFacts};
use crate::error::AppError;
use crate::state::Core;
use crate::store::claims;

/// Who is asking for a claim decides what they may see of it.
pub enum Viewer<'a> {
    Claimant(&'a CurrentUser),
    Operator,
    Bank(&'a str),
}

/// A claim with its lines, as `viewer` may see it, or NotFound: a claimant
/// sees only their own claims; a bank only claims with a line at that bank,
/// and only those lines.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn view(
    db: &Db,
    reference: &str,
    viewer: Viewer<'_>,
) -> Result<(claims::ClaimRow, Vec<claims::LineRow>), AppError> {
    let reference = CaseRef::parse(reference)
        .map_err(|_| AppError::NotFound)?
        .to_string();
    let claim = claims::by_reference(db, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines = match viewer {
        Viewer::Claimant(user) if user.id == claim.claimant_id => {
            claims::lines(db, claim.id, None).await?
        }
        Viewer::Claimant(_) => return Err(AppError::NotFound),
        Viewer::Operator => claims::lines(db, claim.id, None).await?,
        Viewer::Bank(bank) => {
            let lines = claims::lines(db, claim.id, Some(bank)).await?;
            if lines.is_empty() {
                return Err(AppError::NotFound);
            }
            lines
        }
    };
    Ok((claim, lines))
}

/// A claim for operator staff: its row, the claimant's answers as sent
/// (every fact they gave), and all its lines.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn view_for_operator(
    db: &Db,
    reference: &str,
) -> Result<
    (
        claims::ClaimRow,
        crate::domain::answers::Answers,
        Vec<claims::LineRow>,
    ),
    AppError,
> {
    let reference = CaseRef::parse(reference)
        .map_err(|_| AppError::NotFound)?
        .to_string();
    let (claim, answers) = claims::by_reference_with_answers(db, &reference)
        .await?
        .ok_or(AppError::NotFound)?;
    let answers = crate::domain::answers::Answers::from_json(&answers)
        .map_err(|e| anyhow::anyhow!("the answers of {reference} cannot be read: {e}"))?;
    let lines = claims::lines(db, claim.id, None).await?;
    Ok((claim, answers, lines))
}

/// Whether a claim with this reference exists and its phone number ends with
/// these 4 digits; if so, its reference and state (nothing else). A wrong
/// reference and a wrong phone give the same answer.
#[tracing::instrument(skip_all, fields(reference = %reference))]
pub async fn genuine_lookup(
    db: &Db,
    reference: &str,
    phone_last4: &str,
) -> Result<Option<(String, String)>, AppError> {
    let mut errors = FieldErrors::new();
    let reference = errors.check("reference", CaseRef::parse(reference));
    let last4 = errors.check(
        "phone_last4",
        crate::domain::contact::parse_last4(phone_last4),
    );
    let (Some(reference), Some(last4)) = (reference, last4) else {
        return Err(AppError::Invalid(errors));
    };
    let claim = claims::by_reference(db, &reference.to_string()).await?;
    Ok(claim
        .filter(|c| c.phone.ends_with(&last4))
        .map(|c| (c.reference, c.state.as_str().to_owned())))
}

/// The longest reason a claimant may give for withdrawing.
pub const MAX_REASON_CHARS: usize = 1000;

/// The claimant withdraws their claim (until it is approved). Recorded as an
/// event with the reason; the claimant cannot undo it.
#[tracing::instrument(skip_all, fields(reference = %reference, user = %user.id))]
pub async fn withdraw(
    state: &Core,
    user: &CurrentUser,
    reference: &str,
    reason: &str,
) -> Result<CaseRef, AppError> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::field("reason", "reason_too_long"));
    }
    if reason
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(AppError::field("reason", "reason_invalid"));
    }
    let (claim, _) = view(&state.db, reference, Viewer::Claimant(user)).await?;
    let facts = CaseFacts {
        actor_is_claimant: true,
        ..CaseFacts::default()
    };
    let now = Utc::now();
    let mut tx = state.db.begin().await?;
    super::cases::transition(
        &mut tx,
        super::cases::CaseAt::of(&claim, claim.version),
        &facts,
        &super::cases::Step::new(Action::Withdraw, user)
            .note((!reason.is_empty()).then_some(reason))
            .at(now),
    )
    .await?;
    crate::store::reservations::release_claim(&mut tx, claim.id, Some(user.id), "withdrawn", now)
        .await?;
    tx.commit().await?;
    tracing::info!(reference = %claim.reference, "claim withdrawn");
    CaseRef::parse(&claim.reference).map_err(|_| AppError::NotFound)
}
