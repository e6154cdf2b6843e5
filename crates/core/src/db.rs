//! One store layer for both databases. A query is written once and run on
//! whichever backend the deployment uses (`on_db!` / `on_tx!`).

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A connection pool on SQLite or PostgreSQL.
///
/// SQLite has one writer connection (writes queue in-process instead of
/// failing with "database is locked") and a pool of readers (WAL lets them
/// read while the writer writes).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        stats: Stats,
    },
    Postgres {
        pool: PgPool,
        stats: Stats,
    },
}

/// How many round trips this database handle (and its clones) made: each
/// store call (`on_db!`, one statement each), each transaction begun, each
/// session read or written. Counted always (one relaxed atomic add); a test
/// reads it around one request to hold the round trips per page.
#[derive(Clone, Debug, Default)]
pub struct Stats(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Stats {
    pub fn tick(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn count(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// An open write transaction on either backend.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection, whatever
/// the backend: the SQL text is the same for both.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut $crate::pg_statements::PgConn(&mut **t);
                $body
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to a reading pool of either backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite {
                read: $pool, stats, ..
            } => {
                stats.tick();
                $body
            }
            $crate::db::Db::Postgres { pool, stats } => {
                stats.tick();
                let $pool = $crate::pg_statements::PgExec(pool);
                $body
            }
        }
    };
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

/// How a database is opened (PostgreSQL's settings; `REDRESS_DB_POOL`,
/// `REDRESS_STATEMENT_TIMEOUT_MS`).
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// The most connections this process holds.
    pub pool: u32,
    /// The longest one statement may run.
    pub statement_timeout: Duration,
    /// False behind PgBouncer in transaction mode (`REDRESS_DB_STATEMENT_CACHE=off`,
    /// see [`crate::pg_statements`]).
    pub statement_cache: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            pool: 16,
            statement_timeout: Duration::from_secs(30),
            statement_cache: true,
        }
    }
}

