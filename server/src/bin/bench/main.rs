//! `make bench`: measures what the issues ask to be fast, on this machine,
//! in a release build, against a fresh SQLite file (or the PostgreSQL
//! database in BENCH_DATABASE_URL).
//!
//! - A bank's list of 100,000 rows imported and matched (target: < 10 s):
//!   10,000 claimed lines at the bank, the list holding an exact match for
//!   each and 90,000 rows no claim names.
//! - The dashboard and the regulator's report at 1,000,000 cases
//!   (`BENCH_CASES`; target: dashboard < 200 ms).
//! - The Zengin file of 100,000 payees (target: < 2 s).
//! - Claim submission throughput beside the disk's durable commit rate
//!   (SQLite) or pgbench's single-row inserts (PostgreSQL), 16 clients.
//! - The operator's queue page and a case page under open-loop load (oha)
//!   from a second process against the release `redress serve`, at the
//!   10,000-claim set and at 1,000,000 cases, beside a bare axum handler;
//!   the server's memory under that load; start-up to ready.
//!
//! Results: a Markdown table (printed) and `bench/results/<date>-<backend>.json`
//! and `.md`.

mod dataset;
mod intake;
mod load;
mod results;

use std::time::Instant;

use results::{Results, verdict};

use app::domain::Role;
use app::server::auth::CurrentUser;
use app::server::services::{bank_import, demo};
use app::server::store::users;
use server::config::Config;
use server::startup;
use uuid::Uuid;

