//! The one function that changes a case's state. Every step of the
//! workflow — a claimant's, a bank's, a reviewer's, an approver's, a
//! payment run's — goes through `transition` (or `transition_many`, the same
//! for a batch): it asks `next_state` with the caller's real facts, moves
//! the case by compare-and-set on its state (and version), writes the event
//! row, and marks the case's flags to be computed again when they still can
//! change. Assignments and other events that keep the state go through
//! `record`.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::db::Tx;
use crate::domain::Role;
use crate::domain::workflow::{Action, Assignment, CaseFacts, CaseState, Refusal, next_state};
use crate::error::AppError;
use crate::store::cases;
use crate::store::claims::ClaimRow;

/// Who takes a step: a user with the role they act in.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub id: Uuid,
    pub role: Role,
}

impl From<&CurrentUser> for Actor {
    fn from(user: &CurrentUser) -> Actor {
        Actor {
            id: user.id,
            role: user.role,
        }
    }
}

/// A case as its caller read it: the state the step starts from and, when
/// the caller holds no other lock on the step, the version it read.
#[derive(Clone, Copy, Debug)]
pub struct CaseAt {
    pub id: Uuid,
    pub state: CaseState,
    /// `None` only where another row settles races (a payout line's result).
    pub version: Option<i64>,
}

impl CaseAt {
    /// The case as read, at the version the caller's form was written against.
    pub fn of(claim: &ClaimRow, version: i64) -> CaseAt {
        CaseAt {
            id: claim.id,
            state: claim.state,
            version: Some(version),
        }
    }
}

/// One step: what, by whom, with which note, when.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    pub action: Action,
    pub actor: Actor,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

impl<'a> Step<'a> {
    pub fn new(action: Action, actor: impl Into<Actor>) -> Step<'a> {
        Step {
            action,
            actor: actor.into(),
            note: None,
            at: Utc::now(),
        }
    }

    pub fn note(self, note: Option<&'a str>) -> Step<'a> {
        Step { note, ..self }
    }

    pub fn at(self, at: DateTime<Utc>) -> Step<'a> {
        Step { at, ..self }
    }
}

/// Why a step is refused, as the page says it.
pub fn refused(action: Action, r: Refusal) -> AppError {
    AppError::Conflict(match (action, r) {
        (Action::Withdraw, _) => "withdraw_not_allowed",
        (Action::RequestInfo, _) => "action_not_allowed",
        (_, Refusal::FourEyes) => "four_eyes",
        (_, Refusal::FlagsOpen) => "flags_open",
        (_, Refusal::NotYourRole) => "action_not_yours",
        (_, Refusal::RejectionProposed) => "rejection_proposed_refusal",
        (_, Refusal::NoRejectionProposed) => "rejection_not_proposed",
        (_, Refusal::AppealClosed) => "appeal_closed",
        _ => "case_changed",
    })
}

/// Where the step would take the case, or why not: the pure rule, for a
/// caller that must know before its transaction (a mail to write).
pub fn next(from: CaseState, step: &Step<'_>, facts: &CaseFacts) -> Result<CaseState, AppError> {
    next_state(from, step.action, step.actor.role, facts).map_err(|r| refused(step.action, r))
}

/// Takes one step on one case, in `tx`; returns the new state. A case that
/// changed since it was read refuses the step (`case_changed`).
#[tracing::instrument(skip_all, fields(case = %case.id, action = step.action.as_str()))]
pub async fn transition(
    tx: &mut Tx,
    case: CaseAt,
    facts: &CaseFacts,
    step: &Step<'_>,
) -> Result<CaseState, AppError> {
    let to = next(case.state, step, facts)?;
    let moved = cases::move_state(tx, &[case.id], case.version, case.state, to).await?;
    if moved != 1 {
        return Err(AppError::Conflict("case_changed"));
    }
    after_move(tx, &[case.id], case.state, to, step).await?;
    Ok(to)
}

/// Takes the same step on many cases in `from`, each with its own facts
/// (a bank's list confirming many claims): all move, or none.
#[tracing::instrument(skip_all, fields(cases = cases.len(), action = step.action.as_str()))]
pub async fn transition_many(
    tx: &mut Tx,
    cases: &[(Uuid, CaseFacts)],
    from: CaseState,
    step: &Step<'_>,
) -> Result<(), AppError> {
    let Some((_, first)) = cases.first() else {
        return Ok(());
    };
    let to = next(from, step, first)?;
    for (_, facts) in cases {
        if next(from, step, facts)? != to {
            return Err(AppError::Conflict("case_changed"));
        }
    }
    let ids: Vec<Uuid> = cases.iter().map(|(id, _)| *id).collect();
    let moved = cases::move_state(tx, &ids, None, from, to).await?;
    if moved != ids.len() as u64 {
        return Err(AppError::Conflict("case_changed"));
    }
    after_move(tx, &ids, from, to, step).await
}

