//! The frame of every page: skip link, header with the menu of the user's
//! role, language switch, main content, and the anti-phishing footer.

use crate::routes;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::use_lang;
use crate::api::ApiError;
use crate::api::common::{UserInfo, whoami};
use crate::domain::Role;

fn nav_links(user: Option<&UserInfo>) -> Vec<(&'static str, &'static str)> {
    match user.map(|u| u.role) {
        None => vec![
            ("/", "nav_home"),
            ("/register", "nav_register"),
            ("/login", "nav_login"),
        ],
        Some(Role::Claimant) => vec![("/claims", "nav_my_claims")],
        Some(Role::BankStaff) if user.is_some_and(|u| u.bank_lead) => vec![
            ("/bank/queue", "nav_bank_queue"),
            ("/bank/import", "nav_bank_import"),
            ("/bank/api-keys", "nav_api_keys"),
            ("/bank/notices", "nav_bank_notices"),
            ("/dashboard", "nav_dashboard"),
        ],
        Some(Role::BankStaff) => vec![
            ("/bank/queue", "nav_bank_queue"),
            ("/bank/import", "nav_bank_import"),
            ("/dashboard", "nav_dashboard"),
        ],
        Some(Role::Admin) => vec![
            ("/staff/queue", "nav_queue"),
            ("/dashboard", "nav_dashboard"),
            ("/reports", "nav_reports"),
            ("/staff/reported-losses", "nav_reported_losses"),
            ("/admin/users", "nav_users"),
            ("/admin/banks", "nav_banks"),
            ("/admin/policy", "nav_policy"),
            ("/admin/ledger", "nav_ledger"),
            ("/admin/mail", "nav_mail"),
            ("/admin/views", "nav_views"),
            ("/admin/api-keys", "nav_api_keys"),
        ],
        Some(Role::Payments) => vec![
            ("/staff/queue", "nav_queue"),
            ("/payments", "nav_payments"),
            ("/dashboard", "nav_dashboard"),
            ("/reports", "nav_reports"),
        ],
        Some(Role::Approver) => vec![
            ("/staff/queue", "nav_queue"),
            ("/staff/reported-losses", "nav_reported_losses"),
            ("/payments", "nav_payments"),
            ("/dashboard", "nav_dashboard"),
            ("/reports", "nav_reports"),
        ],
        Some(_) => vec![
            ("/staff/queue", "nav_queue"),
            ("/staff/reported-losses", "nav_reported_losses"),
            ("/dashboard", "nav_dashboard"),
            ("/reports", "nav_reports"),
        ],
    }
}

#[component]
fn Header(user: Option<UserInfo>) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = location.pathname.get_untracked();
    let back = {
        let query = location.search.get_untracked();
        let q = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        format!("{here}{q}")
    };
    let links = nav_links(user.as_ref());
    view! {
        <header class="header">
            <div class="header-inner">
                <a class="brand" href="/">
                    "Redress"
                </a>
                <nav aria-label=lang.t("main_nav")>
                    <ul class="nav">
                        {links
                            .into_iter()
                            .map(|(href, key)| {
                                let current = here == href;
                                view! {
                                    <li>
                                        <a href=href aria-current=current.then_some("page")>
                                            {lang.t(key)}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                        <li>
                            <form method="post" action=routes::lang::to() class="inline-form">
                                <input type="hidden" name="to" value=lang.other().code() />
                                <input type="hidden" name="back" value=back.clone() />
                                <button type="submit" class="link-button" lang=lang.other().code()>
                                    {lang.t("switch_lang")}
                                </button>
                            </form>
                        </li>
                        {user
                            .map(|u| {
                                view! {
                                    <li class="who">
                                        <a href="/account" aria-current=(here == "/account").then_some("page")>
                                            <span class="visually-hidden">{lang.t("nav_account")} </span>
                                            {u.email}
                                        </a>
                                    </li>
                                    <li>
                                        <form method="post" action=routes::logout::to() class="inline-form">
                                            <button type="submit" class="link-button">
                                                {lang.t("nav_logout")}
                                            </button>
                                        </form>
                                    </li>
                                }
                            })}
                    </ul>
                </nav>
            </div>
        </header>
    }
}

/// Wraps a page: loads the user for the header, then renders `children`.
#[component]
pub fn Layout(#[prop(into)] title: String, children: Children) -> impl IntoView {
    let lang = use_lang();
    let title_text = format!("{} | Redress", lang.t(&title));
    // Read once: Suspense runs its children more than once while it renders.
    let user = OnceResource::new(whoami());
    view! {
        <leptos_meta::Title text=title_text />
        <a class="skip-link" href="#main">
            {lang.t("skip_to_content")}
        </a>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let user = user.await.ok().flatten();
                view! { <Header user=user /> }
            })}
        </Suspense>
        <main id="main" class="main" tabindex="-1">
            {children()}
        </main>
        <footer class="footer">
            <p class="never-pin">
                <strong>{lang.t("never_pin")}</strong>
            </p>
            <p>
                <a href=routes::genuine::to()>{lang.t("footer_genuine")}</a>
            </p>
        </footer>
    }
}

