//! Test harness: a real server on a random port, on a fresh database of the
//! backend chosen by `REDRESS_TEST_DB` (`sqlite`, the default, or `postgres`).

use std::sync::OnceLock;

use app::server::AppState;
use app::server::db::Db;
use app::server::services::demo;
use reqwest::header::{HeaderMap, HeaderValue, ORIGIN};
use reqwest::redirect::Policy;
use server::config::Config;
use server::startup;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

pub fn backend() -> &'static str {
    static B: OnceLock<String> = OnceLock::new();
    B.get_or_init(|| std::env::var("REDRESS_TEST_DB").unwrap_or_else(|_| "sqlite".into()))
}

/// The PostgreSQL server the tests use (trust auth, user root).
pub fn pg_admin_url() -> String {
    std::env::var("REDRESS_TEST_PG")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/postgres".into())
}

fn unique(prefix: &str) -> String {
    let run = std::env::var("REDRESS_TEST_RUN").unwrap_or_else(|_| "local".into());
    format!("{prefix}_{run}_{}", uuid::Uuid::new_v4().simple()).to_lowercase()
}

/// A fresh database for one test, and how to remove it afterwards.
struct TestDb {
    url: String,
    pg_name: Option<String>,
    dir: std::path::PathBuf,
    /// Where its evidence files go: on PostgreSQL the S3-compatible server
    /// `make test` starts (a prefix of its own in the bucket named by
    /// `REDRESS_TEST_S3_BUCKET`), as a deployment of several processes
    /// has them; on SQLite the data folder, the one-process default.
    files_url: String,
}

/// The evidence store of a test database named `name`.
fn files_url_for(name: &str, dir: &std::path::Path) -> String {
    match std::env::var("REDRESS_TEST_S3_BUCKET") {
        Ok(bucket) if backend() == "postgres" && !bucket.is_empty() => {
            format!("s3://{bucket}/{name}")
        }
        _ => format!("file://{}", dir.join("evidence").display()),
    }
}

/// The migrated schema with the bank list loaded, made once per test
/// process: every test's database is a copy of it (PostgreSQL's `CREATE
/// DATABASE … TEMPLATE`, a file copy for SQLite) instead of running the
/// migrations and loading 30,000 branches again, which took 0.7 s (SQLite)
/// to 0.95 s (PostgreSQL) of CPU a test. The server still runs its startup
/// (the migrations are found applied, the bank table full).
static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            if backend() == "postgres" {
                let name = unique("rt");
                pg_admin(&format!("CREATE DATABASE {name}")).await;
                let db = Db::connect(&pg_url(&name)).await.unwrap();
                prepare_template(&db).await;
                name
            } else {
                let path = std::env::temp_dir().join(format!("{}.db", unique("redress-template")));
                let db = Db::connect(&format!("sqlite://{}", path.display()))
                    .await
                    .unwrap();
                prepare_template(&db).await;
                path.display().to_string()
            }
        })
        .await
}

async fn prepare_template(db: &Db) {
    db.migrate().await.unwrap();
    app::server::services::banks::load_if_empty(db)
        .await
        .unwrap();
    match db {
        Db::Postgres { pool, .. } => pool.close().await,
        Db::Sqlite { read, write, .. } => {
            // Everything in the file itself, nothing left in the WAL.
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(write)
                .await
                .unwrap();
            read.close().await;
            write.close().await;
        }
    }
}

/// Runs one statement on the PostgreSQL server's admin database.
async fn pg_admin(sql: &str) {
    let admin = Db::connect(&pg_admin_url())
        .await
        .expect("PostgreSQL must be reachable for REDRESS_TEST_DB=postgres");
    if let Db::Postgres { pool, .. } = &admin {
        sqlx::query(sql).execute(pool).await.unwrap();
        pool.close().await;
    }
}

