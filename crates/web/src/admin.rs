//! An admin's form posts on accounts, the invitee's form, and the admin
//! actions as CSV. Guarded here (admins only, but for the invitee's form);
//! the rules are the service's.

use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};

use crate::download;
use crate::guard::*;
use crate::{Submitted, see_other};
use app::server::error::AppError;
use app::server::services::admin_users;
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::admin_invite::PATH, post(invite))
        .route(routes::admin_user_role::PATH, post(role))
        .route(routes::admin_user_disable::PATH, post(disable))
        .route(routes::admin_user_enable::PATH, post(enable))
        .route(routes::admin_user_mfa_reset::PATH, post(mfa_reset))
        .route(routes::admin_actions_csv::PATH, get(actions_csv))
        .route(routes::admin_users_csv::PATH, get(users_csv))
        .route(routes::admin_mail_csv::PATH, get(mail_csv))
        .route(routes::admin_views_csv::PATH, get(views_csv))
        .route(routes::invite::PATH, post(accept))
}

fn on_page(form: &mut Submitted, path: &str) {
    if let Ok(uri) = path.parse() {
        form.parts.uri = uri;
    }
}

async fn invite(
    State(state): State<AppState>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    on_page(&mut form, "/admin/users");
    match admin_users::invite(
        &state,
        &admin,
        form.get("email"),
        form.get("role"),
        form.get("bank"),
        form.get("lang"),
    )
    .await
    {
        Ok(_) => see_other("/admin/users?invited=1"),
        Err(e) => form.fail(&state, e, "email").await,
    }
}

async fn role(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    on_page(&mut form, &format!("/admin/users/{id}"));
    match admin_users::change_role(&state, &admin, &id, form.get("role"), form.get("bank")).await {
        Ok(()) => see_other(&format!("/admin/users/{id}?saved=1")),
        Err(e) => form.fail(&state, e, "role").await,
    }
}

async fn switch(
    state: AppState,
    id: String,
    Guarded { user: admin, .. }: Guarded<Admins>,
    mut form: Submitted,
    disabled: bool,
) -> Response {
    on_page(&mut form, &format!("/admin/users/{id}"));
    match admin_users::set_disabled(&state, &admin, &id, disabled).await {
        Ok(()) => see_other(&format!("/admin/users/{id}?saved=1")),
        Err(e) => form.fail(&state, e, "role").await,
    }
}

async fn disable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    guarded: Guarded<Admins>,
    form: Submitted,
) -> Response {
    switch(state, id, guarded, form, true).await
}

async fn enable(
    State(state): State<AppState>,
    Path(id): Path<String>,
    guarded: Guarded<Admins>,
    form: Submitted,
) -> Response {
    switch(state, id, guarded, form, false).await
}

/// An admin resets someone's two-step login (they enrol again).
async fn mfa_reset(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Guarded { user: admin, .. }: Guarded<Admins>,
    mut form: Submitted,
) -> Response {
    on_page(&mut form, &format!("/admin/users/{id}"));
    match app::server::services::mfa::reset(&state, &admin, &id).await {
        Ok(()) => see_other(&format!("/admin/users/{id}?saved=1")),
        Err(e) => form.fail(&state, e, "role").await,
    }
}

async fn accept(State(state): State<AppState>, form: Submitted) -> Response {
    match admin_users::accept_invite(
        &state,
        form.get("token"),
        form.get("password"),
        &form.ip(&state),
    )
    .await
    {
        Ok(()) => see_other("/login?notice=invite_done"),
        Err(e) => form.fail(&state, e, "token").await,
    }
}

#[derive(serde::Deserialize)]
struct Search {
    q: Option<String>,
}

/// The admin actions (those the search finds) as CSV with a BOM.
async fn actions_csv(
    State(state): State<AppState>,
    Query(s): Query<Search>,
    Reading { user: admin, .. }: Reading<Admins>,
) -> Response {
    let rows = match app::server::store::users::admin_actions(
        &state.db,
        s.q.as_deref().unwrap_or(""),
        100_000,
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = admin.lang;
    let header = [
        "admin_action_at",
        "admin_action_by",
        "admin_action_what",
        "admin_action_whom",
        "admin_action_detail",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|(at, who, what, whom, detail)| {
        [
            app::api::claimant::convert::jst_time(at),
            who,
            lang.t(&format!("admin_action_{what}")),
            whom,
            detail,
        ]
    });
    download::csv_file(std::iter::once(header).chain(lines), "admin-actions.csv")
}

/// Who opened which case when (those the search finds), as CSV with a BOM.
async fn views_csv(
    State(state): State<AppState>,
    Query(s): Query<Search>,
    Reading { user: admin, .. }: Reading<Admins>,
) -> Response {
    let q = s.q.as_deref().unwrap_or("");
    let rows = match app::server::store::bank_review::views_page(&state.db, q, 1_000_000, 0).await {
        Ok((rows, _)) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = admin.lang;
    let header = ["date", "reference", "email", "role"].map(|k| lang.t(k));
    let lines = rows.into_iter().map(|v| {
        [
            app::api::claimant::convert::jst_time(v.at),
            v.reference,
            v.email,
            lang.t(&format!("role_{}", v.role)),
        ]
    });
    download::csv_file(std::iter::once(header).chain(lines), "case-views.csv")
}

/// The accounts the search finds (as on `/admin/users`), as CSV with a BOM.
async fn users_csv(
    State(state): State<AppState>,
    Query(s): Query<Search>,
    Reading { user: admin, .. }: Reading<Admins>,
) -> Response {
    let q = s.q.as_deref().unwrap_or("");
    let rows = match app::server::store::users::search(&state.db, q, 100_000, 0).await {
        Ok((rows, _)) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = admin.lang;
    let header = [
        "email",
        "users_role",
        "bank_code",
        "users_status",
        "users_created",
        "user_mfa",
    ]
    .map(|k| lang.t(k));
    let lines = rows.into_iter().map(|u| {
        let status = app::api::users::status_key(&u);
        [
            u.email,
            lang.t(&format!("role_{}", u.role)),
            u.bank_code.unwrap_or_default(),
            lang.t(status),
            app::api::claimant::convert::jst_date(u.created_at),
            lang.t(if u.mfa_enrolled_at.is_some() {
                "mfa_on"
            } else {
                "mfa_off"
            }),
        ]
    });
    download::csv_file(std::iter::once(header).chain(lines), "users.csv")
}

/// The mail queue as on `/admin/mail` (failed first, then waiting), as CSV
/// with a BOM; never the mails' text.
async fn mail_csv(
    State(state): State<AppState>,
    Reading { user: admin, .. }: Reading<Admins>,
) -> Response {
    let rows = match app::server::store::outbox::unsent(&state.db, 100_000).await {
        Ok(rows) => rows,
        Err(e) => return AppError::from(e).into_response(),
    };
    let lang = admin.lang;
    let header = [
        "mail_col_written",
        "mail_col_kind",
        "mail_col_to",
        "mail_col_status",
        "mail_col_attempts",
        "mail_col_error",
    ]
    .map(|k| lang.t(k));
    let lines = rows.iter().map(|m| {
        let v = app::api::mail::mail_view(m);
        [
            v.at,
            lang.t(&v.kind),
            v.to,
            format!("{} {}", lang.t(&v.status), v.when),
            v.attempts.to_string(),
            v.error.unwrap_or_default(),
        ]
    });
    download::csv_file(std::iter::once(header).chain(lines), "mail-queue.csv")
}
