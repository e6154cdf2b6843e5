//! Redress's server core: everything the server does behind its web edge.
//! The database (`db`, one `store` for SQLite and PostgreSQL), the
//! services (each a typed command or query that owns its transaction, the
//! one transition function among them), mail, evidence files and SQLite's
//! group commit. No web framework is linked here: the web edge (the `app`
//! crate's `server` module) parses requests into commands and answers with
//! pages; a job or a test calls the same functions directly.

/// The pure domain (shared with the browser).
pub use domain;
/// Japanese and English texts (mails and reports are written in them).
pub use texts as i18n;

pub mod auth;
pub mod bank_data;
pub mod csv;
pub mod db;
pub mod error;
pub mod files;
pub mod group_commit;
pub mod limits;
pub mod mail;
pub mod services;
pub mod state;
pub mod store;

pub use error::AppError;
pub use state::{Core, Settings};
