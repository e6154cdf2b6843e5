//! Operations: `/metrics` for allowed addresses only, the request id in the
//! response, on error pages and in the JSON log lines, and a backup of the
//! running database restored into an empty data folder.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn metrics_count_requests_by_route_for_allowed_addresses_only() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for _ in 0..3 {
        assert_eq!(app.get(&client, "/login").await.status(), 200);
    }
    assert_eq!(app.get(&client, "/no-such-page-42").await.status(), 404);
    let res = app.get(&client, "/metrics").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let body = res.text().await.unwrap();
    for line in [
        r#"redress_http_requests_total{route="/login",method="GET",status="200"} 3"#,
        r#"redress_http_requests_total{route="unmatched",method="GET",status="404"} 1"#,
        r#"redress_http_request_duration_seconds_count{route="/login"} 3"#,
        r#"redress_http_request_duration_seconds_bucket{route="/login",le="+Inf"} 3"#,
    ] {
        assert!(body.contains(line), "{line} in {body}");
    }
    // Cases by state, as the database has them.
    let states = app::server::store::queue::counts(&app.state.db)
        .await
        .unwrap();
    assert!(!states.is_empty());
    for (state, n) in states {
        let line = format!("redress_cases{{state=\"{state}\"}} {n}");
        assert!(body.contains(&line), "{line}");
    }
    for name in [
        "redress_outbox_pending ",
        "redress_outbox_failed ",
        "redress_db_pool_connections{pool=",
    ] {
        assert!(body.contains(name), "{name}");
    }
    // Anyone not listed gets nothing.
    let closed = TestApp::spawn_with(Options {
        metrics_allow: vec!["10.9.8.0/24".into()],
        ..Options::default()
    })
    .await;
    let res = closed.get(&closed.client(), "/metrics").await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("redress_"));
}

#[tokio::test]
async fn every_answer_names_its_request_and_error_pages_show_the_code() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/no-such-page").await;
    assert_eq!(res.status(), 404);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 12);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!("<code>{id}")),
        "{id} not in {}",
        &page[page.find("request-code").unwrap_or(0)..]
    );
    let other = app.get(&app.client(), "/login").await;
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
    // A page whose server function refused shows its code too.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let res = app.get(&reviewer, "/admin/mail").await;
    assert_eq!(res.status(), 403);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(res.text().await.unwrap().contains(&format!("<code>{id}")));
}

