//! Pure domain types and rules: no I/O, compiled for the browser and the server.
//!
//! Every type here is parsed once at the edge (`parse` returns `Result`) and
//! trusted afterwards: a function that takes a `KatakanaName` never re-checks it.

/// A domain enum stored as its text (`as_str` out, `parse` back): rows
/// carry the enum, never a string, and an unknown value in the database is
/// a decoding error, not a silent default.
#[cfg(feature = "server")]
macro_rules! stored_as_text {
    ($ty:ty) => {
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            str: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as sqlx::Type<DB>>::compatible(ty)
            }
        }
        impl<'q, DB: sqlx::Database> sqlx::Encode<'q, DB> for $ty
        where
            &'q str: sqlx::Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buf: &mut <DB as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&'q str as sqlx::Encode<'q, DB>>::encode(self.as_str(), buf)
            }
        }
        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&'r str as sqlx::Decode<'r, DB>>::decode(value)?;
                <$ty>::from_stored(text)
                    .ok_or_else(|| format!("not a {}: {text:?}", stringify!($ty)).into())
            }
        }
    };
}

pub mod account;
pub mod answers;
pub mod bank_list;
pub mod calendar;
pub mod check_keys;
pub mod claim;
pub mod contact;
pub mod dates;
pub mod decision;
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
#[cfg(feature = "server")]
pub mod totp;
pub mod verification;
pub mod workflow;
pub mod yucho;
pub mod zengin;

pub use account::{AccountNumber, AccountType, BankCode, BranchCode};
pub use contact::{Email, PersonName, Phone};
pub use errors::{FieldError, FieldErrors};
pub use kana::KatakanaName;
pub use money::Yen;
pub use reference::CaseRef;
pub use role::Role;
pub use workflow::{Action, CaseFacts, CaseState, Refusal};
