//! Validation in the browser: before a question page is sent, the island
//! runs the page's checks (the same `domain::answers` functions the server
//! runs) and, on a problem, shows the messages next to the fields and in an
//! error summary, as the server would, without a round trip. Without
//! JavaScript nothing changes: the server checks and answers the same way.

use leptos::prelude::*;

/// `form_id`: the form to check; `kind`: which page (`about`, `account`,
/// `debit`, `call`, `travel`, `payout`, `declaration`, `verification`,
/// `reply`); `texts`: the messages its check can give, in the page's
/// language, by key (see [`client_texts`]: the browser's code carries no
/// texts); `today`: the date in Japan (`YYYY-MM-DD`).
#[island]
pub fn ClientCheck(
    form_id: String,
    kind: String,
    texts: Vec<(String, String)>,
    today: String,
) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::submit, move |ev| {
            use leptos::wasm_bindgen::JsCast;
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            if form.id() != form_id {
                return;
            }
            // A button that asks for no check (a lookup, not a save) goes through.
            if ev
                .submitter()
                .is_some_and(|b| b.has_attribute("formnovalidate"))
            {
                return;
            }
            let Some(today) = crate::domain::dates::parse_iso_day(&today) else {
                return;
            };
            let values = dom::values(&form);
            let errors = crate::domain::answers::check_page(&kind, &values, today);
            // A problem it has no words for is left to the server, which
            // answers it in full (it never happens: a unit test lists
            // every key of each page).
            let text = |key: &str| texts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
            if errors.0.iter().any(|e| text(&e.key).is_none()) {
                return;
            }
            dom::clear(&form);
            if !errors.is_empty() {
                ev.prevent_default();
                dom::show(&form, &errors, &|key| text(key).unwrap_or_default());
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (&form_id, &kind, &texts, &today);
}

/// The texts a page gives its `ClientCheck` of `kind`, in `lang`: every
/// message the check can give, and the words around them.
pub fn client_texts(kind: &str, lang: crate::i18n::Lang) -> Vec<(String, String)> {
    crate::domain::check_keys::error_keys(kind)
        .iter()
        .chain(&["error_prefix", "error_summary_title"])
        .map(|k| (k.to_string(), lang.t(k)))
        .collect()
}

#[cfg(feature = "hydrate")]
mod dom {
    use leptos::prelude::document;
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlFormElement};

    use crate::domain::FieldErrors;
    use crate::domain::answers::Form;

    fn all(root: &Element, selector: &str) -> Vec<Element> {
        let Ok(list) = root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .collect()
    }

    /// The form's fields as the browser would send them.
    pub fn values(form: &HtmlFormElement) -> Form {
        let mut out = Form::new();
        for el in all(form, "input, select, textarea") {
            if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                let kind = input.type_();
                if (kind == "checkbox" || kind == "radio") && !input.checked() {
                    continue;
                }
                if kind == "file" || kind == "submit" {
                    continue;
                }
                out.insert(input.name(), input.value());
            } else if let Some(select) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                out.insert(select.name(), select.value());
            } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                out.insert(area.name(), area.value());
            }
        }
        out
    }

    /// Removes earlier messages (the server's or ours).
    pub fn clear(form: &HtmlFormElement) {
        for el in all(form, ".error-message") {
            el.remove();
        }
        for el in all(form, ".field-error") {
            let _ = el.class_list().remove_1("field-error");
        }
        for el in all(form, "[aria-invalid]") {
            let _ = el.remove_attribute("aria-invalid");
        }
        if let Some(main) = document().get_element_by_id("main") {
            for el in all(&main, ".error-summary") {
                el.remove();
            }
        }
    }

    /// Shows each error next to its field and all of them in a summary.
    pub fn show(form: &HtmlFormElement, errors: &FieldErrors, t: &dyn Fn(&str) -> String) {
        let doc = document();
        for e in &errors.0 {
            let Some(field) = doc.get_element_by_id(&e.field) else {
                continue;
            };
            if let Ok(Some(container)) = field.closest(".field") {
                let _ = container.class_list().add_1("field-error");
            }
            let _ = field.set_attribute("aria-invalid", "true");
            let error_id = format!("{}-error", e.field);
            if doc.get_element_by_id(&error_id).is_some() {
                continue;
            }
            let Ok(p) = doc.create_element("p") else {
                continue;
            };
            p.set_class_name("error-message");
            p.set_id(&error_id);
            p.set_inner_html("");
            if let Ok(prefix) = doc.create_element("span") {
                prefix.set_class_name("visually-hidden");
                prefix.set_text_content(Some(&t("error_prefix")));
                let _ = p.append_child(&prefix);
            }
            let _ = p.append_with_str_1(&t(&e.key));
            // Above the control: before a radio group or checkbox row as a whole.
            let anchor = field
                .closest(".radios, .checkbox")
                .ok()
                .flatten()
                .unwrap_or_else(|| field.clone());
            if let Some(parent) = anchor.parent_node() {
                let _ = parent.insert_before(&p, Some(&anchor));
            }
            let described = field.get_attribute("aria-describedby").unwrap_or_default();
            if !described.split(' ').any(|id| id == error_id) {
                let _ = field
                    .set_attribute("aria-describedby", format!("{described} {error_id}").trim());
            }
        }
        let Some(main) = doc.get_element_by_id("main") else {
            return;
        };
        let Ok(summary) = doc.create_element("div") else {
            return;
        };
        summary.set_class_name("error-summary");
        let _ = summary.set_attribute("role", "alert");
        let _ = summary.set_attribute("tabindex", "-1");
        let _ = summary.set_attribute("aria-labelledby", "error-summary-title");
        if let Ok(h2) = doc.create_element("h2") {
            h2.set_id("error-summary-title");
            h2.set_text_content(Some(&t("error_summary_title")));
            let _ = summary.append_child(&h2);
        }
        if let Ok(ul) = doc.create_element("ul") {
            for e in &errors.0 {
                if let (Ok(li), Ok(a)) = (doc.create_element("li"), doc.create_element("a")) {
                    let _ = a.set_attribute("href", &format!("#{}", e.field));
                    a.set_text_content(Some(&t(&e.key)));
                    let _ = li.append_child(&a);
                    let _ = ul.append_child(&li);
                }
            }
            let _ = summary.append_child(&ul);
        }
        // Where the server puts it: above the page's heading.
        let _ = form;
        let first = main
            .query_selector("h1, .caption")
            .ok()
            .flatten()
            .or_else(|| main.first_element_child());
        if let Some(first) = first
            && let Some(parent) = first.parent_node()
        {
            let _ = parent.insert_before(&summary, Some(&first));
        }
        if let Some(el) = summary.dyn_ref::<web_sys::HtmlElement>() {
            let _ = el.focus();
        }
    }
}
