//! Widgets shared by the pages: the layout, form fields with their errors,
//! the error summary, pagination.

pub mod branch_lookup;
pub mod charts;
pub mod client_check;
#[cfg(feature = "hydrate")]
pub mod fetch;
pub mod fields;
pub mod import_watch;
pub mod layout;
pub mod postcode_lookup;
pub mod upload_progress;

use std::collections::HashMap;

use crate::domain::FieldErrors;
use crate::i18n::Lang;

pub use fields::{
    Checkbox, ErrorSummary, MemorableDate, Radios, SelectField, TextArea, TextField,
    provide_prefill,
};
pub use layout::{ErrorPage, Layout, Notice, Pager, RequestCode};

/// What a submitted form left behind when it is shown again: what was typed
/// and what was wrong. Provided by the form handlers; empty on a plain GET.
#[derive(Clone, Debug, Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: FieldErrors,
    /// A result to show after a successful lookup, already in the reader's language.
    pub message: Option<String>,
}

impl FormState {
    pub fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }
}

pub fn use_form() -> FormState {
    leptos::prelude::use_context::<FormState>().unwrap_or_default()
}

pub fn use_lang() -> Lang {
    leptos::prelude::use_context::<Lang>().unwrap_or_default()
}

/// A CSV download, in UTF-8 (with a BOM, as today's Excel opens it) and
/// in Shift_JIS (CP932, for older Excel and banks' and regulators'
/// systems). Every page's CSV link is this, so none offers only one.
#[leptos::component]
pub fn CsvLinks(#[prop(into)] href: String, #[prop(into)] label: String) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let lang = use_lang();
    let sep = if href.contains('?') { '&' } else { '?' };
    let sjis = format!("{href}{sep}encoding=sjis");
    view! {
        <span class="csv-links">
            <a href=href download="">{label}</a>
            " "
            <a href=sjis download="">{lang.t("csv_shift_jis")}</a>
        </span>
    }
}

/// `12,345円` / `¥12,345`.
pub fn yen(lang: Lang, amount: i64) -> String {
    lang.yen(amount)
}

pub fn state_label(lang: Lang, state: &str) -> String {
    lang.t(&format!("state_{state}"))
}

/// A case's state as staff and banks read it (the claimant's wording
/// speaks to the claimant: "Your bank is checking the debits").
pub fn staff_state_label(lang: Lang, state: &str) -> String {
    lang.t(&format!("staff_state_{state}"))
}
