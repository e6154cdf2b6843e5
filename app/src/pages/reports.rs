//! The dashboard (operator staff and admins; bank staff for their bank) and
//! the regulator's report (live, frozen, printable).

use crate::routes;
use leptos::prelude::*;

use crate::api::reports::{ReportView, get_dashboard, get_frozen_report, get_report};
use crate::components::CsvLinks;
use crate::components::charts::{BarChart, LineChart, NestedBars};
use crate::components::{ErrorPage, ErrorSummary, Layout, TextField, use_lang, yen};
use crate::domain::report::{Figures, Report, jst_text};
use crate::i18n::Lang;

/// The figures per bank and in total, as a table: the amounts and costs,
/// or (`by_state`) the cases in each state.
#[component]
fn FiguresTable(
    caption: String,
    rows: Vec<Figures>,
    total: Option<Figures>,
    #[prop(optional)] signed: bool,
    #[prop(optional)] by_state: bool,
) -> impl IntoView {
    let lang = use_lang();
    let columns = move |f: &Figures| -> Vec<(String, bool, i64)> {
        if by_state {
            f.state_columns()
                .into_iter()
                .map(|(s, n)| {
                    (
                        crate::components::staff_state_label(lang, s.as_str()),
                        false,
                        n,
                    )
                })
                .collect()
        } else {
            f.columns()
                .into_iter()
                .map(|(k, v)| (lang.t(k), Figures::is_money(k), v))
                .collect()
        }
    };
    let header = columns(&Figures::default());
    let cell = move |money: bool, v: i64| {
        let text = if money { yen(lang, v) } else { v.to_string() };
        if signed && v > 0 {
            format!("+{text}")
        } else {
            text
        }
    };
    let line = move |f: Figures, is_total: bool| {
        let name = if is_total {
            lang.t("report_total")
        } else {
            format!("{} {}", f.bank_code, f.bank_name)
        };
        view! {
            <tr role="row" class=if is_total { "total-row" } else { "" }>
                <th scope="row" role="rowheader">{name}</th>
                {columns(&f).into_iter().map(|(label, money, v)| view! { <td role="cell" class="num" data-label=label>{cell(money, v)}</td> }).collect_view()}
            </tr>
        }
    };
    let label = caption.clone();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            // On a phone each bank is a card of label and value.
            <table class="table report-table table-cards" role="table">
                <caption>{caption}</caption>
                <thead>
                    <tr role="row">
                        <th scope="col" role="columnheader">{lang.t("bank_name")}</th>
                        {header.into_iter().map(|(label, _, _)| view! { <th scope="col" role="columnheader" class="num">{label}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|f| line(f, false)).collect_view()}
                    {total.map(|t| line(t, true))}
                </tbody>
            </table>
        </div>
    }
}

