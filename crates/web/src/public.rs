//! Anyone's forms: registering, verifying an address, logging in and out,
//! a forgotten password, the "is this really from us?" lookup, the
//! language, and the health check.

use super::{Submitted, render, see_other};
use app::routes;
use app::server::error::Respond as _;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tower_sessions::Session;

use crate::middleware::security::{GENUINE_PER_IP, check_rate};
use app::components::FormState;
use app::domain::FieldErrors;
use app::i18n::Lang;
use app::server::auth;
use app::server::services::{accounts, claims};
use app::server::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(routes::register::PATH, post(register))
        .route(routes::verify::PATH, post(verify))
        .route(routes::login::PATH, post(login))
        .route(routes::logout::PATH, post(logout))
        .route(routes::password_forgot::PATH, post(forgot))
        .route(routes::password_reset::PATH, post(reset))
        .route(routes::genuine::PATH, post(genuine))
        .route(routes::lang::PATH, post(set_lang))
        .route(routes::healthz::PATH, get(healthz))
        .route(routes::livez::PATH, get(livez))
        .route(routes::readyz::PATH, get(readyz))
}

async fn register(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::register(
        &state,
        form.get("email"),
        form.get("password"),
        form.lang(),
        &form.ip(&state),
    )
    .await
    {
        Ok(_) => see_other("/register/sent"),
        Err(e) => form.fail(&state, e, "email").await,
    }
}

async fn verify(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::verify_email(&state, form.get("token"), &form.ip(&state)).await {
        Ok(()) => see_other("/login?notice=verified"),
        Err(e) => form.fail(&state, e, "token").await,
    }
}

async fn login(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    match accounts::log_in(
        &state,
        form.get("email"),
        form.get("password"),
        &form.ip(&state),
    )
    .await
    {
        Ok(checked) => {
            let step = match checked.second_step() {
                Some(next) => auth::begin_second_step(&session, checked.id)
                    .await
                    .map(|()| next),
                None => auth::log_in(&state, &session, &form.parts, checked.id, checked.role)
                    .await
                    .map(|()| checked.role.home_path()),
            };
            match step {
                Ok(next) => logged_in(&form.parts, next, checked.lang),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => form.fail(&state, e, "email").await,
    }
}

/// The redirect after a login step; the user's own language wins over the
/// browser's from now on.
pub(crate) fn logged_in(parts: &Parts, to: &str, lang: Lang) -> Response {
    let mut res = see_other(to);
    if !has_lang_cookie(parts) {
        set_lang_cookie(&mut res, lang);
    }
    res
}

async fn logout(State(state): State<AppState>, session: Session) -> Response {
    match auth::log_out(&session, &state.db).await {
        Ok(()) => see_other("/login?notice=logged_out"),
        Err(e) => e.into_response(),
    }
}

async fn forgot(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::request_reset(&state, form.get("email"), form.lang()).await {
        Ok(()) => see_other("/password/reset?notice=forgot"),
        Err(e) => form.fail(&state, e, "email").await,
    }
}

async fn reset(State(state): State<AppState>, form: Submitted) -> Response {
    match accounts::reset_password(
        &state,
        form.get("token"),
        form.get("password"),
        &form.ip(&state),
    )
    .await
    {
        Ok(()) => see_other("/login?notice=reset"),
        Err(e) => form.fail(&state, e, "password").await,
    }
}

/// "Is this message really from us?": a reference and the last 4 digits of
/// the phone number say whether such a claim exists, and its public status.
async fn genuine(State(state): State<AppState>, form: Submitted) -> Response {
    if let Err(e) = check_rate(
        &state,
        &format!("genuine:ip:{}", form.ip(&state)),
        GENUINE_PER_IP,
    )
    .await
    {
        return form.fail(&state, e, "reference").await;
    }
    let lang = form.lang();
    match claims::genuine_lookup(&state.db, form.get("reference"), form.get("phone_last4")).await {
        Ok(found) => {
            let message = match found {
                Some((reference, status)) => lang
                    .t("genuine_found")
                    .replace("%{reference}", &reference)
                    .replace("%{status}", &app::components::state_label(lang, &status)),
                None => lang.t("genuine_not_found"),
            };
            let values = form.fields.clone();
            render(
                &state,
                form.parts,
                FormState {
                    values,
                    errors: FieldErrors::new(),
                    message: Some(message),
                },
                StatusCode::OK,
            )
            .await
        }
        Err(e) => form.fail(&state, e, "reference").await,
    }
}

/// Switches the language (a small form in every page's header, so it works
/// without JavaScript) and returns to the page the person was on. A logged-in
/// user's choice is stored too: their mails follow it.
async fn set_lang(State(state): State<AppState>, session: Session, form: Submitted) -> Response {
    let Some(lang) = Lang::parse(form.get("to")) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, "unknown language").into_response();
    };
    if let Ok(Some(user)) = auth::current_user(&session, &state.db).await
        && let Err(e) = accounts::set_language(&state, user.id, lang).await
    {
        return e.into_response();
    }
    let mut res = Redirect::to(&local_path(form.get("back"))).into_response();
    set_lang_cookie(&mut res, lang);
    res
}

