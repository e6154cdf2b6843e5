//! Registration, e-mail confirmation, login and password reset. Every form
//! posts to its own address; the handler shows it again with errors.

use crate::routes;
use leptos::prelude::*;

use super::query_param;
use crate::components::{ErrorSummary, Layout, Notice, TextField, use_lang};

/// Notices a redirect may ask for, by whitelisted key.
fn notice_from_query() -> Option<&'static str> {
    match query_param("notice").as_deref() {
        Some("verified") => Some("verified_notice"),
        Some("reset") => Some("reset_done"),
        Some("invite_done") => Some("invite_done_notice"),
        Some("logged_out") => Some("logged_out"),
        Some("forgot") => Some("forgot_sent"),
        Some("login") => Some("login_required"),
        _ => None,
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="register_title">
            <ErrorSummary />
            <h1>{lang.t("register_title")}</h1>
            <p>{lang.t("register_lead")}</p>
            <form method="post" action=routes::register::to() novalidate>
                <TextField name="email" label="email" input_type="email" autocomplete="email" width="w-30" />
                <TextField
                    name="password"
                    label="password"
                    hint="password_hint"
                    input_type="password"
                    autocomplete="new-password"
                    width="w-20"
                />
                <button type="submit" class="button">
                    {lang.t("register_button")}
                </button>
            </form>
        </Layout>
    }
}

#[component]
pub fn RegisterSentPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="register_sent_title">
            <h1>{lang.t("register_sent_title")}</h1>
            <p>{lang.t("register_sent_body")}</p>
            <form method="post" action=routes::verify::to() novalidate>
                <TextField
                    name="token"
                    label="mail_code"
                    hint="mail_code_hint"
                    autocomplete="one-time-code"
                    width="w-20"
                />
                <button type="submit" class="button">
                    {lang.t("verify_button")}
                </button>
            </form>
        </Layout>
    }
}

/// The code from the mail is typed here (our mails carry no links but the
/// service's address); confirming is a POST.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let lang = use_lang();
    let token =
        query_param("token").unwrap_or_else(|| crate::components::use_form().value("token"));
    view! {
        <Layout title="verify_title">
            <ErrorSummary />
            <h1>{lang.t("verify_title")}</h1>
            <p>{lang.t("verify_lead")}</p>
            <form method="post" action=routes::verify::to() novalidate>
                <TextField
                    name="token"
                    label="mail_code"
                    hint="mail_code_hint"
                    autocomplete="one-time-code"
                    width="w-20"
                    value=token
                />
                <button type="submit" class="button">
                    {lang.t("verify_button")}
                </button>
            </form>
        </Layout>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="login_title">
            {notice_from_query().map(|k| view! { <Notice key=k /> })}
            <ErrorSummary />
            <h1>{lang.t("login_title")}</h1>
            <form method="post" action=routes::login::to() novalidate>
                <TextField name="email" label="email" input_type="email" autocomplete="username" width="w-30" />
                <TextField
                    name="password"
                    label="password"
                    input_type="password"
                    autocomplete="current-password"
                    width="w-20"
                />
                <button type="submit" class="button">
                    {lang.t("login_button")}
                </button>
            </form>
            <p>
                <a href=routes::password_forgot::to()>{lang.t("forgot_link")}</a>
            </p>
            <p>
                <a href=routes::verify::to()>{lang.t("code_link")}</a>
            </p>
            <p>
                <a href=routes::invite::to()>{lang.t("invite_link")}</a>
            </p>
            <p>
                <a href=routes::register::to()>{lang.t("nav_register")}</a>
            </p>
        </Layout>
    }
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="forgot_title">
            {notice_from_query().map(|k| view! { <Notice key=k /> })}
            <ErrorSummary />
            <h1>{lang.t("forgot_title")}</h1>
            <form method="post" action=routes::password_forgot::to() novalidate>
                <TextField name="email" label="email" input_type="email" autocomplete="email" width="w-30" />
                <button type="submit" class="button">
                    {lang.t("forgot_button")}
                </button>
            </form>
            <p>
                <a href=routes::password_reset::to()>{lang.t("reset_have_code")}</a>
            </p>
        </Layout>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let lang = use_lang();
    let token =
        query_param("token").unwrap_or_else(|| crate::components::use_form().value("token"));
    view! {
        <Layout title="reset_title">
            {notice_from_query().map(|k| view! { <Notice key=k /> })}
            <ErrorSummary />
            <h1>{lang.t("reset_title")}</h1>
            <form method="post" action=routes::password_reset::to() novalidate>
                <TextField
                    name="token"
                    label="mail_code"
                    hint="reset_code_hint"
                    autocomplete="one-time-code"
                    width="w-20"
                    value=token
                />
                <TextField
                    name="password"
                    label="new_password"
                    hint="password_hint"
                    input_type="password"
                    autocomplete="new-password"
                    width="w-20"
                />
                <button type="submit" class="button">
                    {lang.t("reset_button")}
                </button>
            </form>
        </Layout>
    }
}
