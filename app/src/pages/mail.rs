//! The admin's view of the outbox: failed mails (with the reason) and those
//! waiting, each of which can be tried again now.

use crate::routes;
use leptos::prelude::*;

use crate::api::mail::{MailView, mail_queue};
use crate::components::CsvLinks;
use crate::components::{ErrorPage, ErrorSummary, Layout, use_lang};

/// A table of mails; with `retry`, a "try again" button on each unsent one.
#[component]
pub fn MailTable(rows: Vec<MailView>, label: &'static str, retry: bool) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t(label)>
            <table class="table mail-table">
                <thead>
                    <tr>
                        <th scope="col">{lang.t("mail_col_written")}</th>
                        <th scope="col">{lang.t("mail_col_kind")}</th>
                        <th scope="col">{lang.t("mail_col_to")}</th>
                        <th scope="col">{lang.t("mail_col_status")}</th>
                        <th scope="col" class="num">{lang.t("mail_col_attempts")}</th>
                        {retry.then(|| view! { <th scope="col"><span class="visually-hidden">{lang.t("mail_retry")}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|m| {
                            let unsent = m.status != "mail_status_sent";
                            view! {
                                <tr>
                                    <td>{m.at.clone()}</td>
                                    <td>{lang.t(&m.kind)}<br /><span class="hint">{m.subject.clone()}</span></td>
                                    <td>{m.to.clone()}</td>
                                    <td>
                                        {format!("{} {}", lang.t(&m.status), m.when)}
                                        {m.error.clone().map(|e| view! { <br /><span class="error-text">{e}</span> })}
                                    </td>
                                    <td class="num">{m.attempts}</td>
                                    {(retry && unsent).then(|| view! {
                                        <td>
                                            <form method="post" action=routes::admin_mail_retry::to(m.id) class="inline-form">
                                                <button type="submit" class="link-button" aria-label=format!("{} {}", lang.t("mail_retry"), m.to)>
                                                    {lang.t("mail_retry")}
                                                </button>
                                            </form>
                                        </td>
                                    })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn MailQueuePage() -> impl IntoView {
    let lang = use_lang();
    let retried = super::query_param("retried").is_some();
    view! {
        <Layout title="mail_queue_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match mail_queue().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(q) => view! {
                            <ErrorSummary />
                            <h1>{lang.t("mail_queue_title")}</h1>
                            {retried.then(|| view! { <p class="notice" role="status">{lang.t("mail_retried")}</p> })}
                            <p>{lang.t("mail_queue_lead")}</p>
                            <p class="mail-counts">
                                {format!("{}: {}  {}: {}", lang.t("mail_status_failed"), q.failed, lang.t("mail_status_waiting"), q.waiting)}
                            </p>
                            {if q.rows.is_empty() {
                                view! { <p>{lang.t("mail_queue_empty")}</p> }.into_any()
                            } else {
                                view! {
                                    <MailTable rows=q.rows label="mail_queue_title" retry=true />
                                    <p><CsvLinks href=routes::admin_mail_csv::to() label=lang.t("mail_csv") /></p>
                                }
                                    .into_any()
                            }}
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}
