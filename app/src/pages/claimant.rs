//! The claimant's pages: their claims, the claim form, one claim.

use crate::routes;
use leptos::prelude::*;

use super::{ClaimDetailView, path_param, query_param};
use crate::api::claimant::{ClaimDetail, my_claim, my_claims};
use crate::components::{
    ErrorPage, ErrorSummary, Layout, Notice, TextArea, state_label, use_lang, yen,
};
use crate::domain::CaseRef;

#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let lang = use_lang();
    // Read once (see `reports::DashboardPage`).
    let claims = OnceResource::new(my_claims());
    view! {
        <Layout title="my_claims_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match claims.await {
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        Ok(rows) => {
                            view! {
                                <h1>{lang.t("my_claims_title")}</h1>
                                <p>
                                    <a class="button" href=routes::claim_new::to()>
                                        {lang.t("home_start")}
                                    </a>
                                </p>
                                <super::journey::DraftList />
                                <h2>{lang.t("my_claims_sent_title")}</h2>
                                {if rows.is_empty() {
                                    view! { <p>{lang.t("no_claims")}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="claim-list">
                                            {rows
                                                .into_iter()
                                                .map(|c| {
                                                    view! {
                                                        <li>
                                                            <a href=format!("/claims/{}", c.reference) class="reference">
                                                                {c.reference.clone()}
                                                            </a>
                                                            <span class="tag">{state_label(lang, &c.state)}</span>
                                                            <span>
                                                                {format!("{} {}", lang.t("total_claimed"), yen(lang, c.total))}
                                                            </span>
                                                            {c
                                                                .paid
                                                                .map(|p| {
                                                                    view! {
                                                                        <span>
                                                                            <strong>
                                                                                {format!("{} {}", lang.t("compensation_paid_total"), yen(lang, p))}
                                                                            </strong>
                                                                        </span>
                                                                    }
                                                                })}
                                                            <span>
                                                                {format!("{} {}", lang.t("last_change"), c.last_change_on)}
                                                            </span>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }}
                                // The account's protection after the claims.
                                <MyMfa />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// A claimant may protect their account with a two-step login.
#[component]
fn MyMfa() -> impl IntoView {
    // Read once: Suspense runs its children more than once while it renders.
    let mfa = OnceResource::new(crate::api::mfa::my_mfa());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                mfa.await.ok().map(|(on, left)| {
                    view! { <super::account::MfaSection on=on left=left staff=false /> }
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn ClaimPage() -> impl IntoView {
    let reference = path_param("key");
    // A draft is addressed by its id: its page is the task list.
    if CaseRef::parse(&reference).is_err() {
        return view! { <super::journey::TaskListPage /> }.into_any();
    }
    let sent = query_param("sent").is_some();
    let withdrawn = query_param("withdrawn").is_some();
    let replied = query_param("replied").is_some();
    // Read once (see `reports::DashboardPage`).
    let claim = OnceResource::new(my_claim(reference));
    view! {
        <Layout title="claim_title">
            <Suspense fallback=|| ()>
                {move || {
                    Suspend::new(async move {
                        match claim.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => view! { <ClaimForClaimant claim sent withdrawn replied /> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Layout>
    }
    .into_any()
}

#[component]
fn ClaimForClaimant(
    claim: ClaimDetail,
    sent: bool,
    withdrawn: bool,
    replied: bool,
) -> impl IntoView {
    let lang = use_lang();
    let reference = claim.reference.clone();
    let timeline = claim.timeline.clone();
    let can_withdraw = claim.can_withdraw;
    view! {
        <crate::components::ErrorSummary />
        {withdrawn.then(|| view! { <Notice key="withdrawn_notice" /> })}
        {query_param("appealed").map(|_| view! { <Notice key="appealed_notice" /> })}
        {replied.then(|| view! { <Notice key="replied_notice" /> })}
        {sent
            .then(|| {
                view! {
                    <div class="panel-confirm">
                        <h1>{lang.t("claim_sent_title")}</h1>
                        <p>
                            {lang.t("claim_sent_ref")}
                            <br />
                            <strong class="reference">{reference.clone()}</strong>
                        </p>
                    </div>
                    <p>{lang.t("claim_sent_next")}</p>
                }
            })}
        {(!sent).then(|| view! { <h1>{format!("{} {}", lang.t("claim_title"), reference)}</h1> })}
        {claim
            .request
            .clone()
            .map(|r| {
                view! {
                    <div class="inset request-box">
                        <h2>{format!("{} ({})", lang.t("request_from_staff"), r.asked_on)}</h2>
                        <p class="pre-line">{r.question}</p>
                        <p>
                            <a class="button" href=routes::claim_reply::to(&reference)>
                                {lang.t("reply_link")}
                            </a>
                        </p>
                    </div>
                }
            })}
        {claim
            .rejection
            .clone()
            .map(|r| {
                view! {
                    <div class="inset rejection-box">
                        <h2>{lang.t("rejected_title")}</h2>
                        <p>{lang.t(&r.reason_key)}</p>
                        <p class="pre-line">{r.explanation}</p>
                        {if r.can_appeal {
                            view! {
                                <p>{lang.t("appeal_how").replace("%{date}", &r.appeal_until)}</p>
                                <form method="post" action=routes::claim_appeal::to(&reference) novalidate>
                                    <crate::components::TextArea name="appeal_text" label="appeal_text" />
                                    <button type="submit" class="button">{lang.t("appeal_send")}</button>
                                </form>
                            }
                                .into_any()
                        } else {
                            view! { <p>{lang.t("appeal_closed")}</p> }.into_any()
                        }}
                    </div>
                }
            })}
        {(claim.state == "payout_failed")
            .then(|| {
                view! {
                    <div class="inset request-box">
                        <h2>{lang.t("payout_failed_title")}</h2>
                        <p>{lang.t("payout_failed_lead")}</p>
                        <p>
                            <a class="button" href=routes::claim_payout_account::to(&reference)>
                                {lang.t("payout_change_link")}
                            </a>
                        </p>
                    </div>
                }
            })}
        {query_param("account_changed").map(|_| view! { <Notice key="payout_changed_notice" /> })}
        <Compensation claim=claim.clone() />
        <ClaimDetailView claim=claim />
        <h2>{lang.t("timeline_title")}</h2>
        <ol class="timeline">
            {timeline
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <span class="timeline-date">{e.on}</span>
                            {lang.t(&format!("event_{}", e.action))}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {can_withdraw
            .then(|| {
                view! {
                    <h2>{lang.t("withdraw_title")}</h2>
                    <p>
                        <a href=routes::claim_withdraw::to(&reference)>{lang.t("withdraw_link")}</a>
                    </p>
                }
            })}
    }
}

/// Once approved: what was approved, what was paid, when and where to
/// (the account masked), and why any line was approved for less.
#[component]
fn Compensation(claim: ClaimDetail) -> impl IntoView {
    let lang = use_lang();
    let approved = claim.approved_total?;
    let reduced: Vec<(String, i64, Option<i64>, String)> = claim
        .lines
        .iter()
        .filter_map(|l| {
            l.approved_note.clone().map(|n| {
                (
                    format!("{} {}", l.date, l.descriptor),
                    l.amount,
                    l.approved,
                    n,
                )
            })
        })
        .chain(claim.calls.iter().chain(&claim.travel).filter_map(|e| {
            e.approved_note.clone().map(|n| {
                (
                    format!("{} {}", e.date, lang.t(&e.kind_key)),
                    e.amount,
                    e.approved,
                    n,
                )
            })
        }))
        .collect();
    Some(view! {
        <h2>{lang.t("compensation_title")}</h2>
        <dl class="summary-list compensation">
            <div>
                <dt>{lang.t("total_claimed")}</dt>
                <dd>{yen(lang, claim.total)}</dd>
            </div>
            <div>
                <dt>{lang.t("compensation_approved")}</dt>
                <dd>{yen(lang, approved)}</dd>
            </div>
            {claim
                .payments
                .into_iter()
                .map(|p| {
                    let when = match p.status.as_str() {
                        "paid" => lang
                            .t("compensation_paid_on")
                            .replace("%{date}", p.paid_on.as_deref().unwrap_or(&p.transfer_date)),
                        "failed" => lang.t("compensation_failed").to_owned(),
                        _ => lang.t("compensation_scheduled_on").replace("%{date}", &p.transfer_date),
                    };
                    view! {
                        <div>
                            <dt>{lang.t("compensation_transfer")}</dt>
                            <dd>
                                <strong>{yen(lang, p.amount)}</strong>
                                " "
                                {when}
                                <br />
                                {format!(
                                    "{} {} {} {}",
                                    lang.t("compensation_to"),
                                    p.to_bank,
                                    lang.t(&p.account_type),
                                    p.account,
                                )}
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        {(!reduced.is_empty())
            .then(|| {
                view! {
                    <h3>{lang.t("compensation_reduced_title")}</h3>
                    <ul class="list-bullet reductions">
                        {reduced
                            .into_iter()
                            .map(|(what, claimed, approved, why)| {
                                view! {
                                    <li>
                                        {format!(
                                            "{what}: {} → {}. ",
                                            yen(lang, claimed),
                                            approved.map(|a| yen(lang, a)).unwrap_or_default(),
                                        )}
                                        {why}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            })}
    })
}

/// Asks before withdrawing: the claimant cannot undo it.
#[component]
pub fn WithdrawPage() -> impl IntoView {
    let lang = use_lang();
    let reference = path_param("reference");
    // Read once (see `reports::DashboardPage`).
    let claim = OnceResource::new(my_claim(reference));
    view! {
        <Layout title="withdraw_title">
            <Suspense fallback=|| ()>
                {move || {
                    Suspend::new(async move {
                        match claim.await {
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            Ok(claim) => {
                                view! {
                                    <ErrorSummary />
                                    <h1>{format!("{} {}", lang.t("withdraw_title"), claim.reference)}</h1>
                                    <div class="warning-text">
                                        <strong>{lang.t("withdraw_warning")}</strong>
                                    </div>
                                    <form method="post" action=routes::claim_withdraw::to(&claim.reference) novalidate>
                                        <TextArea name="reason" label="withdraw_reason" hint="withdraw_reason_hint" />
                                        <button type="submit" class="button button-warning">
                                            {lang.t("withdraw_button")}
                                        </button>
                                    </form>
                                    <p>
                                        <a href=format!("/claims/{}", claim.reference)>{lang.t("withdraw_cancel")}</a>
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

/// After a failed transfer: the claimant gives another account.
#[component]
pub fn PayoutAccountPage() -> impl IntoView {
    let lang = use_lang();
    let reference = path_param("reference");
    view! {
        <Layout title="payout_change_title">
            <crate::components::ErrorSummary />
            <h1>{lang.t("payout_change_title")}</h1>
            <p class="lead">{lang.t("payout_change_lead")}</p>
            <form method="post" action=routes::claim_payout_account::to(&reference) novalidate>
                <crate::pages::journey::AccountFields banks=Vec::new() bank_as_text=true />
                <crate::components::TextField name="holder_kana" label="holder_kana" hint="name_kana_hint" width="w-30" />
                <button type="submit" class="button">{lang.t("payout_change_send")}</button>
            </form>
        </Layout>
    }
}
