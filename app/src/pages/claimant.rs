//! The claimant's pages: their claims, the claim form, one claim.

use leptos::prelude::*;

use super::{ClaimDetailView, path_param, query_param};
use crate::api::claimant::{ClaimDetail, my_claim, my_claims};
use crate::api::common::participating_banks;
use crate::components::branch_lookup::BranchLookup;
use crate::components::{
    Checkbox, ErrorPage, ErrorSummary, Layout, Notice, SelectField, TextArea, TextField,
    state_label, use_form, use_lang, yen,
};
use crate::domain::claim::line_field;
use crate::domain::{AccountType, Yen};

#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="my_claims_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match my_claims().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <h1>{lang.t("my_claims_title")}</h1>
                                <p>
                                    <a class="button" href="/claims/new">
                                        {lang.t("home_start")}
                                    </a>
                                </p>
                                {if rows.is_empty() {
                                    view! { <p>{lang.t("no_claims")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="claim-list">
                                            {rows
                                                .into_iter()
                                                .map(|c| {
                                                    view! {
                                                        <li>
                                                            <a href=format!("/claims/{}", c.reference) class="reference">
                                                                {c.reference.clone()}
                                                            </a>
                                                            <span class="tag">{state_label(lang, &c.state)}</span>
                                                            <span>{yen(lang, c.total)}</span>
                                                            <span>
                                                                {format!("{} {}", lang.t("last_change"), c.last_change_on)}
                                                            </span>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// How many debit lines the form shows (the handler keeps the count when it
/// adds or removes one).
fn line_count() -> usize {
    use_form()
        .value("line_count")
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=50).contains(n))
        .unwrap_or(1)
}

#[component]
fn DebitLineFields(index: usize, banks: Vec<(String, String)>, removable: bool) -> impl IntoView {
    let lang = use_lang();
    let f = move |name: &str| line_field(index, name);
    let types: Vec<(String, String)> = AccountType::ALL
        .iter()
        .map(|t| {
            (
                t.as_str().to_owned(),
                lang.t(&format!("account_{}", t.as_str())).to_owned(),
            )
        })
        .collect();
    view! {
        <fieldset class="fieldset debit-line">
            <legend>{format!("{} {}", lang.t("debit_n"), index + 1)}</legend>
            <SelectField name=f("bank") label="bank" options=banks />
            <TextField name=f("branch") label="branch" hint="branch_hint" width="w-20" />
            <BranchLookup
                bank_field=f("bank")
                branch_field=f("branch")
                found_text=lang.t("branches_found").to_owned()
                choose_text=lang.t("choose_branch").to_owned()
            />
            <SelectField name=f("account_type") label="account_type" options=types />
            <TextField
                name=f("account_number")
                label="account_number"
                hint="account_number_hint"
                inputmode="numeric"
                autocomplete="off"
                width="w-10"
            />
            <TextField name=f("date") label="debit_date" input_type="date" width="w-10" />
            <TextField name=f("amount") label="amount" inputmode="numeric" autocomplete="off" width="w-10" />
            <TextField name=f("descriptor") label="descriptor" hint="descriptor_hint" width="w-20" />
            {removable
                .then(|| {
                    view! {
                        <button type="submit" name="op" value=format!("remove-{index}") class="button button-secondary">
                            {lang.t("remove_line")}
                        </button>
                    }
                })}
        </fieldset>
    }
}

#[component]
pub fn NewClaimPage() -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let count = line_count();
    let total: i64 = (0..count)
        .filter_map(|i| Yen::parse_debit(&form.value(&line_field(i, "amount"))).ok())
        .map(Yen::value)
        .sum();
    view! {
        <Layout title="claim_new_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let banks = match participating_banks().await {
                        Ok(b) => b,
                        Err(e) => return view! { <ErrorPage error=e /> }.into_any(),
                    };
                    let options: Vec<(String, String)> =
                        banks.into_iter().map(|b| (b.code.clone(), format!("{} ({})", b.name, b.code))).collect();
                    view! {
                        <ErrorSummary />
                        <h1>{lang.t("claim_new_title")}</h1>
                        <p class="lead">{lang.t("claim_lead")}</p>
                        <form method="post" action="/claims/new" novalidate>
                            // Pressing Enter in a field sends the claim's first
                            // submit button: make that "send", not "remove".
                            <button type="submit" name="op" value="submit" class="visually-hidden" tabindex="-1" aria-hidden="true">
                                {lang.t("submit_claim")}
                            </button>
                            <input type="hidden" name="line_count" value=count.to_string() />
                            <fieldset class="fieldset">
                                <legend class="legend-l">{lang.t("about_you")}</legend>
                                <TextField name="full_name" label="full_name" autocomplete="name" width="w-30" />
                                <TextField name="name_kana" label="name_kana" hint="name_kana_hint" width="w-30" />
                                <TextField name="phone" label="phone" input_type="tel" autocomplete="tel" width="w-20" />
                            </fieldset>
                            <h2>{lang.t("debits_title")}</h2>
                            {(0..count)
                                .map(|i| view! { <DebitLineFields index=i banks=options.clone() removable={count > 1} /> })
                                .collect_view()}
                            <p class="total" aria-live="polite">
                                {format!("{}: {}", lang.t("running_total"), yen(lang, total))}
                            </p>
                            <button type="submit" name="op" value="add" class="button button-secondary">
                                {lang.t("add_line")}
                            </button>
                            <h2>{lang.t("declaration_title")}</h2>
                            <Checkbox name="declaration" label="declaration_text" />
                            <button type="submit" name="op" value="submit" class="button">
                                {lang.t("submit_claim")}
                            </button>
                        </form>
                    }
                        .into_any()
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
pub fn ClaimPage() -> impl IntoView {
    let reference = path_param("reference");
    let sent = query_param("sent").is_some();
    let withdrawn = query_param("withdrawn").is_some();
    view! {
        <Layout title="claim_title">
            <Suspense fallback=|| ()>
                {move || {
                    let reference = reference.clone();
                    Suspend::new(async move {
                        match my_claim(reference).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => view! { <ClaimForClaimant claim sent withdrawn /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn ClaimForClaimant(claim: ClaimDetail, sent: bool, withdrawn: bool) -> impl IntoView {
    let lang = use_lang();
    let reference = claim.reference.clone();
    let timeline = claim.timeline.clone();
    let can_withdraw = claim.can_withdraw;
    view! {
        {withdrawn.then(|| view! { <Notice key="withdrawn_notice" /> })}
        {sent
            .then(|| {
                view! {
                    <div class="panel-confirm">
                        <h1>{lang.t("claim_sent_title")}</h1>
                        <p>
                            {lang.t("claim_sent_ref")}
                            <br />
                            <strong class="reference">{reference.clone()}</strong>
                        </p>
                    </div>
                    <p>{lang.t("claim_sent_next")}</p>
                }
            })}
        {(!sent).then(|| view! { <h1>{format!("{} {}", lang.t("claim_title"), reference)}</h1> })}
        <ClaimDetailView claim=claim />
        <h2>{lang.t("timeline_title")}</h2>
        <ol class="timeline">
            {timeline
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <span class="timeline-date">{e.on}</span>
                            {lang.t(&format!("event_{}", e.action))}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {can_withdraw
            .then(|| {
                view! {
                    <h2>{lang.t("withdraw_title")}</h2>
                    <p>
                        <a href=format!("/claims/{}/withdraw", reference)>{lang.t("withdraw_link")}</a>
                    </p>
                }
            })}
    }
}

/// Asks before withdrawing: the claimant cannot undo it.
#[component]
pub fn WithdrawPage() -> impl IntoView {
    let lang = use_lang();
    let reference = path_param("reference");
    view! {
        <Layout title="withdraw_title">
            <Suspense fallback=|| ()>
                {move || {
                    let reference = reference.clone();
                    Suspend::new(async move {
                        match my_claim(reference).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => {
                                view! {
                                    <ErrorSummary />
                                    <h1>{format!("{} {}", lang.t("withdraw_title"), claim.reference)}</h1>
                                    <div class="warning-text">
                                        <strong>{lang.t("withdraw_warning")}</strong>
                                    </div>
                                    <form method="post" action=format!("/claims/{}/withdraw", claim.reference) novalidate>
                                        <TextArea name="reason" label="withdraw_reason" hint="withdraw_reason_hint" />
                                        <button type="submit" class="button button-warning">
                                            {lang.t("withdraw_button")}
                                        </button>
                                    </form>
                                    <p>
                                        <a href=format!("/claims/{}", claim.reference)>{lang.t("withdraw_cancel")}</a>
                                    </p>
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
