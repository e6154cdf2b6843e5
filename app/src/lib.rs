//! Redress: the Leptos application (pages, server functions, domain) and,
//! with the `ssr` feature, everything the server needs behind them.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
/// The pure domain, a crate of its own (shared with the browser).
pub use domain;
/// Every text, by key, in Japanese and English (a crate of its own, shared
/// with the server core and the browser).
pub use texts as i18n;
pub mod pages;
pub mod routes;
#[cfg(feature = "ssr")]
pub mod server;
/// The store's two macros (one query text for either database).
#[cfg(feature = "ssr")]
pub use redress_core::{on_db, on_tx};

use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::i18n::Lang;
use crate::pages::{
    account, admin, auth, bank, claimant, journey, mail, mfa, payments, public, reports, staff,
    users,
};

/// The language of this request: the `lang` cookie, else the browser's
/// `Accept-Language`, else Japanese.
#[cfg(feature = "ssr")]
pub fn request_lang(parts: &axum::http::request::Parts) -> Lang {
    let cookie = parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("lang="))
        .find_map(Lang::parse);
    cookie.unwrap_or_else(|| {
        let header = parts
            .headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Lang::from_accept_language(header)
    })
}

/// The name the browser's files go by: `redress.<hash>` when the site was
/// built with content-hashed copies (`scripts/build-site.sh` writes the
/// hash of the JS, the WebAssembly and the stylesheet into
/// `<site>/site.hash`), so they can be cached for a year; plain `redress`
/// otherwise.
#[cfg(feature = "ssr")]
pub fn site_name(site_root: &str) -> String {
    let hash = std::fs::read_to_string(std::path::Path::new(site_root).join("site.hash"))
        .unwrap_or_default();
    let hash = hash.trim();
    if is_site_hash(hash) {
        format!("redress.{hash}")
    } else {
        "redress".to_owned()
    }
}

