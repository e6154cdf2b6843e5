//! Administration: which banks take part, the compensation policy.

use crate::routes;
use leptos::prelude::*;

use crate::api::common::{PolicyVersion, admin_banks, admin_policies};
use crate::components::CsvLinks;
use crate::components::{
    Checkbox, ErrorPage, ErrorSummary, Layout, Radios, SelectField, TextField, provide_prefill,
    use_lang, yen,
};
use crate::domain::policy::POLICY_AMOUNTS;

/// Where a bank's notices go, in words.
fn notify_text(lang: crate::i18n::Lang, email: &str, users: bool) -> String {
    match (email.is_empty(), users) {
        (true, true) => lang.t("notify_to_users"),
        (false, false) => email.to_owned(),
        (false, true) => format!("{email}, {}", lang.t("notify_to_users")),
        (true, false) => lang.t("notify_to_nobody"),
    }
}

#[component]
pub fn AdminBanksPage() -> impl IntoView {
    let lang = use_lang();
    let notify_saved = super::query_param("notify").is_some();
    // A bank is removed in two steps (no JavaScript needed): its "remove"
    // button comes back here to ask, and only the answer removes it.
    let removing = super::query_param("remove");
    view! {
        <Layout title="banks_title">
            <Suspense fallback=|| ()>
                {move || {
                    let removing = removing.clone();
                    Suspend::new(async move {
                    match admin_banks().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(banks) => {
                            let bank_options: Vec<(String, String)> = banks
                                .iter()
                                .map(|b| (b.code.clone(), format!("{} {}", b.code, b.name)))
                                .collect();
                            let asking = removing
                                .as_deref()
                                .and_then(|code| banks.iter().find(|b| b.code == code))
                                .map(|b| (b.code.clone(), b.name.clone()));
                            view! {
                                <ErrorSummary />
                                <h1>{lang.t("banks_title")}</h1>
                                {asking
                                    .map(|(code, name)| {
                                        view! {
                                            <div class="inset warning-box" id="remove-bank">
                                                <h2>{lang.t("remove_bank_confirm_title").replace("%{bank}", &name)}</h2>
                                                <p>{lang.t("remove_bank_confirm_lead")}</p>
                                                <form method="post" action=routes::admin_banks::to() class="inline-form">
                                                    <input type="hidden" name="bank_code" value=code />
                                                    <input type="hidden" name="participating" value="no" />
                                                    <input type="hidden" name="confirm" value="yes" />
                                                    <button type="submit" class="button button-warning">
                                                        {lang.t("remove_bank_confirm")}
                                                    </button>
                                                </form>
                                                " "
                                                <a href=routes::admin_banks::to()>{lang.t("remove_bank_cancel")}</a>
                                            </div>
                                        }
                                    })}
                                <p>{lang.t("banks_lead")}</p>
                                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("banks_title")>
                                    <table class="table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{lang.t("bank_code")}</th>
                                                <th scope="col">{lang.t("bank_name")}</th>
                                                <th scope="col" class="num">
                                                    {lang.t("branches_count")}
                                                </th>
                                                <th scope="col">{lang.t("share_percent")}</th>
                                                <th scope="col">{lang.t("notify_title")}</th>
                                                <th scope="col">
                                                    <span class="visually-hidden">{lang.t("remove_bank")}</span>
                                                </th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {banks
                                                .into_iter()
                                                .map(|b| {
                                                    view! {
                                                        <tr>
                                                            <td>{b.code.clone()}</td>
                                                            <td>{b.name.clone()}</td>
                                                            <td class="num">{b.branches}</td>
                                                            <td>
                                                                <form method="post" action=routes::admin_banks_share::to() class="inline-form">
                                                                    <input type="hidden" name="bank_code" value=b.code.clone() />
                                                                    <label class="visually-hidden" for=format!("share-{}", b.code)>
                                                                        {format!("{} {}", b.name, lang.t("share_percent"))}
                                                                    </label>
                                                                    <input
                                                                        class="input w-5"
                                                                        id=format!("share-{}", b.code)
                                                                        name="share_percent"
                                                                        inputmode="numeric"
                                                                        value=b.share.to_string()
                                                                    />
                                                                    " % "
                                                                    <button type="submit" class="link-button">
                                                                        {lang.t("share_save")}
                                                                    </button>
                                                                </form>
                                                            </td>
                                                            <td>
                                                                {notify_text(lang, &b.notify_email, b.notify_users)}
                                                            </td>
                                                            <td>
                                                                <form method="post" action=routes::admin_banks::to() class="inline-form">
                                                                    <input type="hidden" name="bank_code" value=b.code.clone() />
                                                                    <input type="hidden" name="participating" value="no" />
                                                                    <button
                                                                        type="submit"
                                                                        class="link-button"
                                                                        aria-label=format!("{} {}", lang.t("remove_bank"), b.name)
                                                                    >
                                                                        {lang.t("remove_bank")}
                                                                    </button>
                                                                </form>
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <h2 id="notify-title">{lang.t("notify_title")}</h2>
                                <p>{lang.t("notify_lead")}</p>
                                {notify_saved.then(|| view! { <p class="notice" role="status">{lang.t("notify_saved")}</p> })}
                                <form method="post" action=routes::admin_banks_notify::to() novalidate aria-labelledby="notify-title">
                                    <SelectField name="notify_bank" label="bank_name" options=bank_options.clone() />
                                    <TextField name="notify_email" label="notify_email" hint="notify_email_hint" input_type="email" width="w-30" />
                                    <Checkbox name="notify_users" label="notify_users" />
                                    <button type="submit" class="button">{lang.t("notify_save")}</button>
                                </form>
                                <h2>{lang.t("add_bank")}</h2>
                                <form method="post" action=routes::admin_banks::to() novalidate>
                                    <input type="hidden" name="participating" value="yes" />
                                    <TextField name="bank_code" label="bank_code" inputmode="numeric" width="w-10" />
                                    <button type="submit" class="button">
                                        {lang.t("add_bank")}
                                    </button>
                                </form>
                                <BankListUpdates />
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

/// Who opened which case when.
#[component]
pub fn CaseViewsPage() -> impl IntoView {
    let lang = use_lang();
    let page = super::page_param();
    let q = super::query_param("q").unwrap_or_default();
    view! {
        <Layout title="views_title">
            <Suspense fallback=|| ()>
                {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match crate::api::common::case_views(page, q.clone()).await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok((rows, total)) => {
                            let pages = ((total + 99) / 100).max(1);
                            let query = super::encode(&q);
                            view! {
                                <h1>{lang.t("views_title")}</h1>
                                <form method="get" action="/admin/views" class="filters" novalidate>
                                    <TextField name="q" label="views_search" hint="views_search_hint" width="w-20" value=q.clone() />
                                    <button type="submit" class="button button-secondary">{lang.t("search_button")}</button>
                                </form>
                                <p role="status">{format!("{total} {}", lang.t("count_total"))}</p>
                                <p><CsvLinks href=format!("{}?q={query}", routes::admin_views_csv::to()) label=lang.t("views_csv") /></p>
                                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("views_title")>
                                    <table class="table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{lang.t("date")}</th>
                                                <th scope="col">{lang.t("reference")}</th>
                                                <th scope="col">{lang.t("email")}</th>
                                                <th scope="col">{lang.t("role")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {rows
                                                .into_iter()
                                                .map(|v| {
                                                    view! {
                                                        <tr>
                                                            <td>{v.at}</td>
                                                            <td class="reference">{v.reference}</td>
                                                            <td>{v.email}</td>
                                                            <td>{lang.t(&format!("role_{}", v.role))}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <crate::components::Pager base=format!("/admin/views?q={query}") page=page pages=pages />
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

/// API keys of bank systems: create (the key is shown once), list, revoke.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! { <KeysPage bank=false /> }
}

/// Admins manage every bank's keys; a bank's lead user (`bank`) their own.
#[component]
fn KeysPage(bank: bool) -> impl IntoView {
    let lang = use_lang();
    let fresh = crate::components::use_form().message;
    let (create, revoke): (String, fn(uuid::Uuid) -> String) = if bank {
        (routes::bank_api_keys::to(), |id| {
            routes::bank_api_key_revoke::to(id)
        })
    } else {
        (routes::admin_api_keys::to(), |id| {
            routes::admin_api_key_revoke::to(id)
        })
    };
    view! {
        <Layout title="api_keys_title">
            <ErrorSummary />
            <h1>{lang.t("api_keys_title")}</h1>
            {fresh
                .map(|key| {
                    view! {
                        <div class="notice" role="status">
                            <p>{lang.t("api_key_once")}</p>
                            <p>
                                <code class="api-key">{key}</code>
                            </p>
                        </div>
                    }
                })}
            <p>
                <a href="/api/docs">{lang.t("api_docs_link")}</a>
            </p>
            <form method="post" action=create novalidate>
                {(!bank)
                    .then(|| {
                        view! {
                            <TextField name="bank_code" label="bank_code" hint="bank_code_hint" inputmode="numeric" width="w-10" />
                        }
                    })}
                <TextField name="label" label="api_key_label" width="w-20" />
                <button type="submit" class="button">
                    {lang.t("api_key_create")}
                </button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let keys = crate::api::common::api_key_list().await.unwrap_or_default();
                    view! {
                        <ul class="claim-list">
                            {keys
                                .into_iter()
                                .map(|k| {
                                    view! {
                                        <li>
                                            <span>{format!("{} {}", k.bank, k.label)}</span>
                                            <span>{k.created.clone()}</span>
                                            <span>{k.last_used.clone().map(|t| format!("{} {t}", lang.t("api_key_last_used"))).unwrap_or_default()}</span>
                                            {match k.revoked.clone() {
                                                Some(t) => view! { <span class="tag tag-grey">{format!("{} {t}", lang.t("api_key_revoked"))}</span> }.into_any(),
                                                None => {
                                                    view! {
                                                        <form method="post" action=revoke(k.id) class="inline-form">
                                                            <button type="submit" class="link-button">
                                                                {lang.t("api_key_revoke")}
                                                                <span class="visually-hidden">{format!(" {}", k.label)}</span>
                                                            </button>
                                                        </form>
                                                    }
                                                        .into_any()
                                                }
                                            }}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// A bank's lead user manages the bank's own API keys.
#[component]
pub fn BankApiKeysPage() -> impl IntoView {
    view! { <KeysPage bank=true /> }
}

/// The compensation policy: the version in force as a form (saving writes
/// the next version), and every version with the cases assessed under it.
#[component]
pub fn PolicyPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="policy_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match admin_policies().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(versions) => {
                            let Some(current) = versions.first().cloned() else {
                                return view! { <p>{lang.t("policy_none")}</p> }.into_any();
                            };
                            let p = current.policy.clone();
                            provide_prefill(move || {
                                let mut m: std::collections::HashMap<String, String> = POLICY_AMOUNTS
                                    .iter()
                                    .map(|(n, _)| ((*n).to_owned(), p.amount(n).unwrap_or(0).to_string()))
                                    .collect();
                                m.insert("window_days".into(), p.window_days.to_string());
                                m.insert(
                                    "deduct_compensated".into(),
                                    if p.deduct_compensated { "yes" } else { "no" }.into(),
                                );
                                m
                            });
                            let saved = leptos_router::hooks::use_query_map()
                                .with_untracked(|q| q.get("saved").is_some());
                            view! {
                                <ErrorSummary />
                                <h1>{lang.t("policy_title")}</h1>
                                {saved
                                    .then(|| {
                                        view! {
                                            <p class="notice" role="status">
                                                {lang.t("policy_saved")}
                                            </p>
                                        }
                                    })}
                                <p>
                                    {lang
                                        .t("policy_lead")
                                        .replace("%{version}", &current.policy.version.to_string())}
                                </p>
                                <form method="post" action=routes::admin_policy::to() novalidate>
                                    <input
                                        type="hidden"
                                        name="based_on"
                                        value=current.policy.version.to_string()
                                    />
                                    {POLICY_AMOUNTS
                                        .iter()
                                        .map(|(name, _)| {
                                            view! {
                                                <TextField
                                                    name=*name
                                                    label=format!("policy_{name}")
                                                    inputmode="numeric"
                                                    width="w-10"
                                                    hint="policy_yen_hint"
                                                />
                                            }
                                        })
                                        .collect_view()}
                                    <TextField
                                        name="window_days"
                                        label="policy_window_days"
                                        inputmode="numeric"
                                        width="w-5"
                                    />
                                    <Radios
                                        name="deduct_compensated"
                                        legend="policy_deduct_compensated"
                                        options=vec![
                                            ("yes".to_owned(), lang.t("answer_yes")),
                                            ("no".to_owned(), lang.t("answer_no")),
                                        ]
                                    />
                                    <TextField name="policy_note" label="policy_note" hint="policy_note_hint" />
                                    <button type="submit" class="button">
                                        {lang.t("policy_save")}
                                    </button>
                                </form>
                                <h2>{lang.t("policy_versions")}</h2>
                                <VersionTable versions=versions />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn VersionTable(versions: Vec<PolicyVersion>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("policy_versions")>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{lang.t("policy_version_col")}</th>
                        <th scope="col">{lang.t("policy_written")}</th>
                        <th scope="col">{lang.t("policy_limits")}</th>
                        <th scope="col">{lang.t("policy_note")}</th>
                        <th scope="col" class="num">{lang.t("policy_cases")}</th>
                    </tr>
                </thead>
                <tbody>
                    {versions
                        .into_iter()
                        .map(|v| {
                            let p = &v.policy;
                            // Every rule of the version, so two versions
                            // never look the same when they differ.
                            let mut rules: Vec<String> = POLICY_AMOUNTS
                                .iter()
                                .map(|(name, _)| {
                                    format!(
                                        "{} {}",
                                        lang.t(&format!("policy_{name}")),
                                        yen(lang, p.amount(name).unwrap_or_default()),
                                    )
                                })
                                .collect();
                            rules.push(format!("{} {}", lang.t("policy_window_days"), p.window_days));
                            rules.push(format!(
                                "{}: {}",
                                lang.t("policy_deduct_compensated"),
                                lang.t(if p.deduct_compensated { "answer_yes" } else { "answer_no" }),
                            ));
                            view! {
                                <tr>
                                    <th scope="row">{p.version}</th>
                                    <td>
                                        {v.created_at.clone()} <br />
                                        {v.created_by.clone().unwrap_or_else(|| lang.t("policy_installed"))}
                                    </td>
                                    <td>
                                        <ul class="policy-rules">
                                            {rules.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                                        </ul>
                                    </td>
                                    <td>{v.note.clone()}</td>
                                    <td class="num">{v.cases}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Loading a newer bank and branch list (zengin-code's, the shipped form),
/// and the lists loaded so far with what each changed.
#[component]
fn BankListUpdates() -> impl IntoView {
    let lang = use_lang();
    let shown = super::query_param("list_update");
    // Read once: Suspense runs its children more than once while it renders.
    let updates = OnceResource::new(crate::api::common::bank_list_updates(shown));
    view! {
        <h2 id="list-update">{lang.t("list_update_title")}</h2>
        <p>{lang.t("list_update_lead")}</p>
        <crate::pages::journey::UploadForm
            action=routes::admin_bank_list::to()
            hint="list_update_hint"
            accept=".json,.gz,application/json,application/gzip"
            max_bytes=32 * 1024 * 1024
        />
        <Suspense fallback=|| ()>
            {move || {
                Suspend::new(async move {
                    let updates = updates.await.unwrap_or_default();
                    (!updates.is_empty())
                        .then(|| {
                            view! {
                                <h3>{lang.t("list_updates_done")}</h3>
                                <ul class="list-bullet">
                                    {updates.into_iter().map(|u| list_update(lang, u)).collect_view()}
                                </ul>
                            }
                        })
                })
            }}
        </Suspense>
    }
}

fn list_update(
    lang: crate::i18n::Lang,
    u: crate::api::common::BankListUpdateView,
) -> impl IntoView {
    let counts = u
        .counts
        .iter()
        .map(|(key, n)| format!("{} {n}", lang.t(key)))
        .collect::<Vec<_>>()
        .join("、");
    let by = if u.by.is_empty() {
        lang.t("list_by_command")
    } else {
        u.by.clone()
    };
    let details = (!u.details.is_empty()).then(|| {
        view! {
            <ul class="list-bullet list-changes">
                {u
                    .details
                    .iter()
                    .map(|(key, text)| view! { <li>{format!("{}: {text}", lang.t(key))}</li> })
                    .collect_view()}
            </ul>
        }
    });
    view! {
        <li>
            {format!("{} {} ({}): {counts} ", u.at, u.file_name, by)}
            <a href=format!("{}?list_update={}#list-update", routes::admin_banks::to(), u.id)>
                {lang.t("list_update_details")}
            </a>
            {details}
        </li>
    }
}
