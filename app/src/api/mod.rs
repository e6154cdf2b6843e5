//! Server functions, grouped by audience. Each one: guard, parse, call a
//! service or the store, return a DTO. No SQL here, no rules.

#[cfg(feature = "ssr")]
mod api_docs;
pub mod bank;
pub mod claimant;
pub mod common;
pub mod mail;
pub mod mfa;
pub mod operator;
pub mod payments;
pub mod reports;
pub mod users;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::FieldErrors;

/// The error every server function returns. It crosses the wire as JSON and
/// carries no internal detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ApiError {
    #[error("not logged in")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    #[error("too many attempts")]
    TooManyAttempts(u64),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("internal error")]
    Internal,
    #[error("the service cannot save now")]
    Unavailable,
    #[error("transport: {0}")]
    Transport(String),
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ApiError::Transport(value.to_string())
    }
}

/// What server functions share on the server: state, session, the guard.
#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use leptos::prelude::*;
    use tower_sessions::Session;

    use super::ApiError;
    use crate::domain::Role;
    use crate::server::auth::{self, CurrentUser};
    use crate::server::{AppError, AppState};

    pub fn state() -> Result<AppState, ApiError> {
        use_context::<AppState>().ok_or(ApiError::Internal)
    }

    /// Turns a service error into the wire error, and sets the HTTP status
    /// of the response (a server function error is a 4xx, not a 500).
    pub fn fail(err: AppError) -> ApiError {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(crate::server::error::status_of(&err));
        }
        err.into()
    }

    pub async fn session() -> Result<Session, ApiError> {
        leptos_axum::extract::<Session>()
            .await
            .map_err(|_| ApiError::Internal)
    }

    /// The guard at the top of every server function.
    pub async fn require(roles: &[Role]) -> Result<(AppState, CurrentUser), ApiError> {
        let state = state()?;
        let session = session().await?;
        let user = auth::require_once(&session, &state.db, roles, memo().await.as_ref())
            .await
            .map_err(fail)?;
        Ok((state, user))
    }

    /// The guard of a server function a page for visitors calls too: None
    /// when nobody is logged in (the page answers 200, not 401); a person
    /// logged in with another role is refused as by `require`.
    pub async fn require_if_logged_in(
        roles: &[Role],
    ) -> Result<Option<(AppState, CurrentUser)>, ApiError> {
        let state = state()?;
        let session = session().await?;
        match auth::current_user_once(&session, &state.db, memo().await.as_ref()).await {
            Ok(None) => Ok(None),
            Ok(Some(user)) if roles.contains(&user.role) => Ok(Some((state, user))),
            Ok(Some(_)) => Err(fail(AppError::Forbidden)),
            Err(e) => Err(fail(e)),
        }
    }

    /// The request's reading of who is logged in (see `auth::UserMemo`).
    pub async fn memo() -> Option<auth::UserMemo> {
        leptos_axum::extract::<axum::Extension<auth::UserMemo>>()
            .await
            .ok()
            .map(|axum::Extension(m)| m)
    }
}
