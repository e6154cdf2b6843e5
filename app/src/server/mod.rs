//! Server-only code (feature `ssr`): state, database access, services, mail,
//! sessions and the HTTP edges that are not Leptos server functions.

pub mod account_forms;
pub mod admin_forms;
pub mod auth;
pub mod bank_data;
pub mod bank_forms;
pub mod db;
pub mod download;
pub mod error;
pub mod files;
pub mod forms;
pub mod group_commit;
pub mod guard;
pub mod journey_forms;
pub mod mail;
pub mod mfa_forms;
pub mod ops;
pub mod payments_forms;
pub mod report_forms;
pub mod rest;
pub mod security;
pub mod services;
pub mod staff_forms;
pub mod state;
pub mod store;

pub use error::AppError;
pub use state::{AppState, Settings};
