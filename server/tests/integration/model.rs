//! A model-based test of the money: random sequences of claims that share
//! one account and its debits (with and without the bank's references),
//! bank answers, assessments, approvals (some at once), batches, releases,
//! paid and failed results, withdrawals, closures and approvals taken back,
//! all through the real server. After every step the invariants hold, keyed
//! by the real-world debit: it is actively reserved at most once, and by the
//! claim the model says; what is scheduled and paid for it never exceeds its
//! amount; every paid yen has its ledger entry (`check_ledger`). After every
//! sequence the kept dashboard and report figures equal a full count.
//!
//! `REDRESS_MODEL_SEQUENCES` sequences (40 in `make test`, 2,000 in `make
//! drills`) of `REDRESS_MODEL_STEPS` steps (30); `REDRESS_MODEL_SEED` replays
//! a run (each run prints its seed). The sequences are shared out among
//! `PARTS` tests, each on its own server and database, so that they run at
//! once (the sequences of one part run one after another, as before).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::decisions::{as_pairs, assessment_form, state_of, version_of};
use crate::helpers::*;

/// The debits of a sequence's account: (date, amount).
const DEBITS: [(&str, i64); 3] = [
    ("2020-09-04", 30_000),
    ("2020-09-05", 20_000),
    ("2020-09-06", 10_000),
];
const CLAIMS: usize = 3;

/// One claim of a sequence as the model knows it.
struct Claim {
    reference: String,
    claimant: reqwest::Client,
    /// The debit (index into DEBITS) of each line, by position.
    debits: Vec<usize>,
}

/// The model: who holds each debit of the sequence.
struct Model {
    claims: Vec<Claim>,
    held: [Option<usize>; 3],
    /// Approvals that succeeded, across the run's sequences.
    approvals: usize,
}

