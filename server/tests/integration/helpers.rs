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
}

impl TestDb {
    async fn create() -> TestDb {
        let dir = std::env::temp_dir().join(unique("redress"));
        std::fs::create_dir_all(&dir).unwrap();
        if backend() == "postgres" {
            let name = unique("rt");
            let admin = Db::connect(&pg_admin_url())
                .await
                .expect("PostgreSQL must be reachable for REDRESS_TEST_DB=postgres");
            if let Db::Postgres(pool) = &admin {
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(pool)
                    .await
                    .unwrap();
                pool.close().await;
            }
            let base = pg_admin_url();
            let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
            TestDb {
                url,
                pg_name: Some(name),
                dir,
            }
        } else {
            let url = format!("sqlite://{}", dir.join("redress.db").display());
            TestDb {
                url,
                pg_name: None,
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
                    if let Ok(Db::Postgres(pool)) = Db::connect(&pg_admin_url()).await {
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
}

impl TestApp {
    /// Starts the server with the demo data (banks, one login per role, two
    /// claims); mail goes to `.eml` files in its data folder.
    pub async fn spawn() -> TestApp {
        Self::spawn_with_smtp(None).await
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
        let db = TestDb::create().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            data_dir: db.dir.clone(),
            database_url: Some(db.url.clone()),
            listen: addr,
            public_url,
            smtp_url,
            mail_from: "Redress <no-reply@redress.example>".into(),
            site_root: "target/site".into(),
            mail_poll_ms: 100,
            trust_forwarded_for,
        };
        let state = startup::prepare(&config).await.expect("prepare");
        demo::seed(&state).await.expect("seed");
        let serve_state = state.clone();
        tokio::spawn(async move {
            startup::serve(listener, serve_state, std::time::Duration::from_millis(100)).await
        });
        TestApp {
            address: format!("http://{addr}"),
            state,
            _db: db,
        }
    }

    /// A second server process on the same database (as behind a load
    /// balancer): nothing it needs may live in the first one's memory.
    pub async fn spawn_peer(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = Config {
            data_dir: self._db.dir.clone(),
            database_url: Some(self._db.url.clone()),
            listen: addr,
            public_url: None,
            smtp_url: None,
            mail_from: "Redress <no-reply@redress.example>".into(),
            site_root: "target/site".into(),
            mail_poll_ms: 100,
            trust_forwarded_for: false,
        };
        let state = startup::prepare(&config).await.expect("prepare peer");
        tokio::spawn(async move {
            startup::serve(listener, state, std::time::Duration::from_millis(100)).await
        });
        format!("http://{addr}")
    }

    /// A browser-like client: keeps cookies, does not follow redirects, and
    /// sends our own `Origin` (as browsers do on every POST).
    pub fn client(&self) -> reqwest::Client {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_str(&self.address).unwrap());
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
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

    /// Logs in and returns the client holding the session.
    pub async fn login(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let res = self
            .post_form(
                &client,
                "/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(
            res.status(),
            303,
            "login of {email} failed: {}",
            res.text().await.unwrap_or_default()
        );
        client
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
        let token = link_token(&self.last_mail(email).await.body_text, "/verify?token=");
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

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        app::on_db!(&self.state.db, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await.unwrap())
    }
}

/// The token of the first link in a mail body that starts with `prefix`.
pub fn link_token(body: &str, prefix: &str) -> String {
    let start = body.find(prefix).expect("link in mail") + prefix.len();
    body[start..].split_whitespace().next().unwrap().to_owned()
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

/// A claim form that passes validation (one line at bank 0125, 七十七).
pub fn good_claim() -> Vec<(&'static str, &'static str)> {
    vec![
        ("op", "submit"),
        ("line_count", "1"),
        ("full_name", "鈴木 一郎"),
        ("name_kana", "スズキ イチロウ"),
        ("phone", "090-1111-2222"),
        ("debit_0_bank", "0125"),
        ("debit_0_branch", "本店営業部"),
        ("debit_0_account_type", "ordinary"),
        ("debit_0_account_number", "1234567"),
        ("debit_0_date", "2020-09-04"),
        ("debit_0_amount", "100,000"),
        ("debit_0_descriptor", "ドコモコウザ"),
        ("declaration", "yes"),
    ]
}
