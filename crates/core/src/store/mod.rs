//! Database access: one SQL text per query, run on SQLite or PostgreSQL.
//! No rules here: services decide, the store reads and writes.

use std::sync::LazyLock;

use crate::domain::workflow::CaseState;

/// The states of an open case, as an SQL list made from the enum: submitted,
/// not yet decided, not closed (banks answer its lines, its flags change).
pub fn open_states() -> &'static str {
    static OPEN: LazyLock<String> =
        LazyLock::new(|| CaseState::sql_list(CaseState::flags_can_change));
    &OPEN
}

/// `$from, $from+1, ...` for `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

pub mod api_keys;
pub mod assessment;
pub mod attempts;
pub mod bank_debits;
pub mod bank_review;
pub mod banks;
pub mod cases;
pub mod claims;
pub mod decisions;
pub mod drafts;
pub mod evidence;
pub mod invitations;
pub mod login_sessions;
pub mod mfa;
pub mod notifications;
pub mod outbox;
pub mod payouts;
pub mod policies;
pub mod queue;
pub mod reports;
pub mod requests;
pub mod reservations;
pub mod tokens;
pub mod users;
