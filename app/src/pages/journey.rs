//! Writing a claim, GOV.UK style: a task list, one topic per page, a list
//! page per kind of line with "add", "change" and "remove", check your
//! answers, and the reply to a request. Every page is a plain form post.

use crate::domain::account::bank_display_name;
use crate::routes;
use leptos::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

use super::path_param;
use crate::api::claimant::{ClaimForm, claim_answers, my_drafts};
use crate::api::common::participating_banks;
use crate::components::branch_lookup::BranchLookup;
use crate::components::client_check::ClientCheck;
use crate::components::postcode_lookup::PostcodeFinder;
use crate::components::upload_progress::UploadProgress;
use crate::components::{
    Checkbox, ErrorPage, ErrorSummary, Layout, MemorableDate, Radios, SelectField, TextArea,
    TextField, provide_prefill, use_form, use_lang, yen,
};
use crate::domain::AccountType;
use crate::domain::account::mask_account;
use crate::domain::answers::{
    Account, CALLEES, CONTACTS, MAX_FILE_BYTES, MAX_FILES, MEANS, Payout, Progress, Section,
};
use crate::i18n::Lang;

type Values = HashMap<String, String>;

fn values(pairs: &[(&str, String)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// (value, translated text) for a list of values whose texts are `prefix_value`.
fn choices(lang: Lang, list: &[&str], prefix: &str) -> Vec<(String, String)> {
    list.iter()
        .map(|v| ((*v).to_owned(), lang.t(&format!("{prefix}_{v}"))))
        .collect()
}

fn account_types(lang: Lang) -> Vec<(String, String)> {
    AccountType::ALL
        .iter()
        .map(|t| {
            (
                t.as_str().to_owned(),
                lang.t(&format!("account_{}", t.as_str())),
            )
        })
        .collect()
}

/// Where "back" and "save" lead: the task list of a draft, the reply page
/// of a claim awaiting the claimant.
pub fn home_of(form: &ClaimForm) -> String {
    if form.reference.is_some() {
        routes::claim_reply::to(&form.key)
    } else {
        form.base()
    }
}

/// `Bank (0158) Branch (001) ordinary 1234567` (masked when `masked`),
/// and a Japan Post Bank passbook's 記号・番号 beside it when given so.
fn account_label(lang: Lang, a: &Account, masked: bool) -> String {
    let mut label = format!(
        "{} {} {} {}",
        bank_display_name(&a.bank, &a.bank_name),
        a.branch_name,
        lang.t(&format!("account_{}", a.account_type)),
        if masked {
            mask_account(&a.number)
        } else {
            a.number.clone()
        }
    );
    if let (Some(passbook), false) = (&a.passbook, masked) {
        label.push_str(&format!(" ({} {passbook})", lang.t("yucho_printed")));
    }
    label
}

/// The frame of every page of the journey: loads the claim (404 when it is
/// not the reader's), refuses sections that are locked, fills the fields
/// with the stored answers, and shows the back link and the error summary.
#[component]
fn JourneyPage<B, P>(
    title: &'static str,
    section: Option<Section>,
    prefill: P,
    body: B,
) -> impl IntoView
where
    B: Fn(ClaimForm) -> AnyView + Clone + Send + Sync + 'static,
    P: Fn(&ClaimForm) -> Values + Clone + Send + Sync + 'static,
{
    let lang = use_lang();
    let key = path_param("key");
    view! {
        <Layout title=title>
            <Suspense fallback=|| ()>
                {move || {
                    let (key, body, prefill) = (key.clone(), body.clone(), prefill.clone());
                    Suspend::new(async move {
                        let form = match claim_answers(key).await {
                            Ok(f) => f,
                            Err(e) => return view! { <ErrorPage error=e /> }.into_any(),
                        };
                        let back = home_of(&form);
                        if let Some(s) = section && !form.may_change(s) {
                            return view! {
                                <h1>{lang.t(title)}</h1>
                                <p>{lang.t("section_locked")}</p>
                                <p>
                                    <a href=format!("/claims/{}", form.key)>{lang.t("back_to_claim")}</a>
                                </p>
                            }
                                .into_any();
                        }
                        provide_prefill(|| prefill(&form));
                        view! {
                            <p>
                                <a class="back-link" href=back>
                                    {lang.t("back")}
                                </a>
                            </p>
                            <ErrorSummary />
                            {body(form)}
                        }
                            .into_any()
                    })
                }}
            </Suspense>
        </Layout>
    }
}

/// The browser-side check of the form `claim-form` (see `ClientCheck`).
#[component]
fn Check(kind: &'static str) -> impl IntoView {
    let lang = use_lang();
    let today = crate::domain::answers::today_in_japan().to_string();
    view! {
        <ClientCheck
            form_id="claim-form".to_owned()
            kind=kind.to_owned()
            texts=crate::components::client_check::client_texts(kind, lang)
            today=today
        />
    }
}

fn no_prefill(_: &ClaimForm) -> Values {
    Values::new()
}

/// "Start a claim": what you will need, your drafts, and the start button.
#[component]
pub fn StartClaimPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="start_title">
            <ErrorSummary />
            <h1>{lang.t("start_title")}</h1>
            <p class="lead">{lang.t("start_lead")}</p>
            <h2>{lang.t("start_need_title")}</h2>
            <ul class="list-bullet">
                <li>{lang.t("start_need_passbook")}</li>
                <li>{lang.t("start_need_bills")}</li>
                <li>{lang.t("start_need_payout")}</li>
            </ul>
            <p>{lang.t("start_saved")}</p>
            <div class="warning-text">
                <strong>{lang.t("never_pin")}</strong>
            </div>
            <form method="post" action=routes::claim_new::to()>
                <button id="start" type="submit" class="button button-start">
                    {lang.t("start_button")}
                </button>
            </form>
            <h2>{lang.t("letter_received_title")}</h2>
            <form method="post" action=routes::claim_redeem::to() novalidate>
                <TextField
                    name="claim_code"
                    label="claim_code"
                    hint="claim_code_hint"
                    autocomplete="off"
                    width="w-20"
                />
                <button type="submit" class="button button-secondary">
                    {lang.t("claim_code_button")}
                </button>
            </form>
            <DraftList />
        </Layout>
    }
}