impl Db {
    /// Connects to `url` (`sqlite:...` or `postgres://...`). SQLite is opened
    /// with WAL, `synchronous=FULL` (this is money), foreign keys on and a
    /// busy timeout; the file is created when missing.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Db::connect_with(url, &DbOptions::default()).await
    }

    /// `connect` with the operator's pool size and statement limit
    /// (PostgreSQL's; SQLite has one writer and a busy timeout instead).
    pub async fn connect_with(url: &str, o: &DbOptions) -> anyhow::Result<Db> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| anyhow::anyhow!("DATABASE_URL is not a valid PostgreSQL URL: {e}"))?;
            let options = if o.statement_cache {
                // A stuck query cannot hold a pool slot for ever: the server
                // cancels it (SQLSTATE 57014, answered 503).
                options.options([(
                    "statement_timeout",
                    format!("{}ms", o.statement_timeout.as_millis()),
                )])
            } else {
                // PgBouncer refuses start-up parameters it does not know:
                // the statement limit is set in each transaction instead.
                options.extra_float_digits(None)
            };
            crate::pg_statements::set_unnamed(!o.statement_cache, o.statement_timeout);
            let pool = PgPoolOptions::new()
                .max_connections(o.pool)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot connect to the PostgreSQL database in DATABASE_URL: {e}"
                    )
                })?;
            return Ok(Db::Postgres {
                pool,
                stats: Stats::default(),
            });
        }
        if !url.starts_with("sqlite:") {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://, not {url:?}");
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| anyhow::anyhow!("DATABASE_URL is not a valid SQLite URL: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // No ping before each acquire (sqlx's default): an SQLite connection
        // is a file handle in this process, it cannot have gone away, and
        // the ping is a round trip to the connection's worker thread on
        // every query.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the SQLite database in DATABASE_URL: {e}"))?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the SQLite database in DATABASE_URL: {e}"))?;
        Ok(Db::Sqlite {
            read,
            write,
            stats: Stats::default(),
        })
    }

    /// The round trips this handle and its clones made (see [`Stats`]).
    pub fn stats(&self) -> &Stats {
        match self {
            Db::Sqlite { stats, .. } | Db::Postgres { stats, .. } => stats,
        }
    }

    /// (pool, connections open, of which idle), for the metrics.
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        match self {
            Db::Sqlite { read, write, .. } => vec![
                ("sqlite_read", read.size(), read.num_idle()),
                ("sqlite_write", write.size(), write.num_idle()),
            ],
            Db::Postgres { pool, .. } => vec![("postgres", pool.size(), pool.num_idle())],
        }
    }

    /// A consistent copy of the whole SQLite database into a new file at
    /// `to`, taken while the application keeps running (`VACUUM INTO`). On
    /// PostgreSQL, `pg_dump` is the tool (see the README).
    pub async fn backup_to(&self, to: &std::path::Path) -> anyhow::Result<()> {
        let Db::Sqlite { read, .. } = self else {
            anyhow::bail!(
                "the database is PostgreSQL: back it up with pg_dump (e.g. pg_dump -Fc -f redress.dump \"$DATABASE_URL\"), restore with pg_restore"
            );
        };
        if to.exists() {
            anyhow::bail!("{} exists already: choose a new file", to.display());
        }
        let target = to
            .to_str()
            .ok_or_else(|| anyhow::anyhow!("the backup path must be valid UTF-8"))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(read)
            .await
            .map_err(|e| anyhow::anyhow!("backup to {} failed: {e}", to.display()))?;
        Ok(())
    }

    /// Puts a backup made by `backup_to` in place at `target` (which must
    /// not exist), after SQLite has checked the copy whole.
    pub async fn restore_sqlite_file(
        from: &std::path::Path,
        target: &std::path::Path,
    ) -> anyhow::Result<()> {
        if !from.is_file() {
            anyhow::bail!("{} is not a file", from.display());
        }
        let wal = target.with_extension("db-wal");
        if target.exists() || wal.exists() {
            anyhow::bail!(
                "{} exists: restore only into an empty data folder",
                target.display()
            );
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let copy = target.with_extension("db.restoring");
        std::fs::copy(from, &copy)?;
        let checked = async {
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(SqliteConnectOptions::new().filename(&copy).read_only(true))
                .await?;
            let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&pool)
                .await?;
            pool.close().await;
            anyhow::Ok(verdict)
        }
        .await;
        match checked {
            Ok(v) if v == "ok" => {
                std::fs::rename(&copy, target)?;
                Ok(())
            }
            Ok(v) => {
                let _ = std::fs::remove_file(&copy);
                anyhow::bail!("{} is damaged: {v}", from.display())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&copy);
                anyhow::bail!(
                    "{} is not a SQLite database made by redress backup: {e}",
                    from.display()
                )
            }
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres { .. } => "postgres",
        }
    }

    /// The migrations of this build not applied to the database (a process
    /// of a newer version started before `redress migrate` ran).
    pub async fn migrations_pending(&self) -> Result<Vec<i64>, sqlx::Error> {
        let migrator = match self {
            Db::Sqlite { .. } => &SQLITE_MIGRATIONS,
            Db::Postgres { .. } => &POSTGRES_MIGRATIONS,
        };
        let applied: Vec<i64> = on_db!(self, p => sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success").fetch_all(p).await)?;
        Ok(migrator
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect())
    }

    /// Applies the migrations of this backend that are not applied yet.
    /// Migrations a newer release applied (unknown to this one) are left
    /// alone: during a rolling deploy the old release's processes start
    /// against the new schema (migrations only expand; see CONTRIBUTING.md).
    /// sqlx's default refuses to start then ("previously applied but
    /// missing"), which would keep an old process that restarts down.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let tolerant = |known: &sqlx::migrate::Migrator| {
            let mut m = sqlx::migrate::Migrator {
                migrations: known.migrations.clone(),
                ..sqlx::migrate::Migrator::DEFAULT
            };
            m.set_ignore_missing(true);
            m
        };
        match self {
            Db::Sqlite { write, .. } => tolerant(&SQLITE_MIGRATIONS).run(write).await?,
            Db::Postgres { pool, .. } => tolerant(&POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    /// Opens a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction never fails half-way on a lock.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.stats().tick();
        Ok(match self {
            Db::Sqlite { write, .. } => {
                use sqlx::TransactionManager;
                type Manager = <Sqlite as sqlx::Database>::TransactionManager;
                // After a full disk or an I/O error SQLite ends the
                // transaction itself; the rollback sqlx then owes the
                // connection fails with "no transaction is active". That
                // failure belongs to the request that already failed: try
                // once more on a fresh connection.
                let mut retried = false;
                loop {
                    let mut conn = write.acquire().await?;
                    // A request cancelled in the middle of BEGIN can hand the
                    // connection back still inside that transaction (no
                    // `Transaction` was made to roll it back): end it first.
                    if Manager::get_transaction_depth(&conn) > 0 {
                        tracing::warn!(
                            "writer connection returned inside a transaction; rolling back"
                        );
                        if let Err(e) = Manager::rollback(&mut conn).await {
                            if retried || !ended_by_sqlite(&e) {
                                return Err(e);
                            }
                            conn.close_on_drop();
                            retried = true;
                            continue;
                        }
                    }
                    match Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await {
                        Ok(tx) => break Tx::Sqlite(tx),
                        Err(e) if !retried && ended_by_sqlite(&e) => retried = true,
                        Err(e) => return Err(e),
                    }
                }
            }
            Db::Postgres { pool, .. } => Tx::Postgres(crate::pg_statements::begin(pool).await?),
        })
    }

    /// Closes every connection (shutdown; tests of an unreachable database).
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.is_ok())
    }

    /// PostgreSQL: the planner's statistics of each table of `written`
    /// whose rows written since the caller last had it counted (its
    /// number there) are more than a tenth of the rows the planner last
    /// counted (`pg_class.reltuples`) are counted again, and its number
    /// set back to 0: autovacuum's own rule, per table. Autovacuum applies
    /// it at most once a minute, and never where it is off: a bank's list
    /// took a table from nothing to 10,000 rows in seconds, and one query
    /// of the flags, planned for an empty table, took 1.3 s instead of
    /// 0.8 ms.
    pub async fn analyze_grown(
        &self,
        written: &mut [(&'static str, u64)],
    ) -> Result<(), sqlx::Error> {
        let Db::Postgres { pool, .. } = self else {
            return Ok(());
        };
        let names: Vec<String> = written.iter().map(|(t, _)| t.to_string()).collect();
        let counts: Vec<f64> = written.iter().map(|(_, n)| *n as f64).collect();
        let grown: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN unnest($1::text[], $2::float8[]) AS w(name, rows) ON w.name = c.relname
              WHERE n.nspname = current_schema() AND c.relkind = 'r'
                AND w.rows > 50 + GREATEST(c.reltuples, 0) / 10",
        )
        .bind(&names)
        .bind(&counts)
        .fetch_all(crate::pg_statements::PgExec(pool))
        .await?;
        // Only the caller's own names reach the statement.
        for (table, rows) in written.iter_mut() {
            if grown.iter().any(|g| g == table) {
                sqlx::query(&format!("ANALYZE {table}"))
                    .execute(crate::pg_statements::PgExec(pool))
                    .await?;
                *rows = 0;
            }
        }
        Ok(())
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// The name of a violated unique or check constraint, if that is what failed:
/// the database enforces the rule, the caller turns it into a field error.
pub fn constraint_of(err: &sqlx::Error) -> Option<String> {
    match err {
        sqlx::Error::Database(db) => db
            .constraint()
            .map(str::to_owned)
            // SQLite names no constraint; its message names the column.
            .or_else(|| db.is_unique_violation().then(|| db.message().to_owned())),
        _ => None,
    }
}

/// SQLite had already ended the transaction a rollback was for.
fn ended_by_sqlite(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.message().contains("no transaction is active"))
}

#[cfg(test)]
mod expand_only {
    //! Migrations from 0024 on only expand the schema, so that the previous
    //! release runs against it during a rolling deploy (CONTRIBUTING.md):
    //! no column or table dropped or renamed, no type changed, no NOT NULL
    //! added to an existing column, no new NOT NULL column without a
    //! default (the previous release's inserts do not name it). A view may
    //! be replaced (SQLite has no CREATE OR REPLACE VIEW): dropped and
    //! created again by the same migration, keeping its columns. A step
    //! that contracts carries `-- contract:` and the release after which no
    //! older process can run, and goes in a later release than its expand.

    /// The first migration written under the rule.
    const FIRST: u32 = 24;

    fn statements(sql: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut current = String::new();
        for line in sql.lines() {
            let code = line.split("--").next().unwrap_or("");
            if line.contains("-- contract:") {
                current.push_str(" CONTRACT_MARKED ");
            }
            current.push_str(code);
            current.push(' ');
            if code.trim_end().ends_with(';') {
                out.push(
                    current
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_uppercase(),
                );
                current.clear();
            }
        }
        out
    }

    fn contracts(statement: &str) -> Option<&'static str> {
        if statement.contains("CONTRACT_MARKED") {
            return None;
        }
        let s = statement;
        if s.contains("DROP COLUMN") {
            return Some("drops a column");
        }
        if s.starts_with("DROP TABLE") || s.starts_with("DROP VIEW") {
            return Some("drops a table or view");
        }
        if s.contains(" RENAME ") {
            return Some("renames");
        }
        if s.contains("SET NOT NULL") || (s.contains("ALTER COLUMN") && s.contains(" TYPE ")) {
            return Some("tightens or retypes a column");
        }
        if s.contains("ADD COLUMN") && s.contains("NOT NULL") && !s.contains("DEFAULT") {
            return Some("adds a NOT NULL column without a default");
        }
        None
    }

    /// Statement `i` drops a view that a later statement of the same
    /// migration creates again.
    fn replaces_view(all: &[String], i: usize) -> bool {
        let Some(name) = all[i].strip_prefix("DROP VIEW ") else {
            return false;
        };
        let name = name.trim_end_matches(';').trim();
        let again = format!("CREATE VIEW {name} AS");
        all[i + 1..].iter().any(|s| s.starts_with(&again))
    }

    #[test]
    fn migrations_from_0024_only_expand() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut checked = 0;
        for backend in ["sqlite", "postgres"] {
            for entry in std::fs::read_dir(root.join(backend)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                let number: u32 = name[..4].parse().unwrap();
                if number < FIRST {
                    continue;
                }
                let all = statements(&std::fs::read_to_string(&path).unwrap());
                for (i, s) in all.iter().enumerate() {
                    checked += 1;
                    if replaces_view(&all, i) {
                        continue;
                    }
                    assert!(
                        contracts(s).is_none(),
                        "{backend}/{name}: {} ({s}); mark it `-- contract: after <release>` in a later release",
                        contracts(s).unwrap()
                    );
                }
            }
        }
        assert!(checked >= 10, "the rule read the migrations");
    }

    #[test]
    fn the_rule_catches_each_way_to_contract() {
        for sql in [
            "ALTER TABLE claims DROP COLUMN x;",
            "DROP TABLE bank_imports;",
            "ALTER TABLE claims RENAME COLUMN a TO b;",
            "ALTER TABLE claims ALTER COLUMN a SET NOT NULL;",
            "ALTER TABLE claims ALTER COLUMN a TYPE BIGINT;",
            "ALTER TABLE claims ADD COLUMN a TEXT NOT NULL;",
        ] {
            let s = statements(sql);
            assert!(contracts(&s[0]).is_some(), "{sql}");
        }
        for sql in [
            "ALTER TABLE claims ADD COLUMN a TEXT;",
            "ALTER TABLE claims ADD COLUMN n BIGINT NOT NULL DEFAULT 0;",
            "CREATE INDEX i ON claims (a);",
            "-- contract: after 2027.1\nALTER TABLE claims DROP COLUMN x;",
        ] {
            let s = statements(sql);
            assert!(contracts(&s[0]).is_none(), "{sql}");
        }
        // A view dropped and created again is replaced; dropped alone, or
        // another view created, it is gone.
        let s = statements("DROP VIEW v;\nCREATE VIEW v AS SELECT 1;");
        assert!(replaces_view(&s, 0));
        for sql in ["DROP VIEW v;", "DROP VIEW v;\nCREATE VIEW w AS SELECT 1;"] {
            let s = statements(sql);
            assert!(!replaces_view(&s, 0) && contracts(&s[0]).is_some(), "{sql}");
        }
    }
}
