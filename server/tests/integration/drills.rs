//! Crash safety of the payout steps: the real `redress` binary is killed
//! (SIGKILL) at random moments while it makes a batch, releases it, exports
//! its file and records the bank's results; after every kill the data is
//! either as before the step or as after it, the ledger's invariants hold,
//! and running the step again gives the same result. Cycles per step:
//! `REDRESS_DRILL_CYCLES` (3 in `make test`; `make drills` runs more).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::*;
use crate::payouts::approved_claim;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(app: &TestApp) -> Server {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let base = format!("http://127.0.0.1:{port}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
            .arg("serve")
            .env("DATABASE_URL", app.database_url())
            .env("REDRESS_DATA_DIR", app.data_dir())
            .env("REDRESS_LISTEN", format!("127.0.0.1:{port}"))
            .env("REDRESS_PUBLIC_URL", &base)
            .env("REDRESS_MAIL_POLL_MS", "100000")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the redress binary");
        let probe = reqwest::Client::new();
        for _ in 0..200 {
            if probe
                .get(format!("{base}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Server { child, base };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not start");
    }

    /// A client holding `email`'s session (one login, kept in the shared
    /// database: a session outlives the process that was killed, as it
    /// would for a person whose page reloads after a crash).
    async fn login(&self, app: &TestApp, email: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            reqwest::header::HeaderValue::from_str(&self.base).unwrap(),
        );
        headers.insert(
            reqwest::header::COOKIE,
            reqwest::header::HeaderValue::from_str(&session_of(app, email).await).unwrap(),
        );
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap()
    }
}

/// The cookies of a session of `email` (password and two-step code, through
/// the test's own server), logged in once per address for the whole test.
async fn session_of(app: &TestApp, email: &str) -> String {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static SESSIONS: OnceLock<Mutex<HashMap<(String, String), String>>> = OnceLock::new();
    let key = (app.address.clone(), email.to_owned());
    if let Some(cookie) = SESSIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .get(&key)
    {
        return cookie.clone();
    }
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        reqwest::header::HeaderValue::from_str(&app.address).unwrap(),
    );
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303, "login {email}");
    let code = app.totp_code(email).await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 303, "the code of {email}");
    use reqwest::cookie::CookieStore;
    let cookie = jar
        .cookies(&app.address.parse().unwrap())
        .expect("the session cookie")
        .to_str()
        .unwrap()
        .to_owned();
    SESSIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .insert(key, cookie.clone());
    cookie
}

impl Server {
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every invariant that must hold between steps, whatever was killed.
async fn assert_whole(app: &TestApp, when: &str) {
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(
        check.ok(),
        "{when}: {:?} {:?}",
        check.violations,
        check.bad_files
    );
    let broken = |sql: &'static str| async move {
        app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
    };
    for (what, sql) in [
        (
            "a scheduled case without its batch line",
            "SELECT COUNT(*) FROM claims c WHERE c.state = 'payout_scheduled'
               AND NOT EXISTS (SELECT 1 FROM payout_lines l WHERE l.claim_id = c.id AND l.result IS NULL)",
        ),
        (
            "a waiting batch line whose case is not scheduled",
            "SELECT COUNT(*) FROM payout_lines l JOIN claims c ON c.id = l.claim_id
             WHERE l.result IS NULL AND c.state <> 'payout_scheduled'",
        ),
        (
            "a batch whose lines are not all there",
            "SELECT COUNT(*) FROM payout_batches b WHERE b.line_count <>
               (SELECT COUNT(*) FROM payout_lines l WHERE l.batch_id = b.id)
               OR b.total <> (SELECT COALESCE(SUM(l.amount), 0) FROM payout_lines l WHERE l.batch_id = b.id)",
        ),
        (
            "a paid line whose case is not paid",
            "SELECT COUNT(*) FROM payout_lines l JOIN claims c ON c.id = l.claim_id
             WHERE l.result = 'paid' AND c.state <> 'paid'",
        ),
        (
            "a scheduled case without its ledger entry",
            "SELECT COUNT(*) FROM payout_lines l WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e
               WHERE e.claim_id = l.claim_id AND e.batch_id = l.batch_id AND e.kind = 'schedule')",
        ),
        (
            "a released batch without a releaser, or a file without its hash",
            "SELECT COUNT(*) FROM payout_batches WHERE (state <> 'open' AND released_by IS NULL)
               OR ((file IS NULL) <> (file_sha256 IS NULL))",
        ),
    ] {
        assert_eq!(broken(sql).await, 0, "{when}: {what}");
    }
}

