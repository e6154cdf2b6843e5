//! The web edge (feature `ssr`): sessions, form handlers, the REST API,
//! downloads and the middleware. Everything behind it (database, store,
//! services, mail, files) is the server core, the `redress-core` crate,
//! re-exported here under the names the edge has always used.

pub mod account_forms;
pub mod admin_forms;
pub mod auth;
pub mod bank_forms;
pub mod case_views;
pub mod download;
pub mod error;
pub mod forms;
pub mod guard;
pub mod journey_forms;
pub mod mfa_forms;
pub mod ops;
pub mod payments_forms;
pub mod report_forms;
pub mod rest;
pub mod security;
pub mod staff_forms;
pub mod state;

pub use error::{AppError, WebError};
pub use redress_core::{bank_data, db, files, group_commit, mail, services, store};
pub use state::{AppState, Settings};
