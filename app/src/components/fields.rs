//! Form fields in the GOV.UK pattern: label, hint, error message, input, all
//! tied together for screen readers.

use leptos::prelude::*;

use super::{use_form, use_lang};

/// The list of every problem, at the top of the page, each a link to its field.
#[component]
pub fn ErrorSummary() -> impl IntoView {
    let form = use_form();
    let lang = use_lang();
    (!form.errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 id="error-summary-title">{lang.t("error_summary_title")}</h2>
                <ul>
                    {form
                        .errors
                        .0
                        .iter()
                        .map(|e| {
                            view! {
                                <li>
                                    <a href=format!("#{}", e.field)>{lang.t(&e.key)}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

fn describe(name: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{name}-hint"));
    }
    if error {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
fn FieldError(name: String, key: Option<String>) -> impl IntoView {
    let lang = use_lang();
    key.map(|k| {
        view! {
            <p class="error-message" id=format!("{name}-error")>
                <span class="visually-hidden">{lang.t("error_prefix")}</span>
                {lang.t(&k)}
            </p>
        }
    })
}

/// The frame of one field: label, hint and error message above the control,
/// tied to it by id for screen readers.
#[component]
fn Labelled(
    name: String,
    label: String,
    hint: Option<String>,
    error: Option<String>,
    children: Children,
) -> impl IntoView {
    let lang = use_lang();
    let class = if error.is_some() {
        "field field-error"
    } else {
        "field"
    };
    view! {
        <div class=class>
            <label class="label" for=name.clone()>
                {lang.t(&label)}
            </label>
            {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{lang.t(&h)}</p> })}
            <FieldError name=name.clone() key=error />
            {children()}
        </div>
    }
}

/// A labelled text input. `label` and `hint` are i18n keys.
#[component]
pub fn TextField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(default = "")] width: &'static str,
    #[prop(optional, into)] value: Option<String>,
) -> impl IntoView {
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let value = value.unwrap_or_else(|| {
        if input_type == "password" {
            String::new()
        } else {
            form.value(&name)
        }
    });
    let has_error = error.is_some();
    view! {
        <Labelled name=name.clone() label hint=hint.clone() error>
            <input
                class=format!("input {width}")
                id=name.clone()
                name=name.clone()
                type=input_type
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                spellcheck=(input_type != "password").then_some("false")
                aria-invalid=has_error.then_some("true")
                aria-describedby=describe(&name, hint.is_some(), has_error)
            />
        </Labelled>
    }
}

/// A labelled select; `options` are (value, text) pairs, text already translated.
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let current = form.value(&name);
    let has_error = error.is_some();
    view! {
        <Labelled name=name.clone() label hint=hint.clone() error>
            <select
                class="select"
                id=name.clone()
                name=name.clone()
                aria-invalid=has_error.then_some("true")
                aria-describedby=describe(&name, hint.is_some(), has_error)
            >
                <option value="">{lang.t("choose")}</option>
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == current;
                        view! {
                            <option value=v selected=selected>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </Labelled>
    }
}

/// A single checkbox with its label (the declaration).
#[component]
pub fn Checkbox(#[prop(into)] name: String, #[prop(into)] label: String) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let checked = form.value(&name) == "yes";
    let has_error = error.is_some();
    view! {
        <div class=if has_error { "field field-error" } else { "field" }>
            <FieldError name=name.clone() key=error />
            <div class="checkbox">
                <input
                    id=name.clone()
                    name=name.clone()
                    type="checkbox"
                    value="yes"
                    checked=checked
                    aria-invalid=has_error.then_some("true")
                    aria-describedby=has_error.then(|| format!("{name}-error"))
                />
                <label for=name.clone()>{lang.t(&label)}</label>
            </div>
        </div>
    }
}

/// A labelled multi-line text field.
#[component]
pub fn TextArea(
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let has_error = error.is_some();
    view! {
        <Labelled name=name.clone() label hint=hint.clone() error>
            <textarea
                class="textarea"
                id=name.clone()
                name=name.clone()
                rows="5"
                aria-invalid=has_error.then_some("true")
                aria-describedby=describe(&name, hint.is_some(), has_error)
            >
                {form.value(&name)}
            </textarea>
        </Labelled>
    }
}

/// A question answered by one of a few choices (GOV.UK radios): a fieldset
/// whose legend is the question. `options` are (value, text), text translated.
#[component]
pub fn Radios(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let current = form.value(&name);
    let has_error = error.is_some();
    let first = name.clone();
    let described = describe(&name, hint.is_some(), has_error);
    view! {
        <div class=if has_error { "field field-error" } else { "field" }>
            <fieldset class="fieldset" aria-describedby=described>
                <legend class="legend">{lang.t(&legend)}</legend>
                {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{lang.t(&h)}</p> })}
                <FieldError name=name.clone() key=error />
                <div class="radios">
                    {options
                        .into_iter()
                        .enumerate()
                        .map(|(i, (value, text))| {
                            // The first radio carries the field's id, so the
                            // error summary's link lands on it.
                            let id = if i == 0 { first.clone() } else { format!("{first}-{i}") };
                            let checked = value == current;
                            view! {
                                <div class="radio">
                                    <input id=id.clone() name=name.clone() type="radio" value=value checked=checked />
                                    <label for=id>{text}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// The eras a memorable date may be written in (`seireki`: the Western year).
pub const ERAS: [&str; 5] = ["seireki", "showa", "heisei", "taisho", "reiwa"];

/// A date a person remembers (a birthday) as three boxes and its era, in
/// GOV.UK's pattern: no date picker, which elderly claimants struggle with.
/// The era's select carries the field's id (`name`), so the error
/// summary's link lands on it; the parts are `{name}_era`, `{name}_year`,
/// `{name}_month`, `{name}_day`. A stored `name` (`1950-04-01`) fills them.
#[component]
pub fn MemorableDate(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    #[prop(optional, into)] hint: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let form = use_form();
    let error = form.errors.for_field(&name).map(|e| e.key.clone());
    let has_error = error.is_some();
    let part = |p: &str| form.value(&format!("{name}_{p}"));
    let stored = form.value(&name);
    let stored: Vec<&str> = stored.splitn(3, '-').collect();
    let typed = ["year", "month", "day"].iter().any(|p| !part(p).is_empty());
    let (era, year, month, day) = match stored.as_slice() {
        [y, m, d] if !typed => (
            "seireki".to_owned(),
            y.to_string(),
            m.trim_start_matches('0').to_owned(),
            d.trim_start_matches('0').to_owned(),
        ),
        _ => (part("era"), part("year"), part("month"), part("day")),
    };
    let described = describe(&name, hint.is_some(), has_error);
    let base = name.clone();
    let input = move |p: &'static str, value: String, width: &'static str, auto: &'static str| {
        let id = format!("{base}_{p}");
        view! {
            <div class="date-item">
                <label class="label" for=id.clone()>{lang.t(&format!("date_{p}"))}</label>
                <input
                    class=format!("input {width}")
                    id=id.clone()
                    name=id
                    inputmode="numeric"
                    autocomplete=auto
                    value=value
                    aria-invalid=has_error.then_some("true")
                />
            </div>
        }
    };
    view! {
        <div class=if has_error { "field field-error" } else { "field" }>
            <fieldset class="fieldset" role="group" aria-describedby=described>
                <legend class="legend">{lang.t(&legend)}</legend>
                {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{lang.t(&h)}</p> })}
                <FieldError name=name.clone() key=error />
                <div class="date-input">
                    <div class="date-item">
                        <label class="label" for=name.clone()>{lang.t("date_era")}</label>
                        <select class="select" id=name.clone() name=format!("{name}_era")>
                            {ERAS
                                .iter()
                                .map(|e| {
                                    let selected = *e == era;
                                    view! { <option value=*e selected=selected>{lang.t(&format!("era_{e}"))}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {input("year", year, "w-4", "bday-year")}
                    {input("month", month, "w-2", "bday-month")}
                    {input("day", day, "w-2", "bday-day")}
                </div>
            </fieldset>
        </div>
    }
}

/// Stored answers as form values, unless the page is showing what was just
/// typed (after an error): then the typed text wins.
pub fn provide_prefill(values: impl FnOnce() -> std::collections::HashMap<String, String>) {
    let form = use_form();
    if form.values.is_empty() {
        provide_context(super::FormState {
            values: values(),
            ..form
        });
    }
}