async fn after_move(
    tx: &mut Tx,
    ids: &[Uuid],
    from: CaseState,
    to: CaseState,
    step: &Step<'_>,
) -> Result<(), AppError> {
    let events: Vec<cases::NewEvent> = ids
        .iter()
        .map(|id| cases::NewEvent {
            claim_id: *id,
            actor: Some(step.actor.id),
            from: Some(from),
            to,
            action: step.action.as_str(),
            note: step.note,
            at: step.at,
        })
        .collect();
    // The flags of a case in a state where they can change were marked to
    // be computed again by the move itself (`store::cases::move_state`).
    cases::insert_events(tx, &events)
        .await
        .map_err(AppError::from)
}

/// An event that keeps the case's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    Assignment(Assignment),
    /// The claimant gave a new payout account after a failed transfer.
    PayoutAccountChanged,
}

impl Kept {
    pub fn as_str(self) -> &'static str {
        match self {
            Kept::Assignment(a) => a.as_str(),
            Kept::PayoutAccountChanged => CHANGE_ACCOUNT,
        }
    }
}

/// The history's action of a new payout account.
pub const CHANGE_ACCOUNT: &str = "change_payout_account";

/// Writes an event that keeps the state (`state` as read), in `tx`.
#[tracing::instrument(skip_all)]
pub async fn record(
    tx: &mut Tx,
    claim: Uuid,
    state: CaseState,
    what: Kept,
    actor: Actor,
    note: Option<&str>,
) -> Result<(), AppError> {
    cases::insert_events(
        tx,
        &[cases::NewEvent {
            claim_id: claim,
            actor: Some(actor.id),
            from: Some(state),
            to: state,
            action: what.as_str(),
            note,
            at: Utc::now(),
        }],
    )
    .await?;
    Ok(())
}

/// The first event of a case: the claimant submitted it (the claim's row
/// is written by the submission, already in `Submitted`).
#[tracing::instrument(skip_all)]
pub async fn record_submitted(
    tx: &mut Tx,
    claim: Uuid,
    claimant: Uuid,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let actor = Actor {
        id: claimant,
        role: Role::Claimant,
    };
    let facts = CaseFacts {
        actor_is_claimant: true,
        ..CaseFacts::default()
    };
    next(CaseState::Draft, &Step::new(Action::Submit, actor), &facts)?;
    cases::insert_events(
        tx,
        &[cases::NewEvent {
            claim_id: claim,
            actor: Some(claimant),
            from: Some(CaseState::Draft),
            to: CaseState::Submitted,
            action: Action::Submit.as_str(),
            note: None,
            at,
        }],
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::tests::sources;

    /// Whether an UPDATE's SET clause (up to its WHERE) assigns `state`.
    fn sets_state(set_clause: &str) -> bool {
        let bytes = set_clause.as_bytes();
        set_clause.match_indices("state").any(|(i, _)| {
            let before = i.checked_sub(1).map(|j| bytes[j]);
            let standalone = !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            standalone && set_clause[i + 5..].trim_start().starts_with('=')
        })
    }

    /// The product's code outside this module and its store, every file of
    /// every crate (so a new file cannot be forgotten): no other statement
    /// writes `claims.state`, no other code calls the store's `move_state`.
    #[test]
    fn one_place_writes_a_cases_state() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in [
            "app/src",
            "server/src",
            "crates/core/src",
            "crates/domain/src",
            "crates/web/src",
        ] {
            sources(&root.join(dir), &mut files);
        }
        assert!(files.len() > 100, "the walk found the sources");
        let mut writers = Vec::new();
        for file in &files {
            let whole = std::fs::read_to_string(file).unwrap();
            // The product's code: a file's unit tests (fixtures) aside.
            let text = whole.split("\n#[cfg(test)]\nmod tests").next().unwrap();
            let name = file.strip_prefix(&root).unwrap().display().to_string();
            for (i, _) in text.match_indices("UPDATE claims SET") {
                let rest = &text[i..];
                let set = &rest[..rest.find("WHERE").unwrap_or(rest.len())];
                if sets_state(set) {
                    writers.push(name.clone());
                }
            }
            if text.contains("move_state(") && !name.ends_with("services/cases.rs") {
                writers.push(format!("{name} (move_state)"));
            }
        }
        assert_eq!(
            writers,
            [
                "crates/core/src/store/cases.rs",
                "crates/core/src/store/cases.rs (move_state)"
            ],
            "only store::cases writes a case's state, called only by services::cases"
        );
    }

    #[test]
    fn the_finder_sees_a_state_written_and_not_a_lookalike() {
        assert!(sets_state(
            "UPDATE claims SET state = $1, version = version + 1 "
        ));
        assert!(sets_state("UPDATE claims SET version = 2, state= 'paid' "));
        assert!(!sets_state(
            "UPDATE claims SET flags_dirty = flags_dirty + 1 "
        ));
        assert!(!sets_state("UPDATE claims SET payout_state = 'x' "));
    }
}