fn amounts_legend(lang: Lang) -> Vec<String> {
    [
        "report_claimed",
        "report_confirmed",
        "report_approved",
        "report_paid",
    ]
    .iter()
    .map(|k| lang.t(k))
    .collect()
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    // Read once: Suspense runs its children more than once while it
    // renders, and drops the first run's futures half way.
    let refresh = super::query_param("refresh").is_some();
    let dashboard = OnceResource::new(get_dashboard(refresh));
    view! {
        <Layout title="dashboard_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(d) => {
                            let states: Vec<(String, i64, String)> = d
                                .states
                                .iter()
                                .map(|(s, n)| (crate::components::staff_state_label(lang, s), *n, n.to_string()))
                                .collect();
                            let total_cases: i64 = d.states.iter().map(|(_, n)| n).sum();
                            let new_total: i64 = d.daily.iter().map(|x| x.1).sum();
                            let decided_total: i64 = d.daily.iter().map(|x| x.2).sum();
                            let amounts: Vec<(String, Vec<i64>)> = d
                                .report
                                .banks
                                .iter()
                                .map(|b| (format!("{} {}", b.bank_code, b.bank_name), vec![b.claimed, b.confirmed, b.approved, b.paid]))
                                .collect();
                            let t = d.report.total.clone();
                            let days = d.days_to_payment.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into());
                            view! {
                                <h1>{lang.t("dashboard_title")}</h1>
                                <p class="hint">
                                    {if d.refresh_seconds == 0 {
                                        format!("{} {}", lang.t("dashboard_computed_at"), d.computed_at)
                                    } else {
                                        format!(
                                            "{} {} ({})",
                                            lang.t("dashboard_computed_at"),
                                            d.computed_at,
                                            lang.t("dashboard_refreshed").replace("%{n}", &d.refresh_seconds.to_string()),
                                        )
                                    }}
                                    " "
                                    <a href="/dashboard?refresh=1">{lang.t("dashboard_refresh_now")}</a>
                                </p>
                                {d.bank.clone().map(|b| view! { <p class="notice" role="status">{format!("{}: {b}", lang.t("dashboard_bank_only"))}</p> })}
                                <dl class="summary-list dashboard-keys">
                                    <div><dt>{lang.t("dashboard_cases")}</dt><dd>{total_cases}</dd></div>
                                    <div><dt>{lang.t("dashboard_past_sla")}</dt><dd>{d.past_sla}</dd></div>
                                    <div><dt>{lang.t("dashboard_days_to_payment")}</dt><dd>{days}</dd></div>
                                </dl>
                                <section aria-labelledby="states-h">
                                    <h2 id="states-h">{lang.t("dashboard_states")}</h2>
                                    <BarChart
                                        id="chart-states"
                                        title=lang.t("dashboard_states")
                                        description=format!("{}: {total_cases}", lang.t("dashboard_cases"))
                                        items=states.clone()
                                    />
                                    <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("dashboard_states")>
                                        <table class="table">
                                            <thead><tr><th scope="col">{lang.t("col_state")}</th><th scope="col" class="num">{lang.t("dashboard_cases")}</th></tr></thead>
                                            <tbody>
                                                {states.into_iter().map(|(s, n, _)| view! { <tr><th scope="row">{s}</th><td class="num">{n}</td></tr> }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                </section>
                                <section aria-labelledby="daily-h">
                                    <h2 id="daily-h">{lang.t("dashboard_daily")}</h2>
                                    <LineChart
                                        id="chart-daily"
                                        title=lang.t("dashboard_daily")
                                        description=format!("{}: {new_total}; {}: {decided_total}", lang.t("dashboard_new"), lang.t("dashboard_decided"))
                                        names=(lang.t("dashboard_new"), lang.t("dashboard_decided"))
                                        days=d.daily.clone()
                                    />
                                    <details>
                                        <summary>{lang.t("dashboard_daily_table")}</summary>
                                        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("dashboard_daily")>
                                            <table class="table">
                                                <thead><tr>
                                                    <th scope="col">{lang.t("dashboard_day")}</th>
                                                    <th scope="col" class="num">{lang.t("dashboard_new")}</th>
                                                    <th scope="col" class="num">{lang.t("dashboard_decided")}</th>
                                                </tr></thead>
                                                <tbody>
                                                    {d.daily.iter().filter(|x| x.1 > 0 || x.2 > 0).map(|(day, n, k)| view! { <tr><th scope="row">{day.clone()}</th><td class="num">{*n}</td><td class="num">{*k}</td></tr> }).collect_view()}
                                                </tbody>
                                            </table>
                                        </div>
                                    </details>
                                </section>
                                <section aria-labelledby="amounts-h">
                                    <h2 id="amounts-h">{lang.t("dashboard_amounts")}</h2>
                                    <NestedBars
                                        id="chart-amounts"
                                        title=lang.t("dashboard_amounts")
                                        description=format!(
                                            "{} {} / {} {} / {} {} / {} {}",
                                            lang.t("report_claimed"), yen(lang, t.claimed),
                                            lang.t("report_confirmed"), yen(lang, t.confirmed),
                                            lang.t("report_approved"), yen(lang, t.approved),
                                            lang.t("report_paid"), yen(lang, t.paid),
                                        )
                                        legend=amounts_legend(lang)
                                        rows=amounts
                                    />
                                    <FiguresTable caption=lang.t("dashboard_by_bank") rows=d.report.banks.clone() total=Some(t.clone()) />
                                </section>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// The report's figures: per bank with the total, and the change since an
/// earlier report when there is one.
#[component]
fn ReportBody(report: Report, previous: Option<(String, Report)>) -> impl IntoView {
    let lang = use_lang();
    let r = report.clone();
    view! {
        <dl class="summary-list">
            <div><dt>{lang.t("report_as_of")}</dt><dd>{jst_text(r.as_of)}</dd></div>
            <div><dt>{lang.t("report_computed_at")}</dt><dd>{jst_text(r.computed_at)}</dd></div>
            <div><dt>{lang.t("report_cases_reported")}</dt><dd>{r.cases_reported}</dd></div>
            <div><dt>{lang.t("report_ledger_approved")}</dt><dd>{yen(lang, r.ledger_approved)}</dd></div>
            <div><dt>{lang.t("report_ledger_paid")}</dt><dd>{yen(lang, r.ledger_paid)}</dd></div>
        </dl>
        <FiguresTable caption=lang.t("report_by_bank") rows=r.banks.clone() total=Some(r.total.clone()) />
        <FiguresTable caption=lang.t("report_by_state") rows=r.banks.clone() total=Some(r.total.clone()) by_state=true />
        <p class="hint">{lang.t("report_two_banks")}</p>
        {previous.map(|(label, p)| {
            let (rows, total) = report.change_since(&p);
            view! {
                <FiguresTable caption=format!("{} {label}", lang.t("report_change_since")) rows=rows.clone() total=Some(total.clone()) signed=true />
                <FiguresTable caption=format!("{} {label}", lang.t("report_change_by_state")) rows=rows total=Some(total) signed=true by_state=true />
            }
        })}
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let lang = use_lang();
    let as_of = super::query_param("as_of").unwrap_or_default();
    view! {
        <Layout title="report_title">
            <Suspense fallback=|| ()>
                {move || {
                    let as_of = as_of.clone();
                    Suspend::new(async move {
                        match get_report(as_of.clone()).await {
                            Err(crate::api::ApiError::Invalid(errors)) => {
                                provide_context(crate::components::FormState { values: [("as_of".to_owned(), as_of.clone())].into_iter().collect(), errors, message: None });
                                view! {
                                    <ErrorSummary />
                                    <h1>{lang.t("report_title")}</h1>
                                    <AsOfForm />
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(ReportView { report, latest, frozen, can_freeze, request_id }) => {
                                let previous = latest.map(|(n, r)| (format!("#{n} ({})", jst_text(r.as_of)), r));
                                view! {
                                    <ErrorSummary />
                                    <h1>{lang.t("report_title")}</h1>
                                    <p>{lang.t("report_lead")}</p>
                                    <AsOfForm />
                                    <ReportBody report=report.clone() previous=previous />
                                    {can_freeze.then(|| view! {
                                        <form method="post" action=routes::reports::to() novalidate>
                                            <input type="hidden" name="request_id" value=request_id.clone() />
                                            <input type="hidden" name="as_of" value=as_of.clone() />
                                            <button type="submit" class="button">{lang.t("report_freeze")}</button>
                                        </form>
                                    })}
                                    <h2>{lang.t("report_frozen_list")}</h2>
                                    {if frozen.is_empty() {
                                        view! { <p>{lang.t("report_none_frozen")}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list-bullet">
                                                {frozen.into_iter().map(|(n, as_of, at)| view! {
                                                    <li>
                                                        <a href=format!("/reports/{n}")>{format!("#{n}")}</a>
                                                        {format!(" {}: {as_of} ({}: {at}) ", lang.t("report_as_of"), lang.t("report_computed_at"))}
                                                        <ReportDownloads number=n />
                                                    </li>
                                                }).collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }}
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

/// A frozen report's files in Japanese (the regulator's language, the
/// default) and in English, whatever this screen's language: the table
/// (CSV, also in Shift_JIS), what the report is (CSV), both as a workbook.
#[component]
fn ReportDownloads(number: i64) -> impl IntoView {
    let lang = use_lang();
    let files = move |code: &'static str, name: &'static str| {
        let q = format!("?lang={code}");
        view! {
            <li>
                <span lang=code>{name}</span>": "
                <CsvLinks href=format!("{}{q}", routes::report_csv::to(number)) label="CSV" />" "
                <a href=format!("{}{q}", routes::report_about_csv::to(number)) download="">{lang.t("report_about_csv")}</a>" "
                <a href=format!("{}{q}", routes::report_xlsx::to(number)) download="">{"Excel"}</a>
            </li>
        }
    };
    view! {
        <ul class="list-bullet report-downloads" aria-label=lang.t("report_download_lang")>
            {files("ja", "日本語")}
            {files("en", "English")}
        </ul>
    }
}

#[component]
fn AsOfForm() -> impl IntoView {
    let lang = use_lang();
    view! {
        <form method="get" action=routes::reports::to() class="filters" novalidate>
            <TextField name="as_of" label="report_as_of" hint="report_as_of_hint" input_type="datetime-local" width="w-20" />
            <button type="submit" class="button button-secondary">{lang.t("report_show")}</button>
        </form>
    }
}

/// A frozen report, printable.
#[component]
pub fn FrozenReportPage() -> impl IntoView {
    let lang = use_lang();
    let number = super::path_param("number").parse::<i64>().unwrap_or(0);
    view! {
        <Layout title="report_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match get_frozen_report(number).await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(f) => {
                            let previous = f.previous.clone().map(|p| (format!("#{} ({})", f.number - 1, jst_text(p.as_of)), p));
                            view! {
                                <h1>{format!("{} #{}", lang.t("report_title"), f.number)}</h1>
                                <div class="no-print">
                                    <ReportDownloads number=f.number />
                                    <a href=routes::reports::to()>{lang.t("report_back")}</a>
                                </div>
                                <ReportBody report=f.report.clone() previous=previous />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}
