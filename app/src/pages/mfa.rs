//! Two-step login pages: the code after the password, the enrolment (QR
//! code and key), and the recovery codes shown once.

use crate::routes;
use leptos::prelude::*;

use crate::api::mfa::{mfa_recovery_codes, mfa_setup};
use crate::components::{ErrorPage, ErrorSummary, Layout, TextField, use_lang};

/// The second step of a login: a code from the app, or a recovery code.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="login_code_title">
            <ErrorSummary />
            <h1>{lang.t("login_code_title")}</h1>
            <p>{lang.t("login_code_lead")}</p>
            <form method="post" action=routes::login_code::to() novalidate>
                <TextField
                    name="code"
                    label="mfa_code"
                    hint="login_code_hint"
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    width="w-10"
                />
                <button type="submit" class="button">
                    {lang.t("login_code_button")}
                </button>
            </form>
            <p>
                <a href=routes::login::to()>{lang.t("login_code_restart")}</a>
            </p>
        </Layout>
    }
}

/// Enrolment: scan the QR code (or type the key), then type the first code.
#[component]
pub fn MfaSetupPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="mfa_setup_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match mfa_setup().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(setup) => view! {
                            <ErrorSummary />
                            <h1>{lang.t("mfa_setup_title")}</h1>
                            <p>{lang.t(if setup.required { "mfa_setup_lead_staff" } else { "mfa_setup_lead" })}</p>
                            <ol class="steps">
                                <li>
                                    <p>{lang.t("mfa_setup_step_scan")}</p>
                                    <div class="qr" role="img" aria-label=lang.t("mfa_qr_label") inner_html=setup.qr_svg.clone()></div>
                                    <p>{lang.t("mfa_setup_step_key")}</p>
                                    <p><code class="mfa-key" id="mfa-key">{setup.key.clone()}</code></p>
                                </li>
                                <li>
                                    <p>{lang.t("mfa_setup_step_code")}</p>
                                    <form method="post" action=routes::mfa_setup::to() novalidate>
                                        <TextField
                                            name="code"
                                            label="mfa_code"
                                            hint="mfa_setup_code_hint"
                                            autocomplete="one-time-code"
                                            inputmode="numeric"
                                            width="w-10"
                                        />
                                        <button type="submit" class="button">
                                            {lang.t("mfa_setup_button")}
                                        </button>
                                    </form>
                                </li>
                            </ol>
                        }
                            .into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// The recovery codes, once: after this page they exist only as hashes.
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let lang = use_lang();
    // Taking the codes empties the session: the call must run once per
    // page, whatever re-renders the suspense.
    let codes = OnceResource::new(mfa_recovery_codes());
    view! {
        <Layout title="recovery_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match codes.await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok((codes, home)) if codes.is_empty() => view! {
                            <h1>{lang.t("recovery_title")}</h1>
                            <p>{lang.t("recovery_none")}</p>
                            <p><a class="button" href=home.clone()>{lang.t("recovery_continue")}</a></p>
                        }
                            .into_any(),
                        Ok((codes, home)) => view! {
                            <div class="notice" role="status"><p>{lang.t("mfa_on_notice")}</p></div>
                            <h1>{lang.t("recovery_title")}</h1>
                            <p>{lang.t("recovery_lead")}</p>
                            <ul class="recovery-codes" aria-label=lang.t("recovery_title")>
                                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                            </ul>
                            <p>{lang.t("recovery_once")}</p>
                            <p><a class="button" href=home.clone()>{lang.t("recovery_continue")}</a></p>
                        }
                            .into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}
