//! What the pages' server functions and the web edge (the `web` crate)
//! share (feature `ssr`): the session and its guard, the mapping of an
//! error to a status, the request's state and this process's metrics.
//! Everything behind them (database, store, services, mail, files) is the
//! server core, the `redress-core` crate, re-exported here.

pub mod auth;
pub mod error;
pub mod metrics;
pub mod state;

pub use error::{AppError, WebError};
pub use redress_core::{bank_data, db, files, group_commit, mail, net, services, store};
pub use state::{AppState, Settings};

/// The CSP of a rendered page: scripts only from us or with this request's
/// nonce, WebAssembly allowed to compile, nothing framed, forms only to us.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}
