//! The operator's pages: the queue and a case.

use leptos::prelude::*;

use super::{CasePage, page_param};
use crate::api::operator::{operator_case, operator_queue};
use crate::components::{ErrorPage, Layout, Pager, state_label, use_lang, yen};

#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let lang = use_lang();
    let page = page_param();
    view! {
        <Layout title="queue_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match operator_queue(page).await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(q) => {
                            let pages = q.pages();
                            view! {
                                <h1>{lang.t("queue_title")}</h1>
                                <p>{format!("{} {}", q.total, lang.t("count_total"))}</p>
                                {if q.rows.is_empty() {
                                    view! { <p>{lang.t("queue_empty")}</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("queue_title")>
                                            <table class="table">
                                                <thead>
                                                    <tr>
                                                        <th scope="col">{lang.t("reference")}</th>
                                                        <th scope="col">{lang.t("claimant")}</th>
                                                        <th scope="col" class="num">
                                                            {lang.t("total_claimed")}
                                                        </th>
                                                        <th scope="col">{lang.t("submitted_at")}</th>
                                                        <th scope="col">{lang.t("status")}</th>
                                                    </tr>
                                                </thead>
                                                <tbody>
                                                    {q
                                                        .rows
                                                        .into_iter()
                                                        .map(|c| {
                                                            view! {
                                                                <tr>
                                                                    <td>
                                                                        <a href=format!("/staff/claims/{}", c.reference)>{c.reference.clone()}</a>
                                                                    </td>
                                                                    <td>{c.full_name}</td>
                                                                    <td class="num">{yen(lang, c.total)}</td>
                                                                    <td>{c.submitted_on}</td>
                                                                    <td>{state_label(lang, &c.state)}</td>
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
                                <Pager base="/staff/queue" page=q.page pages=pages />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// A claim as far as the operator may see it.
#[component]
pub fn StaffCasePage() -> impl IntoView {
    view! { <CasePage load=operator_case /> }
}
