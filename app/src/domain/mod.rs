//! Pure domain types and rules: no I/O, compiled for the browser and the server.
//!
//! Every type here is parsed once at the edge (`parse` returns `Result`) and
//! trusted afterwards: a function that takes a `KatakanaName` never re-checks it.

pub mod account;
pub mod answers;
pub mod bank_list;
pub mod calendar;
pub mod claim;
pub mod contact;
pub mod device;
pub mod errors;
pub mod invite;
pub mod kana;
pub mod money;
pub mod password;
pub mod payout;
pub mod policy;
pub mod reference;
pub mod report;
pub mod role;
pub mod text;
#[cfg(feature = "ssr")]
pub mod totp;
pub mod verification;
pub mod workflow;
pub mod zengin;

pub use account::{AccountNumber, AccountType, BankCode, BranchCode};
pub use contact::{Email, PersonName, Phone};
pub use errors::{FieldError, FieldErrors};
pub use kana::KatakanaName;
pub use money::Yen;
pub use reference::CaseRef;
pub use role::Role;
pub use workflow::{Action, CaseFacts, CaseState, Refusal};