const CLAIMS: usize = 10_000;
const ROWS: usize = 100_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("redress-bench-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    let config = Config {
        data_dir: dir.clone(),
        files_url: None,
        import_lease_secs: 60,
        import_chunk_rows: 5000,
        database_url: std::env::var("BENCH_DATABASE_URL").ok(),
        listen: "127.0.0.1:0".parse()?,
        public_url: None,
        smtp_url: None,
        mail_from: "Redress <no-reply@redress.example>".into(),
        mail_reply_to: None,
        mail_retry_ms: 60_000,
        site_root: "target/site".into(),
        mail_poll_ms: 1000,
        // Each bench claimant sends from an address of its own (claims from
        // one address within a day are flagged against each other).
        trust_forwarded_for: true,
        api_rate_per_minute: 120,
        import_wait_ms: 5000,
        second_approval_above: 1_000_000,
        zengin_requester: server::config::DEMO_REQUESTER.into(),
        zengin_blank_names: false,
        dashboard_refresh_seconds: 0,
        metrics_allow: vec!["127.0.0.1".into()],
        log_format: "text".into(),
        staff_session_hours: 12,
        claimant_session_hours: 168,
        import_max_unpacked_mb: 200,
        import_max_cells: 2_000_000,
        db_pool: 16,
        env: "development".into(),
        shutdown_grace_secs: 25,
        trusted_proxies: Vec::new(),
        statement_timeout_ms: 30_000,
        db_statement_cache: "on".into(),
        request_timeout_secs: 30,
        upload_timeout_secs: 600,
    };
    let backend = if config.database_url.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let mut results = Results::new(backend);
    // BENCH_ONLY=intake or dashboard: one scenario, its own result files
    // (named before the first row is kept).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if !only.is_empty() {
        results.backend.push_str(&format!("-{only}"));
    }
    // scripts/bench.sh runs the submissions again on a slow disk: every
    // fsync of this process delayed by bench/shim/slow_fsync.c.
    let slow_disk = slow_disk_us();
    if slow_disk.is_some() {
        results.backend.push_str("-slowdisk");
    }
    let state = startup::prepare(&config).await?;
    demo::seed(&state).await?;
    // BENCH_ONLY=pgbench-tx (PostgreSQL): pgbench running a demo claim's
    // submission transaction alone, a quick check of the script the
    // submission scenario compares with.
    if let (true, Some(url)) = (only == "pgbench-tx", config.database_url.as_deref()) {
        let sample: Uuid = app::on_db!(&state.db, p => sqlx::query_scalar(
            "SELECT id FROM claims ORDER BY submitted_at DESC LIMIT 1",
        ).fetch_one(p).await)?;
        let rate = load::pgbench_submission_rate(url, 16, sample).await?;
        println!("pgbench, a demo claim's submission transaction, 16 clients: {rate:.0}/s");
        // The same with the kept figures' triggers paused: what they cost.
        app::server::store::figures::pause(&state.db).await?;
        let paused = load::pgbench_submission_rate(url, 16, sample).await?;
        println!("  the same with the kept figures paused: {paused:.0}/s");
        return Ok(());
    }
    let clerk = users::by_email(&state.db, "bank.77@redress.example")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo clerk missing"))?;
    let clerk = CurrentUser {
        id: clerk.id,
        email: clerk.email,
        role: Role::BankStaff,
        bank_code: clerk.bank_code,
        bank_lead: false,
        lang: app::i18n::Lang::Ja,
    };

    // The set-up claims' claimants: each with a phone of their own, as
    // people are (one claimant with every claim would relate each claim to
    // thousands of others by the contact flag).
    let t = Instant::now();
    let people = claimants(&state, CLAIMANTS).await?;
    println!(
        "setup: {CLAIMANTS} claimants in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // 10,000 submitted claims with one line each at bank 0125, branch 100,
    // sent 7 s apart over the last 20 hours as people send them (sent all at
    // one instant, PostgreSQL sorted the whole queue on its ties to show 50:
    // 25 ms a page view against 0.3 ms).
    let t = Instant::now();
    let mut tx = state.db.begin().await?;
    let now = chrono::Utc::now();
    for i in 0..CLAIMS {
        let id = Uuid::new_v4();
        let sent = now - chrono::Duration::seconds(7 * (CLAIMS - i) as i64);
        app::on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO claims (id, seq, reference, claimant_id, state, version, full_name, name_kana, phone,
                                 total_claimed, declared_at, submitted_at, created_at, flags_dirty)
             VALUES ($1, $2, $3, $4, 'submitted', 1, 'ベンチ', 'ベンチ', $6, 1000, $5, $5, $5, 0)",
        ).bind(id).bind(1_000_000 + i as i64).bind(format!("RD-{:06}", 100_000 + i)).bind(people[i % CLAIMANTS]).bind(sent)
        .bind(phone(i % CLAIMANTS))
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
        app::on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO debit_lines (id, claim_id, position, bank_code, branch_code, account_type, account_number,
                                      debit_date, amount, descriptor)
             VALUES ($1, $2, 1, '0125', '100', 'ordinary', $3, '2020-09-03', $4, 'ドコモコウザ')",
        ).bind(Uuid::new_v4()).bind(id).bind(format!("{:07}", i)).bind(1000 + i as i64)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    }
    tx.commit().await?;
    println!(
        "setup: {CLAIMS} claimed lines in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut csv = String::from("branch,type,number,holder,date,amount,descriptor,reference\n");
    for i in 0..ROWS {
        let (number, amount) = if i < CLAIMS {
            (format!("{:07}", i), 1000 + i as i64)
        } else {
            (format!("{:07}", 2_000_000 + i), 5000)
        };
        csv.push_str(&format!(
            "100,普通,{number},ベンチ タロウ,2020-09-03,{amount},ドコモコウザ,BENCH-{i}\n"
        ));
    }
    let t = Instant::now();
    let (rows, _) = bank_import::read_rows(
        "0125",
        &csv,
        chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
    );
    println!(
        "  of which reading and checking {} rows: {:.2} s",
        rows.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    // The whole import, waited for to the end (the web page would show
    // progress after 5 s).
    let checked = bank_import::read_file(
        "0125",
        csv.as_bytes(),
        chrono::Utc::now().date_naive(),
        Default::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let id = bank_import::start(
        &state,
        &clerk,
        "bench.csv",
        "upload",
        checked,
        std::time::Duration::from_secs(3600),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let took = t.elapsed().as_secs_f64();
    let report = app::server::store::bank_debits::import_by_id(&state.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("import missing"))?;
    anyhow::ensure!(report.status == "done", "import ended {}", report.status);
    results.add(
        "bank debit-list import + match, 100k rows",
        format!(
            "{took:.2} s ({} KB; matched {}, unmatched {}, rejected {})",
            csv.len() / 1024,
            report.rows_matched,
            report.rows_unmatched,
            report.rows_rejected
        ),
        "≤ 10 s",
        verdict(took, 10.0, "s", true),
        String::new(),
    );
    // The set-up claims' flags count as computed (a deployment's sweep
    // would have done them long before): the phases below wait for their
    // own claims' flags only, and the server under load does not sweep.
    app::on_db!(&state.db, p => sqlx::query("UPDATE claims SET flags_dirty = 0").execute(p).await.map(|r| r.rows_affected()))?;
    let router = startup::router(state.clone()).await?;
    // BENCH_ONLY=dashboard: the 1M set and the dashboard alone (with
    // BENCH_DASHBOARD_VIEWS, a quick way to look for stalled views).
    if only == "dashboard" {
        let cookie = dashboard_at_scale(&mut results, &state, &router, clerk.id, &people).await?;
        // The case page of the set's fullest case answers, once.
        let path = format!("/staff/claims/{}", full_case(&state).await?);
        let req = axum::http::Request::get(&path)
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())?;
        let res = within(30, intake::send(&router, req)).await??;
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
        let saved = std::env::temp_dir().join("redress-bench-case.html");
        std::fs::write(&saved, &body)?;
        println!(
            "{path}: {status}, {} KB ({})",
            body.len() / 1024,
            saved.display()
        );
        anyhow::ensure!(status == 200, "the case page answered {status}");
        return results.write();
    }
    let only_intake = only == "intake";
    intake_throughput(&mut results, &state, &router, &config).await?;
    if only_intake {
        return results.write();
    }
    // Planner statistics, as a deployment would have them (autovacuum on
    // PostgreSQL; without them it sorts a whole queue for one page).
    app::on_db!(&state.db, p => sqlx::query("ANALYZE").execute(p).await.map(|r| r.rows_affected()))?;
    let small = claim_count(&state).await?;
    step("the release server started on the 10k set");
    let served = load::Served::start(&config).await?;
    let reviewer = intake::session(&router, &state, "reviewer@redress.example").await?;
    let bare = load::bare_handler_peak().await?;
    results.note(format!(
        "bare axum handler, peak (closed loop, 16 connections): {}",
        bare.describe()
    ));
    let small_p99 =
        pages_under_load(&mut results, &state, &served, &reviewer, small, &bare, None).await?;
    drop(served);
    step("the 1M set and the dashboard");
    dashboard_at_scale(&mut results, &state, &router, clerk.id, &people).await?;
    let large = claim_count(&state).await?;
    step("the release server started on the 1M set");
    let served = load::Served::start(&config).await?;
    pages_under_load(
        &mut results,
        &state,
        &served,
        &reviewer,
        large,
        &bare,
        Some((small, small_p99)),
    )
    .await?;
    drop(served);
    step("start-up, 3 times");
    startup_time(&mut results, &config).await?;
    state.db.close().await;
    if std::env::var("BENCH_KEEP").is_ok() {
        println!("  the data set is kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    zengin_export(&mut results);
    // What scripts/bench.sh measured of the built site (brotli, as transferred).
    let kb = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f64>().ok());
    for (var, page, target) in [
        (
            "BENCH_CLAIMANT_KB",
            "a claimant page (the claimant's build)",
            100.0,
        ),
        (
            "BENCH_STAFF_KB",
            "a staff page with a staff island (the whole build)",
            200.0,
        ),
    ] {
        if let Some(kb) = kb(var) {
            results.add(
                &format!("WASM + JS {page}, first visit (release, brotli as transferred)"),
                format!("{kb:.1} KB"),
                &format!("≤ {target:.0} KB"),
                verdict(kb, target, "KB", true),
                std::env::var("BENCH_SITE_TOOLCHAIN").unwrap_or_default(),
            );
        }
    }
    results.write()
}

/// How many claimants the set-up claims belong to: a prime, so that the
/// claims of one claimant (every 100,003rd) fall on different days.
const CLAIMANTS: usize = 100_003;

/// A set-up claimant's phone (the form keeps digits only).
fn phone(who: usize) -> String {
    format!("080{who:08}")
}

/// `n` verified claimant accounts (no password can open them).
async fn claimants(state: &app::server::AppState, n: usize) -> anyhow::Result<Vec<Uuid>> {
    let now = chrono::Utc::now();
    let ids: Vec<Uuid> = (0..n).map(|_| Uuid::new_v4()).collect();
    for (k, chunk) in ids.chunks(500).enumerate() {
        let values = (0..chunk.len())
            .map(|r| {
                format!(
                    "(${}, ${}, '!', 'claimant', ${}, ${})",
                    r * 4 + 1,
                    r * 4 + 2,
                    r * 4 + 3,
                    r * 4 + 4
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO users (id, email, password_hash, role, email_verified_at, created_at) VALUES {values}"
        );
        let mut tx = state.db.begin().await?;
        app::on_tx!(&mut tx, c => {
            let mut q = sqlx::query(&sql);
            for (j, id) in chunk.iter().enumerate() {
                q = q.bind(*id).bind(format!("setup{}@example.jp", k * 500 + j)).bind(now).bind(now);
            }
            q.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
        tx.commit().await?;
    }
    Ok(ids)
}

/// Says (with the time) what the bench does next: a run that stops shows
/// where.
fn step(what: &str) {
    println!("  [{}] {what}", chrono::Utc::now().format("%H:%M:%S"));
}

/// `f`, or an error after `secs` seconds.
async fn within<T>(secs: u64, f: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(std::time::Duration::from_secs(secs), f)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {secs} s"))
}

async fn claim_count(state: &app::server::AppState) -> anyhow::Result<i64> {
    Ok(
        app::on_db!(&state.db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM claims").fetch_one(p).await)?,
    )
}

/// The delay every fsync of this process has (µs), when it runs on the
/// bench's slow disk (LD_PRELOAD of bench/shim/slow_fsync.c).
fn slow_disk_us() -> Option<u64> {
    std::env::var("LD_PRELOAD")
        .ok()
        .filter(|v| v.contains("slow_fsync"))
        .map(|_| {
            std::env::var("BENCH_FSYNC_DELAY_US")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(2000)
        })
}

/// Claim submissions at 16 clients beside the backend's durable-write limit.
async fn intake_throughput(
    results: &mut Results,
    state: &app::server::AppState,
    router: &axum::Router,
    config: &Config,
) -> anyhow::Result<()> {
    const CLIENTS: usize = 16;
    let n: usize = std::env::var("BENCH_SUBMISSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    match &config.database_url {
        None => {
            // The naive way first (a transaction and an fsync per claim), then
            // with the writer committing every waiting claim together.
            state.commits.set_enabled(false);
            let (naive, failed) = intake::submissions(router, state, n, CLIENTS, None).await?;
            anyhow::ensure!(failed == 0, "{failed} of {n} naive submissions failed");
            settle(state).await?;
            state.commits.set_enabled(true);
            let before = state.commits.counts();
            let (grouped, failed) = intake::submissions(router, state, n, CLIENTS, None).await?;
            anyhow::ensure!(failed == 0, "{failed} of {n} grouped submissions failed");
            let after = state.commits.counts();
            settle(state).await?;
            let per_commit = (after.1 - before.1) as f64 / (after.0 - before.0).max(1) as f64;
            let limit = load::sqlite_commit_rate(&config.data_dir).await?;
            // On a slow disk (a network volume) group commit must pay; on
            // the fast local disk it must never cost.
            let (disk, target, floor) = match slow_disk_us() {
                Some(us) => (
                    format!("every fsync slowed by {:.1} ms", us as f64 / 1000.0),
                    "≥ 3× the naive one-commit-per-request rate",
                    3.0,
                ),
                None => (
                    "the local disk".to_owned(),
                    "never slower than naive (≥ 1×; ≥ 3× on the slow disk)",
                    1.0,
                ),
            };
            results.add(
                &format!("claim submission, SQLite FULL, {disk}, 16 clients (3 debit lines, event + mail rows; answered after the commit)"),
                format!(
                    "{grouped:.0} claims/s with group commit ({per_commit:.1} claims per commit) vs {naive:.0}/s naive: {:.1}× ({n} + {n} sent, 0 failed)",
                    grouped / naive
                ),
                target,
                verdict(grouped / naive, floor, "×", false),
                format!(
                    "durable commits (BEGIN IMMEDIATE; INSERT; COMMIT, synchronous=FULL, one connection): {limit:.0}/s; group commit {:.2}× it, naive {:.2}×",
                    grouped / limit,
                    naive / limit
                ),
            );
        }
        Some(url) => {
            let (rate, failed) = intake::submissions(router, state, n, CLIENTS, None).await?;
            anyhow::ensure!(failed == 0, "{failed} of {n} submissions failed");
            settle(state).await?;
            let limit = load::pgbench_insert_rate(url, CLIENTS as u32).await?;
            // The same transaction without the product around it: pgbench
            // running a submitted claim's statements as a custom script.
            let sample: Uuid = app::on_db!(&state.db, p => sqlx::query_scalar(
                "SELECT id FROM claims WHERE submit_ip IS NOT NULL ORDER BY submitted_at DESC LIMIT 1",
            ).fetch_one(p).await)?;
            let same = load::pgbench_submission_rate(url, CLIENTS as u32, sample).await?;
            results.add(
                "claim submission, PostgreSQL, 16 clients (3 debit lines, event + mail rows, one transaction)",
                format!("{rate:.0} claims/s ({n} sent, 0 failed)"),
                "≥ 50 % of pgbench running the same transaction at 16 clients",
                verdict(rate / same * 100.0, 50.0, "points", false),
                format!(
                    "pgbench, the same transaction as a custom script, 16 clients: {same:.0}/s (ratio {:.2}); single-row inserts: {limit:.0}/s (ratio {:.2})",
                    rate / same,
                    rate / limit
                ),
            );
        }
    }
    // A mobile carrier's shared address: BENCH_ONE_ADDRESS claims (5,000)
    // from one client address, against the same number from as many.
    let m: usize = std::env::var("BENCH_ONE_ADDRESS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    if m > 0 {
        let mut phases = Vec::new();
        for ip in [None, Some("100.64.0.1")] {
            let (rate, failed) = intake::submissions(router, state, m, CLIENTS, ip).await?;
            anyhow::ensure!(failed == 0, "{failed} of {m} submissions failed");
            let t = Instant::now();
            settle(state).await?;
            phases.push((rate, t.elapsed().as_secs_f64()));
        }
        let (spread, one) = (phases[0], phases[1]);
        results.add(
            &format!("{m} claims from one client address (carrier-grade NAT), 16 clients"),
            format!(
                "{:.0} claims/s, flags settled {:.1} s after the last answer; from {m} addresses: {:.0} claims/s, {:.1} s",
                one.0, one.1, spread.0, spread.1
            ),
            "the address signal a count: one address no slower than many",
            verdict(one.0 / spread.0, 0.8, "×", false),
            String::new(),
        );
    }
    Ok(())
}

/// Waits (at most 10 minutes) until the flag computations that submissions
/// start have finished, so that one phase's leftovers do not load the next.
async fn settle(state: &app::server::AppState) -> anyhow::Result<()> {
    let t = Instant::now();
    loop {
        let dirty: i64 = app::on_db!(&state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM claims WHERE flags_dirty > 0")
            .fetch_one(p).await)?;
        if dirty == 0 || t.elapsed().as_secs() > 600 {
            println!(
                "  flags of the sent claims computed {:.0} s after the last answer ({dirty} left)",
                t.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The operator queue (in review, one bank, oldest first: 50 rows) and a
/// case page (3 lines, its history; each view writes its view record)
/// under open-loop load at 70 % of their peak; at 1M cases also the
/// server's memory.
async fn pages_under_load(
    results: &mut Results,
    state: &app::server::AppState,
    served: &load::Served,
    cookie: &str,
    cases: i64,
    bare: &load::Run,
    // At the large set: the small set's size and queue-page p99.
    small: Option<(i64, f64)>,
) -> anyhow::Result<f64> {
    let large = small.is_some();
    let mut queue_p99 = f64::NAN;
    let reference = if large {
        Some(full_case(state).await?)
    } else {
        None
    };
    // The fullest queue with cases at bank 0125, oldest first.
    let queue: String = app::on_db!(&state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT c.state FROM claims c JOIN debit_lines l ON l.claim_id = c.id AND l.bank_code = '0125'
         WHERE c.state IN ('submitted', 'bank_review', 'in_review', 'assessed', 'approved')
         GROUP BY c.state ORDER BY COUNT(*) DESC LIMIT 1").fetch_one(p).await)?;
    let pages = [
        (
            "operator queue page (SSR, session, 3 filters, 50 rows)",
            format!("/staff/queue?state={queue}&bank=0125&sort=oldest"),
        ),
        (
            "case page (SSR, 5 debit lines, calls, travel, payout, history, view record)",
            format!("/staff/claims/{}", reference.unwrap_or_default()),
        ),
    ];
    for (label, path) in pages {
        if !large && path.starts_with("/staff/claims/") {
            // The case page's target is at 1M cases only.
            continue;
        }
        step(&format!("{label} at {cases} cases under load"));
        let url = served.url(&path);
        let cookie = cookie.to_owned();
        let (run, peak) =
            tokio::task::spawn_blocking(move || load::page_load(&url, Some(&cookie))).await??;
        anyhow::ensure!(run.success > 0.99, "{label}: {}", run.describe());
        results.add(
            &format!("{label} at {cases} cases"),
            format!("{} (peak {:.0} req/s)", run.describe(), peak.rps),
            "p99 ≤ 50 ms at 70 % of peak",
            verdict(run.p99, 50.0, "ms", true),
            format!(
                "bare axum handler {:.0} req/s; this page's peak is {:.1} % of it",
                bare.rps,
                peak.rps / bare.rps * 100.0
            ),
        );
        if path.starts_with("/staff/queue") {
            queue_p99 = run.p99;
            if let Some((small_cases, small_p99)) = small {
                let ratio = run.p99 / small_p99;
                results.add(
                    &format!("operator queue page: p99 at {cases} cases against {small_cases}"),
                    format!("{:.1} ms / {small_p99:.1} ms = {ratio:.2}×", run.p99),
                    "≤ 1.5×",
                    verdict(ratio, 1.5, "×", true),
                    String::new(),
                );
            }
        }
    }
    if large {
        let (now, peak) = served.rss_mb();
        results.add(
            &format!("server RSS under the queue-page load at {cases} cases"),
            format!("{peak:.0} MB at peak ({now:.0} MB after)"),
            "≤ 150 MB",
            verdict(peak, 150.0, "MB", true),
            String::new(),
        );
    }
    Ok(queue_p99)
}

/// The case the case page shows: a paid case of the large set with 5 debit
/// lines, calls and travel, and its whole history (the first such case).
async fn full_case(state: &app::server::AppState) -> anyhow::Result<String> {
    let reference: Option<String> = app::on_db!(&state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT c.reference FROM claims c WHERE c.state = 'paid'
            AND (SELECT COUNT(*) FROM debit_lines l WHERE l.claim_id = c.id) = 5
            AND EXISTS (SELECT 1 FROM call_lines k WHERE k.claim_id = c.id)
            AND EXISTS (SELECT 1 FROM travel_lines t WHERE t.claim_id = c.id)
          ORDER BY c.seq LIMIT 1").fetch_optional(p).await)?;
    reference.ok_or_else(|| {
        anyhow::anyhow!("the set holds no paid case with 5 debit lines, calls and travel")
    })
}

/// The Zengin file of 100,000 payees: built, encoded, validated and hashed,
/// as the export does (the database reads are not included).
fn zengin_export(results: &mut Results) {
    use app::domain::zengin::{self, Layout, Payee, Requester};
    use sha2::Digest;
    const PAYEES: usize = 100_000;
    let requester = Requester {
        code: "0000012345".into(),
        name: "レドレス ホショウ ジムキョク".into(),
        bank_code: "0001".into(),
        bank_name: "ミズホ".into(),
        branch_code: "001".into(),
        branch_name: "トウキョウエイギョウブ".into(),
        account_type: '1',
        account_number: "1234567".into(),
    };
    let payees: Vec<Payee> = (0..PAYEES)
        .map(|i| Payee {
            bank_code: "0125".into(),
            bank_name: "シチジユウシチ".into(),
            branch_code: "100".into(),
            branch_name: "ホンテン".into(),
            account_type: "ordinary".into(),
            account_number: format!("{:07}", i),
            name: "ヤマダ ショウタロウ ガーデンブリッジ".into(),
            amount: 1000 + i as i64,
            customer_code: i as i64,
        })
        .collect();
    let t = Instant::now();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let layout = Layout {
        crlf: true,
        blank_names: false,
    };
    let Ok(text) = zengin::build(&requester, date, &payees, layout) else {
        results.note("zengin export: the file could not be built".into());
        return;
    };
    let bytes = zengin::to_shift_jis(&text);
    let ok = zengin::validate(&bytes, true).is_ok();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let took = t.elapsed().as_secs_f64();
    results.add(
        "Zengin export, 100k payees",
        format!(
            "{took:.2} s ({} KB, valid: {ok}, sha256 {}…)",
            bytes.len() / 1024,
            &sha[..12]
        ),
        "≤ 2 s",
        verdict(took, 2.0, "s", true),
        String::new(),
    );
}

/// The dashboard and the regulator's report at `BENCH_CASES` claims
/// (default 1,000,000; the set is described in `dataset`).
async fn dashboard_at_scale(
    results: &mut Results,
    state: &app::server::AppState,
    router: &axum::Router,
    clerk: Uuid,
    people: &[Uuid],
) -> anyhow::Result<String> {
    use app::server::services::reports;
    let cases: usize = std::env::var("BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let staff = |email: &'static str| async move {
        users::by_email(&state.db, email)
            .await?
            .map(|u| u.id)
            .ok_or_else(|| anyhow::anyhow!("demo user {email} missing"))
    };
    let actors = dataset::Actors {
        clerk,
        reviewer: staff("reviewer@redress.example").await?,
        approver: staff("approver@redress.example").await?,
        payments: staff("payments@redress.example").await?,
    };
    let t = Instant::now();
    // The set is written in bulk, like a restore: the figures are counted
    // once afterwards instead of kept row by row.
    app::server::store::figures::pause(&state.db).await?;
    let summary = dataset::build(state, &actors, people, phone, cases).await?;
    println!(
        "setup: {cases} claims in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    app::server::store::figures::recount(&state.db).await?;
    results.note(format!(
        "the kept figures counted once after the bulk load: {:.1} s",
        t.elapsed().as_secs_f64()
    ));
    let rows = |list: &[(&str, usize)]| {
        list.iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    results.note(format!(
        "the {cases}-case set: {}; by state: {}",
        rows(&summary.by_table),
        rows(&summary.by_state)
    ));
    // The set is whole: the ledger balances, nothing is paid twice.
    let check = app::server::services::payouts::check_ledger(state)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        check.ok(),
        "the set's ledger is not whole: {:?}, files {:?}",
        check.violations,
        check.bad_files
    );
    // The queue counts' appended rows folded, as the server does every 10 s.
    let t = Instant::now();
    let folded =
        app::server::store::appended::fold(&state.db, &app::server::store::appended::STATE_COUNTS)
            .await?;
    println!(
        "  state counts: {folded} rows folded in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // Planner statistics, as a deployment would have them.
    app::on_db!(&state.db, p => sqlx::query("ANALYZE").execute(p).await.map(|r| r.rows_affected()))?;
    // The median of the runs, and the runs, in milliseconds.
    let median = |mut s: Vec<f64>| {
        s.sort_by(|a, b| a.total_cmp(b));
        let ms: Vec<i64> = s.iter().map(|x| (x * 1000.0).round() as i64).collect();
        (s[s.len() / 2] * 1000.0, ms)
    };
    for (label, bank) in [("whole operation", None), ("one bank", Some("0125"))] {
        let mut secs = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            reports::dashboard(state, bank)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            secs.push(t.elapsed().as_secs_f64());
        }
        let (m, runs) = median(secs);
        // The same figures counted from the claims, as before they were kept.
        let t = Instant::now();
        reports::dashboard_counted(state, bank)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let counted = t.elapsed().as_secs_f64();
        results.add(
            &format!("dashboard figures at {cases} cases, {label} (kept sums)"),
            format!("median {m:.0} ms (runs {runs:?} ms)"),
            "≤ 1 s",
            verdict(m / 1000.0, 1.0, "s", true),
            format!("counted from the claims instead: {counted:.1} s"),
        );
    }
    // The page as operators get it: the whole HTTP stack in this process
    // (session, guard, SSR), the figures computed by the last refresh.
    step("the dashboard's figures counted for the page");
    let t = Instant::now();
    reports::refresh_dashboard(state, None)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let refresh = t.elapsed().as_secs_f64() * 1000.0;
    step("a reviewer's login (password and code, through the router)");
    let cookie = within(
        120,
        intake::session(router, state, "reviewer@redress.example"),
    )
    .await??;
    // BENCH_DASHBOARD_VIEWS views (21); a view with no answer within 30 s
    // is counted as stalled and the run goes on.
    let views: usize = std::env::var("BENCH_DASHBOARD_VIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(21);
    step(&format!("the dashboard page, {views} times"));
    let mut secs = Vec::new();
    let mut stalled = 0usize;
    for _ in 0..views {
        let t = Instant::now();
        let req = axum::http::Request::get("/dashboard")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())?;
        let Ok(res) = within(30, intake::send(router, req)).await else {
            stalled += 1;
            continue;
        };
        let res = res?;
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
        secs.push(t.elapsed().as_secs_f64());
        anyhow::ensure!(status == 200, "the dashboard answered {status}");
        anyhow::ensure!(body.len() > 10_000, "the dashboard page is whole");
    }
    anyhow::ensure!(!secs.is_empty(), "no dashboard view answered");
    let answered = secs.len();
    let (m, runs) = median(secs);
    let judged = if stalled > 0 {
        format!("MISSED: {stalled} of {views} views gave no answer within 30 s")
    } else {
        verdict(m, 200.0, "ms", true)
    };
    results.add(
        &format!("dashboard page at {cases} cases (HTTP in process, figures kept)"),
        format!(
            "median {m:.0} ms of {answered} (max {} ms); {stalled} of {views} stalled",
            runs.last().copied().unwrap_or_default()
        ),
        "≤ 200 ms",
        judged,
        format!("the background count behind it: {refresh:.0} ms, at most once a minute"),
    );
    for (label, at) in [
        ("now", chrono::Utc::now()),
        ("as of a past moment (30 days ago, 12:34)", {
            let day = app::domain::calendar::today_in_japan() - chrono::Duration::days(30);
            app::domain::calendar::start_of_day_in_japan(day)
                + chrono::Duration::minutes(12 * 60 + 34)
        }),
    ] {
        step(&format!("the regulator's report {label}, 3 times"));
        let mut secs = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            reports::compute(state, at, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            secs.push(t.elapsed().as_secs_f64());
        }
        let (m, runs) = median(secs);
        let t = Instant::now();
        reports::count(state, at, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let counted = t.elapsed().as_secs_f64();
        results.add(
            &format!("the regulator's report at {cases} cases, {label} (kept sums)"),
            format!("median {m:.0} ms (runs {runs:?} ms)"),
            "≤ 1 s",
            verdict(m / 1000.0, 1.0, "s", true),
            format!("counted from the claims instead: {counted:.1} s"),
        );
    }
    Ok(cookie)
}

/// Start-up to ready: the release `redress` binary started on the data set
/// just measured (migrations already applied) until `/healthz` answers 200,
/// median of 3 starts.
async fn startup_time(results: &mut Results, config: &Config) -> anyhow::Result<()> {
    let mut secs = Vec::new();
    for _ in 0..3 {
        secs.push(load::Served::start(config).await?.ready_after);
    }
    secs.sort_by(|a, b| a.total_cmp(b));
    results.add(
        "start-up to ready (migrations applied, the 1M-case database)",
        format!(
            "median {:.0} ms (runs {:?} ms)",
            secs[1] * 1000.0,
            secs.iter()
                .map(|x| (x * 1000.0).round() as i64)
                .collect::<Vec<_>>()
        ),
        "≤ 1 s",
        verdict(secs[1], 1.0, "s", true),
        String::new(),
    );
    Ok(())
}
