//! The operator's queue filter: what the page (or the CSV link) asks for,
//! checked field by field.

use super::{CaseQuery, PAGE_SIZE, QUEUES};

/// A filter's amount in yen (blank: no bound).
#[cfg(feature = "ssr")]
fn filter_amount(
    name: &str,
    text: &str,
    errors: &mut crate::domain::FieldErrors,
) -> Option<crate::domain::Yen> {
    if text.trim().is_empty() {
        return None;
    }
    match crate::domain::Yen::parse_in_range(text, 0, 10_000_000_000) {
        Ok(y) => Some(y),
        Err(k) => {
            errors.add(name, k);
            None
        }
    }
}

/// A filter's age in days, up to ten years (blank: any age).
#[cfg(feature = "ssr")]
fn filter_age(text: &str, errors: &mut crate::domain::FieldErrors) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    match text.trim().parse::<i64>() {
        Ok(d) if (0..=3650).contains(&d) => Some(d),
        _ => {
            errors.add("age", "age_invalid");
            None
        }
    }
}

/// A filter's kind of flag (blank: any).
#[cfg(feature = "ssr")]
fn filter_flag(flag: String, errors: &mut crate::domain::FieldErrors) -> Option<String> {
    if flag.is_empty() {
        None
    } else if crate::domain::policy::FLAG_KINDS.contains(&flag.as_str()) {
        Some(flag)
    } else {
        errors.add("flag", "flag_unknown");
        None
    }
}

/// A filter's bank code (blank: every bank).
#[cfg(feature = "ssr")]
fn filter_bank(text: &str, errors: &mut crate::domain::FieldErrors) -> Option<String> {
    let bank = text.trim();
    if bank.is_empty() {
        None
    } else if crate::domain::BankCode::parse(bank).is_err() {
        errors.add("bank", "bank_code_invalid");
        None
    } else {
        Some(bank.to_owned())
    }
}

/// The queue's filter from what the page (or the CSV link) asks for, and
/// the fields that were not understood (ignored and named beside them).
#[cfg(feature = "ssr")]
pub fn queue_filter(
    query: CaseQuery,
    user: &crate::server::auth::CurrentUser,
) -> (
    crate::server::store::queue::QueueFilter,
    crate::domain::FieldErrors,
) {
    let CaseQuery {
        state,
        bank,
        min,
        max,
        age,
        assignee,
        q,
        flag,
        sort,
        page,
    } = query;
    use crate::domain::FieldErrors;
    use crate::server::store::queue::{Assignee, QueueFilter, Sort};
    let (state, bank, min, max, age) = (
        state.unwrap_or_default(),
        bank.unwrap_or_default(),
        min.unwrap_or_default(),
        max.unwrap_or_default(),
        age.unwrap_or_default(),
    );
    let (assignee, q, sort) = (
        assignee.unwrap_or_default(),
        q.unwrap_or_default(),
        sort.unwrap_or_default(),
    );
    let mut errors = FieldErrors::new();
    let queue_state = if QUEUES.contains(&state.as_str()) {
        state
    } else {
        if !state.is_empty() {
            errors.add("state", "queue_unknown");
        }
        "submitted".to_owned()
    };
    let min = filter_amount("min", &min, &mut errors);
    let max = filter_amount("max", &max, &mut errors);
    let age = filter_age(&age, &mut errors);
    let flag = filter_flag(flag.unwrap_or_default(), &mut errors);
    let bank = filter_bank(&bank, &mut errors);
    let page = page.unwrap_or(1).max(1);
    let filter = QueueFilter {
        state: queue_state,
        bank,
        min,
        max,
        sent_before: age.map(|d| chrono::Utc::now() - chrono::Duration::days(d)),
        assignee: match assignee.as_str() {
            "me" => Assignee::User(user.id),
            "none" => Assignee::Unassigned,
            _ => Assignee::Anyone,
        },
        search: Some(q.trim().to_owned()).filter(|q| !q.is_empty()),
        flag,
        sort: match sort.as_str() {
            "oldest" => Sort::Oldest,
            "sla" => Sort::Clock,
            "largest" => Sort::Largest,
            _ => Sort::Newest,
        },
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    (filter, errors)
}