/// `back` as a safe redirect target: a path on this site (never another
/// site: no `//host`, no backslash), with every byte that may not stand in a
/// header (non-ASCII, spaces, control characters) percent-encoded.
fn local_path(back: &str) -> String {
    if !back.starts_with('/') || back.starts_with("//") || back.contains('\\') {
        return "/".to_owned();
    }
    back.bytes()
        .map(|b| {
            if (0x21..=0x7e).contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn set_lang_cookie(res: &mut Response, lang: Lang) {
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn has_lang_cookie(parts: &Parts) -> bool {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim().starts_with("lang=")))
}

async fn healthz(State(state): State<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

/// `GET /livez`: the process answers (an orchestrator restarts it when it
/// does not). Nothing else is checked: a database outage is no reason to
/// restart every process.
async fn livez() -> Response {
    (StatusCode::OK, "ok").into_response()
}

/// `GET /readyz`: whether this process should get requests: the database
/// answers, every migration of this build is applied, and evidence files
/// can be written and read back. A JSON object, one member per check
/// (`"ok"` or what is wrong); 503 when one fails.
async fn readyz(State(state): State<AppState>) -> Response {
    let database = if state.db.ping().await {
        Ok(())
    } else {
        Err(String::from("unreachable"))
    };
    let migrations = match state.db.migrations_pending().await {
        Ok(pending) if pending.is_empty() => Ok(()),
        Ok(pending) => Err(format!("not applied: {pending:?}")),
        Err(_) => Err("cannot be read".to_owned()),
    };
    let files = state.files.ready().await.map_err(|e| {
        tracing::warn!(error = format!("{e:#}"), "evidence files are not ready");
        "cannot be written or read back".to_owned()
    });
    let checks = [
        ("database", database),
        ("migrations", migrations),
        ("files", files),
    ];
    let ready = checks.iter().all(|(_, r)| r.is_ok());
    let body: serde_json::Map<String, serde_json::Value> = checks
        .into_iter()
        .map(|(name, r)| {
            (
                name.to_owned(),
                r.err().unwrap_or_else(|| "ok".into()).into(),
            )
        })
        .collect();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirect_targets_stay_local_and_header_safe() {
        assert_eq!(local_path("/claims?page=2"), "/claims?page=2");
        assert_eq!(
            local_path("/claims/new?q=本店"),
            "/claims/new?q=%E6%9C%AC%E5%BA%97"
        );
        assert_eq!(
            local_path("/x\r\nSet-Cookie: a=b"),
            "/x%0D%0ASet-Cookie:%20a=b"
        );
        assert_eq!(
            local_path("/a%2Fb"),
            "/a%2Fb",
            "already-encoded paths pass as they are"
        );
        for outside in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "",
            "claims",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
    }
}
