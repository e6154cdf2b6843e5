//! The database itself: the event log is append-only, mail is written with
//! the change, both schemas agree.

use crate::helpers::*;
use app::server::db::Db;

#[tokio::test]
async fn claim_events_cannot_be_changed_or_deleted() {
    let app = TestApp::spawn().await;
    assert!(app.count("claim_events").await >= 2);
    let mut tx = app.state.db.begin().await.unwrap();
    let update = app::on_tx!(&mut tx, c => sqlx::query("UPDATE claim_events SET note = 'edited'").execute(c).await.map(|_| ()));
    assert!(update.is_err(), "update refused");
    drop(tx);
    let mut tx = app.state.db.begin().await.unwrap();
    let delete = app::on_tx!(&mut tx, c => sqlx::query("DELETE FROM claim_events").execute(c).await.map(|_| ()));
    assert!(delete.is_err(), "delete refused");
}

#[tokio::test]
async fn the_outbox_is_delivered_and_marked_sent() {
    let app = TestApp::spawn().await;
    let client = app.client();
    app.post_form(
        &client,
        "/register",
        &[
            ("email", "mail@example.jp"),
            ("password", "kamome-no-suiheisen"),
        ],
    )
    .await;
    // The background sender delivers it (to .eml files, or to SMTP when set).
    let mut sent = false;
    for _ in 0..100 {
        let n: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE to_addr = 'mail@example.jp' AND sent_at IS NOT NULL").fetch_one(p).await.unwrap());
        if n == 1 {
            sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent, "the verification mail was sent");
    if std::env::var("REDRESS_TEST_SMTP").is_err() {
        let dir = app.state.settings.data_dir.join("mail");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .collect();
        let eml = files
            .iter()
            .map(|f| std::fs::read_to_string(f.path()).unwrap())
            .find(|m| m.contains("mail@example.jp"))
            .expect("an .eml file for the address");
        assert!(eml.contains("Auto-Submitted: auto-generated"));
        assert!(eml.contains("Message-ID: <"));
    }
}

/// Both migration sets describe the same tables and columns (run where
/// PostgreSQL is available, whichever backend the suite runs on).
#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    if backend() != "postgres" {
        eprintln!("schema parity is checked in the PostgreSQL run");
        return;
    }
    let app = TestApp::spawn().await;
    let pg: Vec<(String, String)> = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY 1, 2").fetch_all(p).await.unwrap());
    let dir = std::env::temp_dir().join(format!("redress-parity-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = Db::connect(&format!("sqlite://{}", dir.join("p.db").display()))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let mut lite: Vec<(String, String)> = app::on_db!(&sqlite, p => sqlx::query_as(
        // Views too (information_schema lists theirs); `figures_touch` and
        // `figures_held` are SQLite's alone: its triggers cannot call a
        // function, so they touch a claim by inserting into it (migration
        // 0022), nor wait for the commit, so a transaction holds a claim
        // it writes whole (0028).
        "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
         WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'
           AND m.name NOT IN ('figures_touch', 'figures_held') ORDER BY 1, 2")
        .fetch_all(p).await.unwrap());
    lite.sort();
    assert_eq!(lite, pg);
    let _ = std::fs::remove_dir_all(dir);
}

