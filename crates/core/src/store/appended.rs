//! Tables of appended differences: triggers add a row (+n or −n) in the
//! transaction that changes what they count, so two writers never wait on
//! one hot row; a reader sums the rows of its key. Every few seconds the
//! rows are folded into one per key. Three such tables: the cases per state
//! (migration 0016), the kept figures and the claims per address and day
//! (0022). One fold serves them all.

use crate::db::Db;
use crate::on_db;

/// An appended table: its name, the columns of its key and the columns
/// summed. Names are the schema's own, never input.
pub struct Appended {
    pub table: &'static str,
    pub keys: &'static [&'static str],
    pub sums: &'static [&'static str],
}

/// Cases per state.
pub const STATE_COUNTS: Appended = Appended {
    table: "claim_state_counts",
    keys: &["state"],
    sums: &["n"],
};

/// The dashboard's and the regulator's figures per bank, metric and day.
pub const KEPT_FIGURES: Appended = Appended {
    table: "kept_figures",
    keys: &["bank_code", "metric", "day"],
    sums: &["n", "lines", "amount"],
};

/// Claims per sending address and day.
pub const ADDRESS_DAYS: Appended = Appended {
    table: "address_days",
    keys: &["submit_ip", "day"],
    sums: &["n"],
};

/// Every appended table, in the order the compaction folds them.
pub const ALL: [&Appended; 3] = [&STATE_COUNTS, &KEPT_FIGURES, &ADDRESS_DAYS];

/// Folded rows past which PostgreSQL's table is vacuumed at once: the
/// deleted rows stay in its pages until then, and every sum would read them
/// (after a bulk change, an import or a batch, do not wait for autovacuum).
const VACUUM_AFTER: i64 = 1000;

/// Folds `t`'s rows into one per key (keys whose sums are all zero go);
/// returns how many rows there were (0: already one per key, nothing
/// written). Every sum reads the same before and after, and folds running
/// at once (several processes) leave them so too.
pub async fn fold(db: &Db, t: &Appended) -> Result<u64, sqlx::Error> {
    let Appended { table, .. } = t;
    let keys = t.keys.join(", ");
    let columns = format!("{keys}, {}", t.sums.join(", "));
    let sums = t
        .sums
        .iter()
        .map(|c| format!("SUM({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let nonzero = t
        .sums
        .iter()
        .map(|c| format!("SUM({c}) <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    let measure = format!(
        "SELECT COUNT(*), (SELECT COUNT(*) FROM (SELECT 1 FROM {table} GROUP BY {keys}) k) FROM {table}"
    );
    let (rows, distinct): (i64, i64) =
        on_db!(db, p => sqlx::query_as(&measure).fetch_one(p).await)?;
    if rows <= distinct {
        return Ok(0);
    }
    if let Db::Postgres { pool: p, .. } = db {
        // Only the rows this statement deleted are summed: rows appended
        // meanwhile by other transactions stay as they are.
        let (gone,): (i64,) = sqlx::query_as(&format!(
            "WITH gone AS (DELETE FROM {table} RETURNING {columns}),
                  kept AS (INSERT INTO {table} ({columns})
                           SELECT {keys}, {sums} FROM gone GROUP BY {keys} HAVING {nonzero})
             SELECT COUNT(*) FROM gone"
        ))
        .fetch_one(crate::pg_statements::PgExec(p))
        .await?;
        if gone > VACUUM_AFTER {
            // The simple protocol (no statement prepared) and no transaction
            // around it: VACUUM cannot run inside one.
            use sqlx::Executor;
            p.execute(format!("VACUUM {table}").as_str()).await?;
        }
        return Ok(gone as u64);
    }
    // SQLite's one writer: nothing is appended between the sum and the delete.
    let statements = [
        format!(
            "CREATE TEMP TABLE IF NOT EXISTS {table}_folded AS SELECT {columns} FROM {table} WHERE 0"
        ),
        format!(
            "INSERT INTO {table}_folded ({columns})
             SELECT {keys}, {sums} FROM {table} GROUP BY {keys} HAVING {nonzero}"
        ),
        format!("DELETE FROM {table}"),
        format!("INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_folded"),
        format!("DELETE FROM {table}_folded"),
    ];
    let mut tx = db.begin().await?;
    let mut gone = 0;
    for (i, sql) in statements.iter().enumerate() {
        let n = crate::on_tx!(&mut tx, c => sqlx::query(sql).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        if i == 2 {
            gone = n;
        }
    }
    tx.commit().await?;
    Ok(gone)
}

/// Folds every appended table every `every`, for ever (each process may).
pub async fn run_folds(db: Db, every: std::time::Duration) {
    loop {
        for t in ALL {
            if let Err(e) = fold(&db, t).await {
                tracing::warn!(error = %e, table = t.table, "folding an appended table failed");
            }
        }
        tokio::time::sleep(every).await;
    }
}
