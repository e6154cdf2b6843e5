//! A bank's list import as a job any process can finish: the rows kept
//! with the import, a lease renewed with every chunk, taken over by another
//! process when it ends (see migration 0024).

use super::*;

/// An import whose workers keep stopping (this many took it) is failed
/// rather than taken again: something in it stops them.
pub(super) const MAX_TAKES: i64 = 5;

/// What an import works through, kept with it until it is done.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Job {
    pub(super) rows: Vec<BankDebitRow>,
    pub(super) rejected: Vec<Rejection>,
}

pub(super) fn lease_end(state: &Core) -> chrono::DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(state.settings.import_lease).unwrap_or_default()
}

/// Works on an import this process holds, to its end or until the process
/// stops; an error fails it (the rows saved so far are kept).
pub(super) async fn run_import(state: Core, id: Uuid) {
    let _running = state.process.running();
    if let Err(e) = resume(&state, id).await {
        tracing::error!(error = ?e, import = %id, "a bank list import failed");
        if let Ok(mut tx) = state.db.begin().await
            && bank_debits::fail_import(&mut tx, id).await.is_ok()
        {
            let _ = tx.commit().await;
        }
    }
}

/// Takes over imports whose process stopped (killed, or handed them back
/// on its way out), every `every`, in every serving process.
#[tracing::instrument(skip_all)]
pub async fn run_jobs(state: Core, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        if state.process.is_stopping() {
            return;
        }
        loop {
            match bank_debits::take_unheld(
                &state.db,
                state.process.id,
                Utc::now(),
                lease_end(&state),
            )
            .await
            {
                Ok(Some(id)) => {
                    tracing::info!(import = %id, "taking over a bank list import another process left");
                    run_import(state.clone(), id).await;
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "could not look for unfinished imports");
                    break;
                }
            }
        }
    }
}

/// Where an import was left, and what it works through.
async fn resume(state: &Core, id: Uuid) -> Result<(), AppError> {
    let Some(held) = bank_debits::held_job(&state.db, id, state.process.id).await? else {
        return Ok(()); // another process has it, or it is finished
    };
    let job: Job = match held.job_rows.as_deref().map(serde_json::from_str) {
        Some(Ok(job)) if held.takes <= MAX_TAKES => job,
        // Started by a release that kept no rows, or stopping its workers.
        _ => {
            let mut tx = state.db.begin().await?;
            bank_debits::fail_import(&mut tx, id).await?;
            tx.commit().await?;
            tracing::warn!(import = %id, takes = held.takes, "an import that cannot be resumed was failed");
            return Ok(());
        }
    };
    // The import acts as the person (or API key) that sent the list.
    let user = crate::store::users::by_id(&state.db, held.actor_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let staff = CurrentUser {
        id: user.id,
        email: user.email,
        role: crate::domain::Role::BankStaff,
        bank_code: Some(held.bank_code.clone()),
        bank_lead: false,
        lang: crate::i18n::Lang::parse(&user.lang).unwrap_or_default(),
    };
    let from = Progress {
        done: held.rows_done,
        tally: Tally {
            matched: held.rows_matched,
            probable: held.rows_probable,
            unmatched: held.rows_unmatched,
            already: held.rows_known,
        },
        used: bank_debits::lines_of_import(&state.db, id)
            .await?
            .into_iter()
            .collect(),
    };
    work(
        state,
        &staff,
        (id, &held.file_name),
        &held.bank_code,
        &job,
        from,
    )
    .await
}
