//! Where evidence bytes live. Behind a trait so an object store can stand in
//! for the local folder; the rest of the product only sees `FileStore`.

use std::path::{Path, PathBuf};

/// Stores and returns files by a name the product generated (never a name a
/// user gave: no path tricks can reach this).
#[async_trait::async_trait]
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Writes the whole file durably before returning.
    async fn put(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()>;
    async fn get(&self, name: &str) -> anyhow::Result<Vec<u8>>;
    async fn delete(&self, name: &str) -> anyhow::Result<()>;
    /// Whether files can be written and read back now (`/readyz`).
    async fn ready(&self) -> anyhow::Result<()> {
        let name = format!("ready-{}", uuid::Uuid::new_v4().simple());
        self.put(&name, b"ready").await?;
        let back = self.get(&name).await;
        self.delete(&name).await?;
        anyhow::ensure!(back? == b"ready", "a file read back differs");
        Ok(())
    }
}

/// A folder on the local disk, outside the web root (`<data dir>/evidence`).
#[derive(Debug, Clone)]
pub struct LocalFiles {
    dir: PathBuf,
}

impl LocalFiles {
    pub fn new(dir: impl AsRef<Path>) -> LocalFiles {
        LocalFiles {
            dir: dir.as_ref().to_path_buf(),
        }
    }

    fn path(&self, name: &str) -> anyhow::Result<PathBuf> {
        // Generated names only: hex digits and one dot.
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            || name.starts_with('.')
        {
            anyhow::bail!("not a stored file name: {name:?}");
        }
        Ok(self.dir.join(name))
    }
}

#[async_trait::async_trait]
impl FileStore for LocalFiles {
    async fn put(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let path = self.path(name)?;
        tokio::fs::create_dir_all(&self.dir).await?;
        // Write to a temporary name, sync, then rename: a crash never leaves
        // half a file under the real name.
        let tmp = self.dir.join(format!(".{name}.part"));
        let mut file = tokio::fs::File::create(&tmp).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }

    async fn get(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        Ok(tokio::fs::read(self.path(name)?).await?)
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path(name)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