/// The form of the site's content hash: 16 hexadecimal digits.
#[cfg(feature = "ssr")]
pub fn is_site_hash(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What loads the islands: Leptos's own island loader (as its
/// `HydrationScripts` writes it), run only on a page that holds an island,
/// so a page without one downloads no WebAssembly; no preload links for the
/// same reason. A page with none of the staff pages' islands loads the
/// claimant's smaller build (`redress-claimant`, see `scripts/build-site.sh`).
#[component]
fn IslandLoader(options: LeptosOptions) -> impl IntoView {
    // As `HydrationScripts` does in islands mode: the server draws the
    // page without hydration markers outside the islands.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    let name = options.output_name.to_string();
    let claimant = name.replacen("redress", "redress-claimant", 1);
    let script = format!(
        "{}({:?}, {:?}, {name:?}, {claimant:?}, {:?});",
        include_str!("island_loader.js").trim(),
        "",
        options.site_pkg_dir.as_ref(),
        components::import_watch::STAFF_ISLANDS,
    );
    view! { <script type="module" nonce=nonce>{script}</script> }
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = {
        let lang = use_context::<axum::http::request::Parts>()
            .map(|p| request_lang(&p))
            .unwrap_or_default();
        provide_context(lang);
        // The page's CSP allows exactly this request's hydration script.
        if let (Some(nonce), Some(res)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) && let Ok(v) = axum::http::HeaderValue::from_str(&server::page_csp(nonce.as_inner()))
        {
            res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, v);
        }
        lang
    };
    #[cfg(not(feature = "ssr"))]
    let lang = Lang::default();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                // No favicon request (and no 404 in every log).
                <link rel="icon" href="data:," />
                // The stylesheet by the site's content hash (see `site_name`).
                <link rel="stylesheet" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <IslandLoader options />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| view! { <public::NotFoundPage /> }>
                <Route path=path!("/") view=public::HomePage ssr=SsrMode::Async />
                <Route path=path!("/genuine") view=public::GenuinePage ssr=SsrMode::Async />
                <Route path=path!("/register") view=auth::RegisterPage ssr=SsrMode::Async />
                <Route path=path!("/register/sent") view=auth::RegisterSentPage ssr=SsrMode::Async />
                <Route path=path!("/verify") view=auth::VerifyPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=auth::LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/code") view=mfa::LoginCodePage ssr=SsrMode::Async />
                <Route path=path!("/mfa/setup") view=mfa::MfaSetupPage ssr=SsrMode::Async />
                <Route path=path!("/mfa/recovery-codes") view=mfa::RecoveryCodesPage ssr=SsrMode::Async />
                <Route path=path!("/password/forgot") view=auth::ForgotPage ssr=SsrMode::Async />
                <Route path=path!("/password/reset") view=auth::ResetPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/account/password") view=account::ChangePasswordPage ssr=SsrMode::Async />
                <Route path=path!("/account/recovery-codes") view=account::NewRecoveryCodesPage ssr=SsrMode::Async />
                <Route path=path!("/claims") view=claimant::MyClaimsPage ssr=SsrMode::Async />
                <Route path=path!("/claims/new") view=journey::StartClaimPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key") view=claimant::ClaimPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/about") view=journey::AboutPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/debits") view=journey::DebitsPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/add-account") view=journey::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/accounts/:aid") view=journey::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/accounts/:aid/add-debit") view=journey::DebitPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/debits/:lid") view=journey::DebitPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/calls") view=journey::CallsPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/add-call") view=journey::CallPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/calls/:lid") view=journey::CallPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/travel") view=journey::TravelListPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/add-journey") view=journey::JourneyLinePage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/travel/:lid") view=journey::JourneyLinePage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/evidence") view=journey::EvidencePage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/payout") view=journey::PayoutPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/check") view=journey::CheckPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:key/reply") view=journey::ReplyPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:reference/withdraw") view=claimant::WithdrawPage ssr=SsrMode::Async />
                <Route path=path!("/claims/:reference/payout-account") view=claimant::PayoutAccountPage ssr=SsrMode::Async />
                <Route path=path!("/staff/queue") view=staff::StaffQueuePage ssr=SsrMode::Async />
                <Route path=path!("/staff/claims/:reference") view=staff::StaffCasePage ssr=SsrMode::Async />
                <Route path=path!("/bank/queue") view=bank::BankQueuePage ssr=SsrMode::Async />
                <Route path=path!("/bank/claims/:reference") view=bank::BankCasePage ssr=SsrMode::Async />
                <Route path=path!("/bank/claims/:reference/lines/:line") view=bank::BankLinePage ssr=SsrMode::Async />
                <Route path=path!("/admin/views") view=admin::CaseViewsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/api-keys") view=admin::ApiKeysPage ssr=SsrMode::Async />
                <Route path=path!("/bank/api-keys") view=admin::BankApiKeysPage ssr=SsrMode::Async />
                <Route path=path!("/bank/notices") view=bank::BankNoticesPage ssr=SsrMode::Async />
                <Route path=path!("/api/docs") view=public::ApiDocsPage ssr=SsrMode::Async />
                <Route path=path!("/bank/import") view=bank::BankImportPage ssr=SsrMode::Async />
                <Route path=path!("/bank/imports/:id") view=bank::ImportReportPage ssr=SsrMode::Async />
                <Route path=path!("/staff/reported-losses") view=staff::ReportedLossesPage ssr=SsrMode::Async />
                <Route path=path!("/staff/invitations/:id") view=staff::LetterPage ssr=SsrMode::Async />
                <Route path=path!("/admin/banks") view=admin::AdminBanksPage ssr=SsrMode::Async />
                <Route path=path!("/admin/policy") view=admin::PolicyPage ssr=SsrMode::Async />
                <Route path=path!("/admin/ledger") view=payments::LedgerPage ssr=SsrMode::Async />
                <Route path=path!("/admin/mail") view=mail::MailQueuePage ssr=SsrMode::Async />
                <Route path=path!("/dashboard") view=reports::DashboardPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users") view=users::UsersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/users/:id") view=users::UserPage ssr=SsrMode::Async />
                <Route path=path!("/invite") view=users::InvitePage ssr=SsrMode::Async />
                <Route path=path!("/reports") view=reports::ReportsPage ssr=SsrMode::Async />
                <Route path=path!("/reports/:number") view=reports::FrozenReportPage ssr=SsrMode::Async />
                <Route path=path!("/payments") view=payments::PaymentsPage ssr=SsrMode::Async />
                <Route path=path!("/payments/batches/:number") view=payments::BatchPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
