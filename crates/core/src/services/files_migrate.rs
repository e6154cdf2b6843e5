//! `redress files migrate --to URL`: copies every evidence file the
//! database names from the store in use to another (a folder to a bucket,
//! one bucket to another, or a copy for a backup), each streamed and
//! verified by its SHA-256 as read back from the target.

use futures::StreamExt as _;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::files::FileStore;
use crate::store::evidence;

/// What a migration did, file by file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Copied and verified.
    pub copied: usize,
    /// Already in the target with the right hash (a second run).
    pub already: usize,
    /// Named by the database but not in the source store.
    pub missing: Vec<String>,
    /// Whose bytes (in the source, or as read back from the target) differ
    /// from the hash taken at upload.
    pub differ: Vec<String>,
}

impl Migrated {
    pub fn whole(&self) -> bool {
        self.missing.is_empty() && self.differ.is_empty()
    }
}

/// The SHA-256 of a stored file, read as a stream; None when it is not there.
async fn hash_of(store: &dyn FileStore, name: &str) -> anyhow::Result<Option<String>> {
    if !store.exists(name).await? {
        return Ok(None);
    }
    let mut s = store.open(name).await?;
    let mut h = Sha256::new();
    while let Some(chunk) = s.next().await {
        h.update(&chunk?);
    }
    Ok(Some(hex::encode(h.finalize())))
}

/// Copies one file, streamed; the bytes' hash must be `sha256`, or the
/// copy is abandoned.
async fn copy(
    from: &dyn FileStore,
    to: &dyn FileStore,
    name: &str,
    sha256: &str,
) -> anyhow::Result<bool> {
    let mut source = from.open(name).await?;
    let mut w = to.create(name).await?;
    let mut h = Sha256::new();
    while let Some(chunk) = source.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                w.abort().await;
                return Err(e.into());
            }
        };
        h.update(&chunk);
        if let Err(e) = w.write(chunk).await {
            w.abort().await;
            return Err(e);
        }
    }
    if hex::encode(h.finalize()) != sha256 {
        w.abort().await;
        return Ok(false);
    }
    w.finish().await?;
    Ok(true)
}

/// Copies every file the database names from `from` to `to`. A file
/// already in `to` with the right hash is left; the others are copied and
/// read back. Files not named by the database (orphans) are not copied.
#[tracing::instrument(skip_all, fields(from = %from.url(), to = %to.url()))]
pub async fn migrate(
    db: &Db,
    from: &dyn FileStore,
    to: &dyn FileStore,
) -> anyhow::Result<Migrated> {
    let mut out = Migrated::default();
    for (name, sha256, _size) in evidence::all_stored(db).await? {
        if hash_of(to, &name).await?.as_deref() == Some(sha256.as_str()) {
            out.already += 1;
            continue;
        }
        if !from.exists(&name).await? {
            out.missing.push(name);
            continue;
        }
        if !copy(from, to, &name, &sha256).await? {
            out.differ.push(name);
            continue;
        }
        if hash_of(to, &name).await?.as_deref() != Some(sha256.as_str()) {
            out.differ.push(name);
            continue;
        }
        out.copied += 1;
    }
    Ok(out)
}
