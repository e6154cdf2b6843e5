//! The multi-process drill: three `redress serve` processes on one
//! PostgreSQL database and one S3-compatible store, behind nginx (Debian's)
//! round robin, configured from `deploy/nginx.conf`. Claimants register,
//! upload evidence and send claims, a bank clerk and a reviewer read their
//! queues and cases, and a bank sends a long list, all at once; meanwhile
//! one process is restarted with SIGTERM (phase 1) and another killed with
//! SIGKILL (phase 2). Afterwards every acknowledged claim and upload is
//! whole and readable through every process, the restarted process failed
//! no request, the killed one's cut-off requests are counted and none left
//! anything half-written, and the list was imported exactly once.
//! `REDRESS_FLEET_SECONDS` per phase (8 in `make test`; `make drills`
//! runs longer), `REDRESS_FLEET_CLAIMANTS` at once (4).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::drills::{claim_of_six_debits, import_state, long_list, sh};
use crate::files::{pdf_of, sha};
use crate::helpers::*;

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One `redress serve` of the fleet, on its own port and data folder.
pub(crate) struct Member {
    pub port: u16,
    pub child: Child,
    pub log: std::path::PathBuf,
}

async fn start_member(app: &TestApp, public: &str, port: u16, n: usize) -> Member {
    start_member_with(app, public, port, n, &[]).await
}

