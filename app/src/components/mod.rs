//! Widgets shared by the pages: the layout, form fields with their errors,
//! the error summary, pagination.

pub mod branch_lookup;
pub mod charts;
pub mod client_check;
pub mod fields;
pub mod import_watch;
pub mod layout;
pub mod upload_progress;

use std::collections::HashMap;

use crate::domain::FieldErrors;
use crate::i18n::Lang;

pub use fields::{
    Checkbox, ErrorSummary, Radios, SelectField, TextArea, TextField, provide_prefill,
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

/// `12,345円` / `¥12,345`.
pub fn yen(lang: Lang, amount: i64) -> String {
    lang.yen(amount)
}

pub fn state_label(lang: Lang, state: &str) -> String {
    lang.t(&format!("state_{state}"))
}
