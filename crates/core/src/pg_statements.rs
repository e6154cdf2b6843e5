//! How statements reach PostgreSQL: prepared under a name and kept on the
//! connection (sqlx's default, one round trip for a statement seen before),
//! or, with `REDRESS_DB_STATEMENT_CACHE=off`, for PgBouncer in transaction
//! mode (which hands a server connection to another client whenever a
//! transaction ends):
//!
//! - every statement is prepared **unnamed** and never cached: a named one
//!   would stay on a server connection another client then uses, where the
//!   next process's statement of the same name fails ("prepared statement
//!   sqlx_s_1 already exists");
//! - every statement outside a transaction runs **inside one**: sqlx prepares
//!   and executes in two exchanges, each ended by a Sync, and PgBouncer may
//!   hand the server connection on between them (the unnamed statement is
//!   then not there); inside a transaction the connection stays.
//!
//! `on_db!` and `on_tx!` hand every store query one of the two executors
//! below, so no query is written for one mode. The setting is per process
//! (one process, one database): [`set_unnamed`] at connection.

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt, TryFutureExt, TryStreamExt};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Describe, Either, Execute, Executor, PgConnection, PgPool, Postgres};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static UNNAMED: AtomicBool = AtomicBool::new(false);

/// What begins a transaction when statements are unnamed: the statement
/// limit is set in it, as PgBouncer refuses it at connection.
static BEGIN: OnceLock<String> = OnceLock::new();

/// Turns unnamed statements on for this process (`REDRESS_DB_STATEMENT_CACHE=off`),
/// each transaction limiting its statements to `limit`.
pub fn set_unnamed(on: bool, limit: Duration) {
    UNNAMED.store(on, Ordering::Relaxed);
    if on {
        let _ = BEGIN.set(format!(
            "BEGIN; SET LOCAL statement_timeout = {}",
            limit.as_millis()
        ));
    }
}

/// Begins a transaction on `pool`: with unnamed statements, one exchange
/// that also sets the statement limit.
pub async fn begin(pool: &PgPool) -> Result<sqlx::Transaction<'static, Postgres>, sqlx::Error> {
    match BEGIN.get() {
        Some(begin) if unnamed() => pool.begin_with(begin.clone()).await,
        _ => pool.begin().await,
    }
}

/// True when statements are prepared unnamed (see the module).
pub fn unnamed() -> bool {
    UNNAMED.load(Ordering::Relaxed)
}

/// A query as given, but never named when statements are unnamed.
struct Shaped<E>(E, bool);

impl<'q, E: Execute<'q, Postgres>> Execute<'q, Postgres> for Shaped<E> {
    fn sql(&self) -> &'q str {
        self.0.sql()
    }

    fn statement(&self) -> Option<&PgStatement<'q>> {
        self.0.statement()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, BoxDynError> {
        self.0.take_arguments()
    }

    fn persistent(&self) -> bool {
        self.1 && self.0.persistent()
    }
}

fn shaped<'q, E: Execute<'q, Postgres>>(query: E) -> Shaped<E> {
    Shaped(query, !unnamed())
}

/// The pool as `on_db!` hands it to a store query.
#[derive(Clone, Copy, Debug)]
pub struct PgExec<'p>(pub &'p PgPool);

type Step = Either<PgQueryResult, PgRow>;

impl<'p> Executor<'p> for PgExec<'p> {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Step, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        if !unnamed() {
            return self.0.fetch_many(query);
        }
        let pool = self.0;
        async move {
            let mut tx = begin(pool).await?;
            let steps: Vec<Step> = (&mut *tx).fetch_many(shaped(query)).try_collect().await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(futures::stream::iter(steps.into_iter().map(Ok)))
        }
        .try_flatten_stream()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        if !unnamed() {
            return self.0.fetch_optional(query);
        }
        let pool = self.0;
        async move {
            let mut tx = begin(pool).await?;
            let row = (&mut *tx).fetch_optional(shaped(query)).await?;
            tx.commit().await?;
            Ok(row)
        }
        .boxed()
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        self.0.prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'p: 'e,
    {
        self.0.describe(sql)
    }
}

/// A transaction's connection as `on_tx!` hands it to a store query (use
/// it as `&mut *c`, as a connection).
#[derive(Debug)]
pub struct PgConn<'a>(pub &'a mut PgConnection);

impl<'c, 'a: 'c> Executor<'c> for &'c mut PgConn<'a> {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Step, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        (&mut *self.0).fetch_many(shaped(query))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        (&mut *self.0).fetch_optional(shaped(query))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        (&mut *self.0).prepare_with(sql, parameters)
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'c: 'e,
    {
        (&mut *self.0).describe(sql)
    }
}
