//! Pages, one module per audience.

pub mod account;
pub mod admin;
pub mod auth;
pub mod bank;
pub mod claimant;
pub mod journey;
pub mod mail;
pub mod mfa;
pub mod payments;
pub mod public;
pub mod reports;
pub mod staff;
pub mod users;

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::claimant::ClaimDetail;
use crate::components::{ErrorPage, Layout, state_label, use_lang, yen};

/// Reads one query parameter of the current URL.
pub fn query_param(name: &str) -> Option<String> {
    let map = leptos_router::hooks::use_query_map();
    map.with_untracked(|q| q.get(name))
}

/// A query-string value: letters and digits as they are, the rest %-encoded.
pub fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn page_param() -> i64 {
    query_param("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

pub fn path_param(name: &str) -> String {
    let map = leptos_router::hooks::use_params_map();
    map.with_untracked(|p| p.get(name)).unwrap_or_default()
}

/// A claim and its debit lines, as far as the reader may see them.
#[component]
pub fn ClaimDetailView(
    claim: ClaimDetail,
    /// Read by staff or a bank: their wording, not the claimant's.
    #[prop(optional)]
    staff: bool,
) -> impl IntoView {
    let lang = use_lang();
    let descriptor = if staff { "passbook_text" } else { "descriptor" };
    view! {
        <dl class="summary-list">
            <div>
                <dt>{lang.t("reference")}</dt>
                <dd class="reference">{claim.reference.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("status")}</dt>
                <dd>
                    {if staff {
                        crate::components::staff_state_label(lang, &claim.state)
                    } else {
                        state_label(lang, &claim.state)
                    }}
                </dd>
            </div>
            <div>
                <dt>{lang.t("col_name")}</dt>
                <dd>{claim.full_name.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("col_kana")}</dt>
                <dd>{claim.name_kana.clone()}</dd>
            </div>
            {claim
                .phone
                .clone()
                .map(|p| {
                    view! {
                        <div>
                            <dt>{lang.t("phone")}</dt>
                            <dd>{crate::domain::contact::format_phone(&p)}</dd>
                        </div>
                    }
                })}
            <div>
                <dt>{lang.t("submitted_at")}</dt>
                <dd>{claim.submitted_on.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("total_claimed")}</dt>
                <dd>{yen(lang, claim.total)}</dd>
            </div>
        </dl>
        <h2>{lang.t("lines_title")}</h2>
        // On a phone each line is a card of label and value (the labels
        // are the column heads): nothing scrolls sideways.
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("lines_title")>
            <table class="table table-cards" role="table">
                <thead>
                    <tr role="row">
                        <th scope="col" role="columnheader">"#"</th>
                        <th scope="col" role="columnheader">{lang.t("bank")}</th>
                        <th scope="col" role="columnheader">{lang.t("col_branch")}</th>
                        <th scope="col" role="columnheader">{lang.t("account_number")}</th>
                        <th scope="col" role="columnheader">{lang.t("debit_date")}</th>
                        <th scope="col" role="columnheader" class="num">
                            {lang.t("amount")}
                        </th>
                        <th scope="col" role="columnheader">{lang.t(descriptor)}</th>
                        <th scope="col" role="columnheader" class="num">
                            {lang.t("amount_confirmed")}
                        </th>
                        <th scope="col" role="columnheader" class="num">
                            {lang.t("amount_approved")}
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {claim
                        .lines
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr role="row">
                                    <td role="cell" data-label="#">{l.position}</td>
                                    <td role="cell" data-label=lang.t("bank")>{l.bank}</td>
                                    <td role="cell" data-label=lang.t("col_branch")>{l.branch}</td>
                                    <td role="cell" data-label=lang.t("account_number")>
                                        <span>
                                            {format!("{} {}", lang.t(&format!("account_{}", l.account_type)), l.account)}
                                            {l.passbook.map(|p| view! { <br /><span class="hint">{format!("{} {p}", lang.t("yucho_printed"))}</span> })}
                                        </span>
                                    </td>
                                    <td role="cell" data-label=lang.t("debit_date")>{l.date}</td>
                                    <td role="cell" class="num" data-label=lang.t("amount")>{yen(lang, l.amount)}</td>
                                    <td role="cell" data-label=lang.t(descriptor)>{l.descriptor}</td>
                                    <td role="cell" class="num" data-label=lang.t("amount_confirmed")>
                                        <span>
                                            {amount_or_dash(lang, l.confirmed)}
                                            {l.bank_note.map(|n| view! { <br /><span class="hint bank-note">{n}</span> })}
                                        </span>
                                    </td>
                                    <td role="cell" class="num" data-label=lang.t("amount_approved")>
                                        <span>
                                            {amount_or_dash(lang, l.approved)}
                                            {l.approved_note.map(|n| view! { <br /><span class="hint reduction-note">{n}</span> })}
                                        </span>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <ExpenseTable title="section_calls" rows=claim.calls />
        <ExpenseTable title="section_travel" rows=claim.travel />
    }
}

/// `12,345円`, or a dash while there is no amount yet.
fn amount_or_dash(lang: crate::i18n::Lang, amount: Option<i64>) -> String {
    amount
        .map(|a| yen(lang, a))
        .unwrap_or_else(|| "—".to_owned())
}

/// Calls or journeys of a claim, with the amount claimed and approved.
#[component]
fn ExpenseTable(
    title: &'static str,
    rows: Vec<crate::api::claimant::ExpenseView>,
) -> impl IntoView {
    let lang = use_lang();
    (!rows.is_empty()).then(|| {
        view! {
            <h2>{lang.t(title)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t(title)>
                <table class="table table-cards" role="table">
                    <thead>
                        <tr role="row">
                            <th scope="col" role="columnheader">{lang.t("date")}</th>
                            <th scope="col" role="columnheader">{lang.t("kind")}</th>
                            <th scope="col" role="columnheader">{lang.t("details")}</th>
                            <th scope="col" role="columnheader" class="num">
                                {lang.t("amount")}
                            </th>
                            <th scope="col" role="columnheader" class="num">
                                {lang.t("amount_approved")}
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|r| {
                                let detail = match r.minutes {
                                    Some(m) => format!("{m}{}", lang.t("minutes_short")),
                                    None => r.detail,
                                };
                                view! {
                                    <tr role="row">
                                        <td role="cell" data-label=lang.t("date")>{r.date}</td>
                                        <td role="cell" data-label=lang.t("kind")>{lang.t(&r.kind_key)}</td>
                                        <td role="cell" data-label=lang.t("details")>{detail}</td>
                                        <td role="cell" class="num" data-label=lang.t("amount")>{yen(lang, r.amount)}</td>
                                        <td role="cell" class="num" data-label=lang.t("amount_approved")>
                                            <span>
                                                {amount_or_dash(lang, r.approved)}
                                                {r.approved_note.map(|n| view! { <br /><span class="hint reduction-note">{n}</span> })}
                                            </span>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    })
}

/// The page of one claim (`/…/claims/:reference`), loaded by `load`: the
/// server function decides what the reader may see, or answers 404.
#[component]
pub fn CasePage<F, Fut>(load: F) -> impl IntoView
where
    F: Fn(String) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<ClaimDetail, ApiError>> + Send + 'static,
{
    let lang = use_lang();
    let reference = path_param("reference");
    view! {
        <Layout title="claim_title">
            <Suspense fallback=|| ()>
                {move || {
                    let (reference, load) = (reference.clone(), load.clone());
                    Suspend::new(async move {
                        match load(reference).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => {
                                view! {
                                    <h1>{format!("{} {}", lang.t("claim_title"), claim.reference)}</h1>
                                    <ClaimDetailView claim=claim />
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