/// The claimant's drafts with a "continue" link each.
#[component]
pub fn DraftList() -> impl IntoView {
    let lang = use_lang();
    // Read once: Suspense runs its children more than once while it renders.
    let drafts = OnceResource::new(my_drafts());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let drafts = drafts.await.unwrap_or_default();
                (!drafts.is_empty())
                    .then(|| {
                        view! {
                            <h2>{lang.t("drafts_title")}</h2>
                            <ul class="claim-list">
                                {drafts
                                    .into_iter()
                                    .map(|d| {
                                        view! {
                                            <li>
                                                <a href=format!("/claims/{}", d.id)>{lang.t("draft_continue")}</a>
                                                <span class="tag tag-grey">{lang.t("state_draft")}</span>
                                                <span>{d.total.map(|t| yen(lang, t)).unwrap_or_else(|| "—".to_owned())}</span>
                                                <span>{format!("{} {}", lang.t("last_saved"), d.saved_on)}</span>
                                                <span>{format!("{} {}", lang.t("draft_deleted_on"), d.delete_on)}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            })}
        </Suspense>
    }
}

fn section_path(section: Section) -> &'static str {
    match section {
        Section::About => "about",
        Section::Debits => "debits",
        Section::Calls => "calls",
        Section::Travel => "travel",
        Section::Evidence => "evidence",
        Section::Payout => "payout",
        Section::Declaration => "check",
    }
}

/// A draft's own page: its task list.
#[component]
pub fn TaskListPage() -> impl IntoView {
    let key = path_param("key");
    view! {
        <Layout title="task_list_title">
            <Suspense fallback=|| ()>
                {move || {
                    let key = key.clone();
                    Suspend::new(async move {
                        match claim_answers(key).await {
                            Ok(form) => view! { <TaskList form /> }.into_any(),
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
}

/// The task list of a draft.
#[component]
pub fn TaskList(form: ClaimForm) -> impl IntoView {
    let lang = use_lang();
    let done = form
        .tasks
        .iter()
        .filter(|(_, p)| *p == Progress::Completed)
        .count();
    let base = form.base();
    view! {
        <h1>{lang.t("task_list_title")}</h1>
        <p class="lead">{lang.t("task_list_lead")}</p>
        <p>
            {lang
                .t("task_list_count")
                .replace("%{done}", &done.to_string())
                .replace("%{all}", &form.tasks.len().to_string())}
        </p>
        {form
            .last_saved_on
            .clone()
            .map(|d| {
                view! {
                    <p class="hint">
                        {format!("{} {}", lang.t("last_saved_on").replace("%{date}", &d), lang.t("draft_expiry_note"))}
                    </p>
                }
            })}
        <ol class="task-list">
            {form
                .tasks
                .iter()
                .map(|(section, progress)| {
                    let id = format!("task-{}", section.as_str());
                    let name = lang.t(&format!("section_{}", section.as_str()));
                    let tag_class = match progress {
                        Progress::Completed => "tag",
                        Progress::InProgress => "tag tag-blue",
                        Progress::NotStarted => "tag tag-grey",
                        Progress::CannotStartYet => "tag tag-grey",
                    };
                    let link = (*progress != Progress::CannotStartYet)
                        .then(|| format!("{base}/{}", section_path(*section)));
                    view! {
                        <li class="task">
                            {match link {
                                Some(href) => {
                                    view! {
                                        <a href=href aria-describedby=id.clone()>
                                            {name}
                                        </a>
                                    }
                                        .into_any()
                                }
                                None => view! { <span>{name}</span> }.into_any(),
                            }}
                            <strong class=tag_class id=id>
                                {lang.t(progress.key())}
                            </strong>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <Totals form=form.clone() />
    }
}

/// The totals claimed, per category and overall (computed on the server).
#[component]
fn Totals(form: ClaimForm) -> impl IntoView {
    let lang = use_lang();
    let t = form.totals;
    view! {
        <dl class="summary-list totals" aria-live="polite">
            <div>
                <dt>{lang.t("total_debits")}</dt>
                <dd class="num">{yen(lang, t.debits.value())}</dd>
            </div>
            <div>
                <dt>{lang.t("total_calls")}</dt>
                <dd class="num">{yen(lang, t.calls.value())}</dd>
            </div>
            <div>
                <dt>{lang.t("total_travel")}</dt>
                <dd class="num">{yen(lang, t.travel.value())}</dd>
            </div>
            <div class="total-all">
                <dt>{lang.t("total_all")}</dt>
                <dd class="num">{yen(lang, t.all.value())}</dd>
            </div>
        </dl>
    }
}

fn about_values(f: &ClaimForm) -> Values {
    let Some(a) = f.answers.about.as_ref() else {
        // The language the claimant reads the pages in is the likely answer.
        return values(&[("lang", use_lang().code().to_owned())]);
    };
    values(&[
        ("full_name", a.full_name.clone()),
        ("name_kana", a.name_kana.clone()),
        ("birth_date", a.birth_date.to_string()),
        ("postal_code", a.postal_code.clone()),
        ("address", a.address.clone()),
        ("phone", crate::domain::contact::format_phone(&a.phone)),
        ("lang", a.lang.clone()),
        ("contact", a.contact.clone()),
        (
            "compensated",
            if a.compensated { "yes" } else { "no" }.into(),
        ),
        (
            "compensated_amount",
            a.compensated_amount
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ),
        (
            "compensated_by",
            a.compensated_by.clone().unwrap_or_default(),
        ),
        ("police_number", a.police_number.clone().unwrap_or_default()),
        (
            "police_date",
            a.police_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ])
}

#[component]
pub fn AboutPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let yes_no = vec![
            ("yes".to_owned(), lang.t("answer_yes")),
            ("no".to_owned(), lang.t("answer_no")),
        ];
        view! {
            <h1>{lang.t("section_about")}</h1>
            <form id="claim-form" method="post" action=routes::claim_about::to(&f.key) novalidate>
                <TextField name="full_name" label="full_name" hint="full_name_hint" autocomplete="name" width="w-30" />
                <TextField name="name_kana" label="name_kana" hint="name_kana_hint" width="w-30" />
                <MemorableDate name="birth_date" legend="birth_date" hint="birth_date_hint" />
                <TextField name="postal_code" label="postal_code" hint="postal_code_hint" autocomplete="postal-code" inputmode="numeric" width="w-10" />
                <PostcodeFinder postcode_field="postal_code" address_field="address" />
                <TextField name="address" label="address" hint="address_hint" autocomplete="street-address" width="w-30" />
                <TextField name="phone" label="phone" input_type="tel" autocomplete="tel" width="w-20" />
                <Radios name="lang" legend="preferred_lang" options=vec![("ja".to_owned(), "日本語".to_owned()), ("en".to_owned(), "English".to_owned())] />
                <Radios name="contact" legend="preferred_contact" options=choices(lang, &CONTACTS, "contact") />
                <Radios name="compensated" legend="compensated_question" hint="compensated_hint" options=yes_no />
                <TextField name="compensated_amount" label="compensated_amount" hint="compensated_amount_hint" inputmode="numeric" width="w-10" />
                <TextField name="compensated_by" label="compensated_by" width="w-20" />
                <h2>{lang.t("police_title")}</h2>
                <TextField name="police_number" label="police_number" hint="optional" width="w-20" />
                <TextField name="police_date" label="police_date" hint="optional" input_type="date" width="w-10" />
                <button type="submit" class="button">
                    {lang.t("save_continue")}
                </button>
            </form>
<Check kind="about" />
        }
            .into_any()
    };
    view! { <JourneyPage title="section_about" section=Some(Section::About) prefill=about_values body=body /> }
}

/// A button that posts to `action` (remove a line, an account, a file).
#[component]
fn PostButton(action: String, text: String, #[prop(optional)] context: String) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline-form">
            <button type="submit" class="link-button">
                {text}
                <span class="visually-hidden">{format!(" {context}")}</span>
            </button>
        </form>
    }
}

/// "I have finished this section".
#[component]
fn FinishForm(action: String) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field("finished").map(|e| lang.t(&e.key));
    view! {
        <form method="post" action=action novalidate>
            <div class=if error.is_some() { "field field-error" } else { "field" }>
                {error
                    .clone()
                    .map(|e| {
                        view! {
                            <p class="error-message" id="finished-error">
                                {e}
                            </p>
                        }
                    })}
                <button id="finished" type="submit" class="button">
                    {lang.t("finish_section")}
                </button>
            </div>
        </form>
    }
}

#[component]
pub fn DebitsPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        view! {
            <h1>{lang.t("section_debits")}</h1>
            <p class="lead">{lang.t("debits_lead")}</p>
            {f
                .answers
                .accounts
                .iter()
                .map(|a| {
                    let label = account_label(lang, a, false);
                    let subtotal: i64 = a.lines.iter().map(|l| l.amount).sum();
                    view! {
                        <section class="account-card">
                            <h2>{label.clone()}</h2>
                            <div class="actions">
                                <a href=routes::claim_account::to(&f.key, a.id)>
                                    {lang.t("change")}
                                    <span class="visually-hidden">{format!(" {label}")}</span>
                                </a>
                                <PostButton
                                    action=routes::claim_account_remove::to(&f.key, a.id)
                                    text=lang.t("remove_account")
                                    context=label.clone()
                                />
                            </div>
                            {if a.lines.is_empty() {
                                view! { <p class="hint">{lang.t("no_debits_yet")}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label=label.clone()>
                                        <table class="table stack">
                                            <thead>
                                                <tr>
                                                    <th scope="col">{lang.t("debit_date")}</th>
                                                    <th scope="col" class="num">{lang.t("amount")}</th>
                                                    <th scope="col">{lang.t("descriptor")}</th>
                                                    <th scope="col">{lang.t("wallet_ref")}</th>
                                                    <th scope="col">
                                                        <span class="visually-hidden">{lang.t("actions")}</span>
                                                    </th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {a
                                                    .lines
                                                    .iter()
                                                    .map(|l| {
                                                        let what = format!("{} {}", l.date, yen(lang, l.amount));
                                                        view! {
                                                            <tr>
                                                                <td data-label=lang.t("debit_date")>{l.date.to_string()}</td>
                                                                <td data-label=lang.t("amount") class="num">{yen(lang, l.amount)}</td>
                                                                <td data-label=lang.t("descriptor")>{l.descriptor.clone()}</td>
                                                                <td data-label=lang.t("wallet_ref")>{l.reference.clone().unwrap_or_default()}</td>
                                                                <td class="actions">
                                                                    <a href=routes::claim_debit::to(&f.key, l.id)>
                                                                        {lang.t("change")}
                                                                        <span class="visually-hidden">{format!(" {what}")}</span>
                                                                    </a>
                                                                    <PostButton
                                                                        action=routes::claim_debit_remove::to(&f.key, l.id)
                                                                        text=lang.t("remove")
                                                                        context=what.clone()
                                                                    />
                                                                </td>
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
                            <p>
                                {format!("{}: {}", lang.t("account_subtotal"), yen(lang, subtotal))}
                            </p>
                            <p>
                                <a class="button button-secondary" href=routes::claim_add_debit::to(&f.key, a.id)>
                                    {lang.t("add_debit")}
                                </a>
                            </p>
                        </section>
                    }
                })
                .collect_view()}
            <p>
                <a class="button button-secondary" href=routes::claim_add_account::to(&f.key)>
                    {if f.answers.accounts.is_empty() { lang.t("add_account") } else { lang.t("add_another_account") }}
                </a>
            </p>
            <p class="total" aria-live="polite">
                {format!("{}: {}", lang.t("running_total"), yen(lang, f.totals.debits.value()))}
            </p>
            <FinishForm action=routes::claim_debits::to(&f.key) />
        }
            .into_any()
    };
    view! { <JourneyPage title="section_debits" section=Some(Section::Debits) prefill=no_prefill body=body /> }
}

fn account_values(f: &ClaimForm) -> Values {
    let aid = path_param("aid");
    f.answers
        .accounts
        .iter()
        .find(|a| a.id.to_string() == aid)
        .map(|a| {
            let (symbol, number) = a
                .passbook
                .as_deref()
                .and_then(|p| p.split_once('-'))
                .unwrap_or_default();
            values(&[
                ("bank", a.bank.clone()),
                ("branch", a.branch.clone()),
                ("account_type", a.account_type.clone()),
                ("account_number", a.number.clone()),
                ("yucho_symbol", symbol.to_owned()),
                ("yucho_number", number.to_owned()),
            ])
        })
        .unwrap_or_default()
}

/// Bank, branch (with the lookup island), type and number.
#[component]
pub fn AccountFields(
    banks: Vec<(String, String)>,
    #[prop(optional)] bank_as_text: bool,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        {if bank_as_text {
            view! { <TextField name="bank" label="bank_code" hint="bank_code_hint" inputmode="numeric" width="w-10" /> }
                .into_any()
        } else {
            view! { <SelectField name="bank" label="bank" options=banks /> }.into_any()
        }}
        <TextField name="branch" label="branch" hint="branch_hint" width="w-20" />
        <BranchLookup
            bank_field="bank".to_owned()
            branch_field="branch".to_owned()
            found_text=lang.t("branches_found")
            choose_text=lang.t("choose_branch")
        />
        <SelectField name="account_type" label="account_type" options=account_types(lang) />
        <TextField
            name="account_number"
            label="account_number"
            hint="account_number_hint"
            inputmode="numeric"
            autocomplete="off"
            width="w-10"
        />
        <PassbookFields />
    }
}

/// Japan Post Bank's 記号・番号, as the passbook prints them: folded away
/// (a `<details>`, no script needed) unless already used.
#[component]
fn PassbookFields() -> impl IntoView {
    let lang = use_lang();
    let form = crate::components::use_form();
    let used = ["yucho_symbol", "yucho_number"]
        .iter()
        .any(|f| form.errors.for_field(f).is_some() || !form.value(f).trim().is_empty());
    view! {
        <details class="passbook" open=used>
            <summary>{lang.t("yucho_passbook")}</summary>
            <p class="hint">{lang.t("yucho_passbook_help")}</p>
            <TextField name="yucho_symbol" label="yucho_symbol" hint="yucho_symbol_hint" inputmode="numeric" autocomplete="off" width="w-10" />
            <TextField name="yucho_number" label="yucho_number" hint="yucho_number_hint" inputmode="numeric" autocomplete="off" width="w-10" />
        </details>
    }
}

/// Adds a bank account (`/add-account`) or changes one (`/accounts/:aid`).
#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let aid = path_param("aid");
    let body = move |f: ClaimForm| {
        let action = if aid.is_empty() {
            routes::claim_add_account::to(&f.key)
        } else {
            routes::claim_account::to(&f.key, &aid)
        };
        view! {
                    <h1>{lang.t("account_title")}</h1>
                    <p class="lead">{lang.t("account_lead")}</p>
                    <Suspense fallback=|| ()>
                        {move || {
                            let action = action.clone();
                            Suspend::new(async move {
                                let banks: Vec<(String, String)> = participating_banks()
                                    .await
                                    .unwrap_or_default()
                                    .into_iter()
                                    .map(|b| (b.code.clone(), format!("{} ({})", b.name, b.code)))
                                    .collect();
                                view! {
                                    <form id="claim-form" method="post" action=action novalidate>
                                        <AccountFields banks=banks />
                                        <button type="submit" class="button">
                                            {lang.t("save_continue")}
                                        </button>
                                    </form>
        <Check kind="account" />
                                }
                            })
                        }}
                    </Suspense>
                }
        .into_any()
    };
    view! { <JourneyPage title="account_title" section=Some(Section::Debits) prefill=account_values body=body /> }
}

fn debit_values(f: &ClaimForm) -> Values {
    let lid = path_param("lid");
    f.answers
        .debit_lines()
        .find(|(_, l)| l.id.to_string() == lid)
        .map(|(_, l)| {
            values(&[
                ("date", l.date.to_string()),
                ("amount", l.amount.to_string()),
                ("descriptor", l.descriptor.clone()),
                ("reference", l.reference.clone().unwrap_or_default()),
            ])
        })
        .unwrap_or_default()
}

/// Adds a debit to an account or changes one.
#[component]
pub fn DebitPage() -> impl IntoView {
    let lang = use_lang();
    let (aid, lid) = (path_param("aid"), path_param("lid"));
    let body = move |f: ClaimForm| {
        let (action, account) = if lid.is_empty() {
            (
                routes::claim_add_debit::to(&f.key, &aid),
                f.answers.accounts.iter().find(|a| a.id.to_string() == aid),
            )
        } else {
            (
                routes::claim_debit::to(&f.key, &lid),
                f.answers
                    .debit_lines()
                    .find(|(_, l)| l.id.to_string() == lid)
                    .map(|(a, _)| a),
            )
        };
        let Some(account) = account else {
            return view! { <p>{lang.t("not_found_text")}</p> }.into_any();
        };
        view! {
            <span class="caption">{account_label(lang, account, false)}</span>
            <h1>{lang.t("debit_title")}</h1>
            <form id="claim-form" method="post" action=action novalidate>
                <TextField name="date" label="debit_date" hint="date_hint" input_type="date" width="w-10" />
                <TextField name="amount" label="amount" hint="amount_hint" inputmode="numeric" autocomplete="off" width="w-10" />
                <TextField name="descriptor" label="descriptor" hint="descriptor_hint" width="w-20" />
                <TextField name="reference" label="wallet_ref" hint="wallet_ref_hint" width="w-20" />
                <button type="submit" class="button">
                    {lang.t("save_continue")}
                </button>
            </form>
<Check kind="debit" />
        }
            .into_any()
    };
    view! { <JourneyPage title="debit_title" section=Some(Section::Debits) prefill=debit_values body=body /> }
}

/// One line of a list page: its id, its cells (label key, text, a number?)
/// and how a screen reader names it ("2020-09-07 ¥550").
struct ListLine {
    id: uuid::Uuid,
    cells: Vec<(&'static str, String, bool)>,
    what: String,
}

/// The two list sections, and their addresses.
#[derive(Clone, Copy)]
enum ListKind {
    Calls,
    Travel,
}

impl ListKind {
    fn line(self, key: &str, id: Uuid) -> String {
        match self {
            ListKind::Calls => routes::claim_call::to(key, id),
            ListKind::Travel => routes::claim_journey::to(key, id),
        }
    }
    fn remove(self, key: &str, id: Uuid) -> String {
        match self {
            ListKind::Calls => routes::claim_call_remove::to(key, id),
            ListKind::Travel => routes::claim_journey_remove::to(key, id),
        }
    }
    fn add(self, key: &str) -> String {
        match self {
            ListKind::Calls => routes::claim_add_call::to(key),
            ListKind::Travel => routes::claim_add_journey::to(key),
        }
    }
    fn finish(self, key: &str) -> String {
        match self {
            ListKind::Calls => routes::claim_calls::to(key),
            ListKind::Travel => routes::claim_travel::to(key),
        }
    }
}

/// A list section (calls, journeys): its lines with change and remove, the
/// total, "add", and "I have finished this section".
#[component]
fn LineList(
    /// The draft's (or the claim's) key.
    key: String,
    list: ListKind,
    title: &'static str,
    lead: &'static str,
    add_label: &'static str,
    total_label: &'static str,
    total: i64,
    lines: Vec<ListLine>,
) -> impl IntoView {
    let lang = use_lang();
    let headers: Vec<(&'static str, bool)> = lines
        .first()
        .map(|l| l.cells.iter().map(|(k, _, n)| (*k, *n)).collect())
        .unwrap_or_default();
    view! {
        <h1>{lang.t(title)}</h1>
        <p class="lead">{lang.t(lead)}</p>
        {if lines.is_empty() {
            view! { <p class="hint">{lang.t("no_lines_yet")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=lang.t(title)>
                    <table class="table stack">
                        <thead>
                            <tr>
                                {headers
                                    .iter()
                                    .map(|(k, num)| view! { <th scope="col" class=num.then_some("num")>{lang.t(k)}</th> })
                                    .collect_view()}
                                <th scope="col">
                                    <span class="visually-hidden">{lang.t("actions")}</span>
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {lines
                                .into_iter()
                                .map(|l| {
                                    view! {
                                        <tr>
                                            {l
                                                .cells
                                                .into_iter()
                                                .map(|(k, text, num)| {
                                                    view! { <td data-label=lang.t(k) class=num.then_some("num")>{text}</td> }
                                                })
                                                .collect_view()}
                                            <td class="actions">
                                                <a href=list.line(&key, l.id)>
                                                    {lang.t("change")}
                                                    <span class="visually-hidden">{format!(" {}", l.what)}</span>
                                                </a>
                                                <PostButton
                                                    action=list.remove(&key, l.id)
                                                    text=lang.t("remove")
                                                    context=l.what.clone()
                                                />
                                            </td>
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
        <p class="total">{format!("{}: {}", lang.t(total_label), yen(lang, total))}</p>
        <p>
            <a class="button button-secondary" href=list.add(&key)>
                {lang.t(add_label)}
            </a>
        </p>
        <FinishForm action=list.finish(&key) />
    }
}

#[component]
pub fn CallsPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let lines = f
            .answers
            .calls
            .iter()
            .map(|l| ListLine {
                id: l.id,
                what: format!("{} {}", l.date, yen(lang, l.cost)),
                cells: vec![
                    ("call_date", l.date.to_string(), false),
                    ("callee", lang.t(&format!("callee_{}", l.callee)), false),
                    ("minutes", l.minutes.to_string(), true),
                    ("cost", yen(lang, l.cost), true),
                    (
                        "receipt_short",
                        if l.receipt {
                            lang.t("answer_yes")
                        } else {
                            lang.t("answer_no")
                        },
                        false,
                    ),
                ],
            })
            .collect();
        view! {
            <LineList
                key=f.key.clone()
                list=ListKind::Calls
                title="section_calls"
                lead="calls_lead"
                add_label="add_call"
                total_label="total_calls"
                total=f.totals.calls.value()
                lines=lines
            />
        }
        .into_any()
    };
    view! { <JourneyPage title="section_calls" section=Some(Section::Calls) prefill=no_prefill body=body /> }
}

fn call_values(f: &ClaimForm) -> Values {
    let lid = path_param("lid");
    f.answers
        .calls
        .iter()
        .find(|l| l.id.to_string() == lid)
        .map(|l| {
            values(&[
                ("date", l.date.to_string()),
                ("callee", l.callee.clone()),
                ("minutes", l.minutes.to_string()),
                ("cost", l.cost.to_string()),
                ("receipt", if l.receipt { "yes" } else { "" }.into()),
            ])
        })
        .unwrap_or_default()
}

#[component]
pub fn CallPage() -> impl IntoView {
    let lang = use_lang();
    let lid = path_param("lid");
    let body = move |f: ClaimForm| {
        let action = if lid.is_empty() {
            routes::claim_add_call::to(&f.key)
        } else {
            routes::claim_call::to(&f.key, &lid)
        };
        view! {
            <h1>{lang.t("call_title")}</h1>
            <form id="claim-form" method="post" action=action novalidate>
                <TextField name="date" label="call_date" hint="date_hint" input_type="date" width="w-10" />
                <SelectField name="callee" label="callee" options=choices(lang, &CALLEES, "callee") />
                <TextField name="minutes" label="minutes" inputmode="numeric" width="w-5" />
                <TextField name="cost" label="cost" hint="cost_hint" inputmode="numeric" width="w-10" />
                <Checkbox name="receipt" label="receipt_attached" />
                <button type="submit" class="button">
                    {lang.t("save_continue")}
                </button>
            </form>
<Check kind="call" />
        }
            .into_any()
    };
    view! { <JourneyPage title="call_title" section=Some(Section::Calls) prefill=call_values body=body /> }
}

#[component]
pub fn TravelListPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let lines = f
            .answers
            .travel
            .iter()
            .map(|l| ListLine {
                id: l.id,
                what: format!("{} {}", l.date, yen(lang, l.cost)),
                cells: vec![
                    ("travel_date", l.date.to_string(), false),
                    ("journey", format!("{} → {}", l.from, l.to), false),
                    ("means", lang.t(&format!("means_{}", l.means)), false),
                    ("purpose", l.purpose.clone(), false),
                    ("cost", yen(lang, l.cost), true),
                ],
            })
            .collect();
        view! {
            <LineList
                key=f.key.clone()
                list=ListKind::Travel
                title="section_travel"
                lead="travel_lead"
                add_label="add_journey"
                total_label="total_travel"
                total=f.totals.travel.value()
                lines=lines
            />
        }
        .into_any()
    };
    view! { <JourneyPage title="section_travel" section=Some(Section::Travel) prefill=no_prefill body=body /> }
}

fn travel_values(f: &ClaimForm) -> Values {
    let lid = path_param("lid");
    f.answers
        .travel
        .iter()
        .find(|l| l.id.to_string() == lid)
        .map(|l| {
            values(&[
                ("date", l.date.to_string()),
                ("from", l.from.clone()),
                ("to", l.to.clone()),
                ("means", l.means.clone()),
                ("purpose", l.purpose.clone()),
                ("cost", l.cost.to_string()),
            ])
        })
        .unwrap_or_default()
}

#[component]
pub fn JourneyLinePage() -> impl IntoView {
    let lang = use_lang();
    let lid = path_param("lid");
    let body = move |f: ClaimForm| {
        let action = if lid.is_empty() {
            routes::claim_add_journey::to(&f.key)
        } else {
            routes::claim_journey::to(&f.key, &lid)
        };
        view! {
            <h1>{lang.t("journey_title")}</h1>
            <form id="claim-form" method="post" action=action novalidate>
                <TextField name="date" label="travel_date" hint="date_hint" input_type="date" width="w-10" />
                <TextField name="from" label="travel_from" width="w-20" />
                <TextField name="to" label="travel_to" width="w-20" />
                <SelectField name="means" label="means" options=choices(lang, &MEANS, "means") />
                <TextField name="purpose" label="purpose" hint="purpose_hint" width="w-30" />
                <TextField name="cost" label="cost" hint="cost_hint" inputmode="numeric" width="w-10" />
                <button type="submit" class="button">
                    {lang.t("save_continue")}
                </button>
            </form>
<Check kind="travel" />
        }
            .into_any()
    };
    view! { <JourneyPage title="journey_title" section=Some(Section::Travel) prefill=travel_values body=body /> }
}

/// Every line of the claim as (id, label), for linking files to lines.
fn line_choices(lang: Lang, f: &ClaimForm) -> Vec<(Uuid, String)> {
    let debits = f.answers.debit_lines().map(|(a, l)| {
        (
            l.id,
            format!(
                "{} {} {} {}",
                lang.t("debit_n"),
                bank_display_name(&a.bank, &a.bank_name),
                l.date,
                yen(lang, l.amount)
            ),
        )
    });
    let calls = f.answers.calls.iter().map(|l| {
        (
            l.id,
            format!("{} {} {}", lang.t("call_n"), l.date, yen(lang, l.cost)),
        )
    });
    let travel = f.answers.travel.iter().map(|l| {
        (
            l.id,
            format!("{} {} {}", lang.t("journey_n"), l.date, yen(lang, l.cost)),
        )
    });
    debits.chain(calls).chain(travel).collect()
}

fn file_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The upload form (multipart; works without JavaScript; the island adds a
/// progress bar when JavaScript runs).
#[component]
pub fn UploadForm(
    action: String,
    /// The hint under the label (an i18n key).
    #[prop(default = "upload_hint")]
    hint: &'static str,
    /// What the file picker offers.
    #[prop(default = ".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/jpeg,image/png,image/heic")]
    accept: &'static str,
    #[prop(default = MAX_FILE_BYTES as u64)] max_bytes: u64,
) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field("file").map(|e| lang.t(&e.key));
    view! {
        <form method="post" action=action.clone() enctype="multipart/form-data" id="upload-form" novalidate>
            <div class=if error.is_some() { "field field-error" } else { "field" }>
                <label class="label" for="file">
                    {lang.t("upload_label")}
                </label>
                <p class="hint" id="file-hint">
                    {lang
                        .t(hint)
                        .replace("%{mb}", &(MAX_FILE_BYTES / 1024 / 1024).to_string())
                        .replace("%{count}", &MAX_FILES.to_string())}
                </p>
                {error
                    .clone()
                    .map(|e| {
                        view! {
                            <p class="error-message" id="file-error">
                                <span class="visually-hidden">{lang.t("error_prefix")}</span>
                                {e}
                            </p>
                        }
                    })}
                <input
                    class="file-upload"
                    id="file"
                    name="file"
                    type="file"
                    accept=accept
                    aria-describedby=if error.is_some() { "file-hint file-error" } else { "file-hint" }
                />
            </div>
            <button type="submit" class="button button-secondary">
                {lang.t("upload_button")}
            </button>
            <UploadProgress
                form_id="upload-form".to_owned()
                sending_text=lang.t("upload_sending")
                failed_text=lang.t("upload_failed")
                too_large_text=lang.t("file_too_large")
                max_bytes=max_bytes
            />
        </form>
    }
}

/// One uploaded file: download link, the lines it supports, remove.
#[component]
fn FileCard(
    /// The draft's (or the claim's) key.
    key: String,
    file: crate::api::claimant::FileView,
    lines: Vec<(Uuid, String)>,
    editable: bool,
) -> impl IntoView {
    let lang = use_lang();
    let links = file.links.clone();
    view! {
        <section class="file-card">
            <h3>
                <a href=routes::file::to(file.id) download="">
                    {file.name.clone()}
                </a>
                <span class="hint">{format!(" ({}, {})", file.kind.to_uppercase(), file_size(file.size))}</span>
            </h3>
            {if editable && !lines.is_empty() {
                view! {
                    <form method="post" action=routes::claim_file_links::to(&key, file.id)>
                        <fieldset class="fieldset">
                            <legend class="legend-s">{lang.t("links_legend")}</legend>
                            {lines
                                .iter()
                                .map(|(id, label)| {
                                    let field = format!("link_{}_{}", file.id.simple(), id.simple());
                                    view! {
                                        <div class="checkbox">
                                            <input
                                                id=field.clone()
                                                name=format!("line_{id}")
                                                type="checkbox"
                                                value="yes"
                                                checked=links.contains(id)
                                            />
                                            <label for=field>{label.clone()}</label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </fieldset>
                        <button type="submit" class="button button-secondary">
                            {lang.t("save_links")}
                        </button>
                    </form>
                    <PostButton
                        action=routes::claim_file_remove::to(&key, file.id)
                        text=lang.t("remove_file")
                        context=file.name.clone()
                    />
                }
                    .into_any()
            } else {
                let linked: Vec<String> = lines
                    .iter()
                    .filter(|(id, _)| links.contains(id))
                    .map(|(_, l)| l.clone())
                    .collect();
                view! {
                    <p class="hint">
                        {if linked.is_empty() { String::new() } else { format!("{}: {}", lang.t("links_legend"), linked.join(" / ")) }}
                    </p>
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
pub fn EvidencePage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let lines = line_choices(lang, &f);
        view! {
            <h1>{lang.t("section_evidence")}</h1>
            <p class="lead">{lang.t("evidence_lead")}</p>
            <UploadForm action=routes::claim_evidence::to(&f.key) />
            <h2>{format!("{} ({}/{})", lang.t("files_title"), f.files.len(), MAX_FILES)}</h2>
            {if f.files.is_empty() {
                view! { <p class="hint">{lang.t("no_files_yet")}</p> }.into_any()
            } else {
                f.files
                    .iter()
                    .map(|file| {
                        view! { <FileCard key=f.key.clone() file=file.clone() lines=lines.clone() editable=true /> }
                    })
                    .collect_view()
                    .into_any()
            }}
            <FinishForm action=routes::claim_evidence_done::to(&f.key) />
        }
            .into_any()
    };
    view! { <JourneyPage title="section_evidence" section=Some(Section::Evidence) prefill=no_prefill body=body /> }
}

fn payout_values(f: &ClaimForm) -> Values {
    match &f.answers.payout {
        Some(Payout::Debited { account_id }) => {
            values(&[("choice", format!("account-{account_id}"))])
        }
        Some(Payout::Other {
            bank,
            branch,
            account_type,
            number,
            holder_kana,
            passbook,
            ..
        }) => {
            let (symbol, passbook_number) = passbook
                .as_deref()
                .and_then(|p| p.split_once('-'))
                .unwrap_or_default();
            values(&[
                ("choice", "other".into()),
                ("bank", bank.clone()),
                ("branch", branch.clone()),
                ("account_type", account_type.clone()),
                ("account_number", number.clone()),
                ("holder_kana", holder_kana.clone()),
                ("yucho_symbol", symbol.to_owned()),
                ("yucho_number", passbook_number.to_owned()),
            ])
        }
        None => Values::new(),
    }
}

#[component]
pub fn PayoutPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let mut options: Vec<(String, String)> = f
            .answers
            .accounts
            .iter()
            .map(|a| (format!("account-{}", a.id), account_label(lang, a, true)))
            .collect();
        options.push(("other".to_owned(), lang.t("payout_other")));
        view! {
            <h1>{lang.t("section_payout")}</h1>
            <p class="lead">{lang.t("payout_lead")}</p>
            <form id="claim-form" method="post" action=routes::claim_payout::to(&f.key) novalidate>
                <Radios name="choice" legend="payout_question" options=options />
                <fieldset class="fieldset">
                    <legend class="legend">{lang.t("payout_other_legend")}</legend>
                    <AccountFields banks=Vec::new() bank_as_text=true />
                    <TextField name="holder_kana" label="holder_kana" hint="name_kana_hint" width="w-30" />
                </fieldset>
                <button type="submit" class="button">
                    {lang.t("save_continue")}
                </button>
            </form>
<Check kind="payout" />
        }
            .into_any()
    };
    view! { <JourneyPage title="section_payout" section=Some(Section::Payout) prefill=payout_values body=body /> }
}

/// One row of a summary list: the question, the answer, a change link.
#[component]
fn Row(label: String, value: String, change: Option<String>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div>
            <dt>{label.clone()}</dt>
            <dd>{value}</dd>
            <dd class="actions">
                {change
                    .map(|href| {
                        view! {
                            <a href=href>
                                {lang.t("change")}
                                <span class="visually-hidden">{format!(" {label}")}</span>
                            </a>
                        }
                    })}
            </dd>
        </div>
    }
}

/// Every answer of a claim, with change links where the section is open.
#[component]
pub fn AnswersSummary(form: ClaimForm) -> impl IntoView {
    let lang = use_lang();
    let base = form.base();
    let open = |s: Section| form.may_change(s);
    let link = |s: Section, path: String| open(s).then(|| format!("{base}/{path}"));
    let a = form.answers.clone();
    let about_rows = a.about.clone().map(|p| {
        let l = |k: &str| lang.t(k);
        let ch = || link(Section::About, "about".into());
        vec![
            (l("full_name"), p.full_name.clone(), ch()),
            (l("name_kana"), p.name_kana.clone(), ch()),
            (l("birth_date"), p.birth_date.to_string(), ch()),
            (
                l("address"),
                format!("〒{} {}", p.postal_code, p.address),
                ch(),
            ),
            (
                l("phone"),
                crate::domain::contact::format_phone(&p.phone),
                ch(),
            ),
            (
                l("preferred_lang"),
                if p.lang == "en" {
                    "English".into()
                } else {
                    "日本語".into()
                },
                ch(),
            ),
            (
                l("preferred_contact"),
                l(&format!("contact_{}", p.contact)),
                ch(),
            ),
            (
                l("compensated_question"),
                if p.compensated {
                    format!(
                        "{} {} ({})",
                        l("answer_yes"),
                        yen(lang, p.compensated_amount.unwrap_or(0)),
                        p.compensated_by.clone().unwrap_or_default()
                    )
                } else {
                    l("answer_no")
                },
                ch(),
            ),
            (
                l("police_title"),
                match (&p.police_number, p.police_date) {
                    (Some(n), Some(d)) => format!("{n} ({d})"),
                    (Some(n), None) => n.clone(),
                    _ => l("none"),
                },
                ch(),
            ),
        ]
    });
    let payout = a.payout_account().map(|p| {
        format!(
            "{} {} {} {} {}",
            bank_display_name(&p.bank, &p.bank_name),
            p.branch_name,
            lang.t(&format!("account_{}", p.account_type)),
            mask_account(&p.number),
            p.holder_kana
        )
    });
    let rows = |list: Vec<(String, String, Option<String>)>| {
        list.into_iter()
            .map(|(label, value, change)| view! { <Row label value change /> })
            .collect_view()
    };
    let debit_rows: Vec<(String, String, Option<String>)> = a
        .accounts
        .iter()
        .flat_map(|acc| {
            let head = (
                lang.t("account_title"),
                account_label(lang, acc, false),
                link(Section::Debits, format!("accounts/{}", acc.id)),
            );
            std::iter::once(head).chain(acc.lines.iter().map(|l| {
                (
                    format!("{} {}", lang.t("debit_n"), l.date),
                    format!(
                        "{} {}{}",
                        yen(lang, l.amount),
                        l.descriptor,
                        l.reference
                            .as_ref()
                            .map(|r| format!(" ({r})"))
                            .unwrap_or_default()
                    ),
                    link(Section::Debits, format!("debits/{}", l.id)),
                )
            }))
        })
        .collect();
    let call_rows: Vec<(String, String, Option<String>)> = a
        .calls
        .iter()
        .map(|l| {
            (
                format!("{} {}", lang.t("call_n"), l.date),
                format!(
                    "{} {}{} {}",
                    lang.t(&format!("callee_{}", l.callee)),
                    l.minutes,
                    lang.t("minutes_unit"),
                    yen(lang, l.cost)
                ),
                link(Section::Calls, format!("calls/{}", l.id)),
            )
        })
        .collect();
    let travel_rows: Vec<(String, String, Option<String>)> = a
        .travel
        .iter()
        .map(|l| {
            (
                format!("{} {}", lang.t("journey_n"), l.date),
                format!(
                    "{} → {} ({}) {} {}",
                    l.from,
                    l.to,
                    lang.t(&format!("means_{}", l.means)),
                    l.purpose,
                    yen(lang, l.cost)
                ),
                link(Section::Travel, format!("travel/{}", l.id)),
            )
        })
        .collect();
    let file_rows: Vec<(String, String, Option<String>)> = form
        .files
        .iter()
        .map(|f| {
            (
                lang.t("file"),
                format!("{} ({})", f.name, file_size(f.size)),
                link(Section::Evidence, "evidence".into()),
            )
        })
        .collect();
    let none =
        |s: Section, path: &str| vec![(lang.t("none"), String::new(), link(s, path.to_owned()))];
    view! {
        <h2>{lang.t("section_about")}</h2>
        <dl class="summary-list">{rows(about_rows.unwrap_or_else(|| none(Section::About, "about")))}</dl>
        <h2>{lang.t("section_debits")}</h2>
        <dl class="summary-list">{rows(if debit_rows.is_empty() { none(Section::Debits, "debits") } else { debit_rows })}</dl>
        <h2>{lang.t("section_calls")}</h2>
        <dl class="summary-list">{rows(if call_rows.is_empty() { none(Section::Calls, "calls") } else { call_rows })}</dl>
        <h2>{lang.t("section_travel")}</h2>
        <dl class="summary-list">{rows(if travel_rows.is_empty() { none(Section::Travel, "travel") } else { travel_rows })}</dl>
        <h2>{lang.t("section_evidence")}</h2>
        <dl class="summary-list">{rows(if file_rows.is_empty() { none(Section::Evidence, "evidence") } else { file_rows })}</dl>
        <h2>{lang.t("section_payout")}</h2>
        <dl class="summary-list">
            {rows(vec![(lang.t("payout_account"), payout.unwrap_or_else(|| lang.t("none")), link(Section::Payout, "payout".into()))])}
        </dl>
        <h2>{lang.t("totals_title")}</h2>
        <Totals form=form.clone() />
    }
}

#[component]
pub fn CheckPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let ready = f
            .tasks
            .iter()
            .all(|(s, p)| *s == Section::Declaration || *p == Progress::Completed);
        let banks: Vec<String> = {
            let mut names: Vec<String> = f
                .answers
                .accounts
                .iter()
                .map(|a| bank_display_name(&a.bank, &a.bank_name))
                .collect();
            names.dedup();
            names
        };
        view! {
            <h1>{lang.t("check_title")}</h1>
            <AnswersSummary form=f.clone() />
            {if ready {
                view! {
                    <h2>{lang.t("declaration_title")}</h2>
                    <form id="claim-form" method="post" action=routes::claim_check::to(&f.key) novalidate>
                        // A total sent by the browser is never read: the server adds up.
                        <Checkbox name="declare_true" label="declaration_text" />
                        <Checkbox name="declare_share" label="consent_share_text" />
                        <p class="hint">{format!("{}: {}", lang.t("consent_banks"), banks.join("、"))}</p>
                        <button id="send" type="submit" class="button">
                            {lang.t("submit_claim")}
                        </button>
                    </form>
<Check kind="declaration" />
                }
                    .into_any()
            } else {
                view! {
                    <p>{lang.t("check_not_ready")}</p>
                    <p>
                        <a href=f.base()>{lang.t("back_to_tasks")}</a>
                    </p>
                }
                    .into_any()
            }}
        }
            .into_any()
    };
    view! { <JourneyPage title="check_title" section=Some(Section::Declaration) prefill=no_prefill body=body /> }
}

/// Answering a request for information: the question, the sections that
/// may be changed, files, and the reply.
#[component]
pub fn ReplyPage() -> impl IntoView {
    let lang = use_lang();
    let body = move |f: ClaimForm| {
        let base = f.base();
        let Some(request) = f.request.clone() else {
            return view! {
                <h1>{lang.t("reply_title")}</h1>
                <p>{lang.t("no_open_request")}</p>
                <p>
                    <a href=base>{lang.t("back_to_claim")}</a>
                </p>
            }
            .into_any();
        };
        let lines = line_choices(lang, &f);
        let fresh: Vec<_> = f.files.iter().filter(|x| x.fresh).cloned().collect();
        view! {
            <h1>{format!("{} {}", lang.t("reply_title"), f.key)}</h1>
            <div class="inset">
                <h2>{format!("{} ({})", lang.t("request_from_staff"), request.asked_on)}</h2>
                <p class="pre-line">{request.question.clone()}</p>
            </div>
            {(!request.sections.is_empty())
                .then(|| {
                    view! {
                        <h2>{lang.t("reply_sections")}</h2>
                        <ul class="list-bullet">
                            {request
                                .sections
                                .iter()
                                .map(|s| {
                                    view! {
                                        <li>
                                            <a href=format!("{base}/{}", section_path(*s))>
                                                {lang.t(&format!("section_{}", s.as_str()))}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <h2>{lang.t("reply_files")}</h2>
            <UploadForm action=routes::claim_evidence::to(&f.key) />
            {fresh
                .into_iter()
                .map(|file| view! { <FileCard key=f.key.clone() file=file lines=lines.clone() editable=true /> })
                .collect_view()}
            <h2>{lang.t("reply_answer")}</h2>
            <form id="claim-form" method="post" action=routes::claim_reply::to(&f.key) novalidate>
                <TextArea name="reply" label="reply_label" hint="reply_hint" />
                <button id="send-reply" type="submit" class="button">
                    {lang.t("reply_send")}
                </button>
            </form>
<Check kind="reply" />
        }
            .into_any()
    };
    view! { <JourneyPage title="reply_title" section=None prefill=no_prefill body=body /> }
}