/// A login of the approver with a wrong password on `server`: its status.
async fn wrong_password(server: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{server}/login"))
        .form(&[
            ("email", "approver@redress.example"),
            ("password", "wrong-password"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Twenty wrong passwords for one account at once, half through each of two
/// servers: the account's limit (5 in 15 minutes) holds exactly: five are
/// checked and refused, fifteen are turned away before any check.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limit_holds_exactly_under_attempts_at_once_on_two_servers() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let attempt = |server: String| async move { wrong_password(&server).await };
    let mut attempts = tokio::task::JoinSet::new();
    for i in 0..20 {
        let server = if i % 2 == 0 {
            app.address.clone()
        } else {
            peer.clone()
        };
        attempts.spawn(attempt(server));
    }
    let mut statuses = attempts.join_all().await;
    statuses.sort_unstable();
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let turned_away = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, turned_away),
        (
            redress_core::limits::LOGIN_PER_ACCOUNT.max as usize,
            20 - redress_core::limits::LOGIN_PER_ACCOUNT.max as usize
        ),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn two_server_processes_share_sessions_and_rate_limits() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    // Log in on one server, carry on with the same cookie on the other.
    let client = app.login("reviewer@redress.example", PASSWORD).await;
    let res = client
        .get(format!("{peer}/staff/queue"))
        .header("origin", &peer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("RD-000001"));
    // Failed logins counted on either server add up.
    for server in [&app.address, &peer, &app.address, &peer, &app.address] {
        assert_eq!(wrong_password(server).await, 422);
    }
    let res = reqwest::Client::new()
        .post(format!("{peer}/login"))
        .form(&[
            ("email", "approver@redress.example"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn old_rate_limit_attempts_are_pruned() {
    let app = TestApp::spawn().await;
    let old = chrono::Utc::now() - chrono::Duration::days(2);
    let fresh = chrono::Utc::now();
    let mut tx = app.state.db.begin().await.unwrap();
    app::on_tx!(&mut tx, c => {
        for at in [old, fresh] {
            sqlx::query("INSERT INTO auth_attempts (id, key, at) VALUES ($1, 'login:ip:x', $2)")
                .bind(uuid::Uuid::new_v4()).bind(at).execute(&mut *c).await.unwrap();
        }
    });
    tx.commit().await.unwrap();
    // Responses kept under an Idempotency-Key live a day.
    let admin: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@redress.example'").fetch_one(p).await.unwrap());
    let key = uuid::Uuid::new_v4();
    let mut tx = app.state.db.begin().await.unwrap();
    app::on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO api_keys (id, bank_code, label, key_hash, created_by, created_at) VALUES ($1, '0125', 'x', 'h', $2, $3)")
            .bind(key).bind(admin).bind(fresh).execute(&mut *c).await.unwrap();
        for (name, at) in [("old", old), ("fresh", fresh)] {
            sqlx::query("INSERT INTO idempotency_keys (api_key_id, key, fingerprint, status, body, created_at) VALUES ($1, $2, 'f', 200, '{}', $3)")
                .bind(key).bind(name).bind(at).execute(&mut *c).await.unwrap();
        }
    });
    tx.commit().await.unwrap();
    web::middleware::security::prune_attempts(&app.state.db)
        .await
        .unwrap();
    assert_eq!(
        app.count("auth_attempts").await,
        1,
        "only the fresh attempt is left"
    );
    assert_eq!(app.count("idempotency_keys").await, 1);
}

#[tokio::test]
async fn grouped_writes_are_answered_after_their_commit_and_a_failing_one_leaves_nothing() {
    use app::server::error::AppError;
    use app::server::group_commit::work;
    let app = TestApp::spawn().await;
    let mut tx = app.state.db.begin().await.unwrap();
    app::on_tx!(&mut tx, c => sqlx::query("CREATE TABLE group_probe (n BIGINT NOT NULL)").execute(&mut *c).await.map(|r| r.rows_affected()).unwrap());
    tx.commit().await.unwrap();
    let (commits_before, requests_before) = app.state.commits.counts();
    // 60 writes at once; every third writes its row and then fails.
    let mut tasks = Vec::new();
    for i in 0..60i64 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let writes = work(move |tx| {
                Box::pin(async move {
                    app::on_tx!(tx, c => sqlx::query("INSERT INTO group_probe (n) VALUES ($1)").bind(i).execute(&mut *c).await.map(|r| r.rows_affected()))?;
                    if i % 3 == 0 {
                        return Err(AppError::Conflict("probe"));
                    }
                    Ok(i * 10)
                })
            });
            let answer = state.commits.run(&state.db, writes).await;
            // Once answered, the row is there for any reader (committed).
            let seen: i64 = app::on_db!(&state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM group_probe WHERE n = $1")
                .bind(i).fetch_one(p).await.unwrap());
            (i, answer, seen)
        }));
    }
    for task in tasks {
        let (i, answer, seen) = task.await.unwrap();
        if i % 3 == 0 {
            assert!(matches!(answer, Err(AppError::Conflict("probe"))), "{i}");
            assert_eq!(seen, 0, "a failed write leaves nothing ({i})");
        } else {
            assert_eq!(answer.unwrap(), i * 10);
            assert_eq!(seen, 1, "answered only once durable ({i})");
        }
    }
    assert_eq!(app.count("group_probe").await, 40);
    let (commits, requests) = app.state.commits.counts();
    if matches!(app.state.db, app::server::db::Db::Sqlite { .. }) {
        // On SQLite the writer took waiting requests together.
        assert!(
            commits - commits_before < 40,
            "{commits_before} → {commits}"
        );
        assert_eq!(requests - requests_before, 40);
    } else {
        assert_eq!(
            (commits, requests),
            (0, 0),
            "PostgreSQL commits each on its own"
        );
    }
}

