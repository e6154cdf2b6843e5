//! The web edge (feature `ssr`): the session, the form handlers by
//! audience (`web`), the REST API (`rest`), downloads and the middleware.
//! Everything behind it (database, store, services, mail, files) is the
//! server core, the `redress-core` crate, re-exported here under the names
//! the edge has always used.

pub mod auth;
pub mod download;
pub mod error;
pub mod guard;
pub mod middleware;
pub mod rest;
pub mod state;
pub mod web;

pub use error::{AppError, WebError};
pub use redress_core::{bank_data, db, files, group_commit, mail, services, store};
pub use state::{AppState, Settings};