impl Model {
    /// The debits of claim `c` whose line is approved above 0 and that
    /// another claim holds.
    fn held_elsewhere(&self, c: usize, approved: &[i64]) -> Vec<usize> {
        self.claims[c]
            .debits
            .iter()
            .zip(approved)
            .filter(|(_, a)| **a > 0)
            .filter_map(|(d, _)| self.held[*d].filter(|h| *h != c).map(|_| *d))
            .collect()
    }
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Staff {
    reviewer: reqwest::Client,
    approvers: [reqwest::Client; 2],
    payments: reqwest::Client,
    clerk: reqwest::Client,
    /// One claimant files every claim (as a family shares one account).
    claimant: reqwest::Client,
}

/// How many tests share the sequences.
const PARTS: u64 = 4;

#[tokio::test]
async fn random_sequences_on_shared_debits_keep_the_money_invariants_part_1() {
    random_sequences(0).await;
}

#[tokio::test]
async fn random_sequences_on_shared_debits_keep_the_money_invariants_part_2() {
    random_sequences(1).await;
}

#[tokio::test]
async fn random_sequences_on_shared_debits_keep_the_money_invariants_part_3() {
    random_sequences(2).await;
}

#[tokio::test]
async fn random_sequences_on_shared_debits_keep_the_money_invariants_part_4() {
    random_sequences(3).await;
}

/// The sequences `part`, `part + PARTS`, ... of the run, with the run's
/// seed (the same seed replays every part).
async fn random_sequences(part: u64) {
    let sequences = env("REDRESS_MODEL_SEQUENCES", 40);
    let steps = env("REDRESS_MODEL_STEPS", 30);
    let seed = env(
        "REDRESS_MODEL_SEED",
        chrono::Utc::now().timestamp_micros() as u64,
    );
    println!(
        "model test part {}: seed {seed}, {sequences} sequences of {steps} steps in all",
        part + 1
    );
    let mut rng = StdRng::seed_from_u64(seed.wrapping_add(part));
    let app = TestApp::spawn().await;
    let staff = Staff {
        reviewer: app.login("reviewer@redress.example", PASSWORD).await,
        approvers: [
            app.login("approver@redress.example", PASSWORD).await,
            app.login("approver2@redress.example", PASSWORD).await,
        ],
        payments: app.login("payments@redress.example", PASSWORD).await,
        clerk: app.login("bank.77@redress.example", PASSWORD).await,
        claimant: app
            .register_claimant(&format!("m{seed}-{part}@example.jp"), "kamome-no-suiheisen")
            .await,
    };
    let mut done = [0usize; 10];
    let mut approvals = 0;
    for s in (part..sequences).step_by(PARTS as usize) {
        let account: &'static str = Box::leak(format!("{:07}", 6_000_000 + s).into_boxed_str());
        let mut model = Model {
            claims: Vec::new(),
            held: [None; 3],
            approvals,
        };
        for _ in 0..CLAIMS {
            let claim = file(&app, &staff, &mut rng, s, account).await;
            model.claims.push(claim);
        }
        check(
            &app,
            &model,
            account,
            &format!("seed {seed} sequence {s} filed"),
        )
        .await;
        let mut moments = vec![
            chrono::Utc::now() - chrono::Duration::days(2),
            chrono::Utc::now() - chrono::Duration::days(40),
        ];
        for step in 0..steps {
            if step % 10 == 5 {
                moments.push(chrono::Utc::now());
            }
            let what = act(&app, &staff, &mut model, &mut rng).await;
            done[what] += 1;
            check(
                &app,
                &model,
                account,
                &format!("seed {seed} sequence {s} step {step} ({})", NAMES[what]),
            )
            .await;
        }
        approvals = model.approvals;
        // The kept dashboard and report figures equal a full count, as of
        // now and as of moments during the sequence (folded every other time).
        crate::reports::check_kept_figures(
            &app,
            &moments,
            s % 2 == 1,
            &format!("seed {seed} sequence {s}"),
        )
        .await;
    }
    let paid: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM payout_lines WHERE result = 'paid'").fetch_one(p).await.unwrap());
    println!(
        "model test: steps chosen {:?}; {approvals} approvals, {paid} transfers paid",
        NAMES.iter().zip(done).collect::<Vec<_>>()
    );
    // The sequences reach the money, not only the review.
    assert!(approvals > 0, "no approval in the whole run");
}

const NAMES: [&str; 10] = [
    "assess",
    "approve",
    "approve two at once",
    "send back",
    "make a batch",
    "release",
    "record a result",
    "withdraw",
    "take an approval back",
    "close as a duplicate",
];

/// Claim `c` of sequence `s`: one to three of the account's debits, each
/// confirmed by the bank with the debit's reference or with none; the
/// payout account checked.
async fn file(
    app: &TestApp,
    staff: &Staff,
    rng: &mut StdRng,
    s: u64,
    account: &'static str,
) -> Claim {
    let mut debits: Vec<usize> = (0..DEBITS.len()).filter(|_| rng.gen_bool(0.6)).collect();
    if debits.is_empty() {
        debits.push(rng.gen_range(0..DEBITS.len()));
    }
    let lines: Vec<(String, String)> = debits
        .iter()
        .map(|d| (DEBITS[*d].0.to_owned(), DEBITS[*d].1.to_string()))
        .collect();
    let lines: Vec<(String, &str)> = lines.iter().map(|(d, a)| (d.clone(), a.as_str())).collect();
    let claimant = staff.claimant.clone();
    let key = app.draft_by(&claimant, &[], account, &lines).await;
    let reference = app.send_draft(&claimant, &key).await;
    let ids: Vec<uuid::Uuid> = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT l.id FROM debit_lines l JOIN claims c ON c.id = l.claim_id WHERE c.reference = $1 ORDER BY l.position",
    ).bind(&reference).fetch_all(p).await.unwrap());
    for (id, d) in ids.iter().zip(&debits) {
        let (date, amount) = DEBITS[*d];
        let bank_reference = if rng.gen_bool(0.6) {
            format!("R{s}-{d}")
        } else {
            String::new()
        };
        app.post_ok(
            &staff.clerk,
            &format!("/bank/claims/{reference}/lines/{id}"),
            &[
                ("verdict", "confirmed"),
                ("confirmed_amount", amount.to_string().as_str()),
                ("bank_date", date),
                ("bank_reference", bank_reference.as_str()),
                ("holder_kana", "ヤマダ ハナコ"),
            ],
        )
        .await;
    }
    app.post_ok(
        &staff.clerk,
        &format!("/bank/claims/{reference}/account-check"),
        &[("matches", "yes")],
    )
    .await;
    Claim {
        reference,
        claimant,
        debits,
    }
}

