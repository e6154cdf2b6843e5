//! The in-process HTTP requests the bench makes (the whole router: session,
//! origin check, form parsing, guard, service), and claim submission
//! throughput: claimants sending whole drafts (3 debit lines each) at 16 at
//! a time; each answer comes once the claim, its event and its mail are
//! committed.

use std::sync::Arc;
use std::time::Instant;

use app::server::AppState;
use app::server::services::demo;
use axum::Router;
use axum::response::Response;
use uuid::Uuid;

/// A form post (url-encoded `fields`) through the router, from the site's
/// own origin.
pub async fn post(
    router: &Router,
    state: &AppState,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> anyhow::Result<Response> {
    post_from(router, state, path, cookie, fields, "127.0.0.1").await
}

/// The same from the client address `ip` (as a proxy would forward it).
pub async fn post_from(
    router: &Router,
    state: &AppState,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
    ip: &str,
) -> anyhow::Result<Response> {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut req = axum::http::Request::post(path)
        .header("origin", state.settings.public_origin())
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", ip);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    send(router, req.body(axum::body::Body::from(body))?).await
}

/// Sends `req` through the router in a task of its own, as a server runs
/// each connection. Polled directly by the bench's main future instead
/// (`#[tokio::main]`'s `block_on`), about one page view in 140 never
/// answered (a lost wake-up; 0 in 900 in a task, 0 in 30,799 through
/// `redress serve`).
pub async fn send(
    router: &Router,
    req: axum::http::Request<axum::body::Body>,
) -> anyhow::Result<Response> {
    let router = router.clone();
    Ok(tokio::spawn(tower::ServiceExt::oneshot(router, req)).await??)
}

/// The session cookie a response sets.
pub fn session_cookie(res: &Response) -> anyhow::Result<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("redress_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))
}

/// Where a 303 leads (an error otherwise).
pub fn see_other(res: &Response) -> anyhow::Result<String> {
    anyhow::ensure!(res.status() == 303, "answered {}", res.status());
    Ok(res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned())
}

/// A demo member's session: the password, and for staff the code from
/// their demo key.
pub async fn session(router: &Router, state: &AppState, email: &str) -> anyhow::Result<String> {
    use app::domain::totp;
    let res = post(
        router,
        state,
        "/login",
        None,
        &[("email", email), ("password", demo::DEMO_PASSWORD)],
    )
    .await?;
    let first = session_cookie(&res)?;
    if !see_other(&res)?.starts_with("/login/code") {
        return Ok(first);
    }
    let key = totp::base32_decode(&app::server::services::mfa::demo_key(email))
        .ok_or_else(|| anyhow::anyhow!("demo key"))?;
    let code = totp::format_code(totp::code_at(
        &key,
        totp::step_at(chrono::Utc::now().timestamp()),
    ));
    let res = post(
        router,
        state,
        "/login/code",
        Some(&first),
        &[("code", &code)],
    )
    .await?;
    see_other(&res)?;
    session_cookie(&res)
}

const ACCOUNT: &str = "7654321";
const PHONE: &str = "090-1111-2222";
/// The phone as the draft keeps it.
const PHONE_KEPT: &str = "09011112222";

/// Writes one whole draft through the forms (about, one account with three
/// debits, no calls or travel, no evidence) and returns its answers.
async fn template(router: &Router, state: &AppState, cookie: &str) -> anyhow::Result<String> {
    let key = see_other(&post(router, state, "/claims/new", Some(cookie), &[]).await?)?;
    let key = key.trim_start_matches("/claims/").to_owned();
    let about = [
        ("full_name", "鈴木 一郎"),
        ("name_kana", "スズキ イチロウ"),
        ("birth_date", "1946-02-11"),
        ("postal_code", "980-0811"),
        ("address", "宮城県仙台市青葉区一番町1-1"),
        ("phone", PHONE),
        ("lang", "ja"),
        ("contact", "phone"),
        ("compensated", "no"),
    ];
    let go = |path: String, fields: Vec<(&'static str, &'static str)>| async move {
        see_other(&post(router, state, &path, Some(cookie), &fields).await?)
    };
    go(format!("/claims/{key}/about"), about.to_vec()).await?;
    let debits = go(
        format!("/claims/{key}/add-account"),
        vec![
            ("bank", "0125"),
            ("branch", "本店営業部"),
            ("account_type", "ordinary"),
            ("account_number", ACCOUNT),
        ],
    )
    .await?;
    for (date, amount) in [
        ("2020-09-03", "100000"),
        ("2020-09-04", "50000"),
        ("2020-09-05", "30000"),
    ] {
        go(
            debits.clone(),
            vec![
                ("date", date),
                ("amount", amount),
                ("descriptor", "ドコモコウザ"),
            ],
        )
        .await?;
    }
    for section in ["debits", "calls", "travel", "evidence/done"] {
        go(format!("/claims/{key}/{section}"), vec![]).await?;
    }
    let id = Uuid::parse_str(&key)?;
    let answers: String = app::on_db!(&state.db, p => sqlx::query_scalar("SELECT answers FROM drafts WHERE id = $1")
        .bind(id).fetch_one(p).await)?;
    app::on_db!(&state.db, p => sqlx::query("DELETE FROM drafts WHERE id = $1").bind(id).execute(p).await.map(|r| r.rows_affected()))?;
    Ok(answers)
}

/// `n` verified claimants, each signed in: their sessions are written to the
/// session store directly (a login's Argon2 is not what is measured).
async fn claimants(state: &AppState, n: usize) -> anyhow::Result<Vec<(Uuid, String)>> {
    use tower_sessions::SessionStore;
    use tower_sessions::session::{Id, Record};
    let hash: String = app::on_db!(&state.db, p => sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'claimant@redress.example'")
        .fetch_one(p).await)?;
    let now = chrono::Utc::now();
    let run = Uuid::new_v4().simple().to_string();
    let mut tx = state.db.begin().await?;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let id = Uuid::new_v4();
        let email = format!("bench-{}-{i}@example.jp", &run[..8]);
        app::server::store::users::insert(
            &mut tx,
            &app::server::store::users::NewUser {
                id,
                email: &email,
                password_hash: &hash,
                role: "claimant",
                bank_code: None,
                lang: "ja",
                verified_at: Some(now),
                now,
            },
        )
        .await?;
        ids.push(id);
    }
    tx.commit().await?;
    let store = server::sessions::DbSessionStore::new(&state.db).await?;
    let mut out = Vec::with_capacity(n);
    for id in ids {
        // A login row, as a login makes (a session without one is ended).
        let login = app::server::auth::open_login(
            state,
            id,
            app::domain::Role::Claimant,
            "bench",
            "127.0.0.1",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut record = Record {
            id: Id::default(),
            data: [
                ("uid".to_owned(), serde_json::json!(id)),
                ("login".to_owned(), serde_json::json!(login)),
            ]
            .into_iter()
            .collect(),
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(2),
        };
        store.create(&mut record).await?;
        out.push((id, format!("redress_session={}", record.id)));
    }
    Ok(out)
}

/// Submission throughput: `n` claimants, each with one whole draft (its
/// own account and phone, so no two claims share a flag), sending
/// `clients` at a time. Returns (claims per second, failures).
pub async fn submissions(
    router: &Router,
    state: &AppState,
    n: usize,
    clients: usize,
    one_address: Option<&str>,
) -> anyhow::Result<(f64, usize)> {
    let cookie = session(router, state, "claimant@redress.example").await?;
    let answers = template(router, state, &cookie).await?;
    anyhow::ensure!(
        answers.contains(ACCOUNT) && answers.contains(PHONE_KEPT),
        "the draft holds the account and the phone: {answers}"
    );
    let people = claimants(state, n).await?;
    // The ids of the account and its lines, new in every copy.
    let doc: serde_json::Value = serde_json::from_str(&answers)?;
    let mut ids = Vec::new();
    for account in doc["accounts"].as_array().into_iter().flatten() {
        ids.extend(account["id"].as_str().map(str::to_owned));
        for line in account["lines"].as_array().into_iter().flatten() {
            ids.extend(line["id"].as_str().map(str::to_owned));
        }
    }
    anyhow::ensure!(ids.len() == 4, "one account, three lines: {answers}");
    anyhow::ensure!(
        ["100000", "50000", "30000"]
            .iter()
            .all(|a| answers.contains(&format!("\"amount\":{a}"))),
        "the three amounts as the draft keeps them: {answers}"
    );
    let now = chrono::Utc::now();
    let mut keys = Vec::with_capacity(n);
    let mut tx = state.db.begin().await?;
    // Every call's claims have accounts, phones and amounts of their own:
    // a phase's claims must not match an earlier phase's (each match is a
    // flag, and flags computed again on both claims).
    static SENT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let first = SENT.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    for (i, (claimant, cookie)) in people.into_iter().enumerate() {
        let i = first + i;
        let id = Uuid::new_v4();
        // Debits of their own too: claims naming one debit are flagged
        // against each other, which real claims seldom are.
        let mut json = answers
            .replace(ACCOUNT, &format!("{:07}", 5_000_000 + i))
            .replace(PHONE_KEPT, &format!("090{:08}", i))
            .replace("\"amount\":100000", &format!("\"amount\":{}", 100_000 + i))
            .replace("\"amount\":50000", &format!("\"amount\":{}", 50_000 + i))
            .replace("\"amount\":30000", &format!("\"amount\":{}", 30_000 + i));
        for old in &ids {
            json = json.replace(old, &Uuid::new_v4().to_string());
        }
        app::server::store::drafts::insert(&mut tx, id, claimant, &json, now).await?;
        let ip = match one_address {
            Some(ip) => ip.to_owned(),
            None => format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256),
        };
        keys.push((id, cookie, ip));
    }
    tx.commit().await?;
    let queue = Arc::new(std::sync::Mutex::new(keys));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (router, state, queue) = (router.clone(), state.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let mut failed = 0usize;
            loop {
                let Some((key, cookie, ip)) = queue.lock().ok().and_then(|mut q| q.pop()) else {
                    return failed;
                };
                let res = post_from(
                    &router,
                    &state,
                    &format!("/claims/{key}/check"),
                    Some(&cookie),
                    &[("declare_true", "yes"), ("declare_share", "yes")],
                    &ip,
                )
                .await;
                let sent = res
                    .as_ref()
                    .ok()
                    .and_then(|r| see_other(r).ok())
                    .is_some_and(|to| to.ends_with("?sent=1"));
                if !sent {
                    if failed == 0 {
                        // Say why, once per client.
                        match res {
                            Ok(r) => {
                                let status = r.status();
                                let to = r
                                    .headers()
                                    .get("location")
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_owned();
                                let body = axum::body::to_bytes(r.into_body(), 1 << 20)
                                    .await
                                    .unwrap_or_default();
                                let text = String::from_utf8_lossy(&body);
                                let start = text.find("error-summary").unwrap_or(0);
                                eprintln!(
                                    "a submission failed: {status} {to}: {}",
                                    &text[start..text.len().min(start + 600)]
                                );
                            }
                            Err(e) => eprintln!("a submission failed: {e}"),
                        }
                    }
                    failed += 1;
                }
            }
        }));
    }
    let mut failed = 0;
    for task in tasks {
        failed += task.await?;
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    Ok((rate, failed))
}
