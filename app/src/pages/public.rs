//! Pages anyone may read.

use crate::routes;
use leptos::prelude::*;

use crate::components::{ErrorSummary, Layout, TextField, use_form, use_lang};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="home_title">
            <h1>{lang.t("home_title")}</h1>
            <p class="lead">{lang.t("home_lead")}</p>
            <h2>{lang.t("home_steps_title")}</h2>
            <ol class="steps">
                <li>{lang.t("home_step1")}</li>
                <li>{lang.t("home_step2")}</li>
                <li>{lang.t("home_step3")}</li>
            </ol>
            <p>
                <a class="button button-start" href=routes::claim_new::to()>
                    {lang.t("home_start")}
                </a>
            </p>
            <p>
                {lang.t("home_have_account")}
                " "
                <a href=routes::login::to()>{lang.t("nav_login")}</a>
            </p>
        </Layout>
    }
}

#[component]
pub fn GenuinePage() -> impl IntoView {
    let lang = use_lang();
    let message = use_form().message;
    view! {
        <Layout title="genuine_title">
            <ErrorSummary />
            <h1>{lang.t("genuine_title")}</h1>
            <p>{lang.t("genuine_never_intro")}</p>
            <ul class="never-list">
                <li>{lang.t("never_item_pin")}</li>
                <li>{lang.t("never_item_password")}</li>
                <li>{lang.t("never_item_card")}</li>
                <li>{lang.t("never_item_payment")}</li>
            </ul>
            <p>{lang.t("genuine_body1")}</p>
            <p>{lang.t("genuine_body2")}</p>
            <h2>{lang.t("genuine_check_title")}</h2>
            {message.map(|m| view! { <div class="notice" role="status"><p>{m}</p></div> })}
            <form method="post" action=routes::genuine::to() novalidate>
                <TextField name="reference" label="reference" hint="genuine_reference_hint" width="w-10" autocomplete="off" />
                <TextField
                    name="phone_last4"
                    label="genuine_phone_last4"
                    inputmode="numeric"
                    width="w-10"
                    autocomplete="off"
                />
                <button type="submit" class="button">
                    {lang.t("genuine_check_button")}
                </button>
            </form>
        </Layout>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Layout title="not_found_title">
            <h1>{lang.t("not_found_title")}</h1>
            <p>{lang.t("not_found_body")}</p>
            <crate::components::RequestCode />
        </Layout>
    }
}

/// The REST API for bank systems, from its OpenAPI document: what each
/// endpoint takes and answers, and every schema. Readable without
/// JavaScript; the raw document is linked for tools.
#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Layout title="api_docs_title">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let doc = crate::api::common::load_api_description().await.unwrap_or_default();
                    view! {
                        <h1>{lang.t("api_docs_title")}</h1>
                        <p class="lead">{lang.t("api_docs_intro")}</p>
                        <p>
                            <a href=routes::api_openapi::to()>{lang.t("api_docs_json")}</a>
                        </p>
                        <h2>{format!("{} ({} {})", doc.title, lang.t("api_docs_version"), doc.version)}</h2>
                        <p class="api-description">{with_code(&doc.description)}</p>
                        <h2>{lang.t("api_docs_endpoints")}</h2>
                        {doc
                            .endpoints
                            .iter()
                            .map(|e| {
                                let heading = format!("{} {}", e.method, e.path);
                                view! {
                                    <section class="api-endpoint" aria-label=heading.clone()>
                                        <h3>
                                            <code>{heading.clone()}</code>
                                        </h3>
                                        <p>{with_code(&e.summary)}</p>
                                        {(!e.description.is_empty()).then(|| view! { <p>{with_code(&e.description)}</p> })}
                                        {(!e.params.is_empty())
                                            .then(|| {
                                                view! {
                                                    <FieldTable caption=format!("{}: {heading}", lang.t("api_docs_parameters")) fields=e.params.clone() />
                                                }
                                            })}
                                        {e
                                            .body
                                            .clone()
                                            .map(|b| {
                                                view! {
                                                    <p>
                                                        {format!("{}: ", lang.t("api_docs_body"))}
                                                        <a href=format!("#schema-{}", slug(&b))>
                                                            <code>{b.clone()}</code>
                                                        </a>
                                                    </p>
                                                }
                                            })}
                                        <h4>{lang.t("api_docs_responses")}</h4>
                                        <ul class="list-bullet">
                                            {e
                                                .responses
                                                .iter()
                                                .map(|(status, text, schema)| {
                                                    let shown = if schema.is_empty() {
                                                        String::new()
                                                    } else {
                                                        format!(" ({schema})")
                                                    };
                                                    view! {
                                                        <li>
                                                            <code>{status.clone()}</code>
                                                            {format!(" {text}{shown}")}
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </section>
                                }
                            })
                            .collect_view()}
                        <h2>{lang.t("api_docs_schemas")}</h2>
                        {doc
                            .schemas
                            .iter()
                            .map(|s| {
                                view! {
                                    <section class="api-schema" aria-label=s.name.clone()>
                                        <h3 id=format!("schema-{}", slug(&s.name))>
                                            <code>{s.name.clone()}</code>
                                        </h3>
                                        {(!s.description.is_empty()).then(|| view! { <p>{with_code(&s.description)}</p> })}
                                        {if s.fields.is_empty() {
                                            view! { <p>{s.kind.clone()}</p> }.into_any()
                                        } else {
                                            view! { <FieldTable caption=s.name.clone() fields=s.fields.clone() /> }.into_any()
                                        }}
                                    </section>
                                }
                            })
                            .collect_view()}
                    }
                })}
            </Suspense>
        </Layout>
    }
}

/// Text with `code` spans, as the API's doc comments write them.
fn with_code(text: &str) -> impl IntoView + use<> {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                view! { <code>{part.to_owned()}</code> }.into_any()
            } else {
                part.to_owned().into_any()
            }
        })
        .collect_view()
}

/// An anchor for a schema name: letters, digits and dashes.
fn slug(name: &str) -> String {
    let base = name.split(' ').next().unwrap_or(name);
    base.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// Parameters or fields: name, type, required, description.
#[component]
fn FieldTable(caption: String, fields: Vec<crate::api::common::FieldDoc>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=caption.clone()>
            <table class="table">
                <caption class="visually-hidden">{caption.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{lang.t("api_docs_field")}</th>
                        <th scope="col">{lang.t("api_docs_type")}</th>
                        <th scope="col">{lang.t("api_docs_required")}</th>
                        <th scope="col">{lang.t("api_docs_description")}</th>
                    </tr>
                </thead>
                <tbody>
                    {fields
                        .into_iter()
                        .map(|f| {
                            view! {
                                <tr>
                                    <td>
                                        <code>{f.name}</code>
                                    </td>
                                    <td>{f.kind}</td>
                                    <td>{lang.t(if f.required { "answer_yes" } else { "answer_no" })}</td>
                                    <td>{with_code(&f.description)}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
