//! Two-step login (TOTP): staff enrol before their first action, a code is
//! accepted once, recovery codes are single-use, code attempts are
//! throttled, an admin's reset ends the staff member's sessions, and a
//! claimant may enrol.

use app::domain::{Role, totp};
use app::server::services::accounts;

use crate::helpers::*;

const STAFF: &str = "new.reviewer@redress.example";
const STAFF_PASSWORD: &str = "umibe-no-kaze-2020";

fn code_now(key: &str, offset: i64) -> String {
    let secret = totp::base32_decode(key).unwrap();
    let step = totp::step_at(chrono::Utc::now().timestamp()) + offset;
    totp::format_code(totp::code_at(&secret, step))
}

async fn mfa_row(app: &TestApp, email: &str) -> (Option<String>, Option<i64>, i64) {
    let user = app::server::store::users::by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap();
    let secret = app::server::store::mfa::secret(&app.state.db, user.id)
        .await
        .unwrap();
    let left = app::server::store::mfa::recovery_left(&app.state.db, user.id)
        .await
        .unwrap();
    (
        secret.as_ref().map(|s| s.key.clone()),
        secret.and_then(|s| s.last_step),
        left,
    )
}

async fn password_step(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", email), ("password", password)],
        )
        .await;
    assert_eq!(res.status(), 303, "password of {email}");
    client
}

