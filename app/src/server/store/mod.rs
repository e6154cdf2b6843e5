//! Database access: one SQL text per query, run on SQLite or PostgreSQL.
//! No rules here: services decide, the store reads and writes.

pub mod api_keys;
pub mod assessment;
pub mod attempts;
pub mod bank_debits;
pub mod bank_review;
pub mod banks;
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