/// Claim references under concurrent submissions: 30 at once (grouped on
/// SQLite, each on its own on PostgreSQL, where they come from a sequence),
/// every fifth failing after it took its number (the app's own set-up may
/// have taken some before). The committed numbers are
/// distinct; on SQLite a failed one gives its number back (the counter row
/// is rolled back with it), on PostgreSQL it may leave a gap.
#[tokio::test]
async fn concurrent_submissions_take_distinct_reference_numbers() {
    use app::server::error::AppError;
    use app::server::group_commit::work;
    use app::server::store::claims::next_reference_seq;
    let app = TestApp::spawn().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            let writes = work(move |tx| {
                Box::pin(async move {
                    let seq = next_reference_seq(tx).await?;
                    if i % 5 == 0 {
                        return Err(AppError::Conflict("probe"));
                    }
                    Ok(seq)
                })
            });
            state.commits.run(&state.db, writes).await
        }));
    }
    let mut taken = Vec::new();
    for task in tasks {
        if let Ok(seq) = task.await.unwrap() {
            taken.push(seq);
        }
    }
    taken.sort();
    assert_eq!(taken.len(), 24);
    let mut distinct = taken.clone();
    distinct.dedup();
    assert_eq!(distinct, taken, "no number taken twice");
    assert!(taken[0] >= 1);
    if matches!(app.state.db, app::server::db::Db::Sqlite { .. }) {
        let first = taken[0];
        assert_eq!(
            taken,
            (first..first + 24).collect::<Vec<i64>>(),
            "no gaps on SQLite"
        );
    } else {
        assert!(taken[23] - taken[0] < 30, "{taken:?}");
    }
    // The next one follows every number handed out, committed or not.
    let next = app
        .state
        .commits
        .run(
            &app.state.db,
            work(|tx| Box::pin(async move { Ok(next_reference_seq(tx).await?) })),
        )
        .await
        .unwrap();
    assert!(next > *taken.last().unwrap());
}

#[tokio::test]
async fn a_session_is_written_again_only_when_its_data_changes_or_its_expiry_moves_a_minute() {
    use server::sessions::DbSessionStore;
    use time::Duration;
    use tower_sessions::session::{Id, Record};
    use tower_sessions::session_store::SessionStore;
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    // What another process would read: a store that has kept nothing.
    let stored = |id: Id| async move {
        DbSessionStore::new(db)
            .await
            .unwrap()
            .load(&id)
            .await
            .unwrap()
            .expect("the session is stored")
    };
    let store = DbSessionStore::new(db).await.unwrap();
    let start = time::OffsetDateTime::now_utc() + Duration::minutes(120);
    let mut record = Record {
        id: Id::default(),
        data: [("user".to_owned(), serde_json::json!("a"))].into(),
        expiry_date: start,
    };
    store.create(&mut record).await.unwrap();
    let id = record.id;
    assert_eq!(
        stored(id).await.expiry_date.unix_timestamp(),
        start.unix_timestamp()
    );
    // A request 30 s later: the same data, the expiry 30 s on: not written.
    record.expiry_date = start + Duration::seconds(30);
    store.save(&record).await.unwrap();
    assert_eq!(
        stored(id).await.expiry_date.unix_timestamp(),
        start.unix_timestamp()
    );
    // 90 s on: written.
    record.expiry_date = start + Duration::seconds(90);
    store.save(&record).await.unwrap();
    let later = start + Duration::seconds(90);
    assert_eq!(
        stored(id).await.expiry_date.unix_timestamp(),
        later.unix_timestamp()
    );
    // Changed data, whatever the expiry: written.
    record
        .data
        .insert("user".to_owned(), serde_json::json!("b"));
    record.expiry_date = later + Duration::seconds(1);
    store.save(&record).await.unwrap();
    assert_eq!(stored(id).await.data["user"], "b");
    // A shorter expiry (a step of the login): written.
    let short = time::OffsetDateTime::now_utc() + Duration::minutes(10);
    record.expiry_date = short;
    store.save(&record).await.unwrap();
    assert_eq!(
        stored(id).await.expiry_date.unix_timestamp(),
        short.unix_timestamp()
    );
    // A store that has not read the session writes it.
    record.expiry_date = short + Duration::seconds(5);
    DbSessionStore::new(db)
        .await
        .unwrap()
        .save(&record)
        .await
        .unwrap();
    assert_eq!(
        stored(id).await.expiry_date.unix_timestamp(),
        (short + Duration::seconds(5)).unix_timestamp()
    );
    // Deleted (a logout): gone for the next request.
    store.delete(&id).await.unwrap();
    assert!(store.load(&id).await.unwrap().is_none());
}

