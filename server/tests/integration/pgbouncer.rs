//! Redress behind PgBouncer (Debian's) in transaction mode, where a server
//! connection goes to another client whenever a transaction ends: with
//! `REDRESS_DB_STATEMENT_CACHE=off` two `redress serve` processes share two
//! server connections through it while claimants register, upload and send
//! claims, staff read their queues and a bank's long list is imported; no
//! request fails and every acknowledged claim is whole. The same queries
//! with sqlx's defaults (named statements kept on the connection) fail
//! through the same PgBouncer, so the test can tell. Migrations are not run
//! through it: `redress migrate` refuses, and a process refuses to start on
//! a schema with a migration not applied.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::drills::{claim_of_six_debits, import_state, sh};
use crate::fleet::{
    Stopped, answers_of, free_port, run_load, send_long_list, start_member_with, unwhole_claims,
};
use crate::helpers::*;

/// PgBouncer in transaction mode on `port` in front of `url`'s server, with
/// `servers` server connections; its folder under `dir`.
fn start_pgbouncer(dir: &std::path::Path, url: &str, port: u16, servers: u32) -> Stopped {
    let (ok, why) = sh("command -v pgbouncer || test -x /usr/sbin/pgbouncer");
    assert!(
        ok,
        "the test needs Debian's pgbouncer (make test installs it): {why}"
    );
    let options: PgConnectOptions = url.parse().unwrap();
    let user = options.get_username().to_owned();
    std::fs::create_dir_all(dir).unwrap();
    let ini = dir.join("pgbouncer.ini");
    std::fs::write(dir.join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
    std::fs::write(
        &ini,
        format!(
            "[databases]\n* = host={} port={}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n\
             unix_socket_dir =\nauth_type = trust\nauth_file = {}\npool_mode = transaction\n\
             default_pool_size = {servers}\nmin_pool_size = 0\nreserve_pool_size = 0\nmax_client_conn = 500\n\
             logfile = {}\n",
            options.get_host(),
            options.get_port(),
            dir.join("users.txt").display(),
            dir.join("pgbouncer.log").display(),
        ),
    )
    .unwrap();
    // PgBouncer does not run as root: it switches to postgres's user then.
    let root = sh("test \"$(id -u)\" = 0").0;
    if root {
        sh(&format!("chmod -R a+rwX {}", dir.display()));
    }
    let mut cmd = Command::new(if sh("command -v pgbouncer").0 {
        "pgbouncer"
    } else {
        "/usr/sbin/pgbouncer"
    });
    if root {
        cmd.args(["-u", "postgres"]);
    }
    // Stopped (and waited for) however the test ends.
    let bouncer = Stopped(
        cmd.arg(&ini)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pgbouncer"),
    );
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return bouncer;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(bouncer);
    panic!(
        "pgbouncer did not start: {}",
        std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
    );
}

/// `url` with its host and port replaced by PgBouncer's.
fn through(url: &str, port: u16) -> String {
    let options: PgConnectOptions = url.parse().unwrap();
    format!(
        "postgres://{}@127.0.0.1:{port}/{}",
        options.get_username(),
        options.get_database().unwrap()
    )
}

/// sqlx's defaults through PgBouncer: statements prepared under names
/// (sqlx_s_1, sqlx_s_2, ... on every connection) and kept. The errors seen.
async fn named_statements_through(url: &str) -> Vec<String> {
    let options: PgConnectOptions = url
        .parse::<PgConnectOptions>()
        .unwrap()
        .extra_float_digits(None);
    let pool = PgPoolOptions::new()
        .max_connections(6)
        .connect_with(options)
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..300i64 {
        let pool = pool.clone();
        tasks.spawn(async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT $1::int8 + {}", i % 30))
                .bind(i)
                .fetch_one(&pool)
                .await
                .map_err(|e| e.to_string())
        });
    }
    let mut errors = Vec::new();
    while let Some(r) = tasks.join_next().await {
        if let Err(e) = r.unwrap() {
            errors.push(e);
        }
    }
    pool.close().await;
    errors
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_pgbouncer_in_transaction_mode_with_the_statement_cache_off_no_request_fails() {
    if backend() != "postgres" {
        return; // PgBouncer is PostgreSQL's
    }
    let mut app = TestApp::spawn_with(Options {
        serve: false,
        ..Options::default()
    })
    .await;
    let bouncer_port = free_port();
    let _bouncer = start_pgbouncer(
        &app.data_dir().join("pgbouncer"),
        app.database_url(),
        bouncer_port,
        2,
    );
    let via = through(app.database_url(), bouncer_port);

    // The control: sqlx's defaults fail through this PgBouncer.
    let errors = named_statements_through(&via).await;
    assert!(
        errors.iter().any(|e| e.contains("prepared statement")),
        "named statements kept on a connection must fail in transaction mode (else the test cannot tell): {errors:?}"
    );

    // Migrations need PostgreSQL itself.
    let out = Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("migrate")
        .env("DATABASE_URL", &via)
        .env("REDRESS_DB_STATEMENT_CACHE", "off")
        .env("REDRESS_DATA_DIR", app.data_dir())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("PgBouncer"),
        "{said}"
    );
    // A process does not start on a schema with a migration not applied.
    let newest: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "UPDATE _sqlx_migrations SET success = FALSE
          WHERE version = (SELECT MAX(version) FROM _sqlx_migrations) RETURNING version")
        .fetch_one(p).await.unwrap());
    let out = Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("serve")
        .env("DATABASE_URL", &via)
        .env("REDRESS_DB_STATEMENT_CACHE", "off")
        .env("REDRESS_DATA_DIR", app.data_dir().join("refused"))
        .env("REDRESS_LISTEN", format!("127.0.0.1:{}", free_port()))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("redress migrate"),
        "{said}"
    );
    app::on_db!(&app.state.db, p => sqlx::query("UPDATE _sqlx_migrations SET success = TRUE WHERE version = $1")
        .bind(newest).execute(p).await.map(|_| ()).unwrap());

    // Two processes, eight connections each, on PgBouncer's two.
    let ports = [free_port(), free_port()];
    let public = format!("http://127.0.0.1:{}", ports[0]);
    app.address = public.clone();
    let env = [
        ("DATABASE_URL", via.as_str()),
        ("REDRESS_DB_STATEMENT_CACHE", "off"),
        ("REDRESS_STATEMENT_TIMEOUT_MS", "1500"),
        ("REDRESS_REQUEST_TIMEOUT_SECS", "120"),
    ];
    let mut members = Vec::new();
    for (n, port) in ports.iter().enumerate() {
        members.push(start_member_with(&app, &public, *port, n, &env).await);
    }
    let reference = claim_of_six_debits(&app).await;
    send_long_list(&app, ports[1], &public).await;
    let app = Arc::new(app);
    let load = run_load(&app, 8, 4).await;
    for _ in 0..600 {
        if import_state(&app).await.is_some_and(|s| s.0 == "done") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The statement limit holds though PgBouncer refuses it at connection
    // (it is set in each transaction): a registration held up by a lock on
    // the accounts is cancelled by the database, not by the request's limit.
    let lock = crate::ops::hold_the_accounts(&app).await;
    let held = app
        .post_form(
            &app.client(),
            "/register",
            &[
                ("email", "held@example.jp"),
                ("password", "kamome-no-suiheisen"),
            ],
        )
        .await
        .status();
    drop(lock);
    assert_eq!(held, 503, "a held-up registration is answered 503");
    let logs: Vec<String> = members
        .iter()
        .map(|m| std::fs::read_to_string(&m.log).unwrap_or_default())
        .collect();
    for mut m in members {
        let _ = m.child.kill();
        let _ = m.child.wait();
    }
    let claims: Vec<&String> = load.claims.iter().collect();
    let violations = unwhole_claims(&app, &claims).await;
    eprintln!(
        "pgbouncer (transaction mode, 2 server connections, 2 processes of 8 connections each): {} journeys, {} cut, {} staff views, {} failed, {} claims, {} violations; the control's errors: {}",
        load.journeys,
        load.cut,
        load.views,
        load.failed_views,
        claims.len(),
        violations.len(),
        errors.len()
    );
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(
        (load.cut, load.failed_views),
        (0, 0),
        "no request fails behind PgBouncer: {logs:?}"
    );
    assert!(load.journeys > 0 && !claims.is_empty());
    let (status, done, _, _) = import_state(&app).await.unwrap();
    assert_eq!(
        (status.as_str(), done),
        ("done", 1500),
        "the list imported through PgBouncer"
    );
    assert_eq!(
        answers_of(&app, &reference).await,
        4,
        "each exact match confirmed its line once"
    );
    for log in &logs {
        assert!(!log.contains("prepared statement"), "{log}");
    }
    assert!(
        logs[0].contains("statement timeout"),
        "the database cancelled the held-up statement: {}",
        logs[0]
    );
}
