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
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use app::server::db::Db;

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
    Postgres(PostgresStore),
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
            Db::Postgres { pool, .. } => Inner::Postgres(PostgresStore::new(pool.clone())),
        };
        match &inner {
            Inner::Sqlite(s) => s.migrate().await?,
            Inner::Postgres(s) => s.migrate().await?,
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
            Inner::Postgres(s) => s.continuously_delete_expired(period).await,
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
            Inner::Postgres(s) => s.create(record).await?,
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
            Inner::Postgres(s) => s.save(record).await?,
        }
        self.hold(record);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.stats.tick();
        let record = match &self.inner {
            Inner::Sqlite(s) => s.load(id).await?,
            Inner::Postgres(s) => s.load(id).await?,
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
            Inner::Postgres(s) => s.delete(id).await,
        }
    }
}