/// The approved amount of each line of a claim, by position.
async fn approved(app: &TestApp, reference: &str) -> Vec<i64> {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COALESCE(l.approved_amount, 0) FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         WHERE c.reference = $1 ORDER BY l.position",
    ).bind(reference).fetch_all(p).await.unwrap())
}

/// Takes one random step; returns which (an index into NAMES).
async fn act(app: &TestApp, staff: &Staff, model: &mut Model, rng: &mut StdRng) -> usize {
    // Weighted toward the path money takes.
    const WEIGHTS: [u32; 10] = [3, 3, 1, 1, 2, 2, 2, 1, 1, 1];
    let mut pick = rng.gen_range(0..WEIGHTS.iter().sum::<u32>());
    let mut what = 0;
    while pick >= WEIGHTS[what] {
        pick -= WEIGHTS[what];
        what += 1;
    }
    let c = rng.gen_range(0..model.claims.len());
    let reference = model.claims[c].reference.clone();
    let state = state_of(app, &reference).await;
    match what {
        0 => assess(app, staff, model, c, rng).await,
        1 if state == "assessed" => {
            let approver = &staff.approvers[rng.gen_range(0..2)];
            approve_one(app, model, c, approver).await;
        }
        2 => approve_two_at_once(app, staff, model, rng).await,
        3 if state == "assessed" => {
            let version = version_of(app, &reference).await;
            let res = app
                .post_form(
                    &staff.approvers[rng.gen_range(0..2)],
                    &format!("/staff/claims/{reference}/send-back"),
                    &[("version", version.as_str()), ("reason", "Look again")],
                )
                .await;
            assert!(matches!(res.status().as_u16(), 303 | 409), "send back");
        }
        4 => {
            let today = app::server::services::drafts::today_jst(chrono::Utc::now());
            let date = app::domain::payout::earliest_transfer_date(today).to_string();
            let request = uuid::Uuid::new_v4().to_string();
            let res = app
                .post_form(
                    &staff.payments,
                    "/payments/batches",
                    &[("request_id", request.as_str()), ("transfer_date", &date)],
                )
                .await;
            assert!(matches!(res.status().as_u16(), 303 | 422), "make a batch");
        }
        5 => {
            let open: Vec<i64> = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
                "SELECT number FROM payout_batches WHERE state = 'open' ORDER BY number",
            ).fetch_all(p).await.unwrap());
            if let Some(n) = open.first() {
                let res = app
                    .post_form(
                        &staff.approvers[rng.gen_range(0..2)],
                        &format!("/payments/batches/{n}/release"),
                        &[("release", "yes")],
                    )
                    .await;
                assert_eq!(res.status(), 303, "release of batch {n}");
            }
        }
        6 => record_result(app, staff, model, rng).await,
        7 => {
            let res = app
                .post_form(
                    &model.claims[c].claimant,
                    &format!("/claims/{reference}/withdraw"),
                    &[("reason", "")],
                )
                .await;
            assert!(matches!(res.status().as_u16(), 303 | 409), "withdraw");
            if res.status() == 303 {
                assert!(
                    model.held.iter().all(|h| *h != Some(c)),
                    "held, then withdrawn"
                );
            }
        }
        8 if matches!(state.as_str(), "approved" | "payout_failed") => {
            let version = version_of(app, &reference).await;
            app.post_ok(
                &staff.approvers[rng.gen_range(0..2)],
                &format!("/staff/claims/{reference}/reopen"),
                &[
                    ("version", version.as_str()),
                    ("reopen_reason", "Taken back by the model"),
                ],
            )
            .await;
            for h in model.held.iter_mut() {
                if *h == Some(c) {
                    *h = None;
                }
            }
        }
        9 if state == "in_review" => {
            let other = model.claims[(c + 1) % model.claims.len()].reference.clone();
            let version = version_of(app, &reference).await;
            app.post_ok(
                &staff.reviewer,
                &format!("/staff/claims/{reference}/close-duplicate"),
                &[("version", version.as_str()), ("duplicate_of", &other)],
            )
            .await;
        }
        _ => {}
    }
    what
}