#[tokio::test]
async fn staff_enrol_before_their_first_action_and_codes_are_single_use() {
    let app = TestApp::spawn().await;
    let id = accounts::create_user(&app.state, STAFF, STAFF_PASSWORD, Role::Reviewer, None)
        .await
        .unwrap();

    // The password alone leads to the enrolment; nothing else works yet.
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", STAFF), ("password", STAFF_PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/mfa/setup");
    assert_eq!(app.html(&client, "/staff/queue").await.0, 401);
    let res = client.post(app.url("/api/whoami")).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "null", "nobody is logged in yet");

    // The page: a QR code (SVG) and the key; the same key on every visit
    // in this session.
    let (status, page) = app.html(&client, "/mfa/setup").await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg"), "a QR code");
    assert!(page.contains("role=\"img\""));
    let key = page_key(&page);
    assert_eq!(key.len(), 32, "160 bits in base32: {key}");
    assert_eq!(page_key(&app.html(&client, "/mfa/setup").await.1), key);

    // A wrong code and a malformed one are refused beside the field; nothing is written.
    let wrong = format!(
        "{:06}",
        (code_now(&key, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let res = app
        .post_form(&client, "/mfa/setup", &[("code", &wrong)])
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("コードが正しくないか"), "{body}");
    assert!(body.contains("error-summary"), "and in the summary");
    let res = app
        .post_form(&client, "/mfa/setup", &[("code", "12ab")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(mfa_row(&app, STAFF).await, (None, None, 0));

    // The right code: enrolled, logged in, recovery codes shown once.
    let res = app
        .post_form(&client, "/mfa/setup", &[("code", &code_now(&key, 0))])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/mfa/recovery-codes");
    let (status, page) = app.html(&client, "/mfa/recovery-codes").await;
    assert_eq!(status, 200);
    let codes: Vec<String> = page
        .split("<code>")
        .skip(1)
        .filter_map(|p| p.split("</code>").next())
        .map(|c| c.replace("<!>", ""))
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    let (_, second) = app.html(&client, "/mfa/recovery-codes").await;
    assert!(!second.contains(&codes[0]), "shown once only");
    assert_eq!(
        app.html(&client, "/staff/queue").await.0,
        200,
        "in after enrolling"
    );
    let (stored_key, last_step, left) = mfa_row(&app, STAFF).await;
    assert_eq!(stored_key.as_deref(), Some(key.as_str()));
    assert!(last_step.is_some());
    assert_eq!(left, 10);
    // Only hashes of the recovery codes are stored.
    let hashes: Vec<String> = match &app.state.db {
        app::server::db::Db::Sqlite { read, .. } => {
            sqlx::query_scalar("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1")
                .bind(id)
                .fetch_all(read)
                .await
                .unwrap()
        }
        app::server::db::Db::Postgres { pool: p, .. } => {
            sqlx::query_scalar("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = $1")
                .bind(id)
                .fetch_all(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(hashes.len(), 10);
    for code in &codes {
        assert!(hashes.iter().all(|h| !h.contains(code.as_str())));
        assert!(hashes.iter().all(|h| !h.contains(&code.replace('-', ""))));
    }
    // Enrolling again is refused (409), the key unchanged.
    assert_eq!(app.html(&client, "/mfa/setup").await.0, 409);

    // The next login asks for a code; without it, nothing works.
    let res = app.post_form(&client, "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", STAFF), ("password", STAFF_PASSWORD)],
        )
        .await;
    assert_eq!(location(&res), "/login/code");
    assert_eq!(app.html(&client, "/staff/queue").await.0, 401);
    let res = app.post_form(&client, "/login/code", &[("code", "")]).await;
    assert_eq!(res.status(), 422);
    // A code already used (the enrolment's step) is refused.
    let spent = {
        let secret = totp::base32_decode(&key).unwrap();
        totp::format_code(totp::code_at(&secret, last_step.unwrap()))
    };
    let res = app
        .post_form(&client, "/login/code", &[("code", &spent)])
        .await;
    assert_eq!(res.status(), 422, "a replayed code");
    let code = app.totp_code(STAFF).await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/staff/queue");
    assert_eq!(app.html(&client, "/staff/queue").await.0, 200);

    // The same code in another login (as if overlooked on a shoulder): refused.
    let thief = password_step(&app, STAFF, STAFF_PASSWORD).await;
    let res = app
        .post_form(&thief, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 422, "a code is accepted once");
    assert_eq!(app.html(&thief, "/staff/queue").await.0, 401);

    // A recovery code works once (typed any case, with spaces).
    let typed = codes[3].to_lowercase().replace('-', " ");
    let res = app
        .post_form(&thief, "/login/code", &[("code", &typed)])
        .await;
    assert_eq!(res.status(), 303, "a recovery code");
    assert_eq!(app.html(&thief, "/staff/queue").await.0, 200);
    let again = password_step(&app, STAFF, STAFF_PASSWORD).await;
    let res = app
        .post_form(&again, "/login/code", &[("code", &codes[3])])
        .await;
    assert_eq!(res.status(), 422, "a recovery code is single-use");
    assert_eq!(mfa_row(&app, STAFF).await.2, 9);
}

#[tokio::test]
async fn code_attempts_are_throttled_and_the_second_step_expires_with_its_session() {
    let app = TestApp::spawn().await;
    let email = "reviewer@redress.example";
    let client = password_step(&app, email, PASSWORD).await;
    for _ in 0..5 {
        let res = app
            .post_form(&client, "/login/code", &[("code", "000000")])
            .await;
        // 000000 could be the real code once in a million: then it logged in.
        if res.status() == 303 {
            return;
        }
        assert_eq!(res.status(), 422);
    }
    // The sixth attempt is refused before the code is looked at, even a right one.
    let code = app.totp_code(email).await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert_eq!(app.html(&client, "/staff/queue").await.0, 401);

    // A code posted with no password step before it goes back to the login.
    let res = app
        .post_form(&app.client(), "/login/code", &[("code", "123456")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login?"));
}

#[tokio::test]
async fn an_admins_reset_ends_the_staff_sessions_and_asks_for_a_new_enrolment() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.html(&reviewer, "/staff/queue").await.0, 200);
    let id = app::server::store::users::by_email(&app.state.db, "reviewer@redress.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, page) = app.html(&admin, &format!("/admin/users/{id}")).await;
    assert!(page.contains(&format!("/admin/users/{id}/mfa-reset")));

    // Nobody but an admin may reset it.
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let res = app
        .post_form(&approver, &format!("/admin/users/{id}/mfa-reset"), &[])
        .await;
    assert_eq!(res.status(), 403);
    assert!(mfa_row(&app, "reviewer@redress.example").await.0.is_some());

    let res = app
        .post_form(&admin, &format!("/admin/users/{id}/mfa-reset"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        mfa_row(&app, "reviewer@redress.example").await,
        (None, None, 0)
    );
    assert_eq!(
        app.html(&reviewer, "/staff/queue").await.0,
        401,
        "the reviewer's session ended at once"
    );
    // Twice: nothing to reset (409).
    let res = app
        .post_form(&admin, &format!("/admin/users/{id}/mfa-reset"), &[])
        .await;
    assert_eq!(res.status(), 409);
    // The record of admin actions names it.
    let (_, page) = app.html(&admin, "/admin/users").await;
    assert!(page.contains("2段階認証をリセットした"), "{page}");

    // The next login enrols again (with a new key).
    let client = password_step(&app, "reviewer@redress.example", PASSWORD).await;
    let codes = app.enrol_mfa(&client).await;
    assert_eq!(codes.len(), 10);
    assert_eq!(app.html(&client, "/staff/queue").await.0, 200);
    let key = mfa_row(&app, "reviewer@redress.example").await.0.unwrap();
    assert_ne!(
        key,
        app::server::services::mfa::demo_key("reviewer@redress.example")
    );
}

#[tokio::test]
async fn a_claimant_may_enrol_and_then_logs_in_with_a_code() {
    let app = TestApp::spawn().await;
    let email = "kamome@example.jp";
    let claimant = app.register_claimant(email, "kamome-no-suiheisen").await;
    // Without a two-step login the password is enough (checked above: the
    // helper got a session), and the claims page offers one.
    let (status, page) = app.html(&claimant, "/claims").await;
    assert_eq!(status, 200);
    assert!(page.contains("href=\"/mfa/setup\""));
    let codes = app.enrol_mfa(&claimant).await;
    assert_eq!(codes.len(), 10);
    let (_, page) = app.html(&claimant, "/claims").await;
    assert!(page.contains("2段階認証を使っています"), "{page}");

    // From now on the password alone is not a login.
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/login",
            &[("email", email), ("password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(location(&res), "/login/code");
    assert_eq!(app.html(&client, "/claims").await.0, 401);
    let code = app.totp_code(email).await;
    let res = app
        .post_form(&client, "/login/code", &[("code", &code)])
        .await;
    assert_eq!(location(&res), "/claims");
    assert_eq!(app.html(&client, "/claims").await.0, 200);
}
