//! Sessions live in the configured database (not in one process's memory),
//! so several server processes behind a load balancer share them.
//!
//! A session expires after a period of inactivity, so every request moves
//! its expiry. Writing that on every page view would make each read a write
//! (on SQLite, a turn of the single writer and an fsync). The store skips a
//! save whose data is what the database holds and whose new expiry is less
//! than [`EXTEND_AFTER`] later than the stored one: a session may end up to
//! that much before its full period of inactivity, never after.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::SqliteStore;

use app::server::db::Db;
use redress_core::pg_statements::PgExec;

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    inner: Inner,
    /// The database's round-trip count (a session read or write is one).
    stats: app::server::db::Stats,
    /// What the database holds, as this process last read or wrote it.
    held: Arc<Mutex<HashMap<Id, Held>>>,
}

#[derive(Clone, Debug)]
enum Inner {
    Sqlite(SqliteStore),
    Postgres(sqlx::PgPool),
}

type Held = (HashMap<String, serde_json::Value>, time::OffsetDateTime);

/// How far a session's expiry must move before it is written again.
pub const EXTEND_AFTER: time::Duration = time::Duration::seconds(60);

/// Sessions remembered per process at most (then forgotten all at once:
/// the next save of each is written).
const HELD_MAX: usize = 50_000;

impl DbSessionStore {
    /// The store for `db`, with its table created if missing.
    pub async fn new(db: &Db) -> anyhow::Result<DbSessionStore> {
        let inner = match db {
            // Writes share the single SQLite writer connection.
            Db::Sqlite { write, .. } => Inner::Sqlite(SqliteStore::new(write.clone())),
            Db::Postgres { pool, .. } => Inner::Postgres(pool.clone()),
        };
        match &inner {
            Inner::Sqlite(s) => s.migrate().await?,
            Inner::Postgres(p) => pg::migrate(p).await?,
        }
        Ok(DbSessionStore {
            inner,
            stats: db.stats().clone(),
            held: Arc::default(),
        })
    }

    fn hold(&self, record: &Record) {
        if let Ok(mut held) = self.held.lock() {
            if held.len() >= HELD_MAX {
                held.clear();
            }
            held.insert(record.id, (record.data.clone(), record.expiry_date));
        }
    }

    fn forget(&self, id: &Id) {
        if let Ok(mut held) = self.held.lock() {
            held.remove(id);
        }
    }

    /// True when saving `record` would change nothing but move its expiry
    /// by less than [`EXTEND_AFTER`].
    fn unchanged(&self, record: &Record) -> bool {
        self.held.lock().is_ok_and(|held| {
            held.get(&record.id).is_some_and(|(data, expiry)| {
                *data == record.data
                    && record.expiry_date >= *expiry
                    && record.expiry_date - *expiry < EXTEND_AFTER
            })
        })
    }

    /// Deletes expired sessions every `period`, forever.
    pub async fn delete_expired_every(self, period: std::time::Duration) {
        let result = match self.inner {
            Inner::Sqlite(s) => s.continuously_delete_expired(period).await,
            Inner::Postgres(p) => pg::delete_expired_every(&p, period).await,
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "expired-session cleanup stopped");
        }
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.stats.tick();
        match &self.inner {
            Inner::Sqlite(s) => s.create(record).await?,
            Inner::Postgres(p) => pg::create(p, record).await?,
        }
        self.hold(record);
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.unchanged(record) {
            return Ok(());
        }
        self.stats.tick();
        match &self.inner {
            Inner::Sqlite(s) => s.save(record).await?,
            Inner::Postgres(p) => pg::save(PgExec(p), record).await?,
        }
        self.hold(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.stats.tick();
        let record = match &self.inner {
            Inner::Sqlite(s) => s.load(id).await?,
            Inner::Postgres(p) => pg::load(p, id).await?,
        };
        match &record {
            Some(r) => self.hold(r),
            None => self.forget(id),
        }
        Ok(record)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.stats.tick();
        self.forget(id);
        match &self.inner {
            Inner::Sqlite(s) => s.delete(id).await,
            Inner::Postgres(p) => pg::delete(p, id).await,
        }
    }
}

/// The sessions on PostgreSQL: tower-sessions-sqlx-store's table and
/// encoding, with its queries run as every store query runs (unnamed
/// behind PgBouncer in transaction mode, see `pg_statements`).
mod pg {
    use redress_core::pg_statements::{PgConn, PgExec};
    use sqlx::PgPool;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store;

    const TABLE: &str = r#""tower_sessions"."session""#;

    pub fn backend(e: sqlx::Error) -> session_store::Error {
        session_store::Error::Backend(e.to_string())
    }

    pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::Error> {
        // Two processes creating the schema or the table at once (`IF NOT
        // EXISTS` is checked before the catalogue's row is written): one of
        // them is told of a duplicate key; the schema or table is there.
        let table = format!(
            "CREATE TABLE IF NOT EXISTS {TABLE} (id text PRIMARY KEY NOT NULL, data bytea NOT NULL, expiry_date timestamptz NOT NULL)"
        );
        for sql in [r#"CREATE SCHEMA IF NOT EXISTS "tower_sessions""#, &table] {
            let made = sqlx::query(sql).execute(PgExec(pool)).await;
            if let Err(e) = made
                && !e
                    .to_string()
                    .contains("duplicate key value violates unique constraint")
            {
                return Err(e);
            }
        }
        Ok(())
    }

    pub async fn load(pool: &PgPool, id: &Id) -> session_store::Result<Option<Record>> {
        let sql = format!("SELECT data FROM {TABLE} WHERE id = $1 AND expiry_date > $2");
        let data: Option<Vec<u8>> = sqlx::query_scalar(&sql)
            .bind(id.to_string())
            .bind(time::OffsetDateTime::now_utc())
            .fetch_optional(PgExec(pool))
            .await
            .map_err(backend)?;
        data.map(|d| {
            rmp_serde::from_slice(&d).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    pub async fn save<'c>(
        c: impl sqlx::Executor<'c, Database = sqlx::Postgres>,
        record: &Record,
    ) -> session_store::Result<()> {
        let sql = format!(
            "INSERT INTO {TABLE} (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date"
        );
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query(&sql)
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .execute(c)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// A new session under an id no other session has.
    pub async fn create(pool: &PgPool, record: &mut Record) -> session_store::Result<()> {
        let mut tx = redress_core::pg_statements::begin(pool)
            .await
            .map_err(backend)?;
        let c = &mut PgConn(&mut tx);
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE id = $1)");
        while sqlx::query_scalar::<_, bool>(&sql)
            .bind(record.id.to_string())
            .fetch_one(&mut *c)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        save(&mut *c, record).await?;
        tx.commit().await.map_err(backend)
    }

    pub async fn delete(pool: &PgPool, id: &Id) -> session_store::Result<()> {
        sqlx::query(&format!("DELETE FROM {TABLE} WHERE id = $1"))
            .bind(id.to_string())
            .execute(PgExec(pool))
            .await
            .map_err(backend)?;
        Ok(())
    }

    pub async fn delete_expired_every(
        pool: &PgPool,
        period: std::time::Duration,
    ) -> session_store::Result<()> {
        let sql = format!("DELETE FROM {TABLE} WHERE expiry_date < now()");
        loop {
            sqlx::query(&sql)
                .execute(PgExec(pool))
                .await
                .map_err(backend)?;
            tokio::time::sleep(period).await;
        }
    }
}
