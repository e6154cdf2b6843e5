//! Registration, e-mail verification, login, sessions, password reset.

use crate::helpers::*;

#[tokio::test]
async fn a_claimant_registers_confirms_the_address_and_logs_in() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let email = "hanako@example.jp";

    let res = app
        .post_form(
            &client,
            "/register",
            &[("email", email), ("password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/register/sent");

    // Not yet: the address is unconfirmed.
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", email), ("password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("メールアドレスがまだ確認されていません")
    );

    let mail = app.last_mail(email).await;
    assert_eq!(mail.kind, "verify");
    assert!(
        mail.body_text
            .contains("暗証番号、パスワード、カード番号、支払いを求めることは絶対にありません"),
        "every mail ends with the anti-phishing notice"
    );
    let token = mail_code(&mail.body_text);
    // The code is typed, in any case and spacing; only the POST confirms.
    let typed = token.to_lowercase().replace('-', " ");
    let res = app
        .post_form(&client, "/verify", &[("token", "ACDE-FGHJ-KMNP")])
        .await;
    assert_eq!(res.status(), 422, "a wrong code");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("このコードは正しくないか")
    );

    // An address with the code filled in shows the form, and confirms nothing.
    let res = app.get(&client, &format!("/verify?token={token}")).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(&token));
    let res = app
        .post_form(&client, "/verify", &[("token", &typed)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?notice=verified");
    // A code works once.
    let res = app
        .post_form(&client, "/verify", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 422);

    let client = app.login(email, "kamome-no-suiheisen").await;
    let res = app.get(&client, "/claims").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("hanako@example.jp"));
}

#[tokio::test]
async fn registration_refuses_bad_addresses_weak_passwords_and_duplicates() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let users_before = app.count("users").await;
    for (email, password, field, message) in [
        (
            "",
            "kamome-no-suiheisen",
            "email",
            "メールアドレスを入力してください",
        ),
        (
            "not-an-address",
            "kamome-no-suiheisen",
            "email",
            "name@example.jp",
        ),
        ("a@example.jp", "short", "password", "8文字以上"),
        (
            "a@example.jp",
            "password123",
            "password",
            "よく使われるパスワード",
        ),
    ] {
        let res = app
            .post_form(
                &client,
                "/register",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(res.status(), 422, "{email} / {password}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "error next to {field}"
        );
        assert!(html.contains("class=\"error-summary\""), "error summary");
        assert!(html.contains(message), "message {message}");
        assert!(
            !html.contains(password) || password.is_empty(),
            "the password is never echoed"
        );
        if !email.is_empty() {
            assert!(
                html.contains(&format!("value=\"{email}\"")),
                "the form keeps what was typed"
            );
        }
    }
    assert_eq!(
        app.count("users").await,
        users_before,
        "nothing half-written"
    );
}

