//! Group commit for SQLite's single writer. A durable commit costs an fsync
//! (`synchronous=FULL`): one transaction per request caps the write rate at
//! the disk's fsync rate. Here one writer task takes every request waiting
//! for it, runs each one's writes in a savepoint of one transaction, commits
//! once, and only then answers each: a request is never answered before its
//! data is durable, and a request that fails (a conflict, bad data) rolls
//! back its own savepoint without touching the others.
//!
//! On PostgreSQL (many connections; the server groups WAL flushes itself)
//! and when turned off, the work runs in a transaction of its own.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::db::{Db, Tx};
use super::error::{AppError, db_unavailable};

/// Writes to run inside a transaction (or a savepoint of one).
pub type Work<T> = Box<
    dyn for<'a> FnOnce(&'a mut Tx) -> Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>
        + Send,
>;

/// Wraps a closure as [`Work`] (the closure's signature is taken from here).
pub fn work<T, F>(f: F) -> Work<T>
where
    F: for<'a> FnOnce(&'a mut Tx) -> Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>
        + Send
        + 'static,
{
    Box::new(f)
}

type Answer = Result<Box<dyn Any + Send>, AppError>;

struct Job {
    work: Work<Box<dyn Any + Send>>,
    reply: oneshot::Sender<Answer>,
    /// The caller's span: the work runs in it, so its errors say which
    /// operation they belong to (not "the writer").
    span: tracing::Span,
}

/// How many waiting requests one commit takes at most.
const MAX_BATCH: usize = 128;

#[derive(Debug)]
pub struct GroupCommit {
    sender: Option<mpsc::Sender<Job>>,
    enabled: AtomicBool,
    /// Transactions the writer committed, and the requests in them.
    counts: Arc<(AtomicU64, AtomicU64)>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl GroupCommit {
    /// Starts the writer task on SQLite (none on PostgreSQL).
    pub fn start(db: &Db) -> Arc<GroupCommit> {
        let counts = Arc::new((AtomicU64::new(0), AtomicU64::new(0)));
        let sender = match db {
            Db::Sqlite { .. } => {
                let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(writer(db.clone(), rx, counts.clone()));
                Some(tx)
            }
            Db::Postgres { .. } => None,
        };
        Arc::new(GroupCommit {
            sender,
            enabled: AtomicBool::new(true),
            counts,
        })
    }

    /// (commits, requests committed) by the writer so far.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.counts.0.load(Ordering::Relaxed),
            self.counts.1.load(Ordering::Relaxed),
        )
    }

    /// Turns grouping on or off (the bench measures both).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
    }

    /// Runs `work` and commits it; answers once the commit is durable.
    pub async fn run<T: Send + 'static>(&self, db: &Db, work: Work<T>) -> Result<T, AppError> {
        if let Some(sender) = self
            .sender
            .as_ref()
            .filter(|_| self.enabled.load(Ordering::SeqCst))
        {
            let (reply, answer) = oneshot::channel();
            let boxed = self::work(move |tx| {
                Box::pin(async move { work(tx).await.map(|v| Box::new(v) as Box<dyn Any + Send>) })
            });
            let job = Job {
                work: boxed,
                reply,
                span: tracing::Span::current(),
            };
            sender
                .send(job)
                .await
                .map_err(|_| anyhow::anyhow!("the group-commit writer has stopped"))?;
            let value = answer
                .await
                .map_err(|_| anyhow::anyhow!("the group-commit writer dropped a request"))??;
            return value
                .downcast::<T>()
                .map(|v| *v)
                .map_err(|_| anyhow::anyhow!("group commit: wrong answer type").into());
        }
        let mut tx = db.begin().await?;
        let value = work(&mut tx).await?;
        tx.commit().await?;
        Ok(value)
    }
}

async fn writer(db: Db, mut jobs: mpsc::Receiver<Job>, counts: Arc<(AtomicU64, AtomicU64)>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = commit_batch(&db, batch).await;
        if committed > 0 {
            counts.0.fetch_add(1, Ordering::Relaxed);
            counts.1.fetch_add(committed as u64, Ordering::Relaxed);
        }
    }
}

async fn exec(tx: &mut Tx, sql: &'static str) -> Result<(), sqlx::Error> {
    crate::on_tx!(tx, c => sqlx::query(sql).execute(&mut *c).await.map(|_| ()))
}

/// The error every request of a failed commit gets: 503 when the database
/// cannot take writes now, else a 500.
fn commit_failed(e: &sqlx::Error) -> AppError {
    if db_unavailable(e) {
        sqlx::Error::Io(std::io::Error::other(e.to_string())).into()
    } else {
        anyhow::anyhow!("commit failed: {e}").into()
    }
}

/// Runs a batch in one transaction; returns how many requests it committed.
async fn commit_batch(db: &Db, batch: Vec<Job>) -> usize {
    let mut tx = match db.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch {
                let _ = job.reply.send(Err(commit_failed(&e)));
            }
            return 0;
        }
    };
    let mut done = Vec::with_capacity(batch.len());
    for job in batch {
        if let Err(e) = exec(&mut tx, "SAVEPOINT grouped").await {
            let _ = job.reply.send(Err(commit_failed(&e)));
            continue;
        }
        let work = tracing::Instrument::instrument((job.work)(&mut tx), job.span.clone());
        match work.await {
            Ok(value) => match exec(&mut tx, "RELEASE grouped").await {
                Ok(()) => done.push((job.reply, value)),
                Err(e) => {
                    let _ = job.reply.send(Err(commit_failed(&e)));
                }
            },
            Err(err) => {
                // Its own writes go; the others' stay.
                let _ = exec(&mut tx, "ROLLBACK TO grouped").await;
                let _ = exec(&mut tx, "RELEASE grouped").await;
                let _ = job.reply.send(Err(err));
            }
        }
    }
    match tx.commit().await {
        Ok(()) => {
            let n = done.len();
            for (reply, value) in done {
                let _ = reply.send(Ok(value));
            }
            n
        }
        Err(e) => {
            tracing::warn!(error = %e, requests = done.len(), "a group commit failed");
            for (reply, _) in done {
                let _ = reply.send(Err(commit_failed(&e)));
            }
            0
        }
    }
}