/// The reviewer assesses a claim in review: each debit in full, or 0 (with
/// a reason) now and then. A debit another claim holds is refused beside
/// its line, exactly when the model says so; then it is assessed at 0.
async fn assess(app: &TestApp, staff: &Staff, model: &Model, c: usize, rng: &mut StdRng) {
    let reference = &model.claims[c].reference;
    if state_of(app, reference).await != "in_review" {
        return;
    }
    let mut amounts: Vec<i64> = model.claims[c]
        .debits
        .iter()
        .map(|d| if rng.gen_bool(0.85) { DEBITS[*d].1 } else { 0 })
        .collect();
    let post = |amounts: Vec<i64>| async move {
        let mut fields = assessment_form(app, &staff.reviewer, reference).await;
        for (k, v) in fields.iter_mut() {
            if k.starts_with("ack_") {
                *v = "Seen by the model".into();
            }
        }
        for (p, a) in amounts.iter().enumerate() {
            let name = format!("approved_debit_{}", p + 1);
            fields.retain(|(k, _)| *k != name && *k != format!("{name}_note"));
            fields.push((name.clone(), a.to_string()));
            fields.push((format!("{name}_note"), "Held elsewhere or not paid".into()));
        }
        app.post_form(
            &staff.reviewer,
            &format!("/staff/claims/{reference}/assess"),
            &as_pairs(&fields),
        )
        .await
    };
    let held = model.held_elsewhere(c, &amounts);
    let res = post(amounts.clone()).await;
    if held.is_empty() {
        assert_eq!(
            res.status(),
            303,
            "{reference} assessed, nothing held elsewhere"
        );
        return;
    }
    assert_eq!(
        res.status(),
        422,
        "{reference}: debits {held:?} are held elsewhere"
    );
    let page = res.text().await.unwrap();
    assert!(
        page.contains("この引き出しは別の案件ですでに承認"),
        "{page}"
    );
    for (p, d) in model.claims[c].debits.iter().enumerate() {
        if held.contains(d) {
            amounts[p] = 0;
        }
    }
    assert_eq!(
        post(amounts).await.status(),
        303,
        "{reference} at 0 where held"
    );
}

/// One approval: refused because of a held debit exactly when the model
/// says another claim holds one; on approval the model's holds follow.
async fn approve_one(app: &TestApp, model: &mut Model, c: usize, approver: &reqwest::Client) {
    let reference = model.claims[c].reference.clone();
    let amounts = approved(app, &reference).await;
    let version = version_of(app, &reference).await;
    let res = app
        .post_form(
            approver,
            &format!("/staff/claims/{reference}/approve"),
            &[("version", version.as_str())],
        )
        .await;
    settle_approval(app, model, c, &amounts, res).await;
}

async fn settle_approval(
    app: &TestApp,
    model: &mut Model,
    c: usize,
    amounts: &[i64],
    res: reqwest::Response,
) {
    let reference = model.claims[c].reference.clone();
    let status = res.status().as_u16();
    let page = res.text().await.unwrap_or_default();
    let held = model.held_elsewhere(c, amounts);
    let refused_for_held = page.contains("この引き出しは別の案件ですでに承認");
    match status {
        303 if state_of(app, &reference).await == "approved" => {
            assert!(
                held.is_empty(),
                "{reference} approved though {held:?} are held"
            );
            for (d, a) in model.claims[c].debits.iter().zip(amounts) {
                if *a > 0 {
                    model.held[*d] = Some(c);
                }
            }
            model.approvals += 1;
        }
        303 => {}
        409 if refused_for_held => {
            assert!(
                !held.is_empty(),
                "{reference} refused, the model holds nothing"
            )
        }
        // Changed meanwhile (the other approval at once), or four eyes.
        409 => assert!(held.is_empty() || page.contains("別の操作")),
        s => panic!("{reference}: approval answered {s}"),
    }
}

