//! Load from a second process (oha, open loop at fixed rates, corrected for
//! coordinated omission) against the release `redress` binary, and the
//! limits each figure is measured beside: a bare axum handler, the disk's
//! durable commit rate (SQLite) and pgbench's single-row inserts
//! (PostgreSQL).
//!
//! On a 2-core machine the server, oha and (for the submissions) the bench
//! itself share both cores; nothing pins them.

use std::time::{Duration, Instant};

use server::config::Config;

/// One oha run's summary (latencies in milliseconds).
#[derive(Clone, Debug, Default)]
pub struct Run {
    pub rps: f64,
    pub success: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
}

impl Run {
    pub fn describe(&self) -> String {
        format!(
            "p50 {:.1} / p90 {:.1} / p99 {:.1} / p99.9 {:.1} ms at {:.0} req/s, {:.2} % errors",
            self.p50,
            self.p90,
            self.p99,
            self.p999,
            self.rps,
            (1.0 - self.success) * 100.0
        )
    }
}

fn oha_path() -> anyhow::Result<std::path::PathBuf> {
    let home = std::env::var("HOME").unwrap_or_default();
    let candidate = std::path::Path::new(&home).join(".cargo/bin/oha");
    anyhow::ensure!(
        candidate.exists(),
        "oha is missing: scripts/tools.sh bench installs it"
    );
    Ok(candidate)
}

