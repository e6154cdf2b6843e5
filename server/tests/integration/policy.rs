//! The policy as data (versions an admin writes), the flags stored for the
//! queues (several claims from one address among them), and the queue
//! sorted by the SLA clock.

use crate::helpers::*;

async fn stored_flags(app: &TestApp, reference: &str) -> Vec<String> {
    let claim = app::server::store::claims::by_reference(&app.state.db, reference)
        .await
        .unwrap()
        .unwrap();
    app::server::store::assessment::stored_flags(&app.state.db, claim.id)
        .await
        .unwrap()
}

/// Waits until every claim's flags are computed (each submission computes
/// them just after it answers).
async fn flags_settled(app: &TestApp) {
    for _ in 0..600 {
        if app::server::store::assessment::dirty(&app.state.db, 1)
            .await
            .unwrap()
            .is_empty()
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("flags still not computed after 10 s");
}

/// A policy form that passes: version 1's values, with `changes`.
fn policy_form(
    based_on: &str,
    changes: &[(&'static str, &'static str)],
) -> Vec<(&'static str, String)> {
    let mut form: Vec<(&'static str, String)> = vec![
        ("per_charge_limit", "100000".into()),
        ("monthly_wallet_limit", "300000".into()),
        ("window_days", "90".into()),
        ("call_cap_per_line", "3000".into()),
        ("call_cap_per_claim", "20000".into()),
        ("travel_cap_per_line", "10000".into()),
        ("travel_cap_per_claim", "50000".into()),
        ("receipt_above", "5000".into()),
        ("deduct_compensated", "yes".into()),
        ("policy_note", "Board meeting 12".into()),
        ("based_on", based_on.into()),
    ];
    for (k, v) in changes {
        form.retain(|(f, _)| f != k);
        form.push((k, (*v).to_owned()));
    }
    form
}

fn pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn an_admin_writes_a_new_policy_version_and_open_cases_are_flagged_under_it() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;

    let (status, page) = app.html(&admin, "/admin/policy").await;
    assert_eq!(status, 200);
    assert!(page.contains("第1版"), "version 1 in force");
    // Not for reviewers: refused on the server, nothing written.
    let res = app
        .post_form(&reviewer, "/admin/policy", &pairs(&policy_form("1", &[])))
        .await;
    assert_eq!(res.status(), 403);
    // Bad values: named beside their fields, 422, nothing written.
    let bad = policy_form(
        "1",
        &[
            ("per_charge_limit", "0"),
            ("window_days", "ninety"),
            ("policy_note", ""),
        ],
    );
    let res = app.post_form(&admin, "/admin/policy", &pairs(&bad)).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    for id in [
        "per_charge_limit-error",
        "window_days-error",
        "policy_note-error",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert_eq!(app.count("policies").await, 1);

    // RD-000002 (demo) has one debit of 30,000 yen: within version 1.
    assert!(
        !stored_flags(&app, "RD-000002")
            .await
            .contains(&"flag_over_limit".to_owned())
    );
    // Version 2 lowers the limit per debit to 20,000 yen.
    let v2 = policy_form("1", &[("per_charge_limit", "20,000")]);
    let to = app.post_ok(&admin, "/admin/policy", &pairs(&v2)).await;
    assert_eq!(to, "/admin/policy?saved=1");
    assert_eq!(app.count("policies").await, 2);
    // Another admin's form, written against version 1: refused, plainly.
    let res = app.post_form(&admin, "/admin/policy", &pairs(&v2)).await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("ほかの管理者が補償方針を変更しました")
    );
    assert_eq!(app.count("policies").await, 2);

    // The open cases' flags are computed again under version 2 (by the
    // background sweep) and the queue filters on them.
    let mut flags = Vec::new();
    for _ in 0..100 {
        flags = stored_flags(&app, "RD-000002").await;
        if flags.contains(&"flag_over_limit".to_owned()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(flags.contains(&"flag_over_limit".to_owned()), "{flags:?}");
    let (_, page) = app
        .html(
            &reviewer,
            "/staff/queue?state=submitted&flag=flag_over_limit",
        )
        .await;
    assert!(
        listed(&page).contains(&"RD-000002".to_owned()),
        "{:?}",
        listed(&page)
    );
    let (_, page) = app.html(&reviewer, "/staff/claims/RD-000002").await;
    assert!(page.contains("補償方針 第2版"));
    let (_, page) = app.html(&admin, "/admin/policy").await;
    assert!(page.contains("第2版") && page.contains("Board meeting 12"));
    // Every rule of each version is listed, so versions that differ never
    // look the same: both list all seven amounts, the window and the
    // deduction, and differ in the per-debit limit.
    assert!(page.contains("20,000円"), "version 2's limit");
    let table = page
        .split("<ul class=\"policy-rules\">")
        .skip(1)
        .map(|t| t.split("</ul>").next().unwrap_or_default())
        .collect::<Vec<_>>();
    assert_eq!(table.len(), 2);
    assert!(
        table.iter().all(
            |rules| rules.contains("この金額を超える通話料・交通費は領収書が必要")
                && rules.matches("<li>").count() == 9
        ),
        "every rule of each version, including those the list did not show before: {table:?}"
    );

    // A version is never changed or deleted: the database refuses.
    let update = app::on_db!(&app.state.db, p => sqlx::query("UPDATE policies SET per_charge_limit = 1 WHERE version = 1")
        .execute(p).await.map(|r| r.rows_affected()));
    assert!(update.is_err(), "{update:?}");
    let delete = app::on_db!(&app.state.db, p => sqlx::query("DELETE FROM policies WHERE version = 2")
        .execute(p).await.map(|r| r.rows_affected()));
    assert!(delete.is_err(), "{delete:?}");
}

/// Files a claim from `ip` (as the proxy reports it) with this phone number
/// and account.
async fn claim_from(
    app: &TestApp,
    email: &str,
    ip: &str,
    phone: &'static str,
    account: &'static str,
) -> String {
    let (claimant, key) = app
        .draft_for(
            email,
            &[("phone", phone)],
            account,
            &[("2020-09-04".to_owned(), "10,000")],
        )
        .await;
    let res = claimant
        .post(app.url(&format!("/claims/{key}/check")))
        .header("x-forwarded-for", ip)
        .form(&[("declare_true", "yes"), ("declare_share", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    location(&res)
        .trim_start_matches("/claims/")
        .trim_end_matches("?sent=1")
        .to_owned()
}

#[tokio::test]
async fn claims_from_one_address_are_flagged_and_the_queue_filters_and_sorts_by_the_clock() {
    let app = TestApp::spawn_configured(None, None, true).await;
    let x = claim_from(
        &app,
        "x@example.jp",
        "203.0.113.5",
        "090-3000-0001",
        "3000001",
    )
    .await;
    let y = claim_from(
        &app,
        "y@example.jp",
        "203.0.113.5",
        "090-3000-0002",
        "3000002",
    )
    .await;
    let z = claim_from(
        &app,
        "z@example.jp",
        "198.51.100.7",
        "090-3000-0003",
        "3000003",
    )
    .await;
    // Stored just after submit (beside the answer): X and Y share an
    // address (the second claim from it flags the first once); Z, alone at
    // its address with its own phone and account, raises no such flag.
    flags_settled(&app).await;
    let same = "flag_same_address".to_owned();
    assert!(
        stored_flags(&app, &x).await.contains(&same),
        "X is flagged when Y arrives"
    );
    assert!(stored_flags(&app, &y).await.contains(&same));
    assert!(!stored_flags(&app, &z).await.contains(&same));
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (status, page) = app
        .html(&reviewer, "/staff/queue?flag=flag_same_address")
        .await;
    assert_eq!(status, 200);
    let refs = listed(&page);
    assert!(
        refs.contains(&x) && refs.contains(&y) && !refs.contains(&z),
        "{refs:?}"
    );
    assert!(page.contains("同じIPアドレス"), "the row shows its flags");
    // The address signal is a count: a third claim from it says how many
    // others, and leaves the earlier claims' flags as they were (no
    // recomputing every claim from a carrier's shared address).
    let x_id = app::server::store::claims::by_reference(&app.state.db, &x)
        .await
        .unwrap()
        .unwrap()
        .id;
    app::on_db!(&app.state.db, p => sqlx::query("DELETE FROM claim_flags WHERE claim_id = $1")
        .bind(x_id).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    // The count's appended rows folded (as every 10 s): it reads the same.
    use app::server::store::appended;
    assert!(
        appended::fold(&app.state.db, &appended::ADDRESS_DAYS)
            .await
            .unwrap()
            > 0
    );
    let w = claim_from(
        &app,
        "w@example.jp",
        "203.0.113.5",
        "090-3000-0004",
        "3000004",
    )
    .await;
    flags_settled(&app).await;
    assert!(stored_flags(&app, &w).await.contains(&same));
    let (_, page) = app.html(&reviewer, &format!("/staff/claims/{w}")).await;
    assert!(
        page.contains("同じ日に同じIPアドレスからほかに2件の申請"),
        "the count of the others"
    );
    assert!(
        stored_flags(&app, &x).await.is_empty(),
        "the third claim from the address did not compute the first's flags again"
    );
    // Not a flag: 422, named beside the filter, never a 500.
    let (status, page) = app.html(&reviewer, "/staff/queue?flag=flag_nonsense").await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"flag-error\""));

    // Sorted by the clock: the case with the earliest clock start first,
    // whatever the order in which they were sent.
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    for (reference, days) in [(&x, 5), (&y, 15), (&z, 10)] {
        let start = today - chrono::Duration::days(days);
        app::on_db!(&app.state.db, p => sqlx::query("UPDATE claims SET sla_start = $1 WHERE reference = $2")
            .bind(start).bind(reference).execute(p).await.map(|r| r.rows_affected())).unwrap();
    }
    let (_, page) = app.html(&reviewer, "/staff/queue?sort=sla").await;
    let ours: Vec<String> = listed(&page)
        .into_iter()
        .filter(|r| [&x, &y, &z].contains(&r))
        .collect();
    assert_eq!(ours, [y.clone(), z.clone(), x.clone()]);
}

/// Two processes' flag sweeps at once take each dirty claim once: each
/// takes its claims with a lease (on PostgreSQL skipping those another
/// holds), so no claim is computed by both, and together (with the test
/// server's own sweep, a third) they leave every one clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sweeps_at_once_compute_each_dirty_claim_once() {
    use app::server::services::assessment::sweep;
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    insert_cases(&app, 80, 600_000, 4_000_000, 1).await;
    let dirty = app::on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM claims WHERE flags_dirty > 0").fetch_one(p).await.unwrap());
    assert!(dirty >= 80);
    // The other process: its own connections to the same database.
    let other = app::server::db::Db::connect(app.database_url())
        .await
        .unwrap();
    let run = |db: app::server::db::Db| async move {
        let mut computed = Vec::new();
        loop {
            let done = sweep(&db, 4).await.unwrap();
            if done.is_empty() {
                return computed;
            }
            computed.extend(done);
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(run(db.clone())),
        tokio::spawn(run(other.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let both: Vec<_> = a.iter().filter(|id| b.contains(id)).collect();
    assert!(
        both.is_empty(),
        "{} claims computed by both sweeps ({} here, {} there, {dirty} dirty)",
        both.len(),
        a.len(),
        b.len()
    );
    assert!((a.len() + b.len()) as i64 <= dirty);
    // Every claim clean once the server's own sweep has finished the
    // batch it took meanwhile.
    flags_settled(&app).await;
    other.close().await;
}