/// A member with `env` set over the drill's settings (`DATABASE_URL` too).
pub(crate) async fn start_member_with(
    app: &TestApp,
    public: &str,
    port: u16,
    n: usize,
    env: &[(&str, &str)],
) -> Member {
    let dir = app.data_dir().join(format!("member-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join(format!("serve-{}.log", uuid::Uuid::new_v4().simple()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("serve")
        .env("DATABASE_URL", app.database_url())
        .env("REDRESS_FILES_URL", app.files_url())
        .env("REDRESS_DATA_DIR", &dir)
        .env("REDRESS_LISTEN", format!("127.0.0.1:{port}"))
        .env("REDRESS_PUBLIC_URL", public)
        .env("REDRESS_TRUSTED_PROXIES", "127.0.0.1")
        .env("REDRESS_DB_POOL", "8")
        .env("REDRESS_MAIL_POLL_MS", "500")
        .env("REDRESS_DASHBOARD_REFRESH_SECONDS", "0")
        .env("REDRESS_IMPORT_CHUNK_ROWS", "25")
        .env("REDRESS_IMPORT_LEASE_SECS", "3")
        .env("REDRESS_IMPORT_WAIT_MS", "0")
        .env("REDRESS_SHUTDOWN_GRACE_SECS", "10")
        .env("RUST_LOG", "warn,sqlx=error")
        .envs(env.iter().copied())
        .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .expect("the redress binary");
    let probe = reqwest::Client::new();
    for _ in 0..600 {
        let up = std::fs::read_to_string(&log).is_ok_and(|l| l.contains("Redress is running at"));
        if up
            && probe
                .get(format!("http://127.0.0.1:{port}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        {
            return Member { port, child, log };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!(
        "member {n} did not start: {}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// nginx in front of `ports`, listening on `listen`, from the shipped
/// configuration with the drill's addresses put in its marked lines.
fn nginx_config(dir: &std::path::Path, listen: u16, ports: &[u16]) -> std::path::PathBuf {
    let shipped = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/nginx.conf"),
    )
    .unwrap();
    let mut out = String::new();
    let mut lines = shipped.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        if line.trim() == "# drill: upstreams" {
            while lines
                .peek()
                .is_some_and(|l| l.trim().starts_with("server "))
            {
                let shipped_server = lines.next().unwrap();
                assert!(shipped_server.contains(":3000"), "{shipped_server}");
            }
            for port in ports {
                out.push_str(&format!(
                    "    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n"
                ));
            }
        }
        if line.trim() == "# drill: listen" {
            let shipped_listen = lines.next().unwrap();
            assert!(shipped_listen.trim().starts_with("listen "));
            out.push_str(&format!("    listen 127.0.0.1:{listen};\n"));
        }
    }
    assert_eq!(out.matches("127.0.0.1:").count(), ports.len() + 1);
    std::fs::write(dir.join("redress.conf"), out).unwrap();
    let main = dir.join("nginx.conf");
    std::fs::write(
        &main,
        format!(
            "user root;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  \
             proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  \
             scgi_temp_path {d}/scgi;\n  include {d}/redress.conf;\n}}\n",
            d = dir.display()
        ),
    )
    .unwrap();
    main
}

/// A child process ended when dropped (SIGTERM, then waited for).
pub(crate) struct Stopped(pub Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

/// What the load did in one phase.
#[derive(Default)]
pub(crate) struct Load {
    /// Claims answered "sent", by reference.
    pub claims: Vec<String>,
    /// Files answered "stored": (draft key, file name, SHA-256).
    pub uploads: Vec<(String, String, String)>,
    /// Claimant journeys that ran to their end, and those cut off.
    pub journeys: usize,
    pub cut: usize,
    /// Staff page views, and those that failed.
    pub views: usize,
    pub failed_views: usize,
}

/// A claimant's browser at an address of its own (behind nginx every
/// request comes from 127.0.0.1, a trusted proxy, so the client's own
/// `X-Forwarded-For` entry is taken as its address, as a CDN's would be:
/// the limits per address apply to each claimant, not to the drill).
fn claimant_from(app: &TestApp, n: usize) -> reqwest::Client {
    use reqwest::header::{HeaderMap, HeaderValue, ORIGIN};
    let mut headers = HeaderMap::new();
    headers.insert(ORIGIN, HeaderValue::from_str(&app.address).unwrap());
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(&format!(
            "10.{}.{}.{}",
            n / 65536 % 256,
            n / 256 % 256,
            n % 256
        ))
        .unwrap(),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .timeout(Duration::from_secs(90))
        .build()
        .unwrap()
}

/// One claimant's whole journey through nginx; what was acknowledged is
/// written to `load` as it is answered.
async fn journey(app: Arc<TestApp>, n: usize, first: bool, load: Arc<tokio::sync::Mutex<Load>>) {
    let email = format!("fleet-{n}-{}@example.jp", uuid::Uuid::new_v4().simple());
    let client = claimant_from(&app, n);
    let password = "kamome-no-suiheisen";
    let res = app
        .post_form(
            &client,
            "/register",
            &[("email", &email), ("password", password)],
        )
        .await;
    assert_eq!(res.status(), 303, "registration of {email}");
    let token = mail_code(&app.last_mail(&email).await.body_text);
    let res = app
        .post_form(&client, "/verify", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 303, "verification of {email}");
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", &email), ("password", password)],
        )
        .await;
    assert_eq!(res.status(), 303, "login of {email}");
    let key = app.start_draft(&client).await;
    app.complete_draft(&client, &key, &[]).await;
    // The first journey of each claimant's turn sends a file larger than one
    // S3 part (a multipart upload); the others a second small one (every
    // file is read back through all three processes, in a debug build).
    let big = if first { 5 * 1024 * 1024 + 7 } else { 40_000 };
    for (i, size) in [150_000usize, big].into_iter().enumerate() {
        let bytes = pdf_of(size, (n * 2 + i) as u8);
        let name = format!("evidence-{i}.pdf");
        let res = app.upload(&client, &key, &name, bytes.clone()).await;
        assert_eq!(res.status(), 303, "upload {name}");
        load.lock()
            .await
            .uploads
            .push((key.clone(), name, sha(&bytes)));
    }
    let reference = app.send_draft(&client, &key).await;
    load.lock().await.claims.push(reference);
}

/// Claimant journeys, `claimants` at once, and staff reading queues and
/// cases, for `seconds`.
pub(crate) async fn run_load(app: &Arc<TestApp>, seconds: u64, claimants: usize) -> Load {
    let load = Arc::new(tokio::sync::Mutex::new(Load::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    // Claimant numbers (and so their addresses) go on from phase to phase.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let next = Arc::new(&NEXT);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..claimants {
        let (app, load, next) = (app.clone(), load.clone(), next.clone());
        tasks.spawn(async move {
            let mut first = true;
            while Instant::now() < until {
                let n = next.fetch_add(1, Ordering::SeqCst);
                let run = tokio::spawn(journey(app.clone(), n, first, load.clone())).await;
                first = false;
                let mut l = load.lock().await;
                if run.is_ok() {
                    l.journeys += 1;
                } else {
                    l.cut += 1;
                }
            }
        });
    }
    for who in ["bank.77@redress.example", "reviewer@redress.example"] {
        let (app, load) = (app.clone(), load.clone());
        tasks.spawn(async move {
            let client = app.staff(who).await;
            let queue = if who.starts_with("bank") {
                "/bank/queue"
            } else {
                "/staff/queue"
            };
            while Instant::now() < until {
                for path in [queue.to_owned(), format!("{queue}?page=2")] {
                    let ok = match client.get(app.url(&path)).send().await {
                        Ok(r) => r.status() == 200,
                        Err(_) => false,
                    };
                    let mut l = load.lock().await;
                    l.views += 1;
                    if !ok {
                        l.failed_views += 1;
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Arc::try_unwrap(load).ok().unwrap().into_inner()
}

/// Bank 0077's clerk sends the long list (`drills::long_list`) to the
/// process on `port`.
pub(crate) async fn send_long_list(app: &TestApp, port: u16, origin: &str) {
    let b77 = app.staff("bank.77@redress.example").await;
    let part = reqwest::multipart::Part::bytes(long_list())
        .file_name("long.csv")
        .mime_str("text/csv")
        .unwrap();
    let res = b77
        .post(format!("http://127.0.0.1:{port}/bank/import"))
        .header("origin", origin)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// How many bank answers the claim `reference` has.
pub(crate) async fn answers_of(app: &TestApp, reference: &str) -> i64 {
    app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM line_answers a JOIN claims c ON c.id = a.claim_id WHERE c.reference = $1")
        .bind(reference).fetch_one(p).await.unwrap())
}

/// What is wrong with the claims `acknowledged` (each has its one line,
/// its "submitted" event and its one mail) and with every other claim (none
/// without lines or history).
pub(crate) async fn unwhole_claims(app: &TestApp, acknowledged: &[&String]) -> Vec<String> {
    let mut violations = Vec::new();
    for r in acknowledged {
        let (lines, events, mails): (i64, i64, i64) = app::on_db!(&app.state.db, p => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM debit_lines l WHERE l.claim_id = c.id),
                    (SELECT COUNT(*) FROM claim_events e WHERE e.claim_id = c.id AND e.to_state = 'submitted'),
                    (SELECT COUNT(*) FROM outbox o WHERE o.claim_id = c.id)
               FROM claims c WHERE c.reference = $1").bind(r.as_str()).fetch_optional(p).await.unwrap().unwrap_or((0, 0, 0)));
        if lines != 1 || events != 1 || mails != 1 {
            violations.push(format!(
                "{r}: {lines} lines, {events} events, {mails} mails"
            ));
        }
    }
    let half: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id)
            OR NOT EXISTS (SELECT 1 FROM claim_events e WHERE e.claim_id = c.id)").fetch_one(p).await.unwrap());
    if half != 0 {
        violations.push(format!("{half} claims without lines or history"));
    }
    violations
}

/// CPU seconds a process has used (user and system), from /proc.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command's closing parenthesis: utime is the
    // 12th of them, stime the 13th, in clock ticks (100 a second here).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// nginx's answers so far, by status: (all, 5xx).
fn answered(access_log: &std::path::Path) -> (usize, usize) {
    let log = std::fs::read_to_string(access_log).unwrap_or_default();
    let all = log.lines().count();
    let failed = log
        .lines()
        .filter(|l| {
            l.split('"')
                .nth(2)
                .and_then(|rest| rest.split_whitespace().next())
                .is_some_and(|s| s.starts_with('5'))
        })
        .count();
    (all, failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_behind_nginx_lose_nothing_when_one_is_killed_and_one_restarted() {
    if backend() != "postgres" {
        return; // several processes need PostgreSQL; the SQLite half drills one process
    }
    let seconds = env_or("REDRESS_FLEET_SECONDS", 8);
    let claimants = env_or("REDRESS_FLEET_CLAIMANTS", 4) as usize;
    let (ok, why) = sh("command -v nginx");
    assert!(
        ok,
        "the drill needs Debian's nginx (make test installs it): {why}"
    );
    let mut app = TestApp::spawn_with(Options {
        serve: false,
        ..Options::default()
    })
    .await;
    assert!(
        app.files_url().starts_with("s3://"),
        "the drill's processes share the S3-compatible store make test starts: {}",
        app.files_url()
    );
    let dir = app.data_dir().join("nginx");
    for sub in ["", "body", "proxy", "fastcgi", "uwsgi", "scgi"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let listen = free_port();
    let public = format!("http://127.0.0.1:{listen}");
    app.address = public.clone();
    let ports = [free_port(), free_port(), free_port()];
    let mut members = Vec::new();
    for (n, port) in ports.iter().enumerate() {
        members.push(start_member(&app, &public, *port, n).await);
    }
    let conf = nginx_config(&dir, listen, &ports);
    let (ok, why) = sh(&format!(
        "nginx -t -c {} -p {}",
        conf.display(),
        dir.display()
    ));
    assert!(ok, "nginx -t: {why}");
    let nginx = Command::new("nginx")
        .args([
            "-c",
            &conf.display().to_string(),
            "-p",
            &dir.display().to_string(),
        ])
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx");
    // Stopped however the test ends: nginx's master with SIGTERM (it takes
    // its workers with it; SIGKILL would leave them holding the port).
    let _nginx = Stopped(nginx);
    let access = dir.join("access.log");
    for _ in 0..100 {
        if reqwest::get(format!("{public}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A claim the bank's list names, made before the load.
    let reference = claim_of_six_debits(&app).await;
    let app = Arc::new(app);
    let started = Instant::now();

    // Phase 1: the load, and member 1 restarted gracefully (SIGTERM) in the middle.
    let before = answered(&access);
    let restart = {
        let (app, public) = (app.clone(), public.clone());
        let member = members.remove(1);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(seconds / 3)).await;
            let (ok, why) = sh(&format!("kill -TERM {}", member.child.id()));
            assert!(ok, "{why}");
            let mut child = member.child;
            let exit = tokio::task::spawn_blocking(move || child.wait().unwrap())
                .await
                .unwrap();
            let log = std::fs::read_to_string(&member.log).unwrap_or_default();
            assert!(exit.success(), "a graceful stop: {exit:?}\n{log}");
            start_member(&app, &public, member.port, 1).await
        })
    };
    let one = run_load(&app, seconds, claimants).await;
    members.insert(1, restart.await.unwrap());
    let after_one = answered(&access);

    // Phase 2: the load and a bank's long list, sent to member 2, which is
    // killed (SIGKILL) part way through the import.
    send_long_list(&app, members[2].port, &public).await;
    let kill = {
        let member = members.remove(2);
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                let (status, done, _, _) = import_state(&app).await.expect("the import");
                assert_eq!(status, "processing", "killed part way through the import");
                if done >= 100 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let mut child = member.child;
            child.kill().unwrap();
            child.wait().unwrap();
            member.port
        })
    };
    let two = run_load(&app, seconds, claimants).await;
    let killed_port = kill.await.unwrap();
    members.push(start_member(&app, &public, killed_port, 2).await);
    let after_two = answered(&access);

    // The list: imported once, whichever process had it.
    for _ in 0..600 {
        if import_state(&app).await.is_some_and(|s| s.0 == "done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, done, takes, _) = import_state(&app).await.unwrap();
    assert_eq!((status.as_str(), done), ("done", 1500));
    assert!(takes >= 2, "taken over from the killed process");
    let counts: (i64, i64, i64, i64, i64, i64) = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT rows_read, rows_rejected, rows_matched, rows_probable, rows_unmatched, rows_known
           FROM bank_imports WHERE file_name = 'long.csv'").fetch_one(p).await.unwrap());
    // Rejected: two impossible dates and a reference the list repeats.
    assert_eq!(counts, (1500, 3, 4, 2, 1491, 0));
    let saved: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM bank_debits d JOIN bank_imports i ON i.id = d.import_id WHERE i.file_name = 'long.csv'")
        .fetch_one(p).await.unwrap());
    assert_eq!(saved, 1497, "every row saved once");
    assert_eq!(
        answers_of(&app, &reference).await,
        4,
        "each exact match confirmed its line once"
    );

    // Every acknowledged claim is whole; none is half-written.
    let claims: Vec<&String> = one.claims.iter().chain(&two.claims).collect();
    let mut violations = unwhole_claims(&app, &claims).await;
    // Every acknowledged file is whole and readable through every process.
    let uploads: Vec<&(String, String, String)> = one.uploads.iter().chain(&two.uploads).collect();
    let reviewer = app.staff("reviewer@redress.example").await;
    let mut reads = 0;
    for (key, name, hash) in &uploads {
        let row: Option<(uuid::Uuid, String, bool)> = app::on_db!(&app.state.db, p => sqlx::query_as(
            "SELECT e.id, e.sha256, EXISTS (SELECT 1 FROM claims c WHERE c.id = e.case_id)
               FROM evidence e WHERE e.case_id = $1 AND e.file_name = $2")
            .bind(uuid::Uuid::parse_str(key).unwrap()).bind(name).fetch_optional(p).await.unwrap());
        let Some((id, stored_hash, sent)) = row else {
            violations.push(format!("{key}/{name}: acknowledged but not there"));
            continue;
        };
        if &stored_hash != hash {
            violations.push(format!("{key}/{name}: hash differs"));
        }
        if !sent {
            continue; // a draft's file: its claimant's only (checked by the claims above)
        }
        for m in &members {
            let res = reviewer
                .get(format!("http://127.0.0.1:{}/files/{id}", m.port))
                .header("origin", &public)
                .send()
                .await
                .unwrap();
            let body = res.bytes().await.unwrap();
            reads += 1;
            if &sha(&body) != hash {
                violations.push(format!("{key}/{name}: differs through :{}", m.port));
            }
        }
    }
    let total = started.elapsed();
    // CPU per request, from the three processes now running (the restarted
    // and the re-started one served part of the time only: a floor).
    let cpu: f64 = members.iter().map(|m| cpu_seconds(m.child.id())).sum();
    let served = answered(&access).0;
    let (phase_one, failed_one) = (after_one.0 - before.0, after_one.1 - before.1);
    let (phase_two, failed_two) = (after_two.0 - after_one.0, after_two.1 - after_one.1);
    eprintln!(
        "drill fleet: 3 processes behind nginx, {claimants} claimants at once, {seconds} s a phase, {:.0} s in all; \
         phase 1 (SIGTERM restart): {phase_one} requests, {failed_one} answered 5xx, {} journeys, {} cut, {} staff views, {} failed; \
         phase 2 (SIGKILL): {phase_two} requests, {failed_two} answered 5xx, {} journeys, {} cut, {} staff views, {} failed; \
         {} claims and {} files acknowledged, {reads} file reads through the three processes, import taken {takes} time(s), {} violations; \
         the running processes used {cpu:.1} s of CPU for {served} requests through nginx ({:.1} ms a request, a floor)",
        total.as_secs_f64(),
        one.journeys,
        one.cut,
        one.views,
        one.failed_views,
        two.journeys,
        two.cut,
        two.views,
        two.failed_views,
        claims.len(),
        uploads.len(),
        violations.len(),
        cpu * 1000.0 / served.max(1) as f64
    );
    for mut m in members {
        let _ = m.child.kill();
        let _ = m.child.wait();
    }
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(
        (failed_one, one.cut, one.failed_views),
        (0, 0, 0),
        "the gracefully restarted process failed no request"
    );
    assert!(!claims.is_empty() && !uploads.is_empty());
}