/// Runs oha for `secs` seconds with `extra` arguments and reads its JSON.
fn oha(url: &str, cookie: Option<&str>, secs: u64, extra: &[String]) -> anyhow::Result<Run> {
    let mut cmd = std::process::Command::new(oha_path()?);
    cmd.args(["--no-tui", "--output-format", "json", "-z"])
        .arg(format!("{secs}s"))
        .args(extra);
    if let Some(c) = cookie {
        cmd.args(["-H", &format!("cookie: {c}")]);
    }
    let out = cmd.arg(url).output()?;
    anyhow::ensure!(
        out.status.success(),
        "oha failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let ms = |k: &str| v["latencyPercentiles"][k].as_f64().unwrap_or(f64::NAN) * 1000.0;
    let codes = &v["statusCodeDistribution"];
    let ok =
        codes["200"].as_f64().unwrap_or(0.0) * v["summary"]["successRate"].as_f64().unwrap_or(0.0);
    let all: f64 = codes
        .as_object()
        .map(|m| m.values().filter_map(|x| x.as_f64()).sum())
        .unwrap_or(0.0);
    Ok(Run {
        rps: v["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
        success: if all > 0.0 { ok / all } else { 0.0 },
        p50: ms("p50"),
        p90: ms("p90"),
        p99: ms("p99"),
        p999: ms("p99.9"),
    })
}

/// The peak (closed loop, 16 connections, 10 s after a 3 s warm-up), then
/// three open-loop runs of 10 s at 70 % of it with latency correction: the
/// run with the median p99, and the peak.
pub fn page_load(url: &str, cookie: Option<&str>) -> anyhow::Result<(Run, Run)> {
    let closed = |secs| oha(url, cookie, secs, &["-c".into(), "16".into()]);
    closed(3)?;
    let peak = closed(10)?;
    let rate = (peak.rps * 0.7).max(1.0);
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(oha(
            url,
            cookie,
            10,
            &[
                "-q".into(),
                format!("{rate:.0}"),
                "--latency-correction".into(),
                "-c".into(),
                "64".into(),
            ],
        )?);
    }
    runs.sort_by(|a, b| a.p99.total_cmp(&b.p99));
    Ok((runs[1].clone(), peak))
}

/// The release `redress serve` on the bench's database, ready.
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
    /// Start-up to the first 200 from `/healthz`.
    pub ready_after: f64,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    pub async fn start(config: &Config) -> anyhow::Result<Served> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let exe = std::env::current_exe()?.with_file_name("redress");
        anyhow::ensure!(
            exe.exists(),
            "build the release binary first ({})",
            exe.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let t = Instant::now();
        let child = std::process::Command::new(&exe)
            .arg("serve")
            .env("DATABASE_URL", config.database_url())
            .env("REDRESS_DATA_DIR", &config.data_dir)
            .env("REDRESS_LISTEN", format!("127.0.0.1:{port}"))
            .env("REDRESS_DASHBOARD_REFRESH_SECONDS", "0")
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        let mut served = Served {
            child,
            port,
            ready_after: 0.0,
        };
        loop {
            anyhow::ensure!(
                t.elapsed() < Duration::from_secs(30),
                "the server did not become ready in 30 s"
            );
            if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
                let _ = s.write_all(b"GET /healthz HTTP/1.0\r\n\r\n").await;
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf).await;
                if buf.starts_with(b"HTTP/1.0 200") || buf.starts_with(b"HTTP/1.1 200") {
                    served.ready_after = t.elapsed().as_secs_f64();
                    return Ok(served);
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The process's resident memory now and at its peak, in MB.
    pub fn rss_mb(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let kb = |key: &str| {
            status
                .lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
                .unwrap_or(f64::NAN)
        };
        (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
    }
}

/// The HTTP overhead's limit: a bare axum handler ("ok", no session, no
/// database) in a server of its own on this machine, at its peak.
pub async fn bare_handler_peak() -> anyhow::Result<Run> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://127.0.0.1:{port}/");
    let run = tokio::task::spawn_blocking(move || {
        oha(&url, None, 3, &["-c".into(), "16".into()])?;
        oha(&url, None, 10, &["-c".into(), "16".into()])
    })
    .await??;
    server.abort();
    Ok(run)
}

/// The disk's durable commit rate: one connection to a fresh SQLite file
/// beside the database (WAL, `synchronous=FULL`, as the product opens it)
/// doing `BEGIN IMMEDIATE; INSERT; COMMIT` for 5 seconds.
pub async fn sqlite_commit_rate(dir: &std::path::Path) -> anyhow::Result<f64> {
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    let path = dir.join("commit-baseline.sqlite");
    let mut c = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&mut c)
        .await?;
    let t = Instant::now();
    let mut n = 0u64;
    while t.elapsed() < Duration::from_secs(5) {
        sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await?;
        sqlx::query("INSERT INTO t (v) VALUES ('x')")
            .execute(&mut c)
            .await?;
        sqlx::query("COMMIT").execute(&mut c).await?;
        n += 1;
    }
    let rate = n as f64 / t.elapsed().as_secs_f64();
    drop(c);
    let _ = std::fs::remove_file(&path);
    Ok(rate)
}

/// pgbench's single-row insert rate at `clients` connections (10 s), on the
/// bench's database, in a table of its own.
pub async fn pgbench_insert_rate(url: &str, clients: u32) -> anyhow::Result<f64> {
    let pool = sqlx::PgPool::connect(url).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_inserts (id bigserial PRIMARY KEY, v text NOT NULL)",
    )
    .execute(&pool)
    .await?;
    pool.close().await;
    pgbench(
        url,
        clients,
        "INSERT INTO bench_inserts (v) VALUES ('x');\n",
    )
}

/// pgbench running `script` at `clients` connections for 10 s: its
/// transactions per second (every transaction must succeed).
fn pgbench(url: &str, clients: u32, script: &str) -> anyhow::Result<f64> {
    let path = std::env::temp_dir().join(format!(
        "redress-pgbench-{}-{clients}.sql",
        std::process::id()
    ));
    std::fs::write(&path, script)?;
    let out = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-T",
            "10",
            "-c",
            &clients.to_string(),
            "-j",
            "2",
            "-f",
        ])
        .arg(&path)
        .arg(url)
        .output()?;
    let _ = std::fs::remove_file(&path);
    anyhow::ensure!(
        out.status.success(),
        "pgbench failed: {}\n{script}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let failed = text
        .lines()
        .find(|l| l.starts_with("number of failed transactions"))
        .and_then(|l| l.split_whitespace().nth(4)?.parse::<u64>().ok())
        .unwrap_or(0);
    anyhow::ensure!(failed == 0, "pgbench: {failed} transactions failed: {text}");
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l.split_whitespace().nth(2)?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no tps in pgbench's output: {text}"))
}

