//! The operator's pages: the queue and a case.

use crate::routes;
use leptos::prelude::*;

use super::{ClaimDetailView, page_param};
use crate::api::operator::{operator_case, operator_queue};
use crate::components::CsvLinks;
use crate::components::{ErrorPage, ErrorSummary, Layout, Pager, TextArea, use_lang, yen};
use crate::domain::answers::Section;

/// The operator's queues: one per state (with counts), filters, search,
/// sorting, pages; each case with its SLA clock and who works on it.
#[component]
pub fn StaffQueuePage() -> impl IntoView {
    let q = |name: &str| super::query_param(name).unwrap_or_default();
    let params: Vec<(String, String)> = [
        "state", "bank", "min", "max", "age", "assignee", "flag", "q", "sort",
    ]
    .iter()
    .map(|k| (k.to_string(), q(k)))
    .collect();
    let page = page_param();
    view! {
        <Layout title="queue_title">
            <Suspense fallback=|| ()>
                {move || {
                    let params = params.clone();
                    Suspend::new(async move {
                        let p = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                        let p = |k: &str| Some(p(k));
                        let query = crate::api::operator::CaseQuery {
                            state: p("state"),
                            bank: p("bank"),
                            min: p("min"),
                            max: p("max"),
                            age: p("age"),
                            assignee: p("assignee"),
                            q: p("q"),
                            flag: p("flag"),
                            sort: p("sort"),
                            page: Some(page),
                        };
                        match operator_queue(query).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(queue) => view! { <StaffQueue params queue /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn StaffQueue(
    params: Vec<(String, String)>,
    queue: crate::api::operator::QueuePage,
) -> impl IntoView {
    let lang = use_lang();
    let value = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let current = Some(value("state"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "submitted".to_owned());
    let values: std::collections::HashMap<String, String> = params.iter().cloned().collect();
    provide_context(crate::components::FormState {
        values,
        errors: queue.errors.clone(),
        message: None,
    });
    // The pager keeps the filters.
    let base = {
        let query: Vec<String> = params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", super::encode(v)))
            .collect();
        if query.is_empty() {
            "/staff/queue".to_owned()
        } else {
            format!("/staff/queue?{}", query.join("&"))
        }
    };
    let pages = queue.pages();
    view! {
        <ErrorSummary />
        <h1>{lang.t("queue_title")}</h1>
        <nav aria-label=lang.t("queue_tabs")>
            <ul class="queue-tabs">
                {crate::api::operator::QUEUES
                    .iter()
                    .map(|s| {
                        let count = queue.counts.iter().find(|(n, _)| n == s).map(|(_, c)| *c).unwrap_or(0);
                        let here = *s == current;
                        view! {
                            <li>
                                <a href=format!("/staff/queue?state={s}") aria-current=here.then_some("page")>
                                    {format!("{} ({count})", crate::components::staff_state_label(lang, s))}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <form method="get" action="/staff/queue" class="filters">
            <input type="hidden" name="state" value=current.clone() />
            <div class="filter-row">
                <crate::components::TextField name="bank" label="bank_code" hint="bank_code_hint" inputmode="numeric" width="w-10" />
                <crate::components::TextField name="min" label="filter_amount_min" inputmode="numeric" width="w-10" />
                <crate::components::TextField name="max" label="filter_amount_max" inputmode="numeric" width="w-10" />
                <crate::components::TextField name="age" label="filter_age" hint="filter_age_hint" inputmode="numeric" width="w-5" />
            </div>
            <div class="filter-row">
                <crate::components::SelectField
                    name="assignee"
                    label="filter_assignee"
                    options=vec![("me".to_owned(), lang.t("assignee_me")), ("none".to_owned(), lang.t("assignee_none"))]
                />
                <crate::components::SelectField
                    name="flag"
                    label="filter_flag"
                    options=crate::domain::policy::FLAG_KINDS.iter().map(|k| ((*k).to_owned(), lang.t(k))).collect()
                />
                <crate::components::SelectField
                    name="sort"
                    label="sort_label"
                    options=vec![
                        ("newest".to_owned(), lang.t("sort_newest")),
                        ("sla".to_owned(), lang.t("sort_sla")),
                        ("oldest".to_owned(), lang.t("sort_oldest")),
                        ("largest".to_owned(), lang.t("sort_largest")),
                    ]
                />
                <crate::components::TextField name="q" label="queue_search" hint="queue_search_hint" width="w-20" />
            </div>
            <button type="submit" class="button button-secondary">{lang.t("filter_apply")}</button>
        </form>
        <p role="status">
            {if queue.more {
                lang.t("count_more").replace("%{n}", &queue.total.to_string())
            } else {
                format!("{} {}", queue.total, lang.t("count_total"))
            }}
        </p>
        {if queue.rows.is_empty() {
            view! { <p>{lang.t("queue_empty")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("queue_title")>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t("reference")}</th>
                                <th scope="col">{lang.t("claimant")}</th>
                                <th scope="col" class="num">{lang.t("total_claimed")}</th>
                                <th scope="col">{lang.t("submitted_at")}</th>
                                <th scope="col">{lang.t("col_sla")}</th>
                                <th scope="col">{lang.t("col_flags")}</th>
                                <th scope="col">{lang.t("col_assignee")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {queue
                                .rows
                                .iter()
                                .map(|c| {
                                    let tag = match c.sla.as_str() {
                                        "sla_past" => "tag tag-red",
                                        "sla_near" => "tag tag-yellow",
                                        _ => "tag tag-green",
                                    };
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/staff/claims/{}", c.reference)>{c.reference.clone()}</a>
                                            </td>
                                            <td>{c.full_name.clone()}</td>
                                            <td class="num">{yen(lang, c.total)}</td>
                                            <td>{c.submitted_on.clone()}</td>
                                            <td>
                                                <span class=tag>{lang.t(&c.sla)}</span>
                                                {format!(" {}", lang.t("sla_days_short").replace("%{days}", &c.sla_days.to_string()))}
                                            </td>
                                            <td>
                                                {if c.flags.is_empty() {
                                                    lang.t("flags_count_none")
                                                } else {
                                                    c.flags.iter().map(|k| lang.t(&format!("{k}_short"))).collect::<Vec<_>>().join(lang.t("list_separator").as_str())
                                                }}
                                            </td>
                                            <td>{c.assignee.clone().unwrap_or_else(|| lang.t("assignee_nobody"))}</td>
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
        <Pager base=base.clone() page=queue.page pages=pages />
        <p>
            <CsvLinks href=base.replacen("/staff/queue", routes::staff_queue_csv::PATH, 1) label=lang.t("queue_csv") />
        </p>
    }
}

/// A claim as far as the operator may see it; in review, a reviewer can
/// ask the claimant for information about some sections.
#[component]
pub fn StaffCasePage() -> impl IntoView {
    let lang = use_lang();
    let reference = super::path_param("reference");
    // Read once (see `DashboardPage`).
    let decision = OnceResource::new(crate::api::operator::operator_decision(reference.clone()));
    let case = OnceResource::new(operator_case(reference));
    view! {
        <Layout title="claim_title">
            <Suspense fallback=|| ()>
                {move || {
                    Suspend::new(async move {
                        let decision = decision.await;
                        match case.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => {
                                let in_review = claim.state == "in_review";
                                let action = routes::staff_request::to(&claim.reference);
                                view! {
                                    <ErrorSummary />
                                    {super::query_param("done").map(|d| view! { <crate::components::Notice key=format!("done_{d}") /> })}
                                    <h1>{format!("{} {}", lang.t("claim_title"), claim.reference)}</h1>
                                    // On a wide screen the facts, files and answers
                                    // sit beside the decision and its history.
                                    <div class="case-layout">
                                    <div class="case-facts">
                                    {decision.as_ref().ok().map(|d| view! { <CaseChecks checks=d.checks.clone() /> })}
                                    <ClaimDetailView claim=claim.clone() staff=true />
                                    <ClaimantFactsView claim=claim.clone() />
                                    <CaseFiles claim=claim.clone() />
                                    <RequestsAndAnswers claim=claim.clone() />
                                    </div>
                                    <div class="case-decision">
                                    {decision.ok().map(|d| view! { <DecisionPanel reference=claim.reference.clone() d=d /> })}
                                    {in_review
                                        .then(|| {
                                            view! {
                                                <h2>{lang.t("request_title")}</h2>
                                                <form method="post" action=action novalidate>
                                                    <TextArea name="question" label="request_question" />
                                                    <fieldset class="fieldset">
                                                        <legend class="legend-s">{lang.t("request_sections")}</legend>
                                                        {Section::REQUESTABLE
                                                            .into_iter()
                                                            .map(|s| {
                                                                let name = format!("section_{}", s.as_str());
                                                                view! {
                                                                    <div class="checkbox">
                                                                        <input id=name.clone() name=name.clone() type="checkbox" value="yes" />
                                                                        <label for=name>{lang.t(&format!("section_{}", s.as_str()))}</label>
                                                                    </div>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </fieldset>
                                                    <button type="submit" class="button">
                                                        {lang.t("request_send")}
                                                    </button>
                                                </form>
                                            }
                                        })}
                                    </div>
                                    </div>
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

/// Debits banks found in their own records that no claim names: people who
/// may not know they lost money.
#[component]
pub fn ReportedLossesPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="reported_losses_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match crate::api::bank::reported_losses().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <h1>{lang.t("reported_losses_title")}</h1>
                                <p class="lead">{lang.t("reported_losses_lead")}</p>
                                <p role="status">{format!("{} {}", rows.len(), lang.t("count_total"))}</p>
                                <p><CsvLinks href=routes::staff_losses_csv::to() label=lang.t("list_csv") /></p>
                                <crate::pages::bank::ListTable rows=rows accept=false with_bank=true invite=true />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// An invitation letter, to print (or save as PDF from the browser) or to
/// download as text. The claim code appears only right after it is written.
#[component]
pub fn LetterPage() -> impl IntoView {
    let lang = use_lang();
    // The letter is in the holder's language (chosen when it was written;
    // Japanese unless English was asked), the page around it in the clerk's.
    let letter_lang = match super::query_param("letter_lang").as_deref() {
        Some("en") => crate::i18n::Lang::En,
        _ => crate::i18n::Lang::Ja,
    };
    let id = super::path_param("id");
    let code = crate::components::use_form().message;
    view! {
        <Layout title="letter_title">
            <Suspense fallback=|| ()>
                {move || {
                    let (id, code) = (id.clone(), code.clone());
                    Suspend::new(async move {
                        match crate::api::bank::invitation_letter(id).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(l) => {
                                let text = letter_text(letter_lang, &l, code.as_deref());
                                let href = format!(
                                    "data:text/plain;charset=utf-8,{}",
                                    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>()
                                );
                                view! {
                                    <h1 class="no-print">{lang.t("letter_title")}</h1>
                                    {if code.is_some() {
                                        view! { <p class="notice no-print" role="status">{lang.t("letter_code_once")}</p> }.into_any()
                                    } else {
                                        view! { <p class="no-print">{lang.t("letter_code_gone")}</p> }.into_any()
                                    }}
                                    <p class="no-print">
                                        <a href=href download=format!("letter-{}.txt", l.id.simple())>{lang.t("letter_download")}</a>
                                    </p>
                                    <pre class="letter" lang=letter_lang.code()>{text}</pre>
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

/// The letter in the reader's language, as plain text.
fn letter_text(
    lang: crate::i18n::Lang,
    l: &crate::api::bank::Letter,
    code: Option<&str>,
) -> String {
    let debits: Vec<String> = l
        .debits
        .iter()
        .map(|(d, a, t)| format!("  {d}  {}  {t}", yen(lang, *a)))
        .collect();
    lang.t("letter_body")
        .replace("%{holder}", &l.holder_kana)
        .replace("%{date}", &l.written_on)
        .replace("%{bank}", &l.bank_name)
        .replace("%{account}", &format!("{} {}", l.branch, l.account))
        .replace("%{debits}", &debits.join("\n"))
        .replace("%{site}", &format!("{}/claims/new", l.site))
        .replace("%{code}", code.unwrap_or("____-____-____"))
}

/// The policy's flags on a case and its SLA clock.
#[component]
fn CaseChecks(checks: crate::api::operator::CaseChecksView) -> impl IntoView {
    let lang = use_lang();
    let tag = match checks.sla.as_str() {
        "sla_past" => "tag tag-red",
        "sla_near" => "tag tag-yellow",
        _ => "tag tag-green",
    };
    view! {
        <section class="checks" aria-labelledby="checks-title">
            <h2 id="checks-title">{lang.t("checks_title")}</h2>
            <p>
                <span class=tag>{lang.t(&checks.sla)}</span>
                {format!(" {}", lang.t("sla_used").replace("%{days}", &checks.sla_days.to_string()))}
            </p>
            {if checks.flags.is_empty() {
                view! { <p>{lang.t("flags_none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="list-bullet flags">
                        {checks
                            .flags
                            .iter()
                            .map(|f| {
                                let mut text = match f.count {
                                    Some(n) => lang.t(&format!("{}_count", f.kind)).replace("%{n}", &n.to_string()),
                                    None => lang.t(&f.kind),
                                };
                                if let Some(line) = f.line {
                                    text.push_str(&format!(" ({})", lang.t("flag_line").replace("%{n}", &line.to_string())));
                                }
                                if let Some(month) = &f.month {
                                    text.push_str(&format!(" {month}"));
                                }
                                if let Some(holder) = &f.holder {
                                    text.push_str(&format!(" 「{holder}」"));
                                }
                                if let Some(amount) = f.amount {
                                    text.push_str(&format!(" {}", crate::components::yen(lang, amount)));
                                }
                                if !f.claims.is_empty() {
                                    let mut others = f.claims.join(" ");
                                    if f.more > 0 {
                                        others.push(' ');
                                        others.push_str(&lang.t("flag_claims_more").replace("%{n}", &f.more.to_string()));
                                    }
                                    text.push_str(&format!(" ({others})"));
                                }
                                view! { <li>{text}</li> }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <p class="hint">{lang.t("policy_version").replace("%{v}", &checks.policy_version.to_string())}</p>
        </section>
    }
}

/// The decision steps the viewer may take now (assess; approve or send
/// back), the history with names, and the internal notes.
#[component]
fn DecisionPanel(reference: String, d: crate::api::operator::DecisionView) -> impl IntoView {
    let lang = use_lang();
    let form = crate::components::use_form();
    let value =
        move |name: &str, default: String| form.values.get(name).cloned().unwrap_or(default);
    let version = d.version.to_string();
    let assess = d.can_assess.then(|| {
        let version = version.clone();
        view! {
            <section aria-labelledby="assess-title">
                <h2 id="assess-title">{lang.t("assess_title")}</h2>
                <p>{lang.t("assess_lead")}</p>
                <form method="post" action=routes::staff_assess::to(&reference) novalidate>
                    <input type="hidden" name="version" value=version />
                    {d
                        .amounts
                        .iter()
                        .map(|a| {
                            let label = format!(
                                "{} {} ({} {})",
                                lang.t(&a.kind),
                                a.position,
                                lang.t("claimed_amount"),
                                yen(lang, a.claimed),
                            );
                            view! {
                                <fieldset class="fieldset amount-line">
                                    <legend class="legend-s">{label}</legend>
                                    <crate::components::TextField
                                        name=a.field.clone()
                                        label="approved_amount"
                                        inputmode="numeric"
                                        width="w-10"
                                        value=value(&a.field, a.value.to_string())
                                    />
                                    <crate::components::TextField
                                        name=format!("{}_note", a.field)
                                        label="approved_reason"
                                        value=value(&format!("{}_note", a.field), a.note.clone().unwrap_or_default())
                                    />
                                </fieldset>
                            }
                        })
                        .collect_view()}
                    {d
                        .flags
                        .iter()
                        .map(|f| {
                            let mut title = lang.t(&f.kind);
                            if let Some(line) = f.line {
                                title.push_str(&format!(" ({})", lang.t("flag_line").replace("%{n}", &line.to_string())));
                            }
                            view! {
                                <fieldset class="fieldset flag-ack">
                                    <legend class="legend-s">{title}</legend>
                                    {f.ack.clone().map(|(note, who)| view! { <p class="hint">{format!("{} {who}: {note}", lang.t("acked_by"))}</p> })}
                                    <TextArea name=f.field.clone() label="ack_note" />
                                </fieldset>
                            }
                        })
                        .collect_view()}
                    <crate::components::Radios
                        name="outcome"
                        legend="outcome_label"
                        options=vec![
                            ("pay".to_owned(), lang.t("outcome_pay")),
                            ("reject".to_owned(), lang.t("outcome_reject")),
                        ]
                    />
                    // Shown only while "reject" is chosen (CSS, no JavaScript).
                    <div class="rejection-fields">
                        <crate::components::SelectField
                            name="rejection_reason"
                            label="rejection_reason_label"
                            options=crate::domain::workflow::REJECTION_REASONS
                                .iter()
                                .map(|r| (r.to_string(), lang.t(&format!("reject_reason_{r}"))))
                                .collect()
                        />
                        <TextArea name="rejection_note" label="rejection_note_label" />
                    </div>
                    <button type="submit" class="button">{lang.t("assess_send")}</button>
                </form>
            </section>
        }
    });
    let approval = (d.can_approve || d.can_send_back || d.can_reject).then(|| {
        let version = version.clone();
        view! {
            <section aria-labelledby="approval-title">
                <h2 id="approval-title">{lang.t("approval_title")}</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("approval_title")>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{lang.t("approval_line")}</th>
                                <th scope="col" class="num">{lang.t("claimed_amount")}</th>
                                <th scope="col" class="num">{lang.t("approved_amount")}</th>
                                <th scope="col">{lang.t("approved_reason")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d
                                .amounts
                                .iter()
                                .map(|a| {
                                    view! {
                                        <tr>
                                            <td>{format!("{} {}", lang.t(&a.kind), a.position)}</td>
                                            <td class="num">{yen(lang, a.claimed)}</td>
                                            <td class="num">{yen(lang, a.value)}</td>
                                            <td>{a.note.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="approval-total">{format!("{}: {}", lang.t("approval_total"), yen(lang, d.total))}</p>
                {d
                    .flags
                    .iter()
                    .filter_map(|f| f.ack.clone().map(|(note, who)| (lang.t(&f.kind), note, who)))
                    .map(|(kind, note, who)| view! { <p class="hint">{format!("{kind}: {note} ({who})")}</p> })
                    .collect_view()}
                {d
                    .rejection
                    .clone()
                    .map(|(reason, note)| {
                        view! {
                            <div class="inset rejection-box">
                                <h3>{lang.t("rejection_proposed_title")}</h3>
                                <p>{lang.t(&reason)}</p>
                                <p class="pre-line">{note}</p>
                            </div>
                        }
                    })}
                {d
                    .can_reject
                    .then(|| {
                        view! {
                            <form method="post" action=routes::staff_reject::to(&reference) class="inline-form">
                                <input type="hidden" name="version" value=version.clone() />
                                <button type="submit" class="button button-warning">{lang.t("reject_confirm")}</button>
                            </form>
                        }
                    })}
                {(d.needs_two && d.rejection.is_none()).then(|| view! { <p>{lang.t("approval_two_needed").replace("%{n}", &d.approvals.to_string())}</p> })}
                {
                    let (checked, says) = match &d.account_check {
                        Some((true, at)) => (true, lang.t("payout_check_ok").replace("%{at}", at)),
                        Some((false, at)) => (false, lang.t("payout_check_mismatch").replace("%{at}", at)),
                        None => (false, lang.t("payout_check_missing")),
                    };
                    view! {
                        <p class=if checked { "payout-check" } else { "payout-check inset" }>{says}</p>
                        {d
                            .can_approve
                            .then(|| {
                                view! {
                                    <form method="post" action=routes::staff_approve::to(&reference) class="inline-form" novalidate>
                                        <input type="hidden" name="version" value=version.clone() />
                                        {(!checked).then(|| view! { <TextArea name="account_override".to_owned() label="account_override_label" /> })}
                                        <button type="submit" class="button">{lang.t("approve_send")}</button>
                                    </form>
                                }
                            })}
                    }
                }
                {d
                    .can_send_back
                    .then(|| {
                        view! {
                            <form method="post" action=routes::staff_send_back::to(&reference) novalidate>
                                <input type="hidden" name="version" value=version.clone() />
                                <TextArea name="reason".to_owned() label="send_back_reason" />
                                <button type="submit" class="button button-secondary">{lang.t("send_back_send")}</button>
                            </form>
                        }
                    })}
            </section>
        }
    });
    let assignment = view! {
        <section aria-labelledby="assign-title" class="assignment">
            <h2 id="assign-title">{lang.t("col_assignee")}</h2>
            <p>{d.assignee.clone().unwrap_or_else(|| lang.t("assignee_nobody"))}</p>
            {d
                .can_take
                .then(|| {
                    view! {
                        <form method="post" action=routes::staff_assign::to(&reference) class="inline-form">
                            <input type="hidden" name="assign" value="take" />
                            <button type="submit" class="button button-secondary">{lang.t("assign_take")}</button>
                        </form>
                    }
                })}
            {d
                .can_release
                .then(|| {
                    view! {
                        <form method="post" action=routes::staff_assign::to(&reference) class="inline-form">
                            <input type="hidden" name="assign" value="release" />
                            <button type="submit" class="button button-secondary">{lang.t("assign_release")}</button>
                        </form>
                    }
                })}
            {d
                .can_reassign
                .then(|| {
                    view! {
                        <form method="post" action=routes::staff_assign::to(&reference) novalidate>
                            <input type="hidden" name="assign" value="to" />
                            <crate::components::TextField name="assignee_email" label="assign_to_label" input_type="email" width="w-20" />
                            <button type="submit" class="button button-secondary">{lang.t("assign_to")}</button>
                        </form>
                    }
                })}
        </section>
    };
    // Another case holds a debit of this one: named, with a link, before
    // anything can be decided.
    let held = (!d.held_elsewhere.is_empty()).then(|| {
        view! {
            <section aria-labelledby="held-title" class="inset held-elsewhere">
                <h2 id="held-title">{lang.t("reservations_held_elsewhere")}</h2>
                <p>{lang.t("reservations_held_hint")}</p>
                <ul class="list-bullet">
                    {d
                        .held_elsewhere
                        .iter()
                        .map(|(line, other, state)| {
                            view! {
                                <li>
                                    {format!("{} {line}: ", lang.t("reservations_line"))}
                                    <a href=format!("/staff/claims/{other}")>{other.clone()}</a>
                                    {format!(" ({})", lang.t(state))}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    });
    let close = d.can_close_duplicate.then(|| {
        let version = version.clone();
        view! {
            <section aria-labelledby="duplicate-title">
                <h2 id="duplicate-title">{lang.t("close_duplicate_title")}</h2>
                <form method="post" action=routes::staff_close_duplicate::to(&reference) novalidate>
                    <input type="hidden" name="version" value=version />
                    <crate::components::TextField name="duplicate_of" label="duplicate_of_label" width="w-10" />
                    <TextArea name="duplicate_note".to_owned() label="duplicate_note_label" />
                    <button type="submit" class="button button-secondary">{lang.t("close_duplicate_send")}</button>
                </form>
            </section>
        }
    });
    let reopen = d.can_reopen.then(|| {
        let version = version.clone();
        view! {
            <section aria-labelledby="reopen-title">
                <h2 id="reopen-title">{lang.t("reopen_title")}</h2>
                <p>{lang.t("reopen_lead")}</p>
                <form method="post" action=routes::staff_reopen::to(&reference) novalidate>
                    <input type="hidden" name="version" value=version />
                    <TextArea name="reopen_reason".to_owned() label="reopen_reason_label" />
                    <button type="submit" class="button button-warning">{lang.t("reopen_send")}</button>
                </form>
            </section>
        }
    });
    view! {
        {assignment}
        {held}
        {reopen}
        {close}
        {assess}
        {approval}
        <section aria-labelledby="history-title">
            <h2 id="history-title">{lang.t("history_title")}</h2>
            {d
                .can_reassign
                .then(|| {
                    view! {
                        <p>
                            <CsvLinks href=routes::staff_history_csv::to(&reference) label=lang.t("history_csv") />
                        </p>
                    }
                })}
            <ol class="timeline staff-history">
                {d
                    .history
                    .iter()
                    .map(|h| {
                        let who = h.who.clone().map(|w| format!(" ({w})")).unwrap_or_default();
                        let note = h
                            .note
                            .as_deref()
                            .map(|n| format!(": {}", readable_note(lang, n)))
                            .unwrap_or_default();
                        view! { <li>{format!("{} {}{who}{note}", h.at, lang.t(&h.action))}</li> }
                    })
                    .collect_view()}
            </ol>
        </section>
        <section aria-labelledby="mails-title">
            <h2 id="mails-title">{lang.t("case_mails_title")}</h2>
            {if d.mails.is_empty() {
                view! { <p>{lang.t("case_mails_none")}</p> }.into_any()
            } else {
                view! { <crate::pages::mail::MailTable rows=d.mails.clone() label="case_mails_title" retry=false /> }.into_any()
            }}
        </section>
        <section aria-labelledby="notes-title">
            <h2 id="notes-title">{lang.t("notes_title")}</h2>
            <ul class="list-bullet case-notes">
                {d
                    .notes
                    .iter()
                    .map(|(at, who, body)| view! { <li>{format!("{at} {who}: {body}")}</li> })
                    .collect_view()}
            </ul>
            <form method="post" action=routes::staff_notes::to(&reference) novalidate>
                <TextArea name="note_body".to_owned() label="note_body" />
                <button type="submit" class="button button-secondary">{lang.t("note_add")}</button>
            </form>
        </section>
    }
}

/// A history note as people read it: a rejection's reason code (kept in
/// the event as `insufficient_evidence: …`) in words.
fn readable_note(lang: crate::i18n::Lang, note: &str) -> String {
    for code in crate::domain::workflow::REJECTION_REASONS {
        if let Some(rest) = note.strip_prefix(code).and_then(|r| r.strip_prefix(": ")) {
            return format!("{}: {rest}", lang.t(&format!("reject_reason_{code}")));
        }
    }
    note.to_owned()
}

/// Every other fact the claimant gave: the reviewer assesses with all of it.
#[component]
fn ClaimantFactsView(claim: crate::api::claimant::ClaimDetail) -> impl IntoView {
    let lang = use_lang();
    let f = claim.facts?;
    let row = |label: &'static str, value: String| {
        view! {
            <div>
                <dt>{lang.t(label)}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let compensated = if f.compensated {
        format!(
            "{} {} {}",
            lang.t("answer_yes"),
            f.compensated_amount
                .map(|a| crate::components::yen(lang, a))
                .unwrap_or_default(),
            f.compensated_by.clone().unwrap_or_default()
        )
    } else {
        lang.t("answer_no").to_owned()
    };
    let police = match (&f.police_number, &f.police_date) {
        (Some(n), Some(d)) => format!("{n} ({d})"),
        (Some(n), None) => n.clone(),
        _ => lang.t("facts_none").to_owned(),
    };
    let payout = f
        .payout
        .clone()
        .map(|(place, kind, number)| format!("{place} {} {number}", lang.t(&kind)))
        .unwrap_or_else(|| lang.t("facts_none").to_owned());
    Some(view! {
        <section aria-labelledby="facts-title">
            <h2 id="facts-title">{lang.t("facts_title")}</h2>
            <dl class="summary-list claimant-facts">
                {row("birth_date", f.birth_date.clone())}
                {row("address", format!("〒{} {}", f.postal_code, f.address))}
                {row("facts_contact", format!("{} / {}", lang.t(&f.contact_key), lang.t(&format!("facts_lang_{}", f.lang))))}
                {row("facts_police", police)}
                {row("facts_compensated", compensated)}
                {row("facts_payout", payout)}
            </dl>
        </section>
    })
}

/// The claim's evidence files, each with the lines it supports; photos
/// shown on the page (served as images only, never as a page), PDFs and
/// HEIC photos opened as downloads.
#[component]
pub(crate) fn CaseFiles(claim: crate::api::claimant::ClaimDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section aria-labelledby="files-title">
            <h2 id="files-title">{format!("{} ({})", lang.t("facts_files_title"), claim.files.len())}</h2>
            {if claim.files.is_empty() {
                view! { <p>{lang.t("facts_no_files")}</p> }.into_any()
            } else {
                view! {
                    <ul class="case-files">
                        {claim
                            .files
                            .into_iter()
                            .map(|f| {
                                let href = format!("/files/{}", f.id);
                                let supports = if f.lines.is_empty() {
                                    lang.t("facts_file_no_line").to_owned()
                                } else {
                                    format!(
                                        "{} {}",
                                        lang.t("facts_file_lines"),
                                        f.lines.iter().map(|l| format!("#{l}")).collect::<Vec<_>>().join(", "),
                                    )
                                };
                                let image = matches!(f.kind.as_str(), "jpeg" | "png");
                                view! {
                                    <li class="case-file">
                                        <p>
                                            <a href=href.clone()>{f.name.clone()}</a>
                                            {format!(" ({}, {} KB) ", f.kind.to_uppercase(), (f.size + 1023) / 1024)}
                                            <span class="hint">{supports}</span>
                                        </p>
                                        {image
                                            .then(|| {
                                                view! {
                                                    <img
                                                        class="evidence-image"
                                                        src=format!("{href}?inline=1")
                                                        alt=f.name.clone()
                                                        loading="lazy"
                                                    />
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Each request for information with the claimant's answer, its date and
/// the files sent with it (the reviewer who asked reads the reply here).
#[component]
fn RequestsAndAnswers(claim: crate::api::claimant::ClaimDetail) -> impl IntoView {
    let lang = use_lang();
    (!claim.requests.is_empty()).then(|| {
        view! {
            <section aria-labelledby="requests-title">
                <h2 id="requests-title">{lang.t("requests_answers_title")}</h2>
                <ol class="requests-answers">
                    {claim
                        .requests
                        .into_iter()
                        .map(|r| {
                            let sections = r
                                .sections
                                .iter()
                                .map(|k| lang.t(k).to_owned())
                                .collect::<Vec<_>>()
                                .join("、");
                            view! {
                                <li class="request-exchange">
                                    <h3 class="legend-s">{format!("{} {}", lang.t("requests_asked_on"), r.asked_on)}</h3>
                                    <p class="pre-line">{r.question}</p>
                                    <p class="hint">{format!("{} {sections}", lang.t("requests_sections"))}</p>
                                    {match (r.answered_on, r.answer) {
                                        (Some(on), Some(answer)) => {
                                            view! {
                                                <div class="inset answer-box">
                                                    <h4 class="legend-s">{format!("{} {on}", lang.t("requests_answered_on"))}</h4>
                                                    <p class="pre-line">{answer}</p>
                                                    {(!r.files.is_empty())
                                                        .then(|| {
                                                            view! {
                                                                <p>
                                                                    {format!("{} ", lang.t("requests_files"))}
                                                                    {r
                                                                        .files
                                                                        .into_iter()
                                                                        .map(|(id, name)| view! { <a href=format!("/files/{id}")>{name}</a>" " })
                                                                        .collect_view()}
                                                                </p>
                                                            }
                                                        })}
                                                </div>
                                            }
                                                .into_any()
                                        }
                                        _ => view! { <p>{lang.t("requests_waiting")}</p> }.into_any(),
                                    }}
                                </li>
                            }
                        })
                        .collect_view()}
                </ol>
            </section>
        }
    })
}