/// A short message in a box (after logging out, after confirming an address...).
#[component]
pub fn Notice(#[prop(into)] key: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="notice" role="status">
            <p>{lang.t(&key)}</p>
        </div>
    }
}

/// "Quote this code": the id of the request being answered, which is in
/// every log line written for it (shown on error pages; server side only).
#[component]
pub fn RequestCode() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    let code = use_context::<axum::http::request::Parts>().and_then(|p| {
        p.extensions
            .get::<crate::server::metrics::RequestId>()
            .map(|r| r.0.clone())
    });
    #[cfg(not(feature = "ssr"))]
    let code: Option<String> = None;
    code.map(|code| {
        view! {
            <p class="hint request-code">
                {lang.t("error_code")} " " <code>{code}</code>
            </p>
        }
    })
}

/// The page shown for an error from a server function; the status was set by
/// the server function.
#[component]
pub fn ErrorPage(error: ApiError) -> impl IntoView {
    let lang = use_lang();
    let (title, body) = match &error {
        ApiError::Unauthorized => ("login_required", None),
        ApiError::Forbidden => ("forbidden_title", None),
        ApiError::NotFound => ("not_found_title", Some("not_found_body")),
        ApiError::Unavailable => ("unavailable_title", Some("unavailable_body")),
        _ => ("error_title", Some("error_body")),
    };
    let login = matches!(error, ApiError::Unauthorized);
    view! {
        <h1>{lang.t(title)}</h1>
        {body.map(|b| view! { <p>{lang.t(b)}</p> })}
        {(!login).then(|| view! { <RequestCode /> })}
        {login
            .then(|| {
                view! {
                    <p>
                        <a class="button" href=routes::login::to()>
                            {lang.t("nav_login")}
                        </a>
                    </p>
                }
            })}
    }
}

/// Previous / next links for a paged list.
#[component]
pub fn Pager(#[prop(into)] base: String, page: i64, pages: i64) -> impl IntoView {
    let lang = use_lang();
    // The base may carry filters already.
    let base = if base.contains('?') {
        format!("{base}&")
    } else {
        format!("{base}?")
    };
    view! {
        <nav class="pager" aria-label=lang.t("pagination")>
            {(page > 1)
                .then(|| {
                    view! {
                        <a href=format!("{base}page={}", page - 1) rel="prev">
                            {lang.t("page_prev")}
                        </a>
                    }
                })}
            <span>{format!("{} {page} / {pages}", lang.t("page_of"))}</span>
            {(page < pages)
                .then(|| {
                    view! {
                        <a href=format!("{base}page={}", page + 1) rel="next">
                            {lang.t("page_next")}
                        </a>
                    }
                })}
        </nav>
    }
}
