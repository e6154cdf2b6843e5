//! The writes of a case's state and history. `move_state` is the only
//! statement in the product that writes `claims.state` (a submitted claim's
//! first state aside, set by its INSERT); only `services::cases` calls it.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::Tx;
use crate::domain::workflow::CaseState;
use crate::on_tx;

use super::placeholders;

/// Moves the cases `ids` from `from` to `to`, each only if it is still in
/// `from` (and, given a `version`, still at that version: compare-and-set).
/// Returns how many moved.
pub async fn move_state(
    tx: &mut Tx,
    ids: &[Uuid],
    version: Option<i64>,
    from: CaseState,
    to: CaseState,
) -> Result<u64, sqlx::Error> {
    let mut moved = 0;
    // A case whose flags can change in its new state has them computed
    // again by the sweep: marked in the same write (`assessment::mark_dirty`'s
    // mark), not by a second update of the same rows.
    let dirty = i64::from(to.flags_can_change());
    for chunk in ids.chunks(200) {
        let first = if version.is_some() { 4 } else { 3 };
        let sql = format!(
            "UPDATE claims SET state = $1, version = version + 1, flags_dirty = flags_dirty + {dirty}
              WHERE state = $2{} AND id IN ({})",
            if version.is_some() {
                " AND version = $3"
            } else {
                ""
            },
            placeholders(first, chunk.len())
        );
        moved += on_tx!(tx, c => {
            let mut q = sqlx::query(&sql).bind(to).bind(from);
            if let Some(v) = version {
                q = q.bind(v);
            }
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(moved)
}

/// One row of a case's append-only history.
pub struct NewEvent<'a> {
    pub claim_id: Uuid,
    pub actor: Option<Uuid>,
    pub from: Option<CaseState>,
    pub to: CaseState,
    pub action: &'static str,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Writes history rows, one statement per 100.
pub async fn insert_events(tx: &mut Tx, events: &[NewEvent<'_>]) -> Result<(), sqlx::Error> {
    const COLS: usize = 8;
    for chunk in events.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(i * COLS + 1, COLS)))
            .collect();
        let sql = format!(
            "INSERT INTO claim_events (id, claim_id, at, actor_id, from_state, to_state, action, note) VALUES {}",
            values.join(",")
        );
        on_tx!(tx, c => {
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(Uuid::new_v4())
                    .bind(e.claim_id)
                    .bind(e.at)
                    .bind(e.actor)
                    .bind(e.from)
                    .bind(e.to)
                    .bind(e.action)
                    .bind(e.note);
            }
            q.execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}