/// A query that fails inside a service is a 500 whose log line names the
/// operation and its case: the service's span (with the reference and the
/// user), the transition inside it, and the query's own error.
#[tokio::test]
async fn an_internal_error_says_which_operation_failed_and_on_which_case() {
    let app = TestApp::spawn().await;
    let client = app
        .register_claimant("broken@example.jp", "kamome-no-suiheisen")
        .await;
    let reference = app.file_claim(&client).await;
    let row = app::server::store::users::by_email(&app.state.db, "broken@example.jp")
        .await
        .unwrap()
        .unwrap();
    let claimant = app::server::auth::CurrentUser {
        id: row.id,
        email: row.email,
        role: app::domain::Role::Claimant,
        bank_code: None,
        bank_lead: false,
        lang: app::i18n::Lang::Ja,
    };
    // The history's table is gone: the step's event cannot be written.
    app.exec("ALTER TABLE claim_events RENAME TO claim_events_gone")
        .await;
    let err = app::server::services::claims::withdraw(&app.state, &claimant, &reference, "")
        .await
        .expect_err("the event cannot be written");
    assert_eq!(app::server::error::status_of(&err), 500);
    let line = err.to_string();
    for part in [
        "services::cases::transition{",
        "action=\"withdraw\"",
        "services::claims::withdraw{",
        &format!("reference={reference}"),
        &format!("user={}", claimant.id),
        "claim_events",
    ] {
        assert!(line.contains(part), "{part:?} not in the log line: {line}");
    }
    // And nothing of the step stayed: the case is where it was.
    app.exec("ALTER TABLE claim_events_gone RENAME TO claim_events")
        .await;
    let claim = app::server::store::claims::by_reference(&app.state.db, &reference)
        .await
        .unwrap()
        .expect("the claim");
    assert_eq!(claim.state, app::domain::CaseState::Submitted);
}

/// A rolling deploy: the new release's migrations are applied while
/// processes of the previous release still run, restart and start. A
/// process must start against a schema that has migrations it does not
/// know (a newer release's: here a column added and its migration row),
/// use the migrations it knows, and serve on. (sqlx's default refused:
/// "migration … was previously applied but is missing".)
#[tokio::test]
async fn a_process_starts_and_works_against_a_schema_a_newer_release_migrated() {
    let app = TestApp::spawn().await;
    app.exec("ALTER TABLE claims ADD COLUMN newer_release_note TEXT")
        .await;
    let checksum = vec![0u8; 48];
    app::on_db!(&app.state.db, p => sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99990101, 'a newer release', TRUE, $1, 1)").bind(checksum).execute(p).await.unwrap().rows_affected());
    let (db, data) = (app.database_url().to_owned(), app.data_dir().join("older"));
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
            .arg("migrate")
            .env("DATABASE_URL", db)
            .env("REDRESS_DATA_DIR", data)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // A process started now (its startup migrates) serves and writes.
    let peer = app.spawn_peer().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[]).await;
    let res = claimant
        .post(format!("{peer}/claims/{key}/check"))
        .header("origin", &peer)
        .form(&[("declare_true", "yes"), ("declare_share", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).ends_with("?sent=1"), "{}", location(&res));
    let ready: serde_json::Value = reqwest::get(format!("{peer}/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["migrations"], "ok", "{ready}");
}
