//! Payouts: the approved cases and the batch form, a batch (release,
//! export, results), and the ledger's check for admins.

use crate::routes;
use leptos::prelude::*;

use crate::api::payments::{
    BatchView, PaymentsView, ledger_report, payments_overview, payout_batch,
};
use crate::components::CsvLinks;
use crate::components::{
    ErrorPage, ErrorSummary, Layout, TextField, provide_prefill, use_lang, yen,
};

#[component]
pub fn PaymentsPage() -> impl IntoView {
    // Read once (see `reports::DashboardPage`).
    let overview = OnceResource::new(payments_overview());
    view! {
        <Layout title="payments_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match overview.await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(o) => view! { <Payments o=o /> }.into_any(),
                    }
                })}
            </Suspense>
        </Layout>
    }
}

#[component]
fn Payments(o: PaymentsView) -> impl IntoView {
    let lang = use_lang();
    let date = o.suggested_date.clone();
    provide_prefill(move || [("transfer_date".to_owned(), date)].into_iter().collect());
    let payable: Vec<_> = o.payable.iter().filter(|p| p.problem.is_none()).collect();
    let total: i64 = payable.iter().map(|p| p.owed).sum();
    let problems: Vec<_> = o
        .payable
        .iter()
        .filter(|p| p.problem.is_some())
        .cloned()
        .collect();
    view! {
        <ErrorSummary />
        <h1>{lang.t("payments_title")}</h1>
        <p>
            {lang
                .t("payments_payable")
                .replace("%{count}", &payable.len().to_string())
                .replace("%{total}", &yen(lang, total))}
        </p>
        {(!problems.is_empty())
            .then(|| {
                view! {
                    <div class="inset">
                        <h2>{lang.t("payments_problems")}</h2>
                        <ul>
                            {problems
                                .into_iter()
                                .map(|p| {
                                    let (key, detail) = p.problem.clone().unwrap_or_default();
                                    view! {
                                        <li>
                                            {format!("{} {}: {}", p.reference, p.payee, lang.t(&key).replace("%{char}", &detail))}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })}
        {o
            .can_create
            .then(|| {
                view! {
                    <h2>{lang.t("batch_new")}</h2>
                    <form method="post" action=routes::batches::to() novalidate>
                        <input type="hidden" name="request_id" value=o.request_id.clone() />
                        <TextField name="transfer_date" label="transfer_date" hint="transfer_date_hint" width="w-10" />
                        <TextField name="bank" label="bank_code" hint="batch_bank_hint" inputmode="numeric" width="w-10" />
                        <TextField name="min" label="filter_amount_min" inputmode="numeric" width="w-10" />
                        <TextField name="max" label="filter_amount_max" inputmode="numeric" width="w-10" />
                        <TextField name="approved_until" label="approved_until" hint="date_hint" width="w-10" />
                        <button type="submit" class="button">{lang.t("batch_create")}</button>
                    </form>
                }
            })}
        {(!o.failed.is_empty())
            .then(|| {
                view! {
                    <h2>{lang.t("payments_failed")}</h2>
                    <p class="hint">{lang.t("payments_failed_hint")}</p>
                    <ul>
                        {o
                            .failed
                            .iter()
                            .map(|(r, n, reason, note)| {
                                let note = note.clone().map(|n| format!(" ({n})")).unwrap_or_default();
                                view! { <li>{format!("{r} #{n}: {}{note}", lang.t(reason))}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
        <h2>{lang.t("batches_title")}</h2>
        {if o.batches.is_empty() {
            view! { <p>{lang.t("batches_none")}</p> }.into_any()
        } else {
            view! {
                <p><CsvLinks href=routes::batches_csv::to() label=lang.t("list_csv") /></p>
                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("batches_title")>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t("batch_number")}</th>
                                <th scope="col">{lang.t("batch_state")}</th>
                                <th scope="col">{lang.t("transfer_date")}</th>
                                <th scope="col" class="num">{lang.t("batch_lines")}</th>
                                <th scope="col" class="num">{lang.t("batch_total")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {o
                                .batches
                                .iter()
                                .map(|b| {
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/payments/batches/{}", b.number)>{format!("#{}", b.number)}</a>
                                            </td>
                                            <td>{lang.t(&format!("batch_state_{}", b.state))}</td>
                                            <td>{b.transfer_date.clone()}</td>
                                            <td class="num">{b.line_count}</td>
                                            <td class="num">{yen(lang, b.total)}</td>
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
    }
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let number = super::path_param("number");
    view! {
        <Layout title="batch_page_title">
            <Suspense fallback=|| ()>
                {move || {
                    let number = number.clone();
                    Suspend::new(async move {
                        let Ok(n) = number.parse::<i64>() else {
                            return view! { <ErrorPage error=crate::api::ApiError::NotFound /> }.into_any();
                        };
                        match payout_batch(n).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(b) => view! { <Batch b=b /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn Batch(b: BatchView) -> impl IntoView {
    let lang = use_lang();
    let n = b.summary.number;
    let notice = ["made", "released", "recorded"]
        .into_iter()
        .find(|k| super::query_param(k).is_some());
    let any_duplicate = b.lines.iter().any(|l| l.duplicate);
    view! {
        <ErrorSummary />
        <h1>{lang.t("batch_title").replace("%{n}", &n.to_string())}</h1>
        {notice.map(|k| view! { <crate::components::Notice key=format!("batch_notice_{k}") /> })}
        <dl class="summary-list">
            <div>
                <dt>{lang.t("batch_state")}</dt>
                <dd>{lang.t(&format!("batch_state_{}", b.summary.state))}</dd>
            </div>
            <div>
                <dt>{lang.t("transfer_date")}</dt>
                <dd>{b.summary.transfer_date.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("batch_total")}</dt>
                <dd>{format!("{} ({} {})", yen(lang, b.summary.total), b.summary.line_count, lang.t("batch_lines"))}</dd>
            </div>
            <div>
                <dt>{lang.t("batch_made_by")}</dt>
                <dd>{b.summary.creator.clone()}</dd>
            </div>
            <div>
                <dt>{lang.t("batch_released_by")}</dt>
                <dd>{b.releaser.clone().unwrap_or_else(|| lang.t("batch_not_released_yet"))}</dd>
            </div>
            {b.sha256.clone().map(|s| view! {
                <div>
                    <dt>{lang.t("batch_sha256")}</dt>
                    <dd class="mono">{s}</dd>
                </div>
            })}
        </dl>
        {any_duplicate.then(|| view! { <p class="inset">{lang.t("batch_duplicate_warning")}</p> })}
        {(!b.conflicts.is_empty()).then(|| view! {
            <section class="inset batch-conflicts" aria-labelledby="conflicts-title">
                <h2 id="conflicts-title">{lang.t("batch_conflicts_title")}</h2>
                <p>{lang.t("batch_reservation_conflict")}</p>
                <ul class="list-bullet">
                    {b.conflicts.iter().map(|(reference, line, other)| {
                        let why = match other {
                            Some(o) => format!("{}: {o}", lang.t("batch_conflict_twice")),
                            None => lang.t("batch_conflict_unreserved"),
                        };
                        view! {
                            <li>
                                <a href=format!("/staff/claims/{reference}")>{reference.clone()}</a>
                                {format!(" {} {line}: {why}", lang.t("reservations_line"))}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}
        {b.can_release.then(|| view! {
            <form method="post" action=routes::batch_release::to(n) novalidate>
                <input type="hidden" name="release" value="yes" />
                <button type="submit" class="button">{lang.t("batch_release")}</button>
            </form>
        })}
        {b.can_export.then(|| view! {
            <h2>{lang.t("batch_export")}</h2>
            <ul>
                <li><a href=routes::batch_zengin::to(n)>{lang.t("batch_download_crlf")}</a></li>
                <li><a href=format!("{}?crlf=0", routes::batch_zengin::to(n))>{lang.t("batch_download_plain")}</a></li>
                <li><CsvLinks href=routes::batch_csv::to(n) label=lang.t("batch_download_csv") /></li>
            </ul>
        })}
        <h2>{lang.t("batch_lines_title")}</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("batch_lines_title")>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{lang.t("reference")}</th>
                        <th scope="col">{lang.t("payout_account")}</th>
                        <th scope="col">{lang.t("payee")}</th>
                        <th scope="col" class="num">{lang.t("batch_total")}</th>
                        <th scope="col">{lang.t("payout_result")}</th>
                    </tr>
                </thead>
                <tbody>
                    {b
                        .lines
                        .iter()
                        .map(|l| {
                            let result = match (&l.result, &l.paid_on, &l.fail_reason) {
                                (Some(_), Some(on), _) => format!("{} {on}", lang.t("payout_paid")),
                                (Some(_), _, Some(r)) => format!("{}: {}", lang.t("payout_failed"), lang.t(&format!("fail_reason_{r}"))),
                                _ => lang.t("payout_pending"),
                            };
                            view! {
                                <tr>
                                    <td>{l.reference.clone()}</td>
                                    <td>{format!("{}-{} {}", l.bank_code, l.branch_code, l.account)}</td>
                                    <td>{l.payee.clone()}</td>
                                    <td class="num">{yen(lang, l.amount)}</td>
                                    <td>{result}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {b.can_record.then(|| view! { <ResultForms n=n /> })}
    }
}

/// The bank's result: for one case by hand, or the bank's file.
#[component]
fn ResultForms(n: i64) -> impl IntoView {
    let lang = use_lang();
    view! {
        <h2>{lang.t("payout_record_title")}</h2>
        <form method="post" action=routes::batch_results::to(n) novalidate>
            <TextField name="reference" label="reference" width="w-10" />
            <crate::components::Radios
                name="result"
                legend="payout_result"
                options=vec![
                    ("paid".to_owned(), lang.t("payout_paid")),
                    ("failed".to_owned(), lang.t("payout_failed")),
                ]
            />
            <TextField name="paid_on" label="paid_on" hint="date_hint" width="w-10" />
            <crate::components::SelectField
                name="fail_reason"
                label="fail_reason"
                options=crate::domain::payout::FAIL_REASONS
                    .iter()
                    .map(|r| (r.to_string(), lang.t(&format!("fail_reason_{r}"))))
                    .collect()
            />
            <TextField name="fail_note" label="fail_note" />
            <button type="submit" class="button">{lang.t("payout_record")}</button>
        </form>
        <h3>{lang.t("payout_results_file")}</h3>
        <p class="hint">{lang.t("payout_results_file_hint")}</p>
        <crate::pages::journey::UploadForm
            action=routes::batch_results_file::to(n)
            hint="payout_results_file_columns"
            accept=".csv,text/csv"
            max_bytes=8 * 1024 * 1024
        />
    }
}

#[component]
pub fn LedgerPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="ledger_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match ledger_report().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(l) => {
                            view! {
                                <h1>{lang.t("ledger_title")}</h1>
                                <p class=if l.ok { "notice" } else { "inset error-text" } role="status">
                                    {lang.t(if l.ok { "ledger_ok" } else { "ledger_broken" })}
                                </p>
                                <h2>{lang.t("ledger_checks")}</h2>
                                <ul>
                                    {l
                                        .checks
                                        .iter()
                                        .map(|(k, v)| view! { <li>{format!("{}: {v}", lang.t(k))}</li> })
                                        .collect_view()}
                                    {l
                                        .bad_files
                                        .iter()
                                        .map(|(n, e)| view! { <li>{format!("#{n}: {e}")}</li> })
                                        .collect_view()}
                                </ul>
                                <h2>{lang.t("ledger_totals")}</h2>
                                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("ledger_totals")>
                                    <table class="table">
                                        <thead>
                                            <tr>
                                                <th scope="col">{lang.t("bank_code")}</th>
                                                <th scope="col">{lang.t("batch_state")}</th>
                                                <th scope="col" class="num">{lang.t("ledger_cases")}</th>
                                                <th scope="col" class="num">{lang.t("ledger_approved")}</th>
                                                <th scope="col" class="num">{lang.t("ledger_paid")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {l
                                                .totals
                                                .iter()
                                                .map(|t| view! {
                                                    <tr>
                                                        <td>{t.bank_code.clone()}</td>
                                                        <td>{crate::components::staff_state_label(lang, &t.state)}</td>
                                                        <td class="num">{t.cases}</td>
                                                        <td class="num">{yen(lang, t.approved)}</td>
                                                        <td class="num">{yen(lang, t.paid)}</td>
                                                    </tr>
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <h2>{lang.t("settlement_title")}</h2>
                                <ul>
                                    <li><CsvLinks href=routes::settlement_csv::to() label=lang.t("settlement_csv") /></li>
                                    <li><a href=routes::settlement_xlsx::to()>{lang.t("settlement_xlsx")}</a></li>
                                </ul>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}
