//! The outbox as staff see it: the admin's list of failed and waiting mails,
//! and the mails of one case.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// One mail: when it was written, what it is, to whom, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    pub id: String,
    pub at: String,
    /// i18n key of the kind of mail.
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// i18n key: sent, failed or waiting.
    pub status: String,
    /// When it was sent or failed, or is tried next.
    pub when: String,
    pub attempts: i64,
    pub error: Option<String>,
}

#[cfg(feature = "ssr")]
pub fn mail_view(m: &crate::server::store::outbox::MailStatus) -> MailView {
    use super::claimant::convert::jst_time;
    let (status, when) = match (m.sent_at, m.failed_at) {
        (Some(at), _) => ("mail_status_sent", jst_time(at)),
        (None, Some(at)) => ("mail_status_failed", jst_time(at)),
        (None, None) => ("mail_status_waiting", jst_time(m.next_attempt_at)),
    };
    MailView {
        id: m.id.to_string(),
        at: jst_time(m.created_at),
        kind: format!("mail_kind_{}", m.kind),
        to: m.to_addr.clone(),
        subject: m.subject.clone(),
        status: status.into(),
        when,
        attempts: m.attempts,
        error: m.last_error.clone(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailQueueView {
    pub failed: i64,
    pub waiting: i64,
    pub rows: Vec<MailView>,
}

/// Failed mails first, then those waiting to be sent (admins).
#[server(endpoint = "mail_queue")]
pub async fn mail_queue() -> Result<MailQueueView, ApiError> {
    use super::ctx;
    use crate::server::store::outbox;
    let (state, _) = ctx::require(&[crate::domain::Role::Admin]).await?;
    let fail = |e: sqlx::Error| ctx::fail(e.into());
    let (failed, waiting) = outbox::unsent_counts(&state.db).await.map_err(fail)?;
    let rows = outbox::unsent(&state.db, 200).await.map_err(fail)?;
    Ok(MailQueueView {
        failed,
        waiting,
        rows: rows.iter().map(mail_view).collect(),
    })
}
