//! `make bench`: measures what the issues ask to be fast, on this machine,
//! in a release build, against a fresh SQLite file (or the PostgreSQL
//! database in BENCH_DATABASE_URL).
//!
//! - A bank's list of 100,000 rows imported and matched (target: < 10 s):
//!   10,000 claimed lines at the bank, the list holding an exact match for
//!   each and 90,000 rows no claim names.

use std::time::Instant;

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
        database_url: std::env::var("BENCH_DATABASE_URL").ok(),
        listen: "127.0.0.1:0".parse()?,
        public_url: None,
        smtp_url: None,
        mail_from: "Redress <no-reply@redress.example>".into(),
        mail_reply_to: None,
        mail_retry_ms: 60_000,
        site_root: "target/site".into(),
        mail_poll_ms: 1000,
        trust_forwarded_for: false,
        api_rate_per_minute: 120,
        import_wait_ms: 5000,
        second_approval_above: 1_000_000,
        zengin_requester: server::config::DEMO_REQUESTER.into(),
        zengin_blank_names: false,
        metrics_allow: vec!["127.0.0.1".into()],
        log_format: "text".into(),
    };
    let state = startup::prepare(&config).await?;
    demo::seed(&state).await?;
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
    let claimant = users::by_email(&state.db, "claimant@redress.example")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo claimant missing"))?;

    // 10,000 submitted claims with one line each at bank 0125, branch 100.
    let t = Instant::now();
    let mut tx = state.db.begin().await?;
    let now = chrono::Utc::now();
    for i in 0..CLAIMS {
        let id = Uuid::new_v4();
        app::on_tx!(&mut tx, c => sqlx::query(
            "INSERT INTO claims (id, seq, reference, claimant_id, state, version, full_name, name_kana, phone,
                                 total_claimed, declared_at, submitted_at, created_at)
             VALUES ($1, $2, $3, $4, 'submitted', 1, 'ベンチ', 'ベンチ', '0900000000', 1000, $5, $5, $5)",
        ).bind(id).bind(1_000_000 + i as i64).bind(format!("RD-{:06}", 100_000 + i)).bind(claimant.id).bind(now)
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
    let checked = bank_import::read_file(csv.as_bytes(), chrono::Utc::now().date_naive())
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
    println!(
        "import of {ROWS} rows ({} KB): {took:.2} s; matched {}, unmatched {}, rejected {}; target < 10 s: {}",
        csv.len() / 1024,
        report.rows_matched,
        report.rows_unmatched,
        report.rows_rejected,
        if took < 10.0 { "met" } else { "MISSED" }
    );
    state.db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    zengin_export();
    Ok(())
}

/// The Zengin file of 100,000 payees: built, encoded, validated and hashed,
/// as the export does (the database reads are not included).
fn zengin_export() {
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
        println!("zengin export: the file could not be built");
        return;
    };
    let bytes = zengin::to_shift_jis(&text);
    let ok = zengin::validate(&bytes, true).is_ok();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let took = t.elapsed().as_secs_f64();
    println!(
        "zengin export of {PAYEES} payees ({} KB, valid: {ok}, sha256 {}…): {took:.2} s; target < 2 s: {}",
        bytes.len() / 1024,
        &sha[..12],
        if took < 2.0 { "met" } else { "MISSED" }
    );
}
