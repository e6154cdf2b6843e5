//! Evidence files in the store every process shares (`REDRESS_FILES_URL`:
//! the S3-compatible server on PostgreSQL, a folder on SQLite): written
//! through one process, read and deleted through another; copied to another
//! store by `redress files migrate`, verified by hash.

use crate::helpers::*;
use sha2::{Digest, Sha256};

/// A PDF of `size` bytes whose content differs from place to place.
pub(crate) fn pdf_of(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed);
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push((x & 0xFF) as u8);
    }
    bytes
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn a_file_sent_through_one_process_is_read_and_expired_through_another() {
    let app = TestApp::spawn().await;
    let (peer, peer_state) = app.spawn_peer_state().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    // Larger than one part of an S3 multipart upload (5 MiB).
    let big = pdf_of(6 * 1024 * 1024 + 123, 1);
    assert_eq!(
        app.upload(&claimant, &key, "statement.pdf", big.clone())
            .await
            .status(),
        303
    );
    let (id, stored, hash, size): (uuid::Uuid, String, String, i64) = app::on_db!(&app.state.db, p => sqlx::query_as("SELECT id, stored_name, sha256, size_bytes FROM evidence").fetch_one(p).await.unwrap());
    assert_eq!((hash, size), (sha(&big), big.len() as i64));
    // The other process, with a data folder of its own, serves it whole.
    let res = claimant
        .get(format!("{peer}/files/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-length"],
        big.len().to_string().as_str()
    );
    let body = res.bytes().await.unwrap();
    assert!(body[..] == big[..], "the same bytes through the peer");
    // The draft left alone: the other process's expiry deletes the rows
    // and the file in the shared store.
    age_draft(&app, &key, 84).await;
    let now = chrono::Utc::now();
    assert_eq!(
        expire_drafts_at(&peer_state, now).await,
        (1, 0),
        "the reminder"
    );
    age_draft(&app, &key, 91).await;
    assert_eq!(
        expire_drafts_at(&peer_state, now + chrono::Duration::days(7)).await,
        (0, 1)
    );
    assert_eq!(app.count("evidence").await, 0);
    assert!(!app.state.files.exists(&stored).await.unwrap());
    assert!(!peer_state.files.exists(&stored).await.unwrap());
}

/// Runs the real binary on the test's database and store, off the test's
/// runtime (its server answers meanwhile).
async fn redress(app: &TestApp, args: &[&str]) -> (bool, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (db, files) = (app.database_url().to_owned(), app.files_url().to_owned());
    let data = app.data_dir().join("tool");
    tokio::task::spawn_blocking(move || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
            .args(&args)
            .env("DATABASE_URL", db)
            .env("REDRESS_FILES_URL", files)
            .env("REDRESS_DATA_DIR", data)
            .env("RUST_LOG", "error")
            .output()
            .expect("the redress binary");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn files_migrate_copies_every_file_verified_by_hash_and_names_what_is_not_whole() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    for (i, size) in [200usize, 70_000, 5 * 1024 * 1024 + 1]
        .into_iter()
        .enumerate()
    {
        let status = app
            .upload(&claimant, &key, &format!("{i}.pdf"), pdf_of(size, i as u8))
            .await
            .status();
        assert_eq!(status, 303);
    }
    let rows: Vec<(String, String)> = app::on_db!(&app.state.db, p => sqlx::query_as("SELECT stored_name, sha256 FROM evidence ORDER BY size_bytes").fetch_all(p).await.unwrap());
    assert_eq!(rows.len(), 3);
    let target_dir = app.data_dir().join("copy");
    let to = format!("file://{}", target_dir.display());
    let target = app::server::files::open_url(&to).unwrap();

    let (ok, out) = redress(&app, &["files", "migrate", "--to", &to]).await;
    assert!(ok, "{out}");
    assert!(
        out.contains("3 copied and verified, 0 already there"),
        "{out}"
    );
    for (name, hash) in &rows {
        assert_eq!(&sha(&target.get(name).await.unwrap()), hash, "{name}");
    }
    // Again: nothing to copy.
    let (ok, out) = redress(&app, &["files", "migrate", "--to", &to]).await;
    assert!(
        ok && out.contains("0 copied and verified, 3 already there"),
        "{out}"
    );
    // The store in use is not a target.
    let (ok, out) = redress(&app, &["files", "migrate", "--to", app.files_url()]).await;
    assert!(!ok && out.contains("is the store in use"), "{out}");

    // A file lost in the source, another changed since its upload: each is
    // named, the command fails, and the changed one is not copied.
    let (lost, changed) = (&rows[0].0, &rows[1].0);
    for name in [lost, changed] {
        app.state.files.delete(name).await.unwrap();
        target.delete(name).await.unwrap();
    }
    app.state
        .files
        .put(changed, &pdf_of(70_000, 9))
        .await
        .unwrap();
    let (ok, out) = redress(&app, &["files", "migrate", "--to", &to]).await;
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("missing in the source: {lost}")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "bytes differ from the hash taken at upload: {changed}"
        )),
        "{out}"
    );
    assert!(
        out.contains("0 copied and verified, 1 already there"),
        "{out}"
    );
    assert!(!target.exists(changed).await.unwrap());
}