/// Two assessed claims approved at the same moment by the two approvers.
async fn approve_two_at_once(app: &TestApp, staff: &Staff, model: &mut Model, rng: &mut StdRng) {
    let mut assessed = Vec::new();
    for (i, c) in model.claims.iter().enumerate() {
        if state_of(app, &c.reference).await == "assessed" {
            assessed.push(i);
        }
    }
    if assessed.len() < 2 {
        return;
    }
    let x = assessed.remove(rng.gen_range(0..assessed.len()));
    let y = assessed.remove(rng.gen_range(0..assessed.len()));
    let (rx, ry) = (
        model.claims[x].reference.clone(),
        model.claims[y].reference.clone(),
    );
    let (ax, ay) = (approved(app, &rx).await, approved(app, &ry).await);
    let (vx, vy) = (version_of(app, &rx).await, version_of(app, &ry).await);
    let post = |client: &reqwest::Client, reference: &str, version: String| {
        client
            .post(app.url(&format!("/staff/claims/{reference}/approve")))
            .form(&[("version", version)])
            .send()
    };
    let (resx, resy) = tokio::join!(
        post(&staff.approvers[0], &rx, vx),
        post(&staff.approvers[1], &ry, vy)
    );
    // Settled in the order the database committed them: the one approved
    // first holds its debits in the model before the other is judged.
    let x_first = state_of(app, &rx).await == "approved";
    let (first, second) = if x_first {
        ((x, ax, resx.unwrap()), (y, ay, resy.unwrap()))
    } else {
        ((y, ay, resy.unwrap()), (x, ax, resx.unwrap()))
    };
    settle_approval(app, model, first.0, &first.1, first.2).await;
    settle_approval(app, model, second.0, &second.1, second.2).await;
}

/// The bank's result for a scheduled claim of a released batch: paid today
/// or failed.
async fn record_result(app: &TestApp, staff: &Staff, model: &Model, rng: &mut StdRng) {
    let refs: Vec<&str> = model.claims.iter().map(|c| c.reference.as_str()).collect();
    let waiting: Vec<(String, i64)> = app::on_db!(&app.state.db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT c.reference, b.number FROM payout_lines l JOIN claims c ON c.id = l.claim_id
         JOIN payout_batches b ON b.id = l.batch_id
         WHERE l.result IS NULL AND b.state = 'released' ORDER BY c.reference",
    ).fetch_all(p).await.unwrap());
    let Some((reference, n)) = waiting
        .into_iter()
        .find(|(r, _)| refs.contains(&r.as_str()))
    else {
        return;
    };
    let today = app::server::services::drafts::today_jst(chrono::Utc::now()).to_string();
    let form: Vec<(&str, &str)> = if rng.gen_bool(0.7) {
        vec![
            ("reference", reference.as_str()),
            ("result", "paid"),
            ("paid_on", today.as_str()),
        ]
    } else {
        vec![
            ("reference", reference.as_str()),
            ("result", "failed"),
            ("fail_reason", "account_closed"),
        ]
    };
    app.post_ok(
        &staff.payments,
        &format!("/payments/batches/{n}/results"),
        &form,
    )
    .await;
}

/// The invariants after a step, keyed by the debit.
async fn check(app: &TestApp, model: &Model, account: &str, when: &str) {
    let ledger = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(
        ledger.ok(),
        "{when}: {:?} {:?}",
        ledger.violations,
        ledger.bad_files
    );
    // Who holds each debit: the database agrees with the model.
    let rows: Vec<(String, i64)> = app::on_db!(&app.state.db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT c.reference, l.position FROM debit_reservations r JOIN claims c ON c.id = r.claim_id
         JOIN debit_lines l ON l.id = r.debit_line_id
         WHERE r.released_at IS NULL AND r.account_number = $1",
    ).bind(account).fetch_all(p).await.unwrap());
    let mut held = [None; 3];
    for (reference, position) in rows {
        let c = model
            .claims
            .iter()
            .position(|c| c.reference == reference)
            .expect("a claim of this sequence");
        let d = model.claims[c].debits[position as usize - 1];
        assert!(held[d].is_none(), "{when}: debit {d} reserved twice");
        held[d] = Some(c);
    }
    assert_eq!(
        held, model.held,
        "{when}: the database's holds against the model's"
    );
    // What is scheduled and paid for each debit never exceeds its amount.
    for (date, amount) in DEBITS {
        let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        let out: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
            "SELECT CAST(COALESCE(SUM(d.approved_amount), 0) AS BIGINT) FROM debit_lines d
             JOIN payout_lines l ON l.claim_id = d.claim_id AND (l.result IS NULL OR l.result = 'paid')
             WHERE d.account_number = $1 AND d.debit_date = $2",
        ).bind(account).bind(day).fetch_one(p).await.unwrap());
        assert!(
            out <= amount,
            "{when}: {out} yen scheduled or paid for a debit of {amount}"
        );
    }
}
