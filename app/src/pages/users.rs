//! Accounts (admins): the list with search and the invitation form, one
//! account (role, bank, disable or enable), and the invitee's page.

use crate::routes;
use leptos::prelude::*;

use crate::api::users::{get_user, list_users};
use crate::components::CsvLinks;
use crate::components::{
    ErrorPage, ErrorSummary, Layout, Notice, Pager, Radios, SelectField, TextField, use_lang,
};
use crate::domain::Role;

fn staff_roles(lang: crate::i18n::Lang) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| **r != Role::Claimant)
        .map(|r| {
            (
                r.as_str().to_owned(),
                lang.t(&format!("role_{}", r.as_str())),
            )
        })
        .collect()
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = use_lang();
    let q = super::query_param("q").unwrap_or_default();
    let page = super::page_param();
    let notice = super::query_param("invited").map(|_| "user_invited_notice");
    // Read once (see `reports::DashboardPage`).
    let list = OnceResource::new(list_users(Some(q.clone()), Some(page)));
    view! {
        <Layout title="users_title">
            <Suspense fallback=|| ()>
                {move || {
                    let q = q.clone();
                    Suspend::new(async move {
                        match list.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(list) => {
                                crate::components::provide_prefill(|| [("lang".to_owned(), "ja".to_owned())].into_iter().collect());
                                let pages = ((list.total + crate::api::users::USERS_PAGE - 1) / crate::api::users::USERS_PAGE).max(1);
                                let base = if q.is_empty() { "/admin/users".to_owned() } else { format!("/admin/users?q={}", super::encode(&q)) };
                                view! {
                                    {notice.map(|k| view! { <Notice key=k /> })}
                                    <ErrorSummary />
                                    <h1>{lang.t("users_title")}</h1>
                                    <form method="get" action="/admin/users" class="filters" novalidate>
                                        <TextField name="q" label="users_search" hint="users_search_hint" width="w-20" value=q.clone() />
                                        <button type="submit" class="button button-secondary">{lang.t("search_button")}</button>
                                    </form>
                                    <p role="status">{format!("{}: {}", lang.t("users_count"), list.total)}</p>
                                    <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("users_title")>
                                        <table class="table">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("email")}</th>
                                                    <th scope="col">{lang.t("users_role")}</th>
                                                    <th scope="col">{lang.t("bank_code")}</th>
                                                    <th scope="col">{lang.t("users_status")}</th>
                                                    <th scope="col">{lang.t("users_created")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list.rows.into_iter().map(|u| view! {
                                                    <tr>
                                                        <td><a href=format!("/admin/users/{}", u.id)>{u.email.clone()}</a></td>
                                                        <td>{lang.t(&u.role)}</td>
                                                        <td>{u.bank.clone().unwrap_or_default()}</td>
                                                        <td>{lang.t(&u.status)}</td>
                                                        <td>{u.created.clone()}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <p><CsvLinks href=format!("{}?q={}", routes::admin_users_csv::to(), super::encode(&q)) label=lang.t("users_csv") /></p>
                                    <Pager base=base page=list.page pages=pages />
                                    <h2 id="invite-title">{lang.t("invite_title")}</h2>
                                    <p>{lang.t("invite_lead")}</p>
                                    <form method="post" action=routes::admin_invite::to() novalidate aria-labelledby="invite-title">
                                        <TextField name="email" label="email" input_type="email" width="w-30" />
                                        <SelectField name="role" label="users_role" options=staff_roles(lang) />
                                        <SelectField name="bank" label="users_bank" hint="users_bank_hint" options=list.banks.clone() />
                                        <Radios name="lang" legend="users_lang" options=vec![("ja".into(), "日本語".into()), ("en".into(), "English".into())] />
                                        <button type="submit" class="button">{lang.t("invite_button")}</button>
                                    </form>
                                    <h2>{lang.t("admin_actions_title")}</h2>
                                    <p><CsvLinks href=format!("{}?q={}", routes::admin_actions_csv::to(), super::encode(&q)) label=lang.t("admin_actions_csv") /></p>
                                    <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("admin_actions_title")>
                                        <table class="table">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("admin_action_at")}</th>
                                                    <th scope="col">{lang.t("admin_action_by")}</th>
                                                    <th scope="col">{lang.t("admin_action_what")}</th>
                                                    <th scope="col">{lang.t("admin_action_whom")}</th>
                                                    <th scope="col">{lang.t("admin_action_detail")}</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list.actions.into_iter().map(|(at, who, what, whom, detail)| view! {
                                                    <tr><td>{at}</td><td>{who}</td><td>{lang.t(&what)}</td><td>{whom}</td><td>{detail}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
pub fn UserPage() -> impl IntoView {
    let lang = use_lang();
    let id = super::path_param("id");
    let saved = super::query_param("saved").is_some();
    // Read once (see `reports::DashboardPage`).
    let user = OnceResource::new(get_user(id.clone()));
    view! {
        <Layout title="user_title">
            <Suspense fallback=|| ()>
                {move || {
                    Suspend::new(async move {
                        match user.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(d) => {
                                let u = d.user.clone();
                                crate::components::provide_prefill({
                                    let (role, bank) = (d.role_code.clone(), u.bank.clone().unwrap_or_default());
                                    move || [("role".to_owned(), role), ("bank".to_owned(), bank)].into_iter().collect()
                                });
                                view! {
                                    {saved.then(|| view! { <p class="notice" role="status">{lang.t("user_saved")}</p> })}
                                    <ErrorSummary />
                                    <h1>{u.email.clone()}</h1>
                                    <dl class="summary-list">
                                        <div><dt>{lang.t("users_role")}</dt><dd>{lang.t(&u.role)}</dd></div>
                                        <div><dt>{lang.t("bank_code")}</dt><dd>{u.bank.clone().unwrap_or_else(|| "—".into())}</dd></div>
                                        <div><dt>{lang.t("users_status")}</dt><dd>{lang.t(&u.status)}</dd></div>
                                        <div><dt>{lang.t("users_created")}</dt><dd>{u.created.clone()}</dd></div>
                                        <div><dt>{lang.t("user_mfa")}</dt><dd>{lang.t(if d.mfa_on { "mfa_on" } else { "mfa_off" })}</dd></div>
                                    </dl>
                                    {if d.is_self {
                                        view! { <p>{lang.t("user_is_self")}</p> }.into_any()
                                    } else {
                                        view! {
                                            {(!u.is_claimant).then(|| view! {
                                                <h2 id="role-title">{lang.t("user_role_title")}</h2>
                                                <form method="post" action=routes::admin_user_role::to(&u.id) novalidate aria-labelledby="role-title">
                                                    <SelectField name="role" label="users_role" options=staff_roles(lang) />
                                                    <SelectField name="bank" label="users_bank" hint="users_bank_hint" options=d.banks.clone() />
                                                    <button type="submit" class="button">{lang.t("user_role_save")}</button>
                                                </form>
                                            })}
                                            {u.is_claimant.then(|| view! { <p>{lang.t("user_claimant_note")}</p> })}
                                            {d.mfa_on.then(|| view! {
                                                <h2>{lang.t("user_mfa_reset_title")}</h2>
                                                <p>{lang.t("user_mfa_reset_lead")}</p>
                                                <form method="post" action=routes::admin_user_mfa_reset::to(&u.id)>
                                                    <button type="submit" class="button button-warning">{lang.t("user_mfa_reset")}</button>
                                                </form>
                                            })}
                                            <h2>{lang.t(if d.disabled { "user_enable_title" } else { "user_disable_title" })}</h2>
                                            <p>{lang.t(if d.disabled { "user_enable_lead" } else { "user_disable_lead" })}</p>
                                            <form method="post" action=if d.disabled { routes::admin_user_enable::to(&u.id) } else { routes::admin_user_disable::to(&u.id) }>
                                                <button type="submit" class=if d.disabled { "button" } else { "button button-warning" }>
                                                    {lang.t(if d.disabled { "user_enable" } else { "user_disable" })}
                                                </button>
                                            </form>
                                        }
                                            .into_any()
                                    }}
                                    <p><a href="/admin/users">{lang.t("users_back")}</a></p>
                                }
                                    .into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

/// The invitee sets a password with the mailed code.
#[component]
pub fn InvitePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="invite_accept_title">
            <ErrorSummary />
            <h1>{lang.t("invite_accept_title")}</h1>
            <p>{lang.t("invite_accept_lead")}</p>
            <form method="post" action=routes::invite::to() novalidate>
                <TextField name="token" label="mail_code" hint="invite_code_hint" autocomplete="one-time-code" width="w-20" />
                <TextField name="password" label="new_password" hint="password_hint" input_type="password" autocomplete="new-password" width="w-20" />
                <button type="submit" class="button">{lang.t("invite_accept_button")}</button>
            </form>
        </Layout>
    }
}