fn redress(args: &[&str], env: &[(&str, String)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_redress"));
    cmd.args(args).env("RUST_LOG", "error");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the redress binary")
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_a_running_database_is_backed_up_and_restored() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = app.file_claim(&claimant).await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("serve")
        .env("DATABASE_URL", app.database_url())
        .env("REDRESS_DATA_DIR", app.data_dir())
        .env("REDRESS_LISTEN", format!("127.0.0.1:{port}"))
        .env("REDRESS_LOG_FORMAT", "json")
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the redress binary");
    let mut up = false;
    for _ in 0..600 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server started");
    let res = reqwest::get(format!("{base}/no-such-page")).await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();

    let dir =
        std::env::temp_dir().join(format!("redress-backup-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("backup.db");
    let backup = redress(
        &["backup", "--to", file.to_str().unwrap()],
        &[("DATABASE_URL", app.database_url().to_owned())],
    );
    let _ = server.kill();
    let _ = server.wait();
    let mut out = String::new();
    server
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    // The access-log line of that request, as JSON, with its id.
    let line = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["span"]["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no JSON log line with request_id {id}: {out}"));
    assert_eq!(line["fields"]["message"], "answered");
    assert_eq!(line["fields"]["status"], 404);
    assert_eq!(line["span"]["path"], "/no-such-page");

    if backend() == "postgres" {
        // PostgreSQL has its own tools; the command says which.
        assert!(!backup.status.success());
        assert!(String::from_utf8_lossy(&backup.stderr).contains("pg_dump"));
        return;
    }
    assert!(
        backup.status.success(),
        "{}",
        String::from_utf8_lossy(&backup.stderr)
    );
    // The same file again is refused: a backup never overwrites.
    let again = redress(
        &["backup", "--to", file.to_str().unwrap()],
        &[("DATABASE_URL", app.database_url().to_owned())],
    );
    assert!(!again.status.success());
    // Restored into an empty data folder: every case is there.
    let restored = dir.join("restored");
    let data = [("REDRESS_DATA_DIR", restored.display().to_string())];
    let run = redress(&["restore", "--from", file.to_str().unwrap()], &data);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let refs = |db: app::server::db::Db| async move {
        app::on_db!(&db, p => sqlx::query_scalar::<_, String>("SELECT reference FROM claims ORDER BY reference")
            .fetch_all(p).await.unwrap())
    };
    let before = refs(app.state.db.clone()).await;
    let copy = app::server::db::Db::connect(&format!(
        "sqlite://{}",
        restored.join("redress.db").display()
    ))
    .await
    .unwrap();
    let after = refs(copy).await;
    assert!(after.contains(&reference));
    assert_eq!(before, after);
    // A data folder that has a database is never overwritten.
    let twice = redress(&["restore", "--from", file.to_str().unwrap()], &data);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("empty data folder"));
    // Nor is something else taken for a backup.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    let other = [("REDRESS_DATA_DIR", dir.join("other").display().to_string())];
    let bad = redress(&["restore", "--from", junk.to_str().unwrap()], &other);
    assert!(!bad.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a phone downloads: pages gzipped when the browser asks; the site's
/// files named by their content, kept a year, and sent precompressed by
/// the request's Accept-Encoding (brotli, gzip, or as they are).
#[tokio::test]
async fn pages_are_compressed_and_the_sites_files_are_named_by_content_and_kept() {
    // A built site as scripts/build-site.sh leaves it (its own folder).
    let site = std::env::temp_dir().join(format!("redress-site-{}", uuid::Uuid::new_v4().simple()));
    let pkg = site.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let hash = "0123456789abcdef";
    let css = "body { color: #0b0c0c; } ".repeat(40);
    std::fs::write(site.join("site.hash"), format!("{hash}\n")).unwrap();
    std::fs::write(pkg.join("redress.css"), &css).unwrap();
    std::fs::write(pkg.join(format!("redress.{hash}.css")), &css).unwrap();
    std::fs::write(pkg.join(format!("redress.{hash}.css.br")), b"brotli bytes").unwrap();
    std::fs::write(pkg.join(format!("redress.{hash}.css.gz")), b"gzip bytes").unwrap();
    let app = TestApp::spawn_with(Options {
        site_root: Some(site.display().to_string()),
        ..Options::default()
    })
    .await;
    let http = reqwest::Client::new();
    let get = |path: &str, encoding: Option<&'static str>| {
        let mut req = http.get(app.url(path));
        if let Some(e) = encoding {
            req = req.header("accept-encoding", e);
        }
        req.send()
    };

    // A page: gzipped when asked, whole otherwise; it names the files by
    // hash, and one without an island loads no WebAssembly at all.
    let plain = get("/login", None).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.text().await.unwrap();
    assert!(plain.contains(&format!(r#"href="/pkg/redress.{hash}.css""#)));
    // The loader runs only where an island is (the browser test counts the
    // downloads); nothing is preloaded.
    let loader = r#"document.querySelector("leptos-island") && "#;
    assert!(plain.contains(loader) && !plain.contains("<leptos-island"));
    assert!(!plain.contains("rel=\"preload\"") && !plain.contains("modulepreload"));
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    let about = app.get(&claimant, &format!("/claims/{key}/about")).await;
    let about = about.text().await.unwrap();
    assert!(about.contains("<leptos-island") && about.contains(loader));
    // Both builds named by the hash: the whole one, the claimant's, and the
    // staff islands that call for the whole one.
    assert!(about.contains(&format!(
        r#""pkg", "redress.{hash}", "redress-claimant.{hash}", ["ImportWatch"]);"#
    )));
    let zipped = get("/login", Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["cache-control"], "no-store");
    let bytes = zipped.bytes().await.unwrap();
    let mut page = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut page)
        .unwrap();
    assert!(page.contains("<html"), "the gzip holds the page");
    assert!(
        bytes.len() * 2 < plain.len(),
        "{} of {} bytes",
        bytes.len(),
        plain.len()
    );

    // The hashed file: a year, immutable; the encoding the browser takes.
    let path = format!("/pkg/redress.{hash}.css");
    for (asked, encoding, body) in [
        (
            Some("gzip, deflate, br"),
            Some("br"),
            b"brotli bytes".to_vec(),
        ),
        (Some("gzip"), Some("gzip"), b"gzip bytes".to_vec()),
        (None, None, css.clone().into_bytes()),
    ] {
        let res = get(&path, asked).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            res.headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "{asked:?}"
        );
        assert_eq!(res.bytes().await.unwrap().to_vec(), body, "{asked:?}");
    }
    // The same name for new content is asked again each time.
    let res = get("/pkg/redress.css", None).await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    // A name that is not the site's: not found, and not kept.
    let res = get("/pkg/redress.fedcba9876543210.css", Some("br"))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_ne!(
        res.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );
    let _ = std::fs::remove_dir_all(&site);
}

/// Pages end while other servers start in the same process. Leptos lists an
/// app's routes by rendering it with resource loading switched off by a
/// process-wide flag; a page another server rendered meanwhile created its
/// resources unloaded and never answered (the tests, which start servers
/// while others answer, hung until CI's limit). Several clients ask for
/// pages on one server, on its own threads, while six more servers start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_end_while_other_servers_start_in_the_same_process() {
    let app = TestApp::spawn().await;
    let starting = std::sync::atomic::AtomicBool::new(true);
    let ask = || async {
        let client = app.client();
        let mut answered = 0;
        while starting.load(std::sync::atomic::Ordering::Relaxed) || answered < 5 {
            let page = tokio::time::timeout(Duration::from_secs(20), async {
                let res = app.get(&client, "/").await;
                (res.status().as_u16(), res.text().await.map(|t| t.len()))
            })
            .await
            .expect("the start page ended within 20 s while servers started");
            assert_eq!(page.0, 200);
            assert!(page.1.expect("the whole page") > 1000);
            answered += 1;
        }
        answered
    };
    let starts = async {
        for _ in 0..6 {
            let other = TestApp::spawn().await;
            assert_eq!(other.get(&other.client(), "/").await.status(), 200);
            // Its connections back to PostgreSQL (the suite shares 100).
            other.state.db.close().await;
        }
        starting.store(false, std::sync::atomic::Ordering::Relaxed);
    };
    let (a, b, c, d, ()) = tokio::join!(ask(), ask(), ask(), ask(), starts);
    assert!([a, b, c, d].iter().all(|n| *n >= 5));
}

/// Another connection holding what a registration must write: on SQLite the
/// write lock, on PostgreSQL an exclusive lock on the accounts. Dropping
/// the returned connection (or its rollback) lets go.
pub(crate) async fn hold_the_accounts(app: &TestApp) -> Box<dyn std::any::Any> {
    use sqlx::Connection;
    // The server has finished starting (it writes its session table).
    assert_eq!(app.get(&app.client(), "/").await.status(), 200);
    if backend() == "postgres" {
        let mut c = sqlx::PgConnection::connect(app.database_url())
            .await
            .unwrap();
        sqlx::query("BEGIN").execute(&mut c).await.unwrap();
        sqlx::query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            .execute(&mut c)
            .await
            .unwrap();
        Box::new(c)
    } else {
        let mut c = sqlx::SqliteConnection::connect(app.database_url())
            .await
            .unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut c)
            .await
            .unwrap();
        Box::new(c)
    }
}

/// A registration of `email` on `app`'s server.
async fn register_as(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_form(
        &app.client(),
        "/register",
        &[("email", email), ("password", "kamome-no-suiheisen")],
    )
    .await
}

/// Whether an account with `email` exists (read once the lock is gone).
pub(crate) async fn account_exists(app: &TestApp, email: &str) -> bool {
    app::server::store::users::by_email(&app.state.db, email)
        .await
        .unwrap()
        .is_some()
}

/// No request without an end: a request held up (another connection holds
/// what it must write) is stopped at the request's time limit and answered
/// 503 with a message in both languages and a time to come back; nothing it
/// began is written; the server answers the next request as before.
#[tokio::test]
async fn a_request_held_up_ends_at_its_time_limit_with_a_503() {
    let app = TestApp::spawn_with(Options {
        request_timeout_secs: 2,
        ..Options::default()
    })
    .await;
    let lock = hold_the_accounts(&app).await;
    let started = std::time::Instant::now();
    let res = register_as(&app, "held@example.jp").await;
    let waited = started.elapsed();
    assert_eq!(res.status(), 503);
    assert!(res.headers().contains_key("retry-after"));
    let page = res.text().await.unwrap();
    assert!(
        page.contains("時間がかかりすぎた") && page.contains("This took too long"),
        "{page}"
    );
    assert!(
        waited >= Duration::from_secs(2),
        "answered after {waited:?}"
    );
    drop(lock);
    // The next request is answered; the stopped one wrote nothing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.get(&app.client(), "/").await.status(), 200);
    assert!(!account_exists(&app, "held@example.jp").await);
    let res = register_as(&app, "held@example.jp").await;
    assert_eq!(res.status(), 303, "registered once the lock is gone");
    assert!(account_exists(&app, "held@example.jp").await);
}

/// The database's own limit: a statement stuck behind a lock ends before
/// the request's limit (120 s here) and the request answers 503, writing
/// nothing. PostgreSQL cancels it at the statement limit (1 s here,
/// SQLSTATE 57014); on SQLite a write waits for the one writer's lock for
/// the busy timeout (10 s, SQLITE_BUSY) and for the write connection, which
/// the background jobs wait for too, for the pool's 30 s.
#[tokio::test]
async fn a_stuck_statement_ends_at_the_databases_own_limit_with_a_503() {
    let app = TestApp::spawn_with(Options {
        statement_timeout_ms: 1000,
        request_timeout_secs: 120,
        ..Options::default()
    })
    .await;
    let lock = hold_the_accounts(&app).await;
    let started = std::time::Instant::now();
    let res = register_as(&app, "stuck@example.jp").await;
    let waited = started.elapsed();
    assert_eq!(
        res.status(),
        503,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert!(
        waited < Duration::from_secs(if backend() == "postgres" { 20 } else { 60 }),
        "ended by the database's limit, not the request's: {waited:?}"
    );
    drop(lock);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!account_exists(&app, "stuck@example.jp").await);
}
