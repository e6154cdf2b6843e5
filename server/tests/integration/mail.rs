//! Mail leaves through a real SMTP server (aiosmtpd, started by
//! scripts/test.sh), and waits in the outbox while the server is down.

use crate::helpers::*;

async fn wait_for<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

async fn sent_count(app: &TestApp, to: &str) -> i64 {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM outbox WHERE to_addr = $1 AND sent_at IS NOT NULL").bind(to).fetch_one(p).await.unwrap())
}

#[tokio::test]
async fn the_verification_mail_arrives_at_a_real_smtp_server() {
    let (Ok(smtp), Ok(maildir)) = (
        std::env::var("REDRESS_TEST_SMTP"),
        std::env::var("REDRESS_TEST_MAILDIR"),
    ) else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the SMTP test: REDRESS_TEST_SMTP and REDRESS_TEST_MAILDIR are unset"
        );
        eprintln!("skipped: no SMTP server (scripts/test.sh starts one)");
        return;
    };
    let app = TestApp::spawn_with_smtp(Some(smtp)).await;
    let to = format!("smtp-{}@example.jp", uuid::Uuid::new_v4().simple());
    let res = app
        .post_form(
            &app.client(),
            "/register",
            &[("email", &to), ("password", "kamome-no-suiheisen")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        wait_for(|| async { sent_count(&app, &to).await == 1 }).await,
        "marked sent"
    );

    let row = app.last_mail(&to).await;
    let new = std::path::Path::new(&maildir).join("new");
    let mut found = None;
    assert!(
        wait_for(|| {
            let hit = std::fs::read_dir(&new)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|f| std::fs::read_to_string(f.path()).unwrap_or_default())
                .find(|m| m.contains(&to));
            found = hit.clone();
            async move { hit.is_some() }
        })
        .await,
        "the message is in the SMTP server's mailbox"
    );
    let message = found.unwrap();
    assert!(
        message.contains(&format!("Message-ID: <{}@redress.example>", row.id)),
        "Message-ID derived from the outbox row"
    );
    assert!(message.contains("Auto-Submitted: auto-generated"));
    assert!(message.contains("From: Redress <no-reply@redress.example>"));
    assert!(!message.to_lowercase().contains("list-unsubscribe"));
}

#[tokio::test]
async fn mail_waits_and_is_retried_while_the_smtp_server_is_down() {
    // Nothing listens on this port: connections are refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = TestApp::spawn_with_smtp(Some(format!("smtp://127.0.0.1:{port}"))).await;
    let to = "down@example.jp";
    app.post_form(
        &app.client(),
        "/register",
        &[("email", to), ("password", "kamome-no-suiheisen")],
    )
    .await;
    let failed = wait_for(|| async {
        let (attempts, error): (i64, Option<String>) = app::on_db!(&app.state.db, p => sqlx::query_as(
            "SELECT attempts, last_error FROM outbox WHERE to_addr = $1").bind(to).fetch_one(p).await.unwrap());
        attempts >= 1 && error.is_some()
    })
    .await;
    assert!(failed, "the failure is recorded");
    assert_eq!(sent_count(&app, to).await, 0, "not marked sent");
    let next: chrono::DateTime<chrono::Utc> = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT next_attempt_at FROM outbox WHERE to_addr = $1").bind(to).fetch_one(p).await.unwrap());
    assert!(next > chrono::Utc::now(), "retried later, with backoff");
    // The account exists regardless: the mail is not lost, only late.
    assert!(
        app::server::store::users::by_email(&app.state.db, to)
            .await
            .unwrap()
            .is_some()
    );
}
