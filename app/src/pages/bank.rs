//! The bank's pages: lines to verify (filtered, grouped by claim), a claim
//! as far as it concerns the bank, and the answer on one line.

use crate::routes;
use leptos::prelude::*;
use std::collections::HashMap;

use super::{ClaimDetailView, page_param, path_param, query_param};
use crate::api::bank::{BankCaseView, QueueQuery, bank_case, bank_queue};
use crate::components::CsvLinks;
use crate::components::client_check::ClientCheck;
use crate::components::{
    Checkbox, ErrorPage, ErrorSummary, FormState, Layout, Notice, Pager, Radios, SelectField,
    TextArea, TextField, provide_prefill, use_lang, yen,
};
use crate::domain::verification::DisputeReason;
use crate::i18n::Lang;

fn verdict_label(lang: Lang, verdict: &Option<String>) -> String {
    match verdict {
        Some(v) => lang.t(&format!("verdict_{v}")),
        None => lang.t("verdict_open"),
    }
}

#[component]
pub fn BankQueuePage() -> impl IntoView {
    let q = |name: &str| query_param(name).unwrap_or_default();
    let query = QueueQuery {
        page: page_param(),
        status: q("status"),
        date_from: q("date_from"),
        date_to: q("date_to"),
        amount_min: q("amount_min"),
        amount_max: q("amount_max"),
        branch: q("branch"),
        q: q("q"),
    };
    // Read once (see `reports::DashboardPage`).
    let page = OnceResource::new(bank_queue(query.clone()));
    view! {
        <Layout title="bank_queue_title">
            <Suspense fallback=|| ()>
                {move || {
                    let query = query.clone();
                    Suspend::new(async move {
                        match page.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(page) => view! { <BankQueue query page /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

#[component]
fn BankQueue(query: QueueQuery, page: crate::api::bank::BankQueuePage) -> impl IntoView {
    let lang = use_lang();
    // The filters as typed, for the pager and the CSV download.
    let filters: String = [
        ("status", &query.status),
        ("date_from", &query.date_from),
        ("date_to", &query.date_to),
        ("amount_min", &query.amount_min),
        ("amount_max", &query.amount_max),
        ("branch", &query.branch),
        ("q", &query.q),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("{k}={}", super::encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let with = |path: &str| {
        if filters.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{filters}")
        }
    };
    let (base, csv) = (with("/bank/queue"), with(routes::bank_queue_csv::PATH));
    let values: HashMap<String, String> = [
        (
            "status",
            if query.status.is_empty() {
                "open".to_owned()
            } else {
                query.status.clone()
            },
        ),
        ("date_from", query.date_from.clone()),
        ("date_to", query.date_to.clone()),
        ("amount_min", query.amount_min.clone()),
        ("amount_max", query.amount_max.clone()),
        ("branch", query.branch.clone()),
        ("q", query.q.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    provide_context(FormState {
        values,
        errors: page.errors.clone(),
        message: None,
    });
    let statuses = vec![
        ("open".to_owned(), lang.t("verdict_open")),
        ("answered".to_owned(), lang.t("filter_answered")),
        ("closed".to_owned(), lang.t("filter_closed")),
        ("all".to_owned(), lang.t("filter_all")),
    ];
    let pages = page.pages();
    // One group per claim, in the order the rows come (oldest claim first).
    let mut groups: Vec<(String, Vec<crate::api::bank::BankLine>)> = Vec::new();
    for row in page.rows.clone() {
        match groups.last_mut() {
            Some((r, rows)) if *r == row.reference => rows.push(row),
            _ => groups.push((row.reference.clone(), vec![row])),
        }
    }
    view! {
        <ErrorSummary />
        <h1>{lang.t("bank_queue_title")}</h1>
        <form method="get" action="/bank/queue" class="filters">
            <SelectField name="status" label="filter_status" options=statuses />
            <div class="filter-row">
                <TextField name="date_from" label="filter_date_from" input_type="date" width="w-10" />
                <TextField name="date_to" label="filter_date_to" input_type="date" width="w-10" />
            </div>
            <div class="filter-row">
                <TextField name="amount_min" label="filter_amount_min" inputmode="numeric" width="w-10" />
                <TextField name="amount_max" label="filter_amount_max" inputmode="numeric" width="w-10" />
            </div>
            <div class="filter-row">
                <TextField name="branch" label="col_branch" hint="filter_branch_hint" inputmode="numeric" width="w-10" />
                <TextField name="q" label="filter_search" hint="filter_search_hint" width="w-20" />
            </div>
            <button type="submit" class="button button-secondary">
                {lang.t("filter_apply")}
            </button>
        </form>
        <p role="status">
            {lang
                .t("bank_queue_counts")
                .replace("%{lines}", &page.total.to_string())
                .replace("%{claims}", &page.claims.to_string())}
        </p>
        {if groups.is_empty() {
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
                                <th scope="col">{lang.t("passbook_text")}</th>
                                <th scope="col">{lang.t("status")}</th>
                            </tr>
                        </thead>
                        {groups
                            .into_iter()
                            .map(|(reference, rows)| {
                                view! {
                                    <tbody class="group">
                                        <tr class="group-head">
                                            <th scope="rowgroup" colspan="7">
                                                <a href=format!("/bank/claims/{reference}")>{reference.clone()}</a>
                                            </th>
                                        </tr>
                                        {rows
                                            .into_iter()
                                            .map(|l| {
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <a href=routes::bank_line::to(l.reference, l.line_id)>
                                                                {format!("{} #{}", l.reference, l.position)}
                                                            </a>
                                                        </td>
                                                        <td>{l.branch_code}</td>
                                                        <td>{l.account}</td>
                                                        <td>{l.date}</td>
                                                        <td class="num">{yen(lang, l.amount)}</td>
                                                        <td>{l.descriptor}</td>
                                                        <td>{verdict_label(lang, &l.verdict)}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                }
                            })
                            .collect_view()}
                    </table>
                </div>
            }
                .into_any()
        }}
        <Pager base=base page=page.page pages=pages />
        <p>
            <CsvLinks href=csv label=lang.t("queue_csv") />
        </p>
    }
}

/// Loads a claim as the bank may see it and renders `body`.
#[component]
fn BankCaseFrame<B>(title: &'static str, line: Option<String>, body: B) -> impl IntoView
where
    B: Fn(BankCaseView) -> AnyView + Clone + Send + Sync + 'static,
{
    let reference = path_param("reference");
    // Read once (see `reports::DashboardPage`).
    let case = OnceResource::new(bank_case(reference, line));
    view! {
        <Layout title=title>
            <Suspense fallback=|| ()>
                {move || {
                    let body = body.clone();
                    Suspend::new(async move {
                        match case.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(case) => body(case),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

/// A claim as far as the bank may see it: its lines with their answers, the
/// history of answers, and the payout account check.
#[component]
pub fn BankCasePage() -> impl IntoView {
    let lang = use_lang();
    let answered = query_param("answered").is_some();
    let checked = query_param("checked").is_some();
    let confirmed_all = query_param("confirmed_all").is_some();
    let body = move |case: BankCaseView| {
        let reference = case.detail.reference.clone();
        let lines: Vec<_> = case
            .detail
            .lines
            .iter()
            .cloned()
            .zip(case.line_ids.iter().copied())
            .zip(case.verdicts.iter().cloned())
            .collect();
        let open = case.open;
        let unanswered = case.verdicts.iter().filter(|v| v.is_none()).count();
        view! {
            <ErrorSummary />
            {answered.then(|| view! { <Notice key="answer_saved" /> })}
            {checked.then(|| view! { <Notice key="account_check_saved" /> })}
            {confirmed_all.then(|| view! { <Notice key="confirmed_all_saved" /> })}
            <h1>{format!("{} {}", lang.t("claim_title"), reference)}</h1>
            {(!case.confirmed_elsewhere.is_empty()).then(|| view! {
                <section class="inset confirmed-elsewhere" aria-labelledby="confirmed-elsewhere-title">
                    <h2 id="confirmed-elsewhere-title">{lang.t("bank_confirmed_elsewhere_title")}</h2>
                    <p>{lang.t("bank_confirmed_elsewhere_lead")}</p>
                    <ul class="list-bullet">
                        {case.confirmed_elsewhere.iter().map(|(line, other, bank_reference)| {
                            let said = if bank_reference.is_empty() {
                                String::new()
                            } else {
                                format!(" ({} {bank_reference})", lang.t("bank_reference_short"))
                            };
                            view! {
                                <li>
                                    {format!("#{line}: ")}
                                    <a href=format!("/bank/claims/{other}")>{other.clone()}</a>
                                    {said}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <ClaimDetailView claim=case.detail.clone() staff=true />
            // The files the claimant linked to this bank's lines only.
            <super::staff::CaseFiles claim=case.detail.clone() />
            <h2>{lang.t("bank_answers_title")}</h2>
            <ul class="claim-list">
                {lines
                    .into_iter()
                    .map(|((l, id), verdict)| {
                        view! {
                            <li>
                                <span>{format!("#{} {} {}", l.position, l.date, yen(lang, l.amount))}</span>
                                <span class="tag">{verdict_label(lang, &verdict)}</span>
                                {open
                                    .then(|| {
                                        view! {
                                            <a href=routes::bank_line::to(&reference, id)>
                                                {if verdict.is_some() { lang.t("correct_answer") } else { lang.t("give_answer") }}
                                                <span class="visually-hidden">{format!(" #{}", l.position)}</span>
                                            </a>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(open && unanswered > 0).then(|| view! { <ConfirmAll reference=reference.clone() count=unanswered holder=case.detail.name_kana.clone() /> })}
            <h2>{lang.t("answer_history")}</h2>
            {if case.history.is_empty() {
                view! { <p>{lang.t("none")}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {case
                            .history
                            .iter()
                            .map(|a| {
                                let what = match a.verdict.as_str() {
                                    "confirmed" => format!(
                                        "{} {} {} {}{}",
                                        lang.t("verdict_confirmed"),
                                        yen(lang, a.confirmed_amount.unwrap_or(0)),
                                        a.bank_date.clone().unwrap_or_default(),
                                        a.holder_kana.clone().unwrap_or_default(),
                                        a.note.as_ref().map(|n| format!(" ({}: {n})", lang.t("bank_less_reason_said"))).unwrap_or_default()
                                    ),
                                    _ => format!(
                                        "{}: {} {}",
                                        lang.t("verdict_disputed"),
                                        lang.t(&format!("reason_{}", a.reason.clone().unwrap_or_default())),
                                        a.note.clone().unwrap_or_default()
                                    ),
                                };
                                view! {
                                    <li>
                                        <span class="timeline-date">{a.at.clone()}</span>
                                        {format!(" {what} ({})", a.by)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                }
                    .into_any()
            }}
            {case
                .payout
                .clone()
                .map(|(number, kana)| {
                    let yes_no = vec![
                        ("yes".to_owned(), lang.t("account_matches")),
                        ("no".to_owned(), lang.t("account_does_not_match")),
                    ];
                    view! {
                        <h2>{lang.t("account_check_title")}</h2>
                        <dl class="summary-list">
                            <div>
                                <dt>{lang.t("payout_account")}</dt>
                                <dd>{format!("{number} {kana}")}</dd>
                            </div>
                            <div>
                                <dt>{lang.t("account_check_result")}</dt>
                                <dd>
                                    {match &case.account_check {
                                        Some((true, _, at)) => format!("{} ({at})", lang.t("account_matches")),
                                        Some((false, note, at)) => format!("{} ({at}) {}", lang.t("account_does_not_match"), note.clone().unwrap_or_default()),
                                        None => lang.t("verdict_open"),
                                    }}
                                </dd>
                            </div>
                        </dl>
                        {open
                            .then(|| {
                                view! {
                                    <form method="post" action=routes::bank_account_check::to(&reference) novalidate>
                                        <Radios name="matches" legend="account_check_question" options=yes_no />
                                        <TextArea name="note" label="bank_note" hint="optional" />
                                        <button type="submit" class="button">
                                            {lang.t("save")}
                                        </button>
                                    </form>
                                }
                            })}
                    }
                })}
        }
            .into_any()
    };
    view! { <BankCaseFrame title="claim_title" line=None body=body /> }
}

/// One form for every line of the bank still without an answer: confirmed
/// as claimed, the claimant's name as the account's holder, once the clerk
/// ticks that each, and its holder, was checked (no JavaScript).
#[component]
fn ConfirmAll(reference: String, count: usize, holder: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="inset" aria-labelledby="confirm-all-title">
            <h2 id="confirm-all-title">{lang.t("confirm_all_title")}</h2>
            <p>{lang.t("confirm_all_lead").replace("%{holder}", &holder)}</p>
            <form method="post" action=routes::bank_confirm_all::to(&reference) novalidate>
                <Checkbox name="checked_all" label="checked_all" />
                <button type="submit" class="button">
                    {lang.t("confirm_all_button").replace("%{count}", &count.to_string())}
                </button>
            </form>
        </section>
    }
}

/// Confirm or dispute one line (or correct the answer).
#[component]
pub fn BankLinePage() -> impl IntoView {
    let lang = use_lang();
    let line = path_param("line");
    let wanted = Some(line.clone());
    let body = move |case: BankCaseView| {
        let Some(index) = case.line_ids.iter().position(|id| id.to_string() == line) else {
            return view! { <ErrorPage error=crate::api::ApiError::NotFound /> }.into_any();
        };
        let l = case.detail.lines[index].clone();
        let reference = case.detail.reference.clone();
        // Show the newest answer as the starting point of a correction.
        let last = case
            .history
            .iter()
            .rev()
            .find(|a| a.line_id.to_string() == line)
            .cloned();
        provide_prefill(|| {
            let mut v = HashMap::new();
            match &last {
                Some(a) => {
                    v.insert("verdict".to_owned(), a.verdict.clone());
                    if let Some(x) = a.confirmed_amount {
                        v.insert("confirmed_amount".to_owned(), x.to_string());
                    }
                    // A confirmation's note is its reason for less.
                    let note = if a.verdict == "confirmed" {
                        "less_reason"
                    } else {
                        "note"
                    };
                    for (k, x) in [
                        ("bank_date", &a.bank_date),
                        ("bank_reference", &a.bank_reference),
                        ("holder_kana", &a.holder_kana),
                        ("reason", &a.reason),
                        (note, &a.note),
                    ] {
                        if let Some(x) = x {
                            v.insert(k.to_owned(), x.clone());
                        }
                    }
                }
                None => {
                    v.insert("confirmed_amount".to_owned(), l.amount.to_string());
                    v.insert("bank_date".to_owned(), l.date.clone());
                    v.insert("holder_kana".to_owned(), case.detail.name_kana.clone());
                }
            }
            v
        });
        let verdicts = vec![
            ("confirmed".to_owned(), lang.t("verdict_confirm_option")),
            ("disputed".to_owned(), lang.t("verdict_dispute_option")),
        ];
        let reasons: Vec<(String, String)> = DisputeReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    lang.t(&format!("reason_{}", r.as_str())),
                )
            })
            .collect();
        let today = crate::domain::answers::today_in_japan().to_string();
        view! {
            <p>
                <a class="back-link" href=format!("/bank/claims/{reference}")>
                    {lang.t("back")}
                </a>
            </p>
            <ErrorSummary />
            <span class="caption">{format!("{} #{}", reference, l.position)}</span>
            <h1>{lang.t("verify_debit_title")}</h1>
            <dl class="summary-list">
                <div>
                    <dt>{lang.t("account_number")}</dt>
                    <dd>
                        {format!("{} {} {}", l.branch, lang.t(&format!("account_{}", l.account_type)), l.account)}
                        {l.passbook.clone().map(|p| view! { <br />{format!("{} {p}", lang.t("yucho_printed"))} })}
                    </dd>
                </div>
                <div>
                    <dt>{lang.t("debit_date")}</dt>
                    <dd>{l.date.clone()}</dd>
                </div>
                <div>
                    <dt>{lang.t("amount")}</dt>
                    <dd>{yen(lang, l.amount)}</dd>
                </div>
                <div>
                    <dt>{lang.t("passbook_text")}</dt>
                    <dd>{l.descriptor.clone()}</dd>
                </div>
            </dl>
            <form id="claim-form" method="post" action=routes::bank_line::to(&reference, &line) novalidate>
                <Radios name="verdict" legend="verify_question" options=verdicts />
                <fieldset class="fieldset">
                    <legend class="legend-s">{lang.t("if_confirmed")}</legend>
                    <TextField name="confirmed_amount" label="confirmed_amount" inputmode="numeric" width="w-10" />
                    <TextField name="bank_date" label="bank_date" input_type="date" width="w-10" />
                    <TextField name="bank_reference" label="bank_reference" hint="optional" width="w-20" />
                    <TextField name="holder_kana" label="bank_holder_kana" hint="name_kana_hint" width="w-30" />
                    <TextArea name="less_reason" label="less_reason" hint="less_reason_hint" />
                </fieldset>
                <fieldset class="fieldset">
                    <legend class="legend-s">{lang.t("if_disputed")}</legend>
                    <SelectField name="reason" label="dispute_reason" options=reasons />
                    <TextArea name="note" label="bank_note" hint="bank_note_hint" />
                </fieldset>
                <button type="submit" class="button">
                    {lang.t("save")}
                </button>
            </form>
            <ClientCheck
                form_id="claim-form".to_owned()
                kind="verification".to_owned()
                texts=crate::components::client_check::client_texts("verification", lang)
                today=today
            />
        }
            .into_any()
    };
    view! { <BankCaseFrame title="verify_debit_title" line=wanted body=body /> }
}

/// Upload the bank's own list of fraudulent debits; the recent imports.
#[component]
pub fn BankImportPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="import_title">
            <ErrorSummary />
            <h1>{lang.t("import_title")}</h1>
            <p class="lead">{lang.t("import_lead")}</p>
            <p class="hint">{lang.t("import_columns")}</p>
            <crate::pages::journey::UploadForm
                action=routes::bank_import::to()
                hint="import_file_hint"
                accept=".csv,.xlsx,.xls,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.ms-excel"
                max_bytes=crate::domain::bank_list::MAX_LIST_BYTES as u64
            />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let imports = crate::api::bank::bank_imports().await.unwrap_or_default();
                    (!imports.is_empty())
                        .then(|| {
                            view! {
                                <h2>{lang.t("imports_recent")}</h2>
                                <p><CsvLinks href=routes::bank_imports_csv::to() label=lang.t("list_csv") /></p>
                                <ul class="claim-list">
                                    {imports
                                        .into_iter()
                                        .map(|i| {
                                            view! {
                                                <li>
                                                    <a href=format!("/bank/imports/{}", i.id)>{i.file_name.clone()}</a>
                                                    <span>{i.at.clone()}</span>
                                                    <span>
                                                        {match i.status.as_str() {
                                                            "processing" => lang.t("import_processing_title"),
                                                            "failed" => lang.t("import_failed_title"),
                                                            _ => import_counts(lang, &i),
                                                        }}
                                                    </span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })
                })}
            </Suspense>
        </Layout>
    }
}

fn import_counts(lang: Lang, i: &crate::api::bank::ImportSummary) -> String {
    lang.t("import_counts")
        .replace("%{read}", &i.read.to_string())
        .replace("%{rejected}", &i.rejected.to_string())
        .replace("%{matched}", &i.matched.to_string())
        .replace("%{probable}", &i.probable.to_string())
        .replace("%{unmatched}", &i.unmatched.to_string())
        .replace("%{known}", &i.known.to_string())
}

/// A table of rows of the bank's list; with `accept`, a button per row.
#[component]
pub fn ListTable(
    rows: Vec<crate::api::bank::ListRow>,
    accept: bool,
    #[prop(optional)] with_bank: bool,
    /// A button per row to write an invitation letter (operator).
    #[prop(optional)]
    invite: bool,
) -> impl IntoView {
    let lang = use_lang();
    if rows.is_empty() {
        return view! { <p>{lang.t("none")}</p> }.into_any();
    }
    // On a phone each row is a card of label and value (the labels are the
    // column heads): nothing scrolls sideways, no head breaks a letter a line.
    let label = move |key: &str| lang.t(key);
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t("bank_list_rows")>
            <table class="table table-cards" role="table">
                <thead>
                    <tr role="row">
                        {with_bank.then(|| view! { <th scope="col" role="columnheader">{lang.t("bank")}</th> })}
                        <th scope="col" role="columnheader">{lang.t("bank_reference")}</th>
                        <th scope="col" role="columnheader">{lang.t("account_number")}</th>
                        <th scope="col" role="columnheader">{lang.t("holder_kana")}</th>
                        <th scope="col" role="columnheader">{lang.t("debit_date")}</th>
                        <th scope="col" role="columnheader" class="num">
                            {lang.t("amount")}
                        </th>
                        <th scope="col" role="columnheader">{lang.t("passbook_text")}</th>
                        {(accept || invite).then(|| view! { <th scope="col" role="columnheader"><span class="visually-hidden">{lang.t("actions")}</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            view! {
                                <tr role="row">
                                    {with_bank.then(|| view! { <td role="cell" data-label=label("bank")>{r.bank.clone()}</td> })}
                                    <td role="cell" data-label=label("bank_reference")>{r.reference.clone()}</td>
                                    <td role="cell" data-label=label("account_number")>{format!("{} {}", r.branch, r.account)}</td>
                                    <td role="cell" data-label=label("holder_kana")>{r.holder_kana.clone()}</td>
                                    <td role="cell" data-label=label("debit_date")>{r.date.clone()}</td>
                                    <td role="cell" class="num" data-label=label("amount")>{yen(lang, r.amount)}</td>
                                    <td role="cell" data-label=label("passbook_text")>{r.descriptor.clone()}</td>
                                    {invite
                                        .then(|| {
                                            if r.invited {
                                                view! { <td role="cell" data-label=label("actions")>{lang.t("letter_written")}</td> }.into_any()
                                            } else {
                                                view! {
                                                    <td role="cell" data-label=label("actions")>
                                                        <form method="post" action=routes::staff_invitations::to() class="inline-form">
                                                            <input type="hidden" name="debit" value=r.id.to_string() />
                                                            // The letter in the holder's language
                                                            // (Japanese unless told), not the screen's.
                                                            <button type="submit" name="letter_lang" value="ja" class="button button-secondary">
                                                                {lang.t("write_letter")}
                                                                <span class="visually-hidden">{format!(" {}", r.reference)}</span>
                                                            </button>
                                                            " "
                                                            <button type="submit" name="letter_lang" value="en" class="link-button">
                                                                {lang.t("write_letter_en")}
                                                                <span class="visually-hidden">{format!(" {}", r.reference)}</span>
                                                            </button>
                                                        </form>
                                                    </td>
                                                }
                                                    .into_any()
                                            }
                                        })}
                                    {accept
                                        .then(|| {
                                            view! {
                                                <td role="cell" data-label=label("actions")>
                                                    <form method="post" action=routes::bank_debit_accept::to(r.id) class="inline-form">
                                                        <button type="submit" class="button button-secondary">
                                                            {lang.t("accept_match")}
                                                            <span class="visually-hidden">{format!(" {}", r.reference)}</span>
                                                        </button>
                                                    </form>
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The report of one import: counts, rejected rows, probable matches to
/// accept, and the rows no claim names.
#[component]
pub fn ImportReportPage() -> impl IntoView {
    let lang = use_lang();
    let id = path_param("id");
    view! {
        <Layout title="import_report_title">
            <Suspense fallback=|| ()>
                {move || {
                    let id = id.clone();
                    Suspend::new(async move {
                        match crate::api::bank::bank_import_report(id).await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(r) if r.summary.status == "processing" => {
                                view! {
                                    <h1>{lang.t("import_processing_title")}</h1>
                                    <p>{lang.t("import_processing_lead")}</p>
                                    <crate::components::import_watch::ImportWatch
                                        id=r.summary.id.to_string()
                                        done=r.summary.done
                                        total=r.summary.total
                                        progress_text=lang.t("import_progress")
                                    />
                                    <p>
                                        <a href=format!("/bank/imports/{}", r.summary.id)>{lang.t("import_check_again")}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(r) if r.summary.status == "failed" => {
                                view! {
                                    <h1>{lang.t("import_failed_title")}</h1>
                                    <p>{lang.t("import_failed_lead")}</p>
                                    <p>
                                        <a href=routes::bank_import::to()>{lang.t("import_another")}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(r) => {
                                view! {
                                    <ErrorSummary />
                                    <h1>{lang.t("import_report_title")}</h1>
                                    <p role="status">{import_counts(lang, &r.summary)}</p>
                                    {(!r.conversions.is_empty())
                                        .then(|| {
                                            view! {
                                                <h2>{lang.t("import_conversions")}</h2>
                                                <ul class="list-bullet conversions">
                                                    {r
                                                        .conversions
                                                        .iter()
                                                        .map(|(key, n)| {
                                                            view! { <li>{lang.t(key).replace("%{n}", &n.to_string())}</li> }
                                                        })
                                                        .collect_view()}
                                                </ul>
                                            }
                                        })}
                                    <h2>{lang.t("import_rejected")}</h2>
                                    {if r.rejections.is_empty() {
                                        view! { <p>{lang.t("none")}</p> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="list-bullet rejections">
                                                {r
                                                    .rejections
                                                    .iter()
                                                    .map(|(line, key)| {
                                                        view! { <li>{format!("{} {}: {}", lang.t("row"), line, lang.t(key))}</li> }
                                                    })
                                                    .collect_view()}
                                            </ul>
                                        }
                                            .into_any()
                                    }}
                                    <h2>{lang.t("import_probable")}</h2>
                                    <p class="hint">{lang.t("import_probable_hint")}</p>
                                    {if r.probable.is_empty() {
                                        view! { <p>{lang.t("none")}</p> }.into_any()
                                    } else {
                                        view! { <ListTable rows=r.probable.clone() accept=true /> }.into_any()
                                    }}
                                    <h2>{lang.t("import_unmatched")}</h2>
                                    <p class="hint">{lang.t("import_unmatched_hint")}</p>
                                    {if r.unmatched.is_empty() {
                                        view! { <p>{lang.t("none")}</p> }.into_any()
                                    } else {
                                        view! { <ListTable rows=r.unmatched.clone() accept=false /> }.into_any()
                                    }}
                                    <p>
                                        <a href=routes::bank_import::to()>{lang.t("import_another")}</a>
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

/// A bank's lead user chooses where the bank's notices go: its own address,
/// its staff users, or both.
#[component]
pub fn BankNoticesPage() -> impl IntoView {
    use crate::api::bank::bank_notices;
    use crate::components::Checkbox;
    let lang = use_lang();
    let saved = query_param("saved").is_some();
    view! {
        <Layout title="notify_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match bank_notices().await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(n) => {
                            let (email, users) = (n.notify_email.clone(), n.notify_users);
                            provide_prefill(move || {
                                let mut m = HashMap::new();
                                m.insert("notify_email".to_owned(), email);
                                if users {
                                    m.insert("notify_users".to_owned(), "yes".to_owned());
                                }
                                m
                            });
                            view! {
                                <ErrorSummary />
                                <h1>{format!("{}: {}", lang.t("notify_title"), n.bank_name)}</h1>
                                {saved.then(|| view! { <p class="notice" role="status">{lang.t("notify_saved")}</p> })}
                                <p>{lang.t("notify_lead")}</p>
                                <form method="post" action=routes::bank_notices::to() novalidate>
                                    <TextField name="notify_email" label="notify_email" hint="notify_email_hint" input_type="email" width="w-30" />
                                    <Checkbox name="notify_users" label="notify_users" />
                                    <button type="submit" class="button">{lang.t("notify_save")}</button>
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