fn pg_url(name: &str) -> String {
    let base = pg_admin_url();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

impl TestDb {
    async fn create() -> TestDb {
        let dir = std::env::temp_dir().join(unique("redress"));
        std::fs::create_dir_all(&dir).unwrap();
        let template = template().await;
        if backend() == "postgres" {
            let name = unique("rt");
            pg_admin(&format!("CREATE DATABASE {name} TEMPLATE {template}")).await;
            TestDb {
                url: pg_url(&name),
                files_url: files_url_for(&name, &dir),
                pg_name: Some(name),
                dir,
            }
        } else {
            let file = dir.join("redress.db");
            std::fs::copy(template, &file).unwrap();
            TestDb {
                url: format!("sqlite://{}", file.display()),
                pg_name: None,
                files_url: files_url_for("", &dir),
                dir,
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some(name) = self.pg_name.take() {
            // Drop the database from a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(Db::Postgres { pool, .. }) = Db::connect(&pg_admin_url()).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&pool)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub state: AppState,
    _db: TestDb,
    /// Staff logged in by `staff`, kept as a person stays logged in.
    sessions: tokio::sync::Mutex<std::collections::HashMap<String, reqwest::Client>>,
}

/// Settings a test may change (the rest are the defaults).
pub struct Options {
    pub smtp_url: Option<String>,
    pub public_url: Option<String>,
    pub trust_forwarded_for: bool,
    /// How long an import request waits before answering "processing".
    pub import_wait_ms: u64,
    /// Who may read `/metrics`.
    pub metrics_allow: Vec<String>,
    /// How old the dashboard's figures may be (0, the tests' default: computed on every view).
    pub dashboard_refresh_seconds: u64,
    /// What an uploaded Excel list may unpack to (megabytes, cells).
    pub import_max_unpacked_mb: u64,
    pub import_max_cells: u64,
    /// The built site's folder (`target/site` unless a test brings its own).
    pub site_root: Option<String>,
    /// How often the mail sender looks for mail (100 ms unless a test
    /// wants the server quiet between its own requests).
    pub mail_poll_ms: u64,
    /// The request and upload time limits (seconds) and PostgreSQL's
    /// statement limit (milliseconds).
    pub request_timeout_secs: u64,
    pub upload_timeout_secs: u64,
    pub statement_timeout_ms: u64,
    /// The proxies whose `X-Forwarded-For` entries are believed.
    pub trusted_proxies: Vec<String>,
    /// Another evidence store than the test database's own.
    pub files_url: Option<String>,
    pub import_lease_secs: u64,
    pub import_chunk_rows: u64,
    /// Serve it in the test's process (false: the database and the demo
    /// data only, for real processes to serve; `address` is then set by
    /// the test).
    pub serve: bool,
    /// Requests a minute one API key may send.
    pub api_rate_per_minute: i64,
}

/// What ends a server in the test's process: nothing. The tests signal
/// their child processes by pid, and on Linux a signal sent to a pid that a
/// thread of this process has since taken reaches the whole process: a
/// SIGTERM meant for a child that had ended must not stop every test's
/// server at once. It is said and ignored.
async fn never_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    if let Ok(mut term) = signal(SignalKind::terminate()) {
        while term.recv().await.is_some() {
            eprintln!("a SIGTERM reached the test process: its in-process servers go on");
        }
    }
    std::future::pending::<()>().await
}

const IMPORT_MAX_UNPACKED_MB: u64 = 200;
const IMPORT_MAX_CELLS: u64 = 2_000_000;

impl Default for Options {
    fn default() -> Options {
        Options {
            smtp_url: None,
            public_url: None,
            trust_forwarded_for: false,
            import_wait_ms: 5000,
            metrics_allow: vec!["127.0.0.1".into()],
            dashboard_refresh_seconds: 0,
            import_max_unpacked_mb: IMPORT_MAX_UNPACKED_MB,
            import_max_cells: IMPORT_MAX_CELLS,
            site_root: None,
            mail_poll_ms: 100,
            request_timeout_secs: 30,
            upload_timeout_secs: 600,
            statement_timeout_ms: 30_000,
            trusted_proxies: Vec::new(),
            files_url: None,
            import_lease_secs: 60,
            import_chunk_rows: 5000,
            serve: true,
            api_rate_per_minute: 120,
        }
    }
}

impl TestApp {
    /// Starts the server with the demo data (banks, one login per role, two
    /// claims); mail goes to `.eml` files in its data folder.
    pub async fn spawn() -> TestApp {
        // `make test` runs a real SMTP server for every test; without it,
        // mail goes to `.eml` files in the data folder.
        Self::spawn_with_smtp(std::env::var("REDRESS_TEST_SMTP").ok()).await
    }

    /// The same, delivering mail to the SMTP server at `smtp_url`.
    pub async fn spawn_with_smtp(smtp_url: Option<String>) -> TestApp {
        Self::spawn_configured(smtp_url, None, false).await
    }

    /// The same, with a public address (e.g. https, as behind a proxy).
    pub async fn spawn_configured(
        smtp_url: Option<String>,
        public_url: Option<String>,
        trust_forwarded_for: bool,
    ) -> TestApp {
        Self::spawn_with(Options {
            smtp_url,
            public_url,
            trust_forwarded_for,
            ..Options::default()
        })
        .await
    }

    /// The server with any of the settings tests vary.
    pub async fn spawn_with(options: Options) -> TestApp {
        let Options {
            smtp_url,
            public_url,
            trust_forwarded_for,
            import_wait_ms,
            metrics_allow,
            dashboard_refresh_seconds,
            import_max_unpacked_mb,
            import_max_cells,
            site_root,
            mail_poll_ms,
            request_timeout_secs,
            upload_timeout_secs,
            statement_timeout_ms,
            trusted_proxies,
            files_url,
            import_lease_secs,
            import_chunk_rows,
            serve,
            api_rate_per_minute,
        } = options;
        // Hundreds of accounts: new password hashes are cheap here (a debug
        // build only; the product's cost is pinned by a unit test).
        app::server::auth::cheap_hashing_for_tests();
        // Server errors show in a failing test's output (RUST_LOG to see
        // more); every span is recorded for the errors' span traces, as the
        // product's own subscriber does (`ErrorLayer`), on every thread: a
        // subscriber of the test's thread alone met spans that SQLite's
        // worker thread entered and closed under another, and panicked.
        {
            use tracing_subscriber::prelude::*;
            let log = tracing_subscriber::fmt::layer()
                .with_test_writer()
                .with_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
                );
            let _ = tracing_subscriber::registry()
                .with(log)
                .with(tracing_error::ErrorLayer::default())
                .try_init();
        }
        let db = TestDb::create().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            data_dir: db.dir.clone(),
            files_url: Some(files_url.unwrap_or_else(|| db.files_url.clone())),
            import_lease_secs,
            import_chunk_rows,
            database_url: Some(db.url.clone()),
            listen: addr,
            public_url,
            smtp_url,
            mail_from: "Redress <no-reply@redress.example>".into(),
            mail_reply_to: Some("Redress help desk <help@redress.example>".into()),
            mail_retry_ms: 300,
            site_root: site_root.unwrap_or_else(|| "target/site".into()),
            mail_poll_ms,
            trust_forwarded_for,
            api_rate_per_minute,
            import_wait_ms,
            second_approval_above: 1_000_000,
            zengin_requester: server::config::DEMO_REQUESTER.into(),
            zengin_blank_names: false,
            dashboard_refresh_seconds,
            metrics_allow,
            log_format: "text".into(),
            staff_session_hours: 12,
            claimant_session_hours: 168,
            import_max_unpacked_mb,
            import_max_cells,
            // Many servers at once share one PostgreSQL (100 connections).
            db_pool: 5,
            env: "development".into(),
            shutdown_grace_secs: 25,
            trusted_proxies,
            statement_timeout_ms,
            db_statement_cache: "on".into(),
            request_timeout_secs,
            upload_timeout_secs,
        };
        let state = startup::prepare(&config).await.expect("prepare");
        demo::seed(&state).await.expect("seed");
        let serve_state = state.clone();
        if serve {
            tokio::spawn(async move {
                startup::serve_until(
                    listener,
                    serve_state,
                    std::time::Duration::from_millis(mail_poll_ms),
                    never_stop(),
                )
                .await
            });
        }
        TestApp {
            address: format!("http://{addr}"),
            state,
            _db: db,
            sessions: Default::default(),
        }
    }

    /// A second server process on the same database and file store (as
    /// behind a load balancer), with a data folder of its own: nothing it
    /// needs may live in the first one's memory or on its disk.
    pub async fn spawn_peer(&self) -> String {
        self.spawn_peer_state().await.0
    }

    /// `spawn_peer`, with the peer's state (its own file store handle, its
    /// own pool) for a test to run its background work.
    pub async fn spawn_peer_state(&self) -> (String, AppState) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let own_dir = self._db.dir.join(format!("peer-{}", addr.port()));
        let config = Config {
            data_dir: own_dir,
            files_url: Some(self._db.files_url.clone()),
            import_lease_secs: 60,
            import_chunk_rows: 5000,
            database_url: Some(self._db.url.clone()),
            listen: addr,
            public_url: None,
            smtp_url: None,
            mail_from: "Redress <no-reply@redress.example>".into(),
            mail_reply_to: Some("Redress help desk <help@redress.example>".into()),
            mail_retry_ms: 300,
            site_root: "target/site".into(),
            mail_poll_ms: 100,
            trust_forwarded_for: false,
            api_rate_per_minute: 120,
            import_wait_ms: 5000,
            second_approval_above: 1_000_000,
            zengin_requester: server::config::DEMO_REQUESTER.into(),
            zengin_blank_names: false,
            dashboard_refresh_seconds: 0,
            metrics_allow: vec!["127.0.0.1".into()],
            log_format: "text".into(),
            staff_session_hours: 12,
            claimant_session_hours: 168,
            import_max_unpacked_mb: IMPORT_MAX_UNPACKED_MB,
            import_max_cells: IMPORT_MAX_CELLS,
            // Many servers at once share one PostgreSQL (100 connections).
            db_pool: 5,
            env: "development".into(),
            shutdown_grace_secs: 25,
            trusted_proxies: Vec::new(),
            statement_timeout_ms: 30_000,
            db_statement_cache: "on".into(),
            request_timeout_secs: 30,
            upload_timeout_secs: 600,
        };
        let state = startup::prepare(&config).await.expect("prepare peer");
        let serve_state = state.clone();
        tokio::spawn(async move {
            startup::serve_until(
                listener,
                serve_state,
                std::time::Duration::from_millis(100),
                never_stop(),
            )
            .await
        });
        (format!("http://{addr}"), state)
    }

    /// A browser-like client: keeps cookies, does not follow redirects, and
    /// sends our own `Origin` (as browsers do on every POST).
    pub fn client(&self) -> reqwest::Client {
        self.client_from(&self.address)
    }

    /// A browser-like client whose pages come from `origin`.
    pub fn client_from(&self, origin: &str) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            // A request the server never answers fails the test, naming it,
            // instead of holding the whole run until CI's limit.
            .timeout(std::time::Duration::from_secs(90))
            .build()
            .unwrap()
    }

    /// The database the server uses (another process may open it too).
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    /// Where this test's evidence files are (`REDRESS_FILES_URL`).
    pub fn files_url(&self) -> &str {
        &self._db.files_url
    }

    pub fn data_dir(&self) -> &std::path::Path {
        &self._db.dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_form(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client.post(self.url(path)).form(form).send().await.unwrap()
    }

    pub async fn get(&self, client: &reqwest::Client, path: &str) -> reqwest::Response {
        client.get(self.url(path)).send().await.unwrap()
    }

    /// A staff member's session for helpers that act as them again and
    /// again (a bank clerk answering case after case): logged in once, as a
    /// person stays logged in, not once per case. (Each login spends a
    /// two-step code, and a third login within one 30-second step waits for
    /// the next, as a person would.) Tests about logins use `login`.
    pub async fn staff(&self, email: &str) -> reqwest::Client {
        let mut sessions = self.sessions.lock().await;
        if let Some(client) = sessions.get(email) {
            return client.clone();
        }
        let client = self.login(email, PASSWORD).await;
        sessions.insert(email.to_owned(), client.clone());
        client
    }

    /// Logs in and returns the client holding the session: the password,
    /// then (staff, or anyone who has one) the two-step code, or the
    /// enrolment of a two-step login for staff who have none yet.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let res = self
            .post_form(
                &client,
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        let next = location(&res);
        assert_eq!(
            res.status(),
            303,
            "login of {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
        match next.as_str() {
            "/login/code" => {
                let code = self.totp_code(email).await;
                let res = self
                    .post_form(&client, "/login/code", &[("code", &code)])
                    .await;
                assert_eq!(res.status(), 303, "the code of {email} was refused");
            }
            "/mfa/setup" => {
                self.enrol_mfa(&client).await;
            }
            _ => {}
        }
        client
    }

    /// Sets up a two-step login in this session (the page shows the key;
    /// the first code confirms it); returns the recovery codes shown.
    pub async fn enrol_mfa(&self, client: &reqwest::Client) -> Vec<String> {
        let (status, page) = self.html(client, "/mfa/setup").await;
        assert_eq!(status, 200, "the enrolment page: {page}");
        let key = page_key(&page);
        let secret = app::domain::totp::base32_decode(&key).expect("a base32 key");
        let step = app::domain::totp::step_at(chrono::Utc::now().timestamp());
        let code = app::domain::totp::format_code(app::domain::totp::code_at(&secret, step));
        let res = self
            .post_form(client, "/mfa/setup", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 303, "enrolment refused");
        assert_eq!(location(&res), "/mfa/recovery-codes");
        let (status, page) = self.html(client, "/mfa/recovery-codes").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("<code>"),
            "no recovery codes shown: {}",
            page.split("<main")
                .nth(1)
                .unwrap_or("")
                .chars()
                .take(800)
                .collect::<String>()
        );
        page.split("<code>")
            .skip(1)
            .filter_map(|p| p.split("</code>").next())
            .map(|c| c.replace("<!>", ""))
            .collect()
    }

    /// A code from `email`'s app that the server has not seen yet: this
    /// step's (or the next's, within the ±1 window); when both are spent,
    /// it waits for the next step, as a person would.
    pub async fn totp_code(&self, email: &str) -> String {
        use app::domain::totp;
        loop {
            let user = app::server::store::users::by_email(&self.state.db, email)
                .await
                .unwrap()
                .expect("the user exists");
            let secret = app::server::store::mfa::secret(&self.state.db, user.id)
                .await
                .unwrap()
                .expect("the user has a two-step login");
            let key = totp::base32_decode(&secret.key).unwrap();
            let now = chrono::Utc::now().timestamp();
            let step = totp::step_at(now);
            let fresh = |s: i64| secret.last_step.is_none_or(|last| s > last);
            if let Some(s) = [step, step + 1].into_iter().find(|s| fresh(*s)) {
                return totp::format_code(totp::code_at(&key, s));
            }
            let wait = totp::STEP_SECONDS - now.rem_euclid(totp::STEP_SECONDS);
            tokio::time::sleep(std::time::Duration::from_millis(wait as u64 * 1000 + 50)).await;
        }
    }

    /// A new claimant who registered, confirmed the address through the
    /// mailed link and logged in; returns their client.
    pub async fn register_claimant(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let res = self
            .post_form(
                &client,
                "/register",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(res.status(), 303, "registration of {email}");
        let token = mail_code(&self.last_mail(email).await.body_text);
        let res = self
            .post_form(&client, "/verify", &[("token", &token)])
            .await;
        assert_eq!(res.status(), 303, "verification of {email}");
        self.login(email, password).await
    }

    /// The newest mail in the outbox for `to` (written in the same transaction
    /// as the change that caused it).
    pub async fn last_mail(&self, to: &str) -> app::server::store::outbox::OutboxRow {
        app::server::store::outbox::for_address(&self.state.db, to)
            .await
            .unwrap()
            .into_iter()
            .next()
            .expect("a mail")
    }

    /// Waits until `mail` has left the outbox, then checks that the shared
    /// test SMTP server (`make test`) received it once, to its address, with
    /// its subject. Outside `make test` (no server) it checks nothing.
    pub async fn delivered(&self, mail: &app::server::store::outbox::OutboxRow) {
        let Ok(dir) = std::env::var("REDRESS_TEST_MAILDIR") else {
            assert!(std::env::var("CI").is_err(), "CI runs a test SMTP server");
            return;
        };
        let id = format!("{}@redress.example", mail.id);
        for _ in 0..300 {
            let found: Vec<Vec<u8>> = std::fs::read_dir(std::path::Path::new(&dir).join("new"))
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter_map(|f| std::fs::read(f.path()).ok())
                .filter(|raw| String::from_utf8_lossy(raw).contains(&id))
                .collect();
            if let Some(raw) = found.first() {
                assert_eq!(found.len(), 1, "{} delivered once", mail.kind);
                let m = mail_parser::MessageParser::default().parse(raw).unwrap();
                assert_eq!(m.subject(), Some(mail.subject.as_str()));
                let to = m.to().and_then(|a| a.first()).and_then(|a| a.address());
                assert_eq!(to, Some(mail.to_addr.as_str()));
                assert_eq!(m.attachment_count(), 0);
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "{} to {} never reached the SMTP server",
            mail.kind, mail.to_addr
        );
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        app::on_db!(&self.state.db, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await.unwrap())
    }
}

/// The two-step key an enrolment page shows (groups of four, spaces removed).
pub fn page_key(page: &str) -> String {
    page.split("id=\"mfa-key\"")
        .nth(1)
        .and_then(|rest| rest.split('>').nth(1))
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no key on the page: {page}"))
        .replace(' ', "")
}

/// The one-time code in a mail (a line of its own: `ACDE-FGHJ-KMNP`).
pub fn mail_code(body: &str) -> String {
    body.lines()
        .map(str::trim)
        .find(|l| {
            l.len() == 14
                && l.split('-').count() == 3
                && l.split('-')
                    .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .unwrap_or_else(|| panic!("no code in the mail: {body}"))
        .to_owned()
}

/// The session cookie a response sets, if any (other cookies, such as the
/// language, may be set beside it).
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("redress_session="))
        .map(str::to_owned)
}

pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// "About you" answers that pass validation.
pub fn about_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("full_name", "鈴木 一郎"),
        ("name_kana", "スズキ イチロウ"),
        ("birth_date", "1946-02-11"),
        ("postal_code", "980-0811"),
        ("address", "宮城県仙台市青葉区一番町1-1"),
        ("phone", "090-1111-2222"),
        ("lang", "ja"),
        ("contact", "phone"),
        ("compensated", "no"),
    ]
}

/// An account at bank 0125 (七十七), head office.
pub fn account_form(number: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("bank", "0125"),
        ("branch", "本店営業部"),
        ("account_type", "ordinary"),
        ("account_number", number),
    ]
}

