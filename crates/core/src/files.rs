//! Where evidence bytes live: a folder on the local disk (`file://`, the
//! one-process default) or an S3-compatible object store (`s3://bucket/prefix`,
//! shared by every process of a deployment). The rest of the product only
//! sees `FileStore`, and writes through a `FileWriter` chunk by chunk: an
//! upload is never held whole in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt as _;
use futures::stream::BoxStream;

/// A stored file's bytes, as they come.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// A file being written. Nothing is visible under its name until `finish`
/// returns; `abort` (or dropping it) leaves nothing behind that a reader
/// could mistake for the file.
#[async_trait::async_trait]
pub trait FileWriter: Send {
    async fn write(&mut self, chunk: Bytes) -> anyhow::Result<()>;
    /// Makes the file durable and visible.
    async fn finish(self: Box<Self>) -> anyhow::Result<()>;
    async fn abort(self: Box<Self>);
}

/// Stores and returns files by a name the product generated (never a name a
/// user gave: no path tricks can reach this).
#[async_trait::async_trait]
pub trait FileStore: Send + Sync + std::fmt::Debug {
    /// Where the files are, as a `REDRESS_FILES_URL` (no secrets in it).
    fn url(&self) -> String;
    async fn create(&self, name: &str) -> anyhow::Result<Box<dyn FileWriter>>;
    async fn open(&self, name: &str) -> anyhow::Result<ByteStream>;
    async fn delete(&self, name: &str) -> anyhow::Result<()>;
    async fn exists(&self, name: &str) -> anyhow::Result<bool>;

    /// Writes the whole file durably before returning.
    async fn put(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let mut w = self.create(name).await?;
        if let Err(e) = w.write(Bytes::copy_from_slice(bytes)).await {
            w.abort().await;
            return Err(e);
        }
        w.finish().await
    }

    /// The whole file (a tool's read: migration, verification; pages stream).
    async fn get(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut s = self.open(name).await?;
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }

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

/// Generated names only: letters, digits, '-' and '.', not starting with '.'.
fn checked(name: &str) -> anyhow::Result<&str> {
    if name.is_empty()
        || name.len() > 200
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        || name.starts_with('.')
    {
        anyhow::bail!("not a stored file name: {name:?}");
    }
    Ok(name)
}

/// The store a `REDRESS_FILES_URL` names: `file:///absolute/folder` or
/// `s3://bucket[/prefix]` (endpoint, region and credentials from the usual
/// `AWS_*` variables: `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP` for a plain-HTTP endpoint).
pub fn open_url(url: &str) -> anyhow::Result<Arc<dyn FileStore>> {
    if let Some(path) = url.strip_prefix("file://") {
        anyhow::ensure!(
            path.starts_with('/'),
            "REDRESS_FILES_URL: a file:// address needs an absolute folder (file:///var/lib/redress/evidence), not {url:?}"
        );
        return Ok(Arc::new(LocalFiles::new(path)));
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(
            !bucket.is_empty(),
            "REDRESS_FILES_URL: an s3:// address names a bucket (s3://bucket/prefix), not {url:?}"
        );
        return Ok(Arc::new(S3Files::new(bucket, prefix)?));
    }
    anyhow::bail!(
        "REDRESS_FILES_URL must start with file:/// (a folder) or s3:// (a bucket), not {url:?}"
    )
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
        Ok(self.dir.join(checked(name)?))
    }
}

/// A local file written under a temporary name, renamed when finished.
struct LocalWriter {
    file: Option<tokio::fs::File>,
    tmp: PathBuf,
    path: PathBuf,
}

#[async_trait::async_trait]
impl FileWriter for LocalWriter {
    async fn write(&mut self, chunk: Bytes) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let file = self.file.as_mut().expect("a writer not finished");
        file.write_all(&chunk).await?;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut file = self.file.take().expect("a writer finished once");
        file.flush().await?;
        // Synced before the rename: a crash never leaves half a file under
        // the real name.
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&self.tmp, &self.path).await?;
        Ok(())
    }

    async fn abort(mut self: Box<Self>) {
        self.file.take();
        let _ = tokio::fs::remove_file(&self.tmp).await;
    }
}