/// A value of a sampled row as an SQL literal pgbench passes on untouched:
/// text in an E'' string with `:` escaped (pgbench would read `:name` as
/// its variable), numbers and booleans as they are.
fn literal(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "NULL".into(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => format!(
            "E'{}'",
            s.replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace(':', "\\x3a")
        ),
        other => literal(&serde_json::Value::String(other.to_string())),
    }
}

/// An INSERT of `row` (a sampled row as JSON) into `table`, with the
/// columns in `replace` given by the script's expressions instead.
fn insert_copy(table: &str, row: &serde_json::Value, replace: &[(&str, String)]) -> String {
    let Some(fields) = row.as_object() else {
        return String::new();
    };
    let (mut cols, mut vals) = (Vec::new(), Vec::new());
    for (col, v) in fields {
        cols.push(col.clone());
        vals.push(
            replace
                .iter()
                .find(|(c, _)| c == col)
                .map(|(_, e)| e.clone())
                .unwrap_or_else(|| literal(v)),
        );
    }
    format!(
        "INSERT INTO {table} ({}) VALUES ({});\n",
        cols.join(", "),
        vals.join(", ")
    )
}

/// pgbench running the transaction a claim submission commits, as a
/// custom script at `clients` connections (10 s), on the bench's database:
/// the statements the server sends (the draft's delete, the reference
/// number, the claim, its lines, its first history event, the receipt
/// mail), each row a copy of the submitted claim `sample`'s with new ids,
/// into the same tables with the same triggers (the kept figures, the
/// address counts). Unlike the server's, the delete finds no draft (there
/// is none to delete) and the values are literals, not parameters.
pub async fn pgbench_submission_rate(
    url: &str,
    clients: u32,
    sample: uuid::Uuid,
) -> anyhow::Result<f64> {
    let pool = sqlx::PgPool::connect(url).await?;
    let rows = |table: &'static str, order: &'static str| {
        let pool = pool.clone();
        async move {
            let sql = format!(
                "SELECT row_to_json(t)::text FROM {table} t WHERE {} = $1 {order}",
                if table == "claims" { "id" } else { "claim_id" }
            );
            let texts: Vec<String> = sqlx::query_scalar(&sql)
                .bind(sample)
                .fetch_all(&pool)
                .await?;
            texts
                .iter()
                .map(|t| serde_json::from_str::<serde_json::Value>(t).map_err(anyhow::Error::from))
                .collect::<anyhow::Result<Vec<_>>>()
        }
    };
    let claim = rows("claims", "").await?;
    let lines = rows("debit_lines", "ORDER BY position").await?;
    let calls = rows("call_lines", "ORDER BY position").await?;
    let trips = rows("travel_lines", "ORDER BY position").await?;
    // Its first event and first mail: those its submission wrote.
    let mut events = rows("claim_events", "ORDER BY at").await?;
    events.truncate(1);
    let mut mails = rows("outbox", "ORDER BY created_at").await?;
    mails.truncate(1);
    pool.close().await;
    anyhow::ensure!(
        claim.len() == 1 && !lines.is_empty() && events.len() == 1,
        "the sample claim: {} claim, {} lines, {} events, {} mails",
        claim.len(),
        lines.len(),
        events.len(),
        mails.len()
    );
    let id = |tag: &str| format!("md5(:n || '{tag}')::uuid");
    let mut script = String::from(
        "\\set n random(1, 9000000000000000000)\nBEGIN;\n\
         DELETE FROM drafts WHERE id = md5(:n || 'd')::uuid;\n\
         SELECT nextval('claim_reference_seq') AS seq \\gset\n",
    );
    script.push_str(&insert_copy(
        "claims",
        &claim[0],
        &[
            ("id", id("c")),
            ("seq", ":seq".into()),
            ("reference", "'RD-' || lpad(:seq::text, 6, '0')".into()),
        ],
    ));
    for (table, rows) in [
        ("debit_lines", &lines),
        ("call_lines", &calls),
        ("travel_lines", &trips),
        ("claim_events", &events),
        ("outbox", &mails),
    ] {
        for (i, row) in rows.iter().enumerate() {
            script.push_str(&insert_copy(
                table,
                row,
                &[("id", id(&format!("{table}{i}"))), ("claim_id", id("c"))],
            ));
        }
    }
    script.push_str("COMMIT;\n");
    pgbench(url, clients, &script)
}