#[tokio::test]
async fn login_cycles_the_session_and_logout_ends_it_on_the_server() {
    let app = TestApp::spawn().await;
    let client = app.client();
    // A session exists before login (e.g. planted by an attacker)...
    let before = app.get(&client, "/login").await;
    let cookie_before = session_cookie(&before);

    let res = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "reviewer@redress.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    // The password alone: a new session that holds nobody yet.
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login/code");
    let half = session_cookie(&res).expect("a new session cookie after the password");
    if let Some(b) = &cookie_before {
        assert_ne!(
            b.split(';').next(),
            half.split(';').next(),
            "session id changed"
        );
    }
    assert_eq!(app.get(&client, "/staff/queue").await.status(), 401);
    // The code: the session id changes again, and now it is a login.
    let code = app.totp_code("reviewer@redress.example").await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/staff/queue");
    let set_cookie = session_cookie(&res).expect("a new session cookie at login");
    assert!(set_cookie.starts_with("redress_session="));
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert_ne!(
        half.split(';').next(),
        set_cookie.split(';').next(),
        "session id changed at the second step"
    );
    if let Some(b) = cookie_before {
        assert_ne!(
            b.split(';').next(),
            set_cookie.split(';').next(),
            "session id changed at login"
        );
    }
    let session_id = set_cookie.split(';').next().unwrap().to_owned();
    assert_eq!(app.get(&client, "/staff/queue").await.status(), 200);

    let res = app.post_form(&client, "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    // Replaying the old cookie does not work: the session is gone server-side.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = replay
        .post(app.url("/api/whoami"))
        .header("cookie", &session_id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "null");
    let res = replay
        .get(app.url("/staff/queue"))
        .header("cookie", &session_id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_with_a_retry_time() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for _ in 0..5 {
        let res = app
            .post_form(
                &client,
                "/login",
                &[
                    ("email", "approver@redress.example"),
                    ("password", "wrong-password"),
                ],
            )
            .await;
        assert_eq!(res.status(), 422);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("メールアドレスまたはパスワードが違います")
        );
    }
    let res = app
        .post_form(
            &client,
            "/login",
            &[
                ("email", "approver@redress.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        429,
        "even the right password waits once the limit is hit"
    );
    let retry: i64 = res
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    // Another account from the same address is not locked by this one.
    app.login("payments@redress.example", PASSWORD).await;
}

#[tokio::test]
async fn a_password_is_reset_through_a_single_use_link() {
    let app = TestApp::spawn().await;
    let client = app.client();
    let email = "claimant@redress.example";
    let res = app
        .post_form(&client, "/password/forgot", &[("email", email)])
        .await;
    assert_eq!(res.status(), 303);
    // The same answer for an unknown address: nothing to learn about accounts.
    let res2 = app
        .post_form(
            &client,
            "/password/forgot",
            &[("email", "nobody@example.jp")],
        )
        .await;
    assert_eq!(location(&res), location(&res2));

    let mail = app.last_mail(email).await;
    assert_eq!(mail.kind, "reset");
    let token = mail_code(&mail.body_text);
    let res = app
        .post_form(
            &client,
            "/password/reset",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(res.status(), 422, "the policy applies to new passwords");
    // The failed attempt did not spend the link (the transaction rolled back).
    let res = app
        .post_form(
            &client,
            "/password/reset",
            &[("token", &token), ("password", "a-new-long-password")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app
        .post_form(
            &client,
            "/password/reset",
            &[("token", &token), ("password", "another-long-password")],
        )
        .await;
    assert_eq!(res.status(), 422, "single use");

    app.login(email, "a-new-long-password").await;
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 422, "the old password no longer works");
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn().await;
    let client = app.client();
    app.post_form(
        &client,
        "/password/forgot",
        &[("email", "claimant@redress.example")],
    )
    .await;
    let token = mail_code(&app.last_mail("claimant@redress.example").await.body_text);
    let past = chrono::Utc::now() - chrono::Duration::minutes(31);
    app::on_db!(&app.state.db, p => sqlx::query("UPDATE email_tokens SET expires_at = $1 WHERE purpose = 'reset'").bind(past).execute(p).await.map(|_| ()))
        .unwrap();
    let res = app
        .post_form(
            &client,
            "/password/reset",
            &[("token", &token), ("password", "a-new-long-password")],
        )
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn registration_is_limited_per_address() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for i in 0..10 {
        let email = format!("flood{i}@example.jp");
        let res = app
            .post_form(
                &client,
                "/register",
                &[("email", &email), ("password", "kamome-no-suiheisen")],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let res = app
        .post_form(
            &client,
            "/register",
            &[
                ("email", "flood10@example.jp"),
                ("password", "kamome-no-suiheisen"),
            ],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(res.text().await.unwrap().contains("試行回数が多すぎます"));
    assert!(
        app::server::store::users::by_email(&app.state.db, "flood10@example.jp")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn staff_sessions_idle_out_sooner_than_claimants() {
    let app = TestApp::spawn().await;
    let minutes = |res: &reqwest::Response| -> i64 {
        let cookie = session_cookie(res).unwrap();
        let max_age: i64 = cookie
            .split(';')
            .find_map(|p| p.trim().strip_prefix("Max-Age="))
            .expect("a Max-Age")
            .parse()
            .unwrap();
        max_age / 60
    };
    let login = |email: &'static str, client: reqwest::Client| {
        let app = &app;
        async move {
            app.post_form(
                &client,
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await
        }
    };
    // Staff: the password leaves ten minutes for the code; the login then
    // idles out after 30 minutes.
    let client = app.client();
    let res = login("reviewer@redress.example", client.clone()).await;
    assert_eq!(minutes(&res), 10, "the second step waits ten minutes");
    let code = app.totp_code("reviewer@redress.example").await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(minutes(&res), 30, "staff idle timeout");
    // The timeout is of idleness: a page viewed 25 minutes into the 30
    // moves the end to 30 minutes from then (in the database, for every
    // server process, and in the cookie).
    use server::sessions::DbSessionStore;
    use tower_sessions::session_store::SessionStore;
    let id: tower_sessions::session::Id = session_cookie(&res)
        .unwrap()
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap();
    let mut record = DbSessionStore::new(&app.state.db)
        .await
        .unwrap()
        .load(&id)
        .await
        .unwrap()
        .unwrap();
    let idle_end = time::OffsetDateTime::now_utc() + time::Duration::minutes(5);
    record.expiry_date = idle_end;
    DbSessionStore::new(&app.state.db)
        .await
        .unwrap()
        .save(&record)
        .await
        .unwrap();
    let res = app.get(&client, "/staff/queue").await;
    assert_eq!(res.status(), 200);
    assert_eq!(minutes(&res), 30, "the cookie slides");
    let stored = DbSessionStore::new(&app.state.db)
        .await
        .unwrap()
        .load(&id)
        .await
        .unwrap()
        .expect("still logged in");
    assert!(
        stored.expiry_date > idle_end + time::Duration::minutes(24),
        "the stored end slides: {} vs {idle_end}",
        stored.expiry_date
    );
    let res = login("claimant@redress.example", app.client()).await;
    assert_eq!(minutes(&res), 120, "claimant idle timeout");
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_address_is_https() {
    let app = TestApp::spawn_configured(None, Some("https://redress.example".into()), false).await;
    let browser = app.client_from("https://redress.example");
    let res = app
        .post_form(
            &browser,
            "/login",
            &[
                ("email", "claimant@redress.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cookie = session_cookie(&res).unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Mail names the public address, and links nowhere else.
    app.post_form(
        &browser,
        "/password/forgot",
        &[("email", "claimant@redress.example")],
    )
    .await;
    let body = app.last_mail("claimant@redress.example").await.body_text;
    assert!(body.contains("https://redress.example "), "{body}");
    assert!(
        !body.contains("https://redress.example/"),
        "no deep link: {body}"
    );
}

#[tokio::test]
async fn the_language_a_user_chooses_is_kept_for_their_pages_and_mail() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let res = app
        .post_form(&claimant, "/lang", &[("to", "en"), ("back", "/claims")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/claims");
    assert!(
        app.get(&claimant, "/claims")
            .await
            .text()
            .await
            .unwrap()
            .contains("My claims")
    );
    // Mail follows the stored choice.
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[("lang", "en")]).await;
    app.send_draft(&claimant, &key).await;
    assert!(
        app.last_mail("claimant@redress.example")
            .await
            .subject
            .contains("We have received your claim")
    );
    // A new browser gets the user's language at login.
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[
                ("email", "claimant@redress.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("lang=en")),
        "{cookies:?}"
    );
    // Never an open redirect; never an unknown language.
    let res = app
        .post_form(
            &app.client(),
            "/lang",
            &[("to", "ja"), ("back", "//evil.example/")],
        )
        .await;
    assert_eq!(location(&res), "/");
    assert_eq!(
        app.post_form(&app.client(), "/lang", &[("to", "xx")])
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn behind_a_load_balancer_limits_follow_the_forwarded_client_address() {
    let register = |app: &TestApp, i: usize, forwarded: &str| {
        let client = app.client();
        let url = app.url("/register");
        let forwarded = forwarded.to_owned();
        async move {
            client
                .post(url)
                .header("x-forwarded-for", forwarded)
                .form(&[
                    ("email", format!("lb{i}@example.jp")),
                    ("password", "kamome-no-suiheisen".into()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Trusted: each client (the balancer's last entry) has its own limit, and
    // what a client writes before it cannot dodge the limit.
    let app = TestApp::spawn_configured(None, None, true).await;
    for i in 0..10 {
        assert_eq!(
            register(&app, i, &format!("10.9.9.{i}, 203.0.113.7")).await,
            303
        );
    }
    assert_eq!(
        register(&app, 10, "198.51.100.1, 203.0.113.7").await,
        429,
        "same client, forged first entry"
    );
    assert_eq!(
        register(&app, 11, "203.0.113.8").await,
        303,
        "another client"
    );
    // Proxies named (a CDN's block behind this balancer): the client is the
    // first address from the right that is not a proxy, through whichever
    // of the CDN's nodes it comes.
    let app = TestApp::spawn_with(Options {
        trusted_proxies: vec!["127.0.0.0/8".into(), "203.0.113.0/24".into()],
        ..Options::default()
    })
    .await;
    for i in 0..10 {
        assert_eq!(
            register(&app, i, &format!("198.51.100.5, 203.0.113.{i}")).await,
            303
        );
    }
    assert_eq!(
        register(&app, 10, "192.0.2.1, 198.51.100.5, 203.0.113.77").await,
        429,
        "the same client through another node, a forged entry before it"
    );
    assert_eq!(
        register(&app, 11, "198.51.100.6, 203.0.113.1").await,
        303,
        "another client through the same node"
    );
    // Not trusted (the default): the header is ignored.
    let app = TestApp::spawn().await;
    for i in 0..10 {
        assert_eq!(register(&app, i, &format!("203.0.113.{i}")).await, 303);
    }
    assert_eq!(register(&app, 10, "203.0.113.99").await, 429);
}

#[tokio::test]
async fn switching_language_from_a_page_with_japanese_in_its_address_works() {
    let app = TestApp::spawn().await;
    let res = app
        .post_form(
            &app.client(),
            "/lang",
            &[("to", "en"), ("back", "/genuine?q=本店")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/genuine?q=%E6%9C%AC%E5%BA%97");
    let res = app
        .post_form(
            &app.client(),
            "/lang",
            &[("to", "en"), ("back", "/x\r\nSet-Cookie: a=b")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(!location(&res).contains('\n'));
}

#[tokio::test]
async fn logins_that_work_do_not_count_against_a_shared_address_failures_do() {
    let app = TestApp::spawn().await;
    // An office of bank clerks behind one address: 35 good logins pass.
    for i in 0..35 {
        let res = app
            .post_form(
                &app.client(),
                "/login",
                &[("email", "bank.77@redress.example"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(res.status(), 303, "login {i}");
    }
    // Thirty failures from the address (on several accounts) close it, for
    // good passwords too, until the window passes.
    for i in 0..30 {
        let email = format!("nobody{}@example.jp", i % 6);
        let res = app
            .post_form(
                &app.client(),
                "/login",
                &[("email", email.as_str()), ("password", "wrong-password-x")],
            )
            .await;
        assert_eq!(res.status(), 422, "failure {i}");
    }
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[("email", "bank.77@redress.example"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 429);
}

/// Every credential event ends the account's other sessions at once (the
/// client that held one gets 401 on its next request): a password reset, an
/// admin's reset of two-step login, a role change, disabling. Re-enabling
/// does not bring a session back.
#[tokio::test]
async fn every_credential_event_ends_the_accounts_other_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let id = |email: &'static str| {
        let db = app.state.db.clone();
        async move {
            app::server::store::users::by_email(&db, email)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    // A password reset, from another browser.
    let email = "matrix@example.jp";
    let held = app.register_claimant(email, "kamome-no-suiheisen").await;
    assert_eq!(app.html(&held, "/claims").await.0, 200);
    let other = app.client();
    app.post_form(&other, "/password/forgot", &[("email", email)])
        .await;
    let token = mail_code(&app.last_mail(email).await.body_text);
    let res = app
        .post_form(
            &other,
            "/password/reset",
            &[("token", &token), ("password", "a-new-long-password")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.html(&held, "/claims").await.0, 401, "password reset");
    let fresh = app.login(email, "a-new-long-password").await;
    assert_eq!(app.html(&fresh, "/claims").await.0, 200);

    // An admin resets a staff member's two-step login.
    let held = app.login("approver2@redress.example", PASSWORD).await;
    assert_eq!(app.html(&held, "/staff/queue").await.0, 200);
    let approver2 = id("approver2@redress.example").await;
    app.post_ok(&admin, &format!("/admin/users/{approver2}/mfa-reset"), &[])
        .await;
    assert_eq!(
        app.html(&held, "/staff/queue").await.0,
        401,
        "two-step reset"
    );

    // A role change.
    let held = app.login("payments@redress.example", PASSWORD).await;
    assert_eq!(app.html(&held, "/payments").await.0, 200);
    let payments = id("payments@redress.example").await;
    app.post_ok(
        &admin,
        &format!("/admin/users/{payments}/role"),
        &[("role", "reviewer"), ("bank", "")],
    )
    .await;
    assert_eq!(app.html(&held, "/staff/queue").await.0, 401, "role change");

    // Disabled, then enabled: the old session stays ended.
    let held = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.html(&held, "/staff/queue").await.0, 200);
    let reviewer = id("reviewer@redress.example").await;
    app.post_ok(&admin, &format!("/admin/users/{reviewer}/disable"), &[])
        .await;
    assert_eq!(app.html(&held, "/staff/queue").await.0, 401, "disabled");
    app.post_ok(&admin, &format!("/admin/users/{reviewer}/enable"), &[])
        .await;
    assert_eq!(
        app.html(&held, "/staff/queue").await.0,
        401,
        "enabled again"
    );
    // A password change from the account page: the other login ends, the
    // one that changed it stays.
    let email = "changer@example.jp";
    let changer = app.register_claimant(email, "kamome-no-suiheisen").await;
    let held = app.login(email, "kamome-no-suiheisen").await;
    assert_eq!(app.html(&held, "/claims").await.0, 200);
    app.post_ok(
        &changer,
        "/account/password",
        &[
            ("current_password", "kamome-no-suiheisen"),
            ("password", "a-new-long-password"),
        ],
    )
    .await;
    assert_eq!(app.html(&held, "/claims").await.0, 401, "password change");
    assert_eq!(
        app.html(&changer, "/claims").await.0,
        200,
        "the changer stays"
    );

    // The admin's own session was never touched.
    assert_eq!(app.html(&admin, "/admin/users").await.0, 200);
}

/// The logins of `email`, oldest first: (id, started, expires).
async fn logins_of(
    app: &TestApp,
    email: &str,
) -> Vec<(
    uuid::Uuid,
    chrono::DateTime<chrono::Utc>,
    chrono::DateTime<chrono::Utc>,
)> {
    app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT s.id, s.started_at, s.expires_at FROM login_sessions s JOIN users u ON u.id = s.user_id
         WHERE u.email = $1 AND s.ended_at IS NULL ORDER BY s.started_at",
    ).bind(email).fetch_all(p).await.unwrap())
}

/// Changing one's password while logged in: the current password is
/// required (and wrong ones are limited), the new one follows the
/// registration rules, nothing changes on a refusal, every other login
/// ends and the owner is mailed.
#[tokio::test]
async fn a_logged_in_user_changes_their_password_on_the_account_page() {
    let app = TestApp::spawn().await;
    let email = "change@example.jp";
    let me = app.register_claimant(email, "kamome-no-suiheisen").await;
    let other = app.login(email, "kamome-no-suiheisen").await;
    let (status, page) = app.html(&me, "/account").await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("class=\"login\"").count(), 2, "{page}");
    assert_eq!(page.matches("class=\"tag\">この端末").count(), 1, "{page}");
    assert!(page.contains("href=\"/account/password\""));
    // Wrong current password, weak new password: 422, a message by the
    // field and in the summary, the password unchanged.
    for (current, new, field, message) in [
        (
            "wrong-password-here",
            "a-new-long-password",
            "current_password",
            "今のパスワードが違います",
        ),
        ("kamome-no-suiheisen", "zq9x", "password", "パスワード"),
        (
            "kamome-no-suiheisen",
            "kamome-no-suiheisen",
            "password",
            "新しいパスワードが今のパスワードと同じです",
        ),
    ] {
        let res = app
            .post_form(
                &me,
                "/account/password",
                &[("current_password", current), ("password", new)],
            )
            .await;
        assert_eq!(res.status(), 422, "{current} {new}");
        let html = res.text().await.unwrap();
        assert!(html.contains(message), "{html}");
        assert!(html.contains("error-summary"));
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "{field}: {html}"
        );
        assert!(
            !html.contains(current) && !html.contains(new),
            "no password echoed"
        );
    }
    assert_eq!(
        app.html(&other, "/claims").await.0,
        200,
        "nothing ended yet"
    );
    let res = app
        .post_form(
            &me,
            "/account/password",
            &[
                ("current_password", "kamome-no-suiheisen"),
                ("password", "a-new-long-password"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account?notice=password_changed");
    assert_eq!(app.html(&other, "/claims").await.0, 401);
    let (_, page) = app.html(&me, "/account").await;
    assert_eq!(page.matches("class=\"login\"").count(), 1, "{page}");
    let mail = app.last_mail(email).await;
    assert_eq!(mail.kind, "password_changed");
    app.delivered(&mail).await;
    // The old password no longer logs in; the new one does.
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[("email", email), ("password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(res.status(), 422);
    app.login(email, "a-new-long-password").await;
    // Wrong current passwords are limited (a stolen session is no oracle).
    let mut last = 0;
    for _ in 0..6 {
        last = app
            .post_form(
                &me,
                "/account/password",
                &[
                    ("current_password", "guess-guess-guess"),
                    ("password", "another-long-one"),
                ],
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}

/// A user sees where they are logged in and ends one of those logins (it
/// stops working at once); ending someone else's login ends nothing.
#[tokio::test]
async fn a_user_ends_one_of_their_logins_and_not_anothers() {
    let app = TestApp::spawn().await;
    let me = app.login("claimant@redress.example", PASSWORD).await;
    let phone = app.login("claimant@redress.example", PASSWORD).await;
    let stranger = app.login("bank.77@redress.example", PASSWORD).await;
    let logins = logins_of(&app, "claimant@redress.example").await;
    assert_eq!(logins.len(), 2);
    let phone_login = logins[1].0;
    let (_, page) = app.html(&me, "/account").await;
    assert!(
        page.contains(&format!("/account/logins/{phone_login}/end")),
        "{page}"
    );
    // Someone else's id: not found, nothing ended.
    let res = app
        .post_form(
            &stranger,
            &format!("/account/logins/{phone_login}/end"),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.html(&phone, "/claims").await.0, 200);
    // The owner ends it: the phone is logged out, this browser is not.
    app.post_ok(&me, &format!("/account/logins/{phone_login}/end"), &[])
        .await;
    assert_eq!(app.html(&phone, "/claims").await.0, 401);
    assert_eq!(app.html(&me, "/claims").await.0, 200);
    // "Everywhere else" keeps only this one.
    let again = app.login("claimant@redress.example", PASSWORD).await;
    app.post_ok(&me, "/account/logins/end-others", &[]).await;
    assert_eq!(app.html(&again, "/claims").await.0, 401);
    assert_eq!(app.html(&me, "/claims").await.0, 200);
    assert_eq!(app.html(&stranger, "/bank/queue").await.0, 200);
    // Logging out ends the row too.
    app.post_ok(&me, "/logout", &[]).await;
    assert!(logins_of(&app, "claimant@redress.example").await.is_empty());
}

/// A login lasts 12 hours for staff and bank users and 7 days for
/// claimants, whatever the activity: requests do not move that end, and
/// past it the session is refused.
#[tokio::test]
async fn a_login_ends_after_its_absolute_lifetime_whatever_the_activity() {
    let app = TestApp::spawn().await;
    for (email, page, hours) in [
        ("claimant@redress.example", "/claims", 168),
        ("bank.77@redress.example", "/bank/queue", 12),
        ("reviewer@redress.example", "/staff/queue", 12),
    ] {
        let client = app.login(email, PASSWORD).await;
        let [(id, started, expires)] = logins_of(&app, email).await[..] else {
            panic!("one login of {email}");
        };
        assert_eq!((expires - started).num_hours(), hours, "{email}");
        for _ in 0..3 {
            assert_eq!(app.html(&client, page).await.0, 200);
        }
        assert_eq!(
            logins_of(&app, email).await[0].2,
            expires,
            "activity does not extend it"
        );
        // The lifetime has passed (as if the clock had moved on).
        let past = chrono::Utc::now() - chrono::Duration::seconds(1);
        app::on_db!(&app.state.db, p => sqlx::query(
            "UPDATE login_sessions SET started_at = $2, expires_at = $3 WHERE id = $1",
        ).bind(id).bind(past - chrono::Duration::hours(hours)).bind(past).execute(p).await.unwrap().rows_affected());
        assert_eq!(app.html(&client, page).await.0, 401, "{email}");
    }
}

/// Registering with an address that has an account answers exactly as for
/// a new address (nothing tells a stranger who has an account); the owner
/// gets a mail instead, and no account is made.
#[tokio::test]
async fn registration_does_not_say_which_addresses_have_accounts() {
    let app = TestApp::spawn().await;
    let users = app.count("users").await;
    let post = |email: &'static str| {
        let client = app.client();
        let url = app.url("/register");
        async move {
            client
                .post(url)
                .form(&[("email", email), ("password", "kamome-no-suiheisen")])
                .send()
                .await
                .unwrap()
        }
    };
    let known = post("claimant@redress.example").await;
    let new = post("someone-new@example.jp").await;
    assert_eq!(
        (known.status(), new.status()),
        (new.status(), known.status())
    );
    assert_eq!(known.status(), 303);
    assert_eq!(location(&known), location(&new));
    assert_eq!(app.count("users").await, users + 1, "only the new address");
    let mail = app.last_mail("claimant@redress.example").await;
    assert_eq!(mail.kind, "register_existing");
    assert!(!mail.body_text.contains("kamome"), "no password in a mail");
    app.delivered(&mail).await;
}

/// `code` with its secret part changed (the same selector, the first four
/// characters): a wrong code aimed at that code.
fn wrong_code_like(code: &str, n: usize) -> String {
    let plain: String = code.chars().filter(|c| *c != '-').collect();
    let alphabet = "ACDEFGHJKMNPQRTUVWXY34679";
    let mut secret: Vec<char> = plain[4..].chars().collect();
    // Change the last character to another letter of the alphabet.
    let last = secret.pop().unwrap();
    let other = alphabet.chars().filter(|c| *c != last).nth(n).unwrap();
    secret.push(other);
    format!("{}{}", &plain[..4], secret.into_iter().collect::<String>())
}

/// A mailed code stops working after five wrong codes aimed at it (the
/// same first characters), even the right one; a new code works.
#[tokio::test]
async fn a_mailed_code_stops_working_after_five_wrong_tries() {
    let app = TestApp::spawn().await;
    let email = "tries@example.jp";
    app.register_claimant(email, "kamome-no-suiheisen").await;
    let browser = app.client();
    let forgot = |app: &TestApp| {
        let browser = browser.clone();
        let url = app.url("/password/forgot");
        async move {
            browser
                .post(url)
                .form(&[("email", email)])
                .send()
                .await
                .unwrap()
        }
    };
    forgot(&app).await;
    let code = mail_code(&app.last_mail(email).await.body_text);
    let reset = |token: String| {
        let browser = browser.clone();
        let url = app.url("/password/reset");
        async move {
            browser
                .post(url)
                .form(&[
                    ("token", token.as_str()),
                    ("password", "a-new-long-password"),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    for n in 0..5 {
        assert_eq!(reset(wrong_code_like(&code, n)).await, 422);
    }
    assert_eq!(
        reset(code.clone()).await,
        422,
        "the right code no longer works"
    );
    // The password did not change; a new code does the reset.
    forgot(&app).await;
    let fresh = mail_code(&app.last_mail(email).await.body_text);
    assert_ne!(fresh, code);
    assert_eq!(reset(fresh).await, 303);
    app.login(email, "a-new-long-password").await;
}

/// One address may type 10 mailed codes in 15 minutes (verify, reset and
/// invitation codes together); another address is not held back.
#[tokio::test]
async fn mailed_codes_are_limited_per_address() {
    let app = TestApp::spawn_configured(None, None, true).await;
    let email = "per-ip@example.jp";
    app.register_claimant(email, "kamome-no-suiheisen").await;
    let post = |path: &'static str, ip: &'static str, token: &'static str| {
        let url = app.url(path);
        let client = app.client();
        async move {
            client
                .post(url)
                .header("x-forwarded-for", ip)
                .form(&[("token", token), ("password", "a-new-long-password")])
                .send()
                .await
                .unwrap()
        }
    };
    let paths = ["/verify", "/password/reset", "/invite"];
    for n in 0..10 {
        let res = post(paths[n % 3], "198.51.100.7", "ACDE-FGHJ-KMNP").await;
        assert_eq!(res.status(), 422, "attempt {n}");
    }
    let res = post("/password/reset", "198.51.100.7", "ACDE-FGHJ-KMNP").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    // Another address: a right code still works.
    app.post_form(&app.client(), "/password/forgot", &[("email", email)])
        .await;
    let code = mail_code(&app.last_mail(email).await.body_text);
    let res = app
        .client()
        .post(app.url("/password/reset"))
        .header("x-forwarded-for", "203.0.113.9")
        .form(&[
            ("token", code.as_str()),
            ("password", "a-new-long-password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

/// A user with a two-step login makes new recovery codes from the account
/// page (the current password first): shown once, the old ones stop
/// working, the new ones log in.
#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    let app = TestApp::spawn().await;
    let email = "codes@example.jp";
    let me = app.register_claimant(email, "kamome-no-suiheisen").await;
    let old = app.enrol_mfa(&me).await;
    assert_eq!(old.len(), 10);
    let (_, page) = app.html(&me, "/account").await;
    assert!(page.contains("href=\"/account/recovery-codes\""), "{page}");
    let res = app
        .post_form(
            &me,
            "/account/recovery-codes",
            &[("current_password", "wrong-password-here")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let to = app
        .post_ok(
            &me,
            "/account/recovery-codes",
            &[("current_password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(to, "/mfa/recovery-codes");
    let (_, page) = app.html(&me, &to).await;
    let new: Vec<String> = page
        .split("<code>")
        .skip(1)
        .filter_map(|p| p.split("</code>").next())
        .map(|c| c.replace("<!>", ""))
        .collect();
    assert_eq!(new.len(), 10, "{page}");
    assert!(new.iter().all(|c| !old.contains(c)));
    // An old code no longer logs in; a new one does.
    let second_step = |code: String| {
        let client = app.client();
        let login = app.url("/login");
        let step = app.url("/login/code");
        async move {
            let res = client
                .post(login)
                .form(&[("email", email), ("password", "kamome-no-suiheisen")])
                .send()
                .await
                .unwrap();
            assert_eq!(location(&res), "/login/code");
            client
                .post(step)
                .form(&[("code", code.as_str())])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(second_step(old[0].clone()).await, 422);
    assert_eq!(second_step(new[0].clone()).await, 303);
}