pub fn debit_form(date: &'static str, amount: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("date", date),
        ("amount", amount),
        ("descriptor", "ドコモコウザ"),
    ]
}

/// The smallest PDF header: enough for the type check.
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

impl TestApp {
    /// Posts a form that must succeed with 303; returns where it leads.
    pub async fn post_ok(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> String {
        let res = self.post_form(client, path, form).await;
        let status = res.status();
        let to = location(&res);
        assert_eq!(
            status,
            303,
            "POST {path}: {}",
            res.text().await.unwrap_or_default()
        );
        to
    }

    /// Starts a draft; returns its key (the id in its address).
    pub async fn start_draft(&self, client: &reqwest::Client) -> String {
        let to = self.post_ok(client, "/claims/new", &[]).await;
        to.trim_start_matches("/claims/").to_owned()
    }

    /// Answers every section of the draft at `key` with one account and one
    /// debit of 100,000 yen; `about` overrides "About you" fields.
    pub async fn complete_draft(
        &self,
        client: &reqwest::Client,
        key: &str,
        about: &[(&'static str, &'static str)],
    ) {
        let mut form = about_form();
        for (k, v) in about {
            form.retain(|(f, _)| f != k);
            form.push((k, v));
        }
        self.post_ok(client, &format!("/claims/{key}/about"), &form)
            .await;
        let to = self
            .post_ok(
                client,
                &format!("/claims/{key}/add-account"),
                &account_form("1234567"),
            )
            .await;
        self.post_ok(client, &to, &debit_form("2020-09-04", "100,000"))
            .await;
        for section in ["debits", "calls", "travel", "evidence/done"] {
            self.post_ok(client, &format!("/claims/{key}/{section}"), &[])
                .await;
        }
    }

    /// Sends a completed draft; returns the claim's reference.
    pub async fn send_draft(&self, client: &reqwest::Client, key: &str) -> String {
        let to = self
            .post_ok(
                client,
                &format!("/claims/{key}/check"),
                &[("declare_true", "yes"), ("declare_share", "yes")],
            )
            .await;
        assert!(
            to.starts_with("/claims/RD-") && to.ends_with("?sent=1"),
            "{to}"
        );
        to.trim_start_matches("/claims/")
            .trim_end_matches("?sent=1")
            .to_owned()
    }

    /// A new claimant (`email`) writes a whole claim: "About you" with
    /// `about` overriding fields, one account at 0125 and these (date,
    /// amount) debits; returns the claimant and the draft's key, unsent.
    pub async fn draft_for(
        &self,
        email: &str,
        about: &[(&'static str, &'static str)],
        account: &'static str,
        debits: &[(String, &str)],
    ) -> (reqwest::Client, String) {
        let claimant = self.register_claimant(email, "kamome-no-suiheisen").await;
        let key = self.draft_by(&claimant, about, account, debits).await;
        (claimant, key)
    }

    /// The same by a claimant already logged in; returns the draft's key.
    pub async fn draft_by(
        &self,
        claimant: &reqwest::Client,
        about: &[(&'static str, &'static str)],
        account: &'static str,
        debits: &[(String, &str)],
    ) -> String {
        let key = self.start_draft(claimant).await;
        let mut form = about_form();
        for (k, v) in about {
            form.retain(|(f, _)| f != k);
            form.push((k, v));
        }
        self.post_ok(claimant, &format!("/claims/{key}/about"), &form)
            .await;
        let add = self
            .post_ok(
                claimant,
                &format!("/claims/{key}/add-account"),
                &account_form(account),
            )
            .await;
        for (date, amount) in debits {
            self.post_ok(
                claimant,
                &add,
                &[
                    ("date", date.as_str()),
                    ("amount", amount),
                    ("descriptor", "ドコモコウザ"),
                ],
            )
            .await;
        }
        for section in ["debits", "calls", "travel", "evidence/done"] {
            self.post_ok(claimant, &format!("/claims/{key}/{section}"), &[])
                .await;
        }
        key
    }

    /// Sends a bank's list file as the import page's form does.
    pub async fn upload_list(
        &self,
        client: &reqwest::Client,
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        client
            .post(self.url("/bank/import"))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap()
    }

    /// A page's status and text.
    pub async fn html(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let res = self.get(client, path).await;
        let status = res.status().as_u16();
        (status, res.text().await.unwrap())
    }

    /// A whole claim, from start to sent; returns its reference.
    pub async fn file_claim(&self, client: &reqwest::Client) -> String {
        let key = self.start_draft(client).await;
        self.complete_draft(client, &key, &[]).await;
        self.send_draft(client, &key).await
    }

    /// Uploads one file as the browser's form does.
    pub async fn upload(
        &self,
        client: &reqwest::Client,
        key: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("application/pdf")
            .unwrap();
        client
            .post(self.url(&format!("/claims/{key}/evidence")))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap()
    }

    /// Runs SQL on the test database (to age drafts, to put a case in review).
    pub async fn exec(&self, sql: &str) {
        app::on_db!(&self.state.db, p => sqlx::query(sql).execute(p).await.unwrap().rows_affected());
    }
}

/// The references a queue page lists, in order.
pub fn listed(page: &str) -> Vec<String> {
    page.split("href=\"/staff/claims/")
        .skip(1)
        .map(|s| s[..9].to_owned())
        .collect()
}

/// A CSV download: 200, UTF-8 with a BOM, its rows (the header first).
pub async fn csv_download(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<Vec<String>> {
    let res = app.get(client, path).await;
    assert_eq!(res.status(), 200, "{path}");
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&body[3..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// `n` cases in review written straight into the database (numbers from
/// `seq`, each with one debit at bank 0125 from its own account, numbered
/// from `account`), submitted a second apart back from now; `dirty`: their
/// flags to be computed. For tests about many cases at once.
pub async fn insert_cases(app: &TestApp, n: i64, seq: i64, account: i64, dirty: i64) {
    let db = &app.state.db;
    let claimant = app::server::store::users::by_email(db, "claimant@redress.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut tx = db.begin().await.unwrap();
    let now = chrono::Utc::now();
    for i in 0..n {
        let id = uuid::Uuid::new_v4();
        app::on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO claims (id, seq, reference, claimant_id, state, version, full_name, name_kana, phone,
                                 total_claimed, declared_at, submitted_at, created_at, flags_dirty)
             VALUES ($1, $2, $3, $4, 'in_review', 1, '多数 太郎', 'タスウ タロウ', '0900000000', 1000, $5, $5, $5, $6)",
        ).bind(id).bind(seq + i).bind(format!("RD-{:06}", seq + i)).bind(claimant)
        .bind(now - chrono::Duration::seconds(i)).bind(dirty)
        .execute(&mut *c).await.map(|r| r.rows_affected())).unwrap();
        app::on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO debit_lines (id, claim_id, position, bank_code, branch_code, account_type, account_number,
                                      debit_date, amount, descriptor)
             VALUES ($1, $2, 1, '0125', '100', 'ordinary', $3, '2020-09-03', 1000, 'ドコモコウザ')",
        ).bind(uuid::Uuid::new_v4()).bind(id).bind(format!("{:07}", account + i))
        .execute(&mut *c).await.map(|r| r.rows_affected())).unwrap();
    }
    tx.commit().await.unwrap();
}

/// Sets the last change of the draft at `key` to `days` ago.
pub async fn age_draft(app: &TestApp, key: &str, days: i64) {
    let at = chrono::Utc::now() - chrono::Duration::days(days);
    let id = uuid::Uuid::parse_str(key).unwrap();
    app::on_db!(&app.state.db, p => sqlx::query("UPDATE drafts SET updated_at = $1 WHERE id = $2").bind(at).bind(id).execute(p).await.unwrap().rows_affected());
}

/// Runs draft expiry as the process of `state` would at `at` (with its own
/// file store): (reminders written, drafts deleted).
pub async fn expire_drafts_at(
    state: &AppState,
    at: chrono::DateTime<chrono::Utc>,
) -> (usize, usize) {
    app::server::services::drafts::expire_drafts(
        &state.db,
        state.files.as_ref(),
        &state.settings.public_url,
        at,
    )
    .await
    .unwrap()
}

/// A file answer's headers as every download has them: never sniffed,
/// sandboxed, and `disposition` (`attachment` or, for a photo shown on a
/// page, `inline`).
pub fn assert_served_safely(res: &reqwest::Response, disposition: &str, content_type: &str) {
    let h = res.headers();
    let d = h["content-disposition"].to_str().unwrap();
    assert!(d.starts_with(&format!("{disposition};")), "{d}");
    assert_eq!(h["content-type"], content_type);
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
}
