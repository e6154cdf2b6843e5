//! Field-level validation errors: values the page renders, never panics.

use serde::{Deserialize, Serialize};

/// One problem with one form field. `key` names a message in the i18n table,
/// so the same error reads in Japanese or English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub key: String,
}

/// Every problem found in one submitted form, in the order of the form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, key: &str) {
        self.0.push(FieldError {
            field: field.into(),
            key: key.to_owned(),
        });
    }

    /// Records the error of a parse, or returns its value.
    pub fn check<T>(
        &mut self,
        field: impl Into<String>,
        parsed: Result<T, &'static str>,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(key) => {
                self.add(field, key);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}
