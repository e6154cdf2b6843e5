//! Pages, one module per audience.

pub mod admin;
pub mod auth;
pub mod bank;
pub mod claimant;
pub mod public;
pub mod staff;

use leptos::prelude::*;

use crate::api::claimant::ClaimDetail;
use crate::components::{state_label, use_lang, yen};

/// Reads one query parameter of the current URL.
pub fn query_param(name: &str) -> Option<String> {
    let map = leptos_router::hooks::use_query_map();
    map.with_untracked(|q| q.get(name))
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
pub fn ClaimDetailView(claim: ClaimDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <dl class="summary-list">
            <div>
                <dt>{lang.t("reference")}</dt>
                <dd class="reference">{claim.reference.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("status")}</dt>
                <dd>{state_label(lang, &claim.state)}</dd>
            </div>
            <div>
                <dt>{lang.t("full_name")}</dt>
                <dd>{claim.full_name.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("name_kana")}</dt>
                <dd>{claim.name_kana.clone()}</dd>
            </div>
            {claim
                .phone
                .clone()
                .map(|p| {
                    view! {
                        <div>
                            <dt>{lang.t("phone")}</dt>
                            <dd>{p}</dd>
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
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("lines_title")>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{lang.t("bank")}</th>
                        <th scope="col">{lang.t("branch")}</th>
                        <th scope="col">{lang.t("account_number")}</th>
                        <th scope="col">{lang.t("debit_date")}</th>
                        <th scope="col" class="num">
                            {lang.t("amount")}
                        </th>
                        <th scope="col">{lang.t("descriptor")}</th>
                    </tr>
                </thead>
                <tbody>
                    {claim
                        .lines
                        .into_iter()
                        .map(|l| {
                            view! {
                                <tr>
                                    <td>{l.position}</td>
                                    <td>{l.bank}</td>
                                    <td>{l.branch}</td>
                                    <td>
                                        {format!("{} {}", lang.t(&format!("account_{}", l.account_type)), l.account)}
                                    </td>
                                    <td>{l.date}</td>
                                    <td class="num">{yen(lang, l.amount)}</td>
                                    <td>{l.descriptor}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
