//! The one guard of the form handlers: `Guarded<A>` extracts the logged-in
//! user if their role is one of audience `A`'s, before the handler runs and
//! before the body is read. Not logged in: to the login page; another role:
//! 403. A handler that takes a `Guarded` cannot forget its check, and the
//! audience is in its signature.

use std::marker::PhantomData;

use app::server::error::Respond as _;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::domain::Role;
use app::server::auth::{self, CurrentUser};
use app::server::state::AppState;

/// Who may post a set of forms.
pub trait Audience: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

macro_rules! audience {
    ($($(#[$doc:meta])* $name:ident = $roles:expr;)*) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl Audience for $name {
                const ROLES: &'static [Role] = $roles;
            }
        )*
    };
}

audience! {
    /// A claimant, on their own claims.
    Claimants = &[Role::Claimant];
    /// A bank's clerk, on their bank's lines.
    BankStaff = &[Role::BankStaff];
    /// Who reviews cases.
    Reviewers = &[Role::Reviewer, Role::Admin];
    /// Who decides on assessed cases.
    Approvers = &[Role::Approver, Role::Admin];
    /// An approver alone (releasing a batch: never an admin's shortcut).
    ApproversOnly = &[Role::Approver];
    /// Who makes payment batches and records results.
    PaymentsOnly = &[Role::Payments];
    /// The payments pages' users.
    Payments = &[Role::Payments, Role::Admin];
    /// Whoever sees the payments page (and its batches).
    PaymentsReaders = &[Role::Payments, Role::Approver, Role::Admin];
    /// Who works on cases and the reported losses.
    CaseStaff = &[Role::Reviewer, Role::Approver, Role::Admin];
    /// Who reads the regulator's reports.
    ReportReaders = &app::api::reports::REPORT_ROLES;
    /// Anyone logged in (their own account).
    Everyone = &Role::ALL;
    /// Every member of the operator's staff.
    Operators = &app::api::operator::OPERATORS;
    /// Who freezes a regulator's report.
    ReportFreezers = &app::api::reports::FREEZE_ROLES;
    /// An administrator.
    Admins = &[Role::Admin];
}

/// A download (or another read outside the pages) of a logged-in user
/// whose role is one of `A`'s; refused with 401 or 403, never a redirect (a
/// file is not a page to come back to).
pub struct Reading<A> {
    pub user: CurrentUser,
    audience: PhantomData<A>,
}

impl<A: Audience> FromRequestParts<AppState> for Reading<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (user, _) = guard::<A>(parts, state).await?;
        Ok(Reading {
            user,
            audience: PhantomData,
        })
    }
}

/// The session and its user, if the user's role is one of `A`'s; else the
/// refusal (401, 403, or what the session store said).
async fn guard<A: Audience>(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(CurrentUser, Session), Response> {
    let session = Session::from_request_parts(parts, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let memo = parts.extensions.get::<auth::UserMemo>().cloned();
    match auth::require_once(&session, &state.db, A::ROLES, memo.as_ref()).await {
        Ok(user) => Ok((user, session)),
        Err(e) => Err(e.into_response()),
    }
}

/// A request of a logged-in user whose role is one of `A`'s.
pub struct Guarded<A> {
    pub user: CurrentUser,
    pub session: Session,
    audience: PhantomData<A>,
}

impl<A: Audience> FromRequestParts<AppState> for Guarded<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match guard::<A>(parts, state).await {
            Ok((user, session)) => Ok(Guarded {
                user,
                session,
                audience: PhantomData,
            }),
            // A form's page comes back after the login.
            Err(refused) if refused.status() == axum::http::StatusCode::UNAUTHORIZED => {
                Err(Redirect::to("/login?notice=login").into_response())
            }
            Err(refused) => Err(refused),
        }
    }
}
