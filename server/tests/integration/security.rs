//! Cross-origin writes, security headers, body limits, the PIN rule.

use crate::helpers::*;

/// Every write route the router declares (read from its source, so a new
/// one is walked without anyone adding it here), and every registered
/// server function.
fn write_paths() -> Vec<String> {
    let fill = |name: &str| {
        if name.contains("reference") {
            "RD-000001".to_owned()
        } else {
            "00000000-0000-0000-0000-000000000000".to_owned()
        }
    };
    let mut paths: Vec<String> = crate::routes::all()
        .iter()
        .filter(|r| r.writes())
        .map(|r| r.path(fill))
        .collect();
    assert!(paths.len() >= 60, "the router's write routes: {paths:?}");
    let fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_owned())
        .collect();
    assert!(fns.len() >= 30, "server functions are registered: {fns:?}");
    paths.extend(fns);
    paths
}

#[tokio::test]
async fn cross_origin_posts_are_refused_on_every_write_path() {
    let app = TestApp::spawn().await;
    // A logged-in victim whose browser is made to post from another site.
    let victim = app.login("admin@redress.example", PASSWORD).await;
    let users_before = app.count("users").await;
    for path in write_paths() {
        let res = victim
            .post(app.url(&path))
            .header("origin", "https://evil.example")
            .form(&[
                ("email", "x@example.jp"),
                ("password", "kamome-no-suiheisen"),
                ("bank_code", "0001"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
        // Without Origin, a cross-site fetch is still refused by Sec-Fetch-Site.
        let res = reqwest::Client::new()
            .post(app.url(&path))
            .header("sec-fetch-site", "cross-site")
            .form(&[("email", "y@example.jp")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path} (Sec-Fetch-Site)");
    }
    assert_eq!(app.count("users").await, users_before);
    // The same request from our own origin goes through.
    let res = app
        .post_form(
            &app.client(),
            "/register",
            &[
                ("email", "x@example.jp"),
                ("password", "kamome-no-suiheisen"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
}

/// Writes are accepted from exactly the configured public origin: not from
/// the address the request names in `Host` (which a proxy, or an
/// attacker's DNS name pointed at the server, decides).
#[tokio::test]
async fn only_the_configured_public_origin_may_write() {
    let app = TestApp::spawn_configured(None, Some("https://redress.example".into()), false).await;
    let host = app.url("");
    let host_https = host.replacen("http://", "https://", 1);
    let users = app.count("users").await;
    for origin in [
        host.as_str(),
        host_https.as_str(),
        "http://redress.example",
        "https://redress.example.evil.example",
        "null",
    ] {
        let res = app
            .post_form(
                &app.client_from(origin),
                "/register",
                &[
                    ("email", "x@example.jp"),
                    ("password", "kamome-no-suiheisen"),
                ],
            )
            .await;
        assert_eq!(res.status(), 403, "{origin}");
    }
    assert_eq!(app.count("users").await, users, "no account made");
    let res = app
        .post_form(
            &app.client_from("https://redress.example"),
            "/register",
            &[
                ("email", "x@example.jp"),
                ("password", "kamome-no-suiheisen"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("users").await, users + 1);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for path in ["/", "/login", "/healthz", "/does-not-exist", "/api/whoami"] {
        let res = app.get(&client, path).await;
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("CSP on {path}"))
            .to_str()
            .unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
        assert!(h.get("referrer-policy").is_some());
    }
    // Pages allow only our scripts and the one inline script with this request's nonce.
    let res = app.get(&client, "/").await;
    let csp = res
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains(&format!("nonce=\"{nonce}\"")));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(app.get(&client, "/does-not-exist").await.status(), 404);
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_any_work() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let big = "x".repeat(2 * 1024 * 1024);
    let res = claimant
        .post(app.url("/claims/new"))
        .form(&[("full_name", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let res = claimant
        .post(app.url("/claims/new"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
}

#[tokio::test]
async fn no_page_asks_for_a_pin_or_banking_password() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    let mut paths: Vec<String> = ["/claims/new", "/claims", "/", "/register", "/login"]
        .iter()
        .map(|p| p.to_string())
        .collect();
    for section in [
        "",
        "/about",
        "/debits",
        "/add-account",
        "/calls",
        "/add-call",
        "/travel",
        "/add-journey",
        "/evidence",
        "/payout",
        "/check",
    ] {
        paths.push(format!("/claims/{key}{section}"));
    }
    for path in paths.iter().map(String::as_str) {
        let html = app
            .get(&claimant, path)
            .await
            .text()
            .await
            .unwrap()
            .to_lowercase();
        for attr in ["name=\"", "id=\"", "autocomplete=\""] {
            for bad in [
                "pin",
                "暗証",
                "netbank",
                "bank_password",
                "cc-number",
                "card",
            ] {
                assert!(
                    !html.contains(&format!("{attr}{bad}")),
                    "{path} has a field {attr}{bad}"
                );
            }
        }
        // The only password field is the account's own, on the account pages.
        if path.starts_with("/claims") {
            assert!(!html.contains("type=\"password\""), "{path}");
        }
    }
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::spawn().await;
    let res = app.get(&app.client(), "/healthz").await;
    assert_eq!(res.status(), 200);
    app.state.db.close().await;
    let res = app.get(&app.client(), "/healthz").await;
    assert_eq!(res.status(), 503);
}

/// `/livez` is the process; `/readyz` names each thing a process needs to
/// take requests, and fails on each: a migration of this build not
/// applied, evidence files that cannot be written, the database gone.
#[tokio::test]
async fn readiness_names_the_database_the_migrations_and_the_files() {
    let app = TestApp::spawn().await;
    let ready = |app: &TestApp| {
        let client = app.client();
        let url = app.url("/readyz");
        async move {
            let res = client.get(url).send().await.unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap();
            (status, body)
        }
    };
    let all_ok = serde_json::json!({"database": "ok", "migrations": "ok", "files": "ok"});
    assert_eq!(ready(&app).await, (200, all_ok.clone()));
    // A newer build's migration not applied yet.
    app.exec("UPDATE _sqlx_migrations SET success = FALSE WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .await;
    let (status, body) = ready(&app).await;
    assert_eq!(status, 503);
    assert!(
        body["migrations"]
            .as_str()
            .unwrap()
            .starts_with("not applied: [")
            && body["database"] == "ok",
        "{body}"
    );
    app.exec("UPDATE _sqlx_migrations SET success = TRUE").await;
    assert_eq!(ready(&app).await, (200, all_ok));
    if app.state.files.url().starts_with("file://") {
        // The evidence folder replaced by a file: nothing can be written there.
        let evidence = std::path::Path::new(&app.state.settings.data_dir).join("evidence");
        let _ = std::fs::remove_dir_all(&evidence);
        std::fs::write(&evidence, b"not a folder").unwrap();
        let (status, body) = ready(&app).await;
        assert_eq!(status, 503);
        assert_eq!(body["files"], "cannot be written or read back", "{body}");
        std::fs::remove_file(&evidence).unwrap();
        assert_eq!(ready(&app).await.0, 200);
    } else {
        // A bucket that is not there.
        let lost = TestApp::spawn_with(Options {
            files_url: Some("s3://no-such-bucket-of-redress/x".into()),
            ..Options::default()
        })
        .await;
        let (status, body) = ready(&lost).await;
        assert_eq!(status, 503);
        assert_eq!(body["files"], "cannot be written or read back", "{body}");
    }
    // The database gone: not ready, but alive.
    app.state.db.close().await;
    let (status, body) = ready(&app).await;
    assert_eq!(status, 503);
    assert_eq!(body["database"], "unreachable", "{body}");
    let res = app.get(&app.client(), "/livez").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_wrong_setting_stops_startup_with_one_sentence() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["migrate"])
        .env(
            "REDRESS_DATA_DIR",
            std::env::temp_dir().join("redress-bad-setting"),
        )
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DATABASE_URL"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["migrate"])
        .env("REDRESS_PUBLIC_URL", "ftp://x")
        .env(
            "REDRESS_DATA_DIR",
            std::env::temp_dir().join("redress-bad-setting"),
        )
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("REDRESS_PUBLIC_URL"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["migrate"])
        .env("REDRESS_TRUSTED_PROXIES", "10.0.0.0/8,10.0.0.0/33")
        .env(
            "REDRESS_DATA_DIR",
            std::env::temp_dir().join("redress-bad-setting"),
        )
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("REDRESS_TRUSTED_PROXIES") && err.contains("/33"),
        "{err}"
    );
}

/// A control character in a path (here a line feed after the reference)
/// is a 404 before anything runs: the note is not written, no redirect is
/// built from the raw segment, nothing answers 500.
#[tokio::test]
async fn a_control_character_in_a_path_is_not_found_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    for path in [
        "/staff/claims/RD-000001%0A/notes",
        "/staff/claims/RD-000001%0D/notes",
        "/staff/claims/RD-000001%00/notes",
        "/staff/claims/%1BRD-000001/notes",
    ] {
        let res = app
            .post_form(&admin, path, &[("note_body", "Should not be kept")])
            .await;
        assert_eq!(res.status(), 404, "{path}");
    }
    assert_eq!(app.count("case_notes").await, 0);
    // The same note on the real path is kept (the test can fail).
    app.post_ok(
        &admin,
        "/staff/claims/RD-000001/notes",
        &[("note_body", "Kept")],
    )
    .await;
    assert_eq!(app.count("case_notes").await, 1);
}

/// Every response behind a login, server functions' answers included, is
/// never stored by a browser or a proxy; so are the public pages (each
/// carries its own nonce).
#[tokio::test]
async fn pages_and_server_function_answers_are_never_stored() {
    let app = TestApp::spawn().await;
    let no_store = |res: &reqwest::Response, what: &str| {
        assert_eq!(
            res.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_owned()),
            Some("no-store".to_owned()),
            "{what}"
        );
    };
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    for (client, path) in [
        (&admin, "/staff/queue"),
        (&admin, "/staff/claims/RD-000001"),
        (&admin, "/admin/api-keys"),
        (&clerk, "/bank/claims/RD-000001"),
        (&claimant, "/claims/RD-000001"),
        (&claimant, "/"),
    ] {
        let res = app.get(client, path).await;
        assert_eq!(res.status(), 200, "{path}");
        no_store(&res, path);
    }
    let res = admin
        .post(app.url("/api/operator_decision"))
        .form(&[("reference", "RD-000001")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    no_store(&res, "/api/operator_decision");
}

/// `REDRESS_ENV=production` refuses each demo default with one sentence
/// naming its setting (the demo Zengin requester, mail written to files,
/// a public address without TLS, demo accounts that can log in, loading the
/// demo data), and starts with real settings.
#[tokio::test]
async fn production_refuses_each_demo_default_with_one_sentence() {
    let app = TestApp::spawn().await;
    let dir = app.data_dir().to_path_buf();
    let database = app.database_url().to_owned();
    let good = [
        ("REDRESS_ENV", "production"),
        ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ("REDRESS_PUBLIC_URL", "https://redress.example.jp"),
        (
            "REDRESS_ZENGIN_REQUESTER",
            "0000099999,ﾚﾄﾞﾚｽ ｼﾞﾑｷｮｸ,0001,001,1,7654321",
        ),
    ];
    let run = |command: &str, env: &[(&str, &str)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_redress"));
        c.arg(command)
            .env("REDRESS_DATA_DIR", &dir)
            .env("DATABASE_URL", &database)
            .env_remove("SMTP_URL")
            .env_remove("REDRESS_ENV");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The demo accounts disabled: real settings start.
    app.exec("UPDATE users SET disabled_at = created_at").await;
    let (ok, err) = run("migrate", &good);
    assert!(ok, "{err}");
    // Each demo default alone, refused with its setting named.
    for (drop, named) in [
        ("REDRESS_ZENGIN_REQUESTER", "REDRESS_ZENGIN_REQUESTER"),
        ("SMTP_URL", "SMTP_URL"),
        ("REDRESS_PUBLIC_URL", "REDRESS_PUBLIC_URL"),
    ] {
        let env: Vec<_> = good.iter().copied().filter(|(k, _)| *k != drop).collect();
        let (ok, err) = run("migrate", &env);
        assert!(
            !ok && err.contains(named) && err.contains("REDRESS_ENV=production"),
            "{drop}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let mut plain = good.to_vec();
    plain.retain(|(k, _)| *k != "REDRESS_PUBLIC_URL");
    plain.push(("REDRESS_PUBLIC_URL", "http://redress.example.jp"));
    let (ok, err) = run("migrate", &plain);
    assert!(!ok && err.contains("https://"), "{err}");
    // The demo data is not loaded in production...
    let (ok, err) = run("seed-demo", &good);
    assert!(!ok && err.contains("REDRESS_ENV=production"), "{err}");
    // ...and demo accounts that can log in stop it, named.
    app.exec("UPDATE users SET disabled_at = NULL").await;
    let (ok, err) = run("migrate", &good);
    assert!(
        !ok && err.contains("admin@redress.example") && err.contains("/admin/users"),
        "{err}"
    );
    // In development (the default) all of it is allowed.
    let (ok, err) = run("migrate", &[]);
    assert!(ok, "{err}");
}
