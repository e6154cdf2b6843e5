//! Administration: which banks take part.

use leptos::prelude::*;

use crate::api::common::admin_banks;
use crate::components::{ErrorPage, ErrorSummary, Layout, TextField, use_lang};

#[component]
pub fn AdminBanksPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="banks_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match admin_banks().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(banks) => {
                            view! {
                                <ErrorSummary />
                                <h1>{lang.t("banks_title")}</h1>
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
                                                                <form method="post" action="/admin/banks" class="inline-form">
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
                                <form method="post" action="/admin/banks" novalidate>
                                    <input type="hidden" name="participating" value="yes" />
                                    <TextField name="bank_code" label="bank_code" inputmode="numeric" width="w-10" />
                                    <button type="submit" class="button">
                                        {lang.t("add_bank")}
                                    </button>
                                </form>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}
