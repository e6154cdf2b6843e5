//! Pages anyone may read.

use leptos::prelude::*;

use crate::components::{ErrorSummary, Layout, TextField, use_form, use_lang};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="home_title">
            <h1>{lang.t("home_title")}</h1>
            <p class="lead">{lang.t("home_lead")}</p>
            <h2>{lang.t("home_steps_title")}</h2>
            <ol class="steps">
                <li>{lang.t("home_step1")}</li>
                <li>{lang.t("home_step2")}</li>
                <li>{lang.t("home_step3")}</li>
            </ol>
            <p>
                <a class="button button-start" href="/claims/new">
                    {lang.t("home_start")}
                </a>
            </p>
            <p>
                {lang.t("home_have_account")}
                " "
                <a href="/login">{lang.t("nav_login")}</a>
            </p>
        </Layout>
    }
}

#[component]
pub fn GenuinePage() -> impl IntoView {
    let lang = use_lang();
    let message = use_form().message;
    view! {
        <Layout title="genuine_title">
            <ErrorSummary />
            <h1>{lang.t("genuine_title")}</h1>
            <p>{lang.t("genuine_never_intro")}</p>
            <ul class="never-list">
                <li>{lang.t("never_item_pin")}</li>
                <li>{lang.t("never_item_password")}</li>
                <li>{lang.t("never_item_card")}</li>
                <li>{lang.t("never_item_payment")}</li>
            </ul>
            <p>{lang.t("genuine_body1")}</p>
            <p>{lang.t("genuine_body2")}</p>
            <h2>{lang.t("genuine_check_title")}</h2>
            {message.map(|m| view! { <div class="notice" role="status"><p>{m}</p></div> })}
            <form method="post" action="/genuine" novalidate>
                <TextField name="reference" label="reference" hint="genuine_reference_hint" width="w-10" autocomplete="off" />
                <TextField
                    name="phone_last4"
                    label="genuine_phone_last4"
                    inputmode="numeric"
                    width="w-10"
                    autocomplete="off"
                />
                <button type="submit" class="button">
                    {lang.t("genuine_check_button")}
                </button>
            </form>
        </Layout>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Layout title="not_found_title">
            <h1>{lang.t("not_found_title")}</h1>
            <p>{lang.t("not_found_body")}</p>
        </Layout>
    }
}
