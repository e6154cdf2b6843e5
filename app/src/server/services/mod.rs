//! Services own transactions: each public function checks the rules, writes
//! through the store and commits (or rolls back) as one unit.

pub mod account;
pub mod accounts;
pub mod admin_users;
pub mod api_keys;
pub mod assessment;
pub mod bank_import;
pub mod bank_review;
pub mod banks;
pub mod cases;
pub mod claims;
pub mod decisions;
pub mod demo;
pub mod drafts;
pub mod evidence;
pub mod invitations;
pub mod mails;
pub mod mfa;
pub mod notifications;
pub mod payouts;
pub mod policies;
pub mod reminders;
pub mod reports;