/// Runs `step` against a fresh server, kills the server after a random
/// moment, checks the invariants, then runs the step to its end.
async fn drill<F, Fut>(app: &TestApp, name: &str, cycles: usize, step: F)
where
    F: Fn(String, reqwest::Client) -> Fut,
    Fut: std::future::Future<Output = Option<u16>> + Send + 'static,
{
    let mut cut = 0;
    for cycle in 0..cycles {
        let server = Server::start(app).await;
        let who = if name == "release" {
            "approver@redress.example"
        } else {
            "payments@redress.example"
        };
        let client = server.login(app, who).await;
        let task = tokio::spawn(step(server.base.clone(), client));
        let wait = rand::random::<u64>() % 40;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.kill();
        if task.await.ok().flatten().is_none() {
            cut += 1;
        }
        assert_whole(
            app,
            &format!("{name}, cycle {cycle}, killed after {wait} ms"),
        )
        .await;
    }
    eprintln!("drill {name}: {cut} of {cycles} requests cut off by the kill");
    // Run to the end: the step succeeds, once.
    let server = Server::start(app).await;
    let who = if name == "release" {
        "approver@redress.example"
    } else {
        "payments@redress.example"
    };
    let client = server.login(app, who).await;
    let status = step(server.base.clone(), client).await;
    assert!(
        matches!(status, Some(200 | 303)),
        "{name} to its end: {status:?}"
    );
    server.kill();
    assert_whole(app, &format!("{name}, done")).await;
}

#[tokio::test]
async fn killing_the_server_during_payout_steps_leaves_every_step_whole() {
    let cycles: usize = std::env::var("REDRESS_DRILL_CYCLES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(3);
    let app = TestApp::spawn().await;
    let mut references = Vec::new();
    for i in 0..4 {
        let account: &'static str = ["5100001", "5100002", "5100003", "5100004"][i];
        references.push(approved_claim(&app, &format!("drill{i}@example.jp"), account).await);
    }
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    let request = uuid::Uuid::new_v4().to_string();

    let (d, r) = (date.clone(), request.clone());
    drill(&app, "create", cycles, move |base, client| {
        let (d, r) = (d.clone(), r.clone());
        async move {
            client
                .post(format!("{base}/payments/batches"))
                .form(&[("request_id", r.as_str()), ("transfer_date", d.as_str())])
                .send()
                .await
                .ok()
                .map(|res| res.status().as_u16())
        }
    })
    .await;
    assert_eq!(
        app.count("payout_batches").await,
        1,
        "the same form makes one batch"
    );

    drill(&app, "release", cycles, |base, client| async move {
        client
            .post(format!("{base}/payments/batches/1/release"))
            .form(&[("release", "yes")])
            .send()
            .await
            .ok()
            .map(|res| res.status().as_u16())
            // Released by an earlier, killed, run: the state is what was asked.
            .map(|s| if s == 409 { 303 } else { s })
    })
    .await;

    drill(&app, "export", cycles, |base, client| async move {
        client
            .get(format!("{base}/payments/batches/1/zengin.txt"))
            .send()
            .await
            .ok()
            .map(|res| res.status().as_u16())
    })
    .await;
    // Every export after a kill hands out the bytes the first one kept.
    let server = Server::start(&app).await;
    let client = server.login(&app, "payments@redress.example").await;
    let file = client
        .get(format!("{}/payments/batches/1/zengin.txt", server.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    server.kill();
    let stored: Vec<u8> = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT file FROM payout_batches WHERE number = 1").fetch_one(p).await.unwrap());
    assert_eq!(file.to_vec(), stored);

    let mut results = String::from("reference,result,date,reason,note\n");
    for (i, r) in references.iter().enumerate() {
        if i == 3 {
            results.push_str(&format!("{r},failed,,account_closed,\n"));
        } else {
            results.push_str(&format!("{r},paid,{date},,\n"));
        }
    }
    drill(&app, "results", cycles, move |base, client| {
        let results = results.clone();
        async move {
            let part = reqwest::multipart::Part::bytes(results.into_bytes())
                .file_name("results.csv")
                .mime_str("text/csv")
                .unwrap();
            client
                .post(format!("{base}/payments/batches/1/results-file"))
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
                .await
                .ok()
                .map(|res| res.status().as_u16())
        }
    })
    .await;
    let paid: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM claims WHERE state = 'paid'").fetch_one(p).await.unwrap());
    assert_eq!(paid, 3, "paid once each, whatever was killed");
    assert_eq!(app.count("paid_debits").await, 3, "each debit paid once");
}
