//! The account page (every role): change the password, see and end the
//! places the account is logged in, the two-step login.

use crate::routes;
use leptos::prelude::*;

use super::query_param;
use crate::api::mfa::my_account;
use crate::components::{ErrorPage, ErrorSummary, Layout, Notice, TextField, use_lang};

fn notice_from_query() -> Option<&'static str> {
    match query_param("notice").as_deref() {
        Some("password_changed") => Some("password_changed_notice"),
        Some("login_ended") => Some("login_ended_notice"),
        Some("logins_ended") => Some("logins_ended_notice"),
        _ => None,
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="my_account_title">
            {notice_from_query().map(|k| view! { <Notice key=k /> })}
            <ErrorSummary />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match my_account().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(me) => {
                            let others = me.logins.iter().filter(|l| !l.current).count();
                            view! {
                                <h1>{lang.t("my_account_title")}</h1>
                                <p>{format!("{}: {}", lang.t("email"), me.email)}</p>
                                <section aria-labelledby="password-title">
                                    <h2 id="password-title">{lang.t("password")}</h2>
                                    <p><a href=routes::account_password::to()>{lang.t("change_password_title")}</a></p>
                                </section>
                                <section aria-labelledby="logins-title">
                                    <h2 id="logins-title">{lang.t("logins_title")}</h2>
                                    <p>{lang.t("logins_lead")}</p>
                                    <ul class="logins">
                                        {me.logins.into_iter().map(|l| {
                                            let action = routes::account_end_login::to(l.id);
                                            view! {
                                                <li class="login">
                                                    <p class="login-device">
                                                        <strong>{if l.device == "?" { lang.t("device_unknown") } else { l.device }}</strong>
                                                        {l.current.then(|| view! { " " <span class="tag">{lang.t("login_this_device")}</span> })}
                                                    </p>
                                                    <p class="hint">
                                                        {format!("{} {} · {} {} · {}", lang.t("login_started"), l.started, lang.t("login_last_seen"), l.last_seen, l.ip)}
                                                    </p>
                                                    {(!l.current).then(|| view! {
                                                        <form method="post" action=action class="inline-form">
                                                            <button type="submit" class="button button-secondary">{lang.t("login_end")}</button>
                                                        </form>
                                                    })}
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {(others > 0).then(|| view! {
                                        <form method="post" action=routes::account_end_others::to()>
                                            <button type="submit" class="button button-secondary">{lang.t("logins_end_others")}</button>
                                        </form>
                                    })}
                                </section>
                                <MfaSection on=me.mfa_on left=me.recovery_left staff=me.staff />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// The account's two-step login: on (recovery codes left, what to do when
/// the phone is lost, new codes) or off (how to start one).
#[component]
pub fn MfaSection(on: bool, left: i64, staff: bool) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="account-security" aria-labelledby="mfa-title">
            <h2 id="mfa-title">{lang.t("my_mfa_title")}</h2>
            {if on {
                view! {
                    <p>{format!("{} {}: {left}", lang.t("my_mfa_on"), lang.t("my_mfa_codes_left"))}</p>
                    <p>{lang.t(if staff { "my_mfa_lost_staff" } else { "my_mfa_lost" })}</p>
                    <p><a href=routes::account_recovery_codes::to()>{lang.t("new_codes_title")}</a></p>
                }
                    .into_any()
            } else {
                view! {
                    <p>{lang.t("my_mfa_off")}</p>
                    <p><a href=routes::mfa_setup::to()>{lang.t("my_mfa_start")}</a></p>
                }
                    .into_any()
            }}
        </section>
    }
}

/// A form that asks for the current password first (and, as `children`,
/// what else it needs), posting to its own address.
#[component]
fn CurrentPasswordPage(
    title: &'static str,
    lead: &'static str,
    action: String,
    button: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title=title>
            <ErrorSummary />
            <h1>{lang.t(title)}</h1>
            <p>{lang.t(lead)}</p>
            <form method="post" action=action novalidate>
                <TextField
                    name="current_password"
                    label="current_password"
                    input_type="password"
                    autocomplete="current-password"
                    width="w-20"
                />
                {children.map(|c| c())}
                <button type="submit" class="button">
                    {lang.t(button)}
                </button>
            </form>
            <p><a href="/account">{lang.t("back_to_account")}</a></p>
        </Layout>
    }
}

/// Change the password: the current one, then the new one (the same rules
/// as at registration). Every other login of the account ends.
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    view! {
        <CurrentPasswordPage
            title="change_password_title"
            lead="change_password_lead"
            action=routes::account_password::to()
            button="change_password_button"
        >
            <TextField
                name="password"
                label="new_password"
                hint="password_hint"
                input_type="password"
                autocomplete="new-password"
                width="w-20"
            />
        </CurrentPasswordPage>
    }
}

/// New recovery codes (the old ones stop working), after the current
/// password.
#[component]
pub fn NewRecoveryCodesPage() -> impl IntoView {
    view! {
        <CurrentPasswordPage
            title="new_codes_title"
            lead="new_codes_lead"
            action=routes::account_recovery_codes::to()
            button="new_codes_button"
        />
    }
}
