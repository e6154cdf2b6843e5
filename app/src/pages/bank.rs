//! The bank's pages: lines to verify, and a claim as far as it concerns the bank.

use leptos::prelude::*;

use super::{CasePage, page_param};
use crate::api::bank::{bank_case, bank_queue};
use crate::components::{ErrorPage, Layout, Pager, use_lang, yen};

#[component]
pub fn BankQueuePage() -> impl IntoView {
    let lang = use_lang();
    let page = page_param();
    view! {
        <Layout title="bank_queue_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match bank_queue(page).await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(q) => {
                            let pages = q.pages();
                            view! {
                                <h1>{lang.t("bank_queue_title")}</h1>
                                <p>{format!("{} {}", q.total, lang.t("count_total"))}</p>
                                {if q.rows.is_empty() {
                                    view! { <p>{lang.t("queue_empty")}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("bank_queue_title")>
                                            <table class="table">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">{lang.t("reference")}</th>
                                                        <th scope="col">{lang.t("col_branch")}</th>
                                                        <th scope="col">{lang.t("account_number")}</th>
                                                        <th scope="col">{lang.t("debit_date")}</th>
                                                        <th scope="col" class="num">
                                                            {lang.t("amount")}
                                                        </th>
                                                        <th scope="col">{lang.t("descriptor")}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {q
                                                        .rows
                                                        .into_iter()
                                                        .map(|l| {
                                                            view! {
                                                                <tr>
                                                                    <td>
                                                                        <a href=format!("/bank/claims/{}", l.reference)>
                                                                            {format!("{} #{}", l.reference, l.position)}
                                                                        </a>
                                                                    </td>
                                                                    <td>{l.branch_code}</td>
                                                                    <td>{l.account}</td>
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
                                        .into_any()
                                }}
                                <Pager base="/bank/queue" page=q.page pages=pages />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// A claim as far as the bank may see it.
#[component]
pub fn BankCasePage() -> impl IntoView {
    view! { <CasePage load=bank_case /> }
}