impl Drop for LocalWriter {
    fn drop(&mut self) {
        // Dropped part way (the request ended): the part file goes.
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[async_trait::async_trait]
impl FileStore for LocalFiles {
    fn url(&self) -> String {
        format!("file://{}", self.dir.display())
    }

    async fn create(&self, name: &str) -> anyhow::Result<Box<dyn FileWriter>> {
        let path = self.path(name)?;
        tokio::fs::create_dir_all(&self.dir).await?;
        let tmp = self
            .dir
            .join(format!(".{name}.{}.part", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::File::create(&tmp).await?;
        Ok(Box::new(LocalWriter {
            file: Some(file),
            tmp,
            path,
        }))
    }

    async fn open(&self, name: &str) -> anyhow::Result<ByteStream> {
        let file = tokio::fs::File::open(self.path(name)?).await?;
        Ok(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024).boxed())
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        match tokio::fs::remove_file(self.path(name)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, name: &str) -> anyhow::Result<bool> {
        Ok(tokio::fs::try_exists(self.path(name)?).await?)
    }
}

/// S3's smallest part of a multipart upload: a file up to this size goes
/// up in one request, a larger one in parts of this size, so an upload
/// holds at most this much in memory, whatever the file's size.
const S3_PART_BYTES: usize = 5 * 1024 * 1024;

/// An S3-compatible bucket, under a prefix.
#[derive(Debug, Clone)]
pub struct S3Files {
    store: Arc<dyn object_store::ObjectStore>,
    bucket: String,
    prefix: String,
}

impl S3Files {
    pub fn new(bucket: &str, prefix: &str) -> anyhow::Result<S3Files> {
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| anyhow::anyhow!("REDRESS_FILES_URL s3://{bucket}: {e}"))?;
        Ok(S3Files {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
        })
    }

    fn path(&self, name: &str) -> anyhow::Result<object_store::path::Path> {
        let name = checked(name)?;
        let key = if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.prefix)
        };
        Ok(object_store::path::Path::parse(key)?)
    }
}

struct S3Writer(Option<object_store::buffered::BufWriter>);

#[async_trait::async_trait]
impl FileWriter for S3Writer {
    async fn write(&mut self, chunk: Bytes) -> anyhow::Result<()> {
        let w = self.0.as_mut().expect("a writer not finished");
        w.put(chunk).await?;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        let mut w = self.0.take().expect("a writer finished once");
        // Completes the single PUT or the multipart upload: only then is
        // the object there, whole.
        w.shutdown().await?;
        Ok(())
    }

    async fn abort(mut self: Box<Self>) {
        if let Some(mut w) = self.0.take() {
            let _ = w.abort().await;
        }
    }
}

#[async_trait::async_trait]
impl FileStore for S3Files {
    fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    async fn create(&self, name: &str) -> anyhow::Result<Box<dyn FileWriter>> {
        let w = object_store::buffered::BufWriter::with_capacity(
            self.store.clone(),
            self.path(name)?,
            S3_PART_BYTES,
        );
        Ok(Box::new(S3Writer(Some(w))))
    }

    async fn open(&self, name: &str) -> anyhow::Result<ByteStream> {
        let got = self.store.get(&self.path(name)?).await?;
        Ok(got
            .into_stream()
            .map(|r| r.map_err(std::io::Error::other))
            .boxed())
    }

    async fn delete(&self, name: &str) -> anyhow::Result<()> {
        match self.store.delete(&self.path(name)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, name: &str) -> anyhow::Result<bool> {
        match self.store.head(&self.path(name)?).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_are_stored() {
        for bad in [
            "",
            ".x",
            "../etc/passwd",
            "a/b",
            "a b",
            "é.pdf",
            &"a".repeat(201),
        ] {
            assert!(checked(bad).is_err(), "{bad:?}");
        }
        assert!(checked("0f3a.pdf").is_ok());
    }

    #[test]
    fn a_files_url_names_a_folder_or_a_bucket() {
        assert_eq!(open_url("file:///tmp/x").unwrap().url(), "file:///tmp/x");
        assert!(open_url("file://relative").is_err());
        assert!(open_url("s3://").is_err());
        assert!(open_url("http://example.com/x").is_err());
        assert!(open_url("/tmp/x").is_err());
    }

    #[tokio::test]
    async fn a_local_file_is_there_only_once_finished_and_an_aborted_one_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("redress-files-{}", uuid::Uuid::new_v4()));
        let store = LocalFiles::new(&dir);
        let mut w = store.create("a.pdf").await.unwrap();
        w.write(Bytes::from_static(b"%PDF-")).await.unwrap();
        assert!(!store.exists("a.pdf").await.unwrap());
        w.write(Bytes::from_static(b"1.7")).await.unwrap();
        w.finish().await.unwrap();
        assert_eq!(store.get("a.pdf").await.unwrap(), b"%PDF-1.7");
        let mut w = store.create("b.pdf").await.unwrap();
        w.write(Bytes::from_static(b"half")).await.unwrap();
        w.abort().await;
        let w = store.create("c.pdf").await.unwrap();
        drop(w);
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, vec!["a.pdf".to_owned()]);
        store.delete("a.pdf").await.unwrap();
        store.delete("a.pdf").await.unwrap();
        assert!(!store.exists("a.pdf").await.unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
