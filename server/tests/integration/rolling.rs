//! A rolling deploy: the previous release's own binary (the commit in
//! `deploy/previous-release`, built by `make test` with
//! `scripts/previous-release.sh`, named in `REDRESS_PREVIOUS_BIN`) runs
//! against the schema this release migrated, beside a process of this
//! release: it starts and is ready, a claim sent through it is whole for
//! this release, and it shows staff a claim this release took. Migrations
//! only expand (CONTRIBUTING.md), and this is the check that they did.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::fleet::{Stopped, free_port, unwhole_claims};
use crate::helpers::*;

fn previous_release() -> String {
    let bin = std::env::var("REDRESS_PREVIOUS_BIN").unwrap_or_default();
    assert!(
        std::path::Path::new(&bin).is_file(),
        "REDRESS_PREVIOUS_BIN must name the previous release's binary: make test builds it (scripts/previous-release.sh prints its path), not {bin:?}"
    );
    bin
}

#[tokio::test]
async fn the_previous_release_serves_beside_this_one_on_this_schema() {
    let bin = previous_release();
    let mut app = TestApp::spawn().await;
    let current = app.address.clone();
    let port = free_port();
    let old = format!("http://127.0.0.1:{port}");
    let data = app.data_dir().join("previous");
    std::fs::create_dir_all(&data).unwrap();
    let log = data.join("serve.log");
    let child = Command::new(&bin)
        .arg("serve")
        .env("DATABASE_URL", app.database_url())
        .env("REDRESS_FILES_URL", app.files_url())
        .env("REDRESS_DATA_DIR", &data)
        .env("REDRESS_LISTEN", format!("127.0.0.1:{port}"))
        .env("REDRESS_PUBLIC_URL", &old)
        .env("REDRESS_DB_POOL", "4")
        .env("RUST_LOG", "warn,sqlx=error")
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::from(
            std::fs::File::create(data.join("serve.err")).unwrap(),
        ))
        .spawn()
        .expect("the previous release's binary");
    let _old = Stopped(child);
    // Up to 90 s: a loaded machine (both suites and the browser build at
    // once) once took more than 30 s to start it.
    let started = std::time::Instant::now();
    let mut ready = None;
    for _ in 0..1800 {
        if let Ok(r) = reqwest::get(format!("{old}/readyz")).await {
            ready = Some((r.status(), r.text().await.unwrap_or_default()));
            if ready.as_ref().is_some_and(|(s, _)| s.is_success()) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let said = || {
        format!(
            "{}{}",
            std::fs::read_to_string(&log).unwrap_or_default(),
            std::fs::read_to_string(data.join("serve.err")).unwrap_or_default()
        )
    };
    assert!(
        ready.as_ref().is_some_and(|(s, _)| s.is_success()),
        "the previous release is ready on this schema within {:?}: {ready:?}\n{}",
        started.elapsed(),
        said()
    );

    // A claimant's whole claim through the previous release...
    app.address = old.clone();
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[]).await;
    let through_old = app.send_draft(&claimant, &key).await;
    // ...is whole for this release, and its reviewer opens it here.
    app.address = current.clone();
    let violations = unwhole_claims(&app, &[&through_old]).await;
    assert!(violations.is_empty(), "{violations:?}");
    let reviewer = app.staff("reviewer@redress.example").await;
    let (status, page) = app
        .html(&reviewer, &format!("/staff/claims/{through_old}"))
        .await;
    assert_eq!(status, 200, "this release shows the previous one's claim");
    assert!(page.contains(&through_old));

    // A claim this release took, shown by the previous release to the same
    // reviewer's session (sessions are shared too).
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[]).await;
    let through_new = app.send_draft(&claimant, &key).await;
    let res = reviewer
        .get(format!("{old}/staff/claims/{through_new}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", said());
    assert!(res.text().await.unwrap().contains(&through_new));
    let version = Command::new(&bin).arg("--version").output().unwrap();
    eprintln!(
        "previous release ({}) beside this one: ready, {through_old} sent through it, {through_new} shown by it",
        String::from_utf8_lossy(&version.stdout).trim()
    );
}
