//! The regulator's report (as of a moment, frozen, CSV and Excel) and the
//! dashboard (the same figures, a bank user's restricted to their bank).

use app::domain::report::{Figures, Report};
use app::server::services::reports;
use chrono::Utc;

use crate::helpers::*;
use crate::payouts::approved_claim;

fn bank(r: &Report, code: &str) -> Figures {
    r.banks
        .iter()
        .find(|b| b.bank_code == code)
        .cloned()
        .unwrap_or_default()
}

async fn bytes(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, Vec<u8>) {
    let res = app.get(client, path).await;
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

/// The CSV's rows (after the byte-order mark).
fn csv_rows(body: &[u8]) -> Vec<Vec<String>> {
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 with a BOM");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&body[3..]);
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// A table a spreadsheet or a database loads as it is: one header, every
/// row as wide, no blank or key-value lines.
fn assert_one_table(rows: &[Vec<String>]) {
    let width = rows[0].len();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), width, "row {i}: {r:?}");
        assert!(r.iter().any(|c| !c.is_empty()), "row {i} is blank");
    }
    assert!(
        rows[1..].iter().all(|r| r[3].parse::<i64>().is_ok()),
        "figures below one header"
    );
}

#[tokio::test]
async fn a_report_counts_each_bank_as_of_a_moment_and_once_frozen_never_changes() {
    let app = TestApp::spawn().await;
    let before = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let base = reports::compute(&app.state, Utc::now(), None)
        .await
        .unwrap();
    // One claim at 0125: one debit of 100,000 yen, confirmed and approved in full.
    approved_claim(&app, "rep-a@example.jp", "2000001").await;
    let after = reports::compute(&app.state, Utc::now(), None)
        .await
        .unwrap();
    let change = bank(&after, "0125").minus(&bank(&base, "0125"));
    assert_eq!(
        (change.cases, change.lines, change.claimed),
        (1, 1, 100_000)
    );
    assert_eq!((change.confirmed_lines, change.confirmed), (1, 100_000));
    assert_eq!((change.approved_lines, change.approved), (1, 100_000));
    assert_eq!((change.paid_lines, change.paid), (0, 0));
    assert_eq!(after.ledger_approved - base.ledger_approved, 100_000);
    assert_eq!(after.cases_reported - base.cases_reported, 1);
    assert_eq!(
        bank(&after, "9900"),
        bank(&base, "9900"),
        "another bank's row is untouched"
    );
    // As of a moment before the claim, the figures are as they were then.
    let past = reports::compute(&app.state, before, None).await.unwrap();
    assert_eq!(past.banks, base.banks);
    assert_eq!(past.total, base.total);

    // An approver freezes it; the same form again finds the same report.
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let token = uuid::Uuid::new_v4().to_string();
    let form = [("request_id", token.as_str()), ("as_of", "")];
    let res = app.post_form(&approver, "/reports", &form).await;
    assert_eq!(res.status(), 303);
    let first = location(&res);
    let res = app.post_form(&approver, "/reports", &form).await;
    assert_eq!(location(&res), first, "one report per form");
    let n: i64 = first.trim_start_matches("/reports/").parse().unwrap();
    let (status, csv1) = bytes(&app, &approver, &format!("/reports/{n}/csv")).await;
    assert_eq!(status, 200);
    let rows = csv_rows(&csv1);
    assert_one_table(&rows);
    assert_eq!(
        rows[0][..3],
        ["区分", "銀行コード（4桁）", "銀行名"],
        "a header in Japanese"
    );
    let row = rows.iter().find(|r| r[1] == "0125").unwrap();
    let frozen_0125 = bank(&after, "0125");
    assert_eq!(row[3], frozen_0125.cases.to_string());
    assert_eq!(row[5], frozen_0125.claimed.to_string());
    assert_eq!(row[9], frozen_0125.approved.to_string());
    // What the report is: a file of its own, two columns.
    let (status, about) = bytes(&app, &approver, &format!("/reports/{n}/about.csv")).await;
    assert_eq!(status, 200);
    let about = csv_rows(&about);
    assert!(about.iter().all(|r| r.len() == 2), "{about:?}");
    assert!(about.iter().any(|r| r[1] == format!("#{n}")), "its number");
    // The language is chosen, not the downloader's screen's (the approver's
    // screen is Japanese): English asked, English given; anything else 404.
    let (_, english) = bytes(&app, &approver, &format!("/reports/{n}/csv?lang=en")).await;
    let english = csv_rows(&english);
    assert_eq!(
        english[0][..3],
        ["Part", "Bank code (4 digits)", "Bank name"]
    );
    assert_eq!(english.len(), rows.len());
    assert_eq!(
        bytes(&app, &approver, &format!("/reports/{n}/csv?lang=fr"))
            .await
            .0,
        404
    );
    let (status, xlsx1) = bytes(&app, &approver, &format!("/reports/{n}/xlsx")).await;
    assert_eq!(status, 200);
    {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx1.clone())).unwrap();
        let sheet = book.worksheet_range(&format!("report-{n}")).unwrap();
        let line = sheet
            .rows()
            .find(|r| r.get(1).map(|c| c.to_string()) == Some("0125".into()))
            .expect("the 0125 row");
        assert_eq!(line[9].to_string(), frozen_0125.approved.to_string());
        // What the report is, on a sheet of its own.
        let about = book.worksheet_range("この報告について").unwrap();
        assert!(about.rows().any(|r| r[1].to_string() == format!("#{n}")));
    }
    let (status, page) = app.html(&approver, &format!("/reports/{n}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("#{n}")));

    // New cases arrive: the frozen report is byte for byte what it was.
    approved_claim(&app, "rep-b@example.jp", "2000002").await;
    let (_, csv_again) = bytes(&app, &approver, &format!("/reports/{n}/csv")).await;
    assert_eq!(csv_again, csv1);
    let (_, xlsx_again) = bytes(&app, &approver, &format!("/reports/{n}/xlsx")).await;
    let cells = |b: Vec<u8>| {
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(b)).unwrap();
        let range = book.worksheet_range(&format!("report-{n}")).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_eq!(cells(xlsx_again), cells(xlsx1));
    // The next report shows the change since this one.
    let token2 = uuid::Uuid::new_v4().to_string();
    let res = app
        .post_form(
            &approver,
            "/reports",
            &[("request_id", token2.as_str()), ("as_of", "")],
        )
        .await;
    let second = location(&res);
    assert_ne!(second, first);
    let (_, csv2) = bytes(&app, &approver, &format!("{second}/csv")).await;
    let rows = csv_rows(&csv2);
    assert_one_table(&rows);
    let changes: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == "0125").collect();
    assert_eq!(changes.len(), 2, "the row, then its change");
    assert!(
        changes[1][0].starts_with("前回の確定報告からの増減"),
        "{:?}",
        changes[1]
    );
    assert_eq!(changes[1][3], "1", "one more case");
    assert_eq!(changes[1][9], "100000", "approved since");

    // Who may do what; a moment to come is refused beside its field.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(
        bytes(&app, &reviewer, &format!("/reports/{n}/csv")).await.0,
        200
    );
    let res = app
        .post_form(
            &reviewer,
            "/reports",
            &[
                ("request_id", uuid::Uuid::new_v4().to_string().as_str()),
                ("as_of", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    assert_eq!(
        bytes(&app, &clerk, &format!("/reports/{n}/csv")).await.0,
        403
    );
    assert_eq!(app.html(&clerk, "/reports").await.0, 403);
    let frozen = app.count("reports").await;
    let res = app
        .post_form(
            &approver,
            "/reports",
            &[
                ("request_id", uuid::Uuid::new_v4().to_string().as_str()),
                ("as_of", "2099-01-01T00:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("as_of-error"));
    assert_eq!(app.count("reports").await, frozen, "nothing written");
    let (status, _) = app.html(&approver, "/reports?as_of=garbage").await;
    assert_eq!(status, 422);
    // A frozen report cannot be changed, even by the database's owner.
    let tamper = app::on_db!(&app.state.db, p => sqlx::query("UPDATE reports SET figures = '{}'").execute(p).await.map(|r| r.rows_affected()));
    assert!(tamper.is_err(), "reports are frozen in the database");
}

#[tokio::test]
async fn the_dashboard_counts_what_happened_and_a_bank_user_sees_only_their_bank() {
    let app = TestApp::spawn().await;
    let whole = reports::dashboard(&app.state, None).await.unwrap();
    let at_yucho = reports::dashboard(&app.state, Some("9900")).await.unwrap();
    // Two claims at 0125, each 100,000 yen, confirmed and approved today.
    approved_claim(&app, "dash-a@example.jp", "3000001").await;
    approved_claim(&app, "dash-b@example.jp", "3000002").await;
    let now = reports::dashboard(&app.state, None).await.unwrap();
    let count = |d: &reports::Dashboard, s: &str| {
        d.states
            .iter()
            .find(|(x, _)| x == s)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert_eq!(count(&now, "approved") - count(&whole, "approved"), 2);
    let total = |d: &reports::Dashboard| d.states.iter().map(|(_, n)| n).sum::<i64>();
    assert_eq!(total(&now) - total(&whole), 2);
    let today = now.daily.last().unwrap();
    let today_before = whole.daily.last().unwrap();
    assert_eq!(today.1 - today_before.1, 2, "two new claims today");
    assert_eq!(today.2 - today_before.2, 2, "two decisions today");
    assert_eq!(now.daily.len(), 90);
    let c = bank(&now.report, "0125").minus(&bank(&whole.report, "0125"));
    assert_eq!(
        (c.cases, c.claimed, c.confirmed, c.approved, c.paid),
        (2, 200_000, 200_000, 200_000, 0)
    );
    assert_eq!(now.days_to_payment, whole.days_to_payment, "nothing paid");
    // The bank in Sendai sees its own figures, the other bank none of it.
    let mine = reports::dashboard(&app.state, Some("0125")).await.unwrap();
    assert_eq!(mine.report.banks.len(), 1);
    assert_eq!(mine.report.banks[0].bank_code, "0125");
    assert_eq!(mine.report.banks[0], bank(&now.report, "0125"));
    let yucho = reports::dashboard(&app.state, Some("9900")).await.unwrap();
    assert_eq!(
        total(&yucho),
        total(&at_yucho),
        "another bank's cases are not counted"
    );
    assert!(yucho.report.banks.iter().all(|b| b.bank_code == "9900"));
    // The page: charts as images with text, tables beside them.
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let (status, page) = app.html(&clerk, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"img\""));
    assert!(page.contains("0125"));
    assert!(
        !page.contains("9900"),
        "no other bank on a bank user's dashboard"
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (status, page) = app.html(&reviewer, "/dashboard").await;
    assert_eq!(status, 200);
    assert!(page.contains("9900") && page.contains("0125"));
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    assert_eq!(app.html(&claimant, "/dashboard").await.0, 403);
}

#[tokio::test]
async fn a_queue_is_exported_as_csv_with_its_filters_for_operator_staff_only() {
    let app = TestApp::spawn().await;
    let a = approved_claim(&app, "csv-a@example.jp", "4000001").await;
    let b = approved_claim(&app, "csv-b@example.jp", "4000002").await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (status, page) = app
        .html(&reviewer, "/staff/queue?state=approved&bank=0125")
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("/staff/queue.csv?state=approved&amp;bank=0125"),
        "the page links its CSV"
    );
    let (status, body) = bytes(&app, &reviewer, "/staff/queue.csv?state=approved&bank=0125").await;
    assert_eq!(status, 200);
    let rows = csv_rows(&body);
    assert_eq!(rows[0][0], "申請番号", "a header in the user's language");
    let refs: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert!(
        refs.contains(&a.as_str()) && refs.contains(&b.as_str()),
        "{refs:?}"
    );
    assert_eq!(
        refs,
        listed(&page).iter().map(String::as_str).collect::<Vec<_>>(),
        "the same cases as the page"
    );
    // A search narrows it as on the page.
    let (_, body) = bytes(
        &app,
        &reviewer,
        &format!("/staff/queue.csv?state=approved&q={a}"),
    )
    .await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], a);
    // Bad filters: 422; bank staff and claimants: 403.
    assert_eq!(
        bytes(&app, &reviewer, "/staff/queue.csv?min=abc").await.0,
        422
    );
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    assert_eq!(
        bytes(&app, &clerk, "/staff/queue.csv?state=approved")
            .await
            .0,
        403
    );
    assert_eq!(bytes(&app, &app.client(), "/staff/queue.csv").await.0, 401);
}

#[tokio::test]
async fn a_banks_queue_is_exported_as_csv_with_its_filters_and_only_its_lines() {
    let app = TestApp::spawn().await;
    let (claimant, key) = app
        .draft_for(
            "bank-csv@example.jp",
            &[],
            "4000003",
            &[
                ("2020-09-04".to_owned(), "30,000"),
                ("2020-09-05".to_owned(), "70,000"),
            ],
        )
        .await;
    let reference = app.send_draft(&claimant, &key).await;
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let (status, page) = app
        .html(&clerk, &format!("/bank/queue?status=all&q={reference}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("/bank/queue.csv?status=all&amp;q={reference}")),
        "the page links its CSV with the filters"
    );
    let (status, body) = bytes(
        &app,
        &clerk,
        &format!("/bank/queue.csv?status=all&q={reference}"),
    )
    .await;
    assert_eq!(status, 200);
    let rows = csv_rows(&body);
    assert_eq!(rows[0][0], "申請番号", "a header in the user's language");
    assert_eq!(rows.len(), 3, "the claim's two lines: {rows:?}");
    assert!(rows[1..].iter().all(|r| r[0] == reference));
    let amounts: Vec<&str> = rows[1..].iter().map(|r| r[5].as_str()).collect();
    assert_eq!(amounts, ["30000", "70000"]);
    // A filter narrows it as on the page.
    let (_, body) = bytes(
        &app,
        &clerk,
        &format!("/bank/queue.csv?status=all&q={reference}&amount_min=50000"),
    )
    .await;
    let rows = csv_rows(&body);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][5], "70000");
    // Another bank's clerk gets none of these lines; bad filters 422;
    // operator staff and nobody 403 / 401.
    let other = app.login("bank.yucho@redress.example", PASSWORD).await;
    let (status, body) = bytes(
        &app,
        &other,
        &format!("/bank/queue.csv?status=all&q={reference}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(csv_rows(&body).len(), 1, "a header only");
    assert_eq!(
        bytes(&app, &clerk, "/bank/queue.csv?amount_min=abc")
            .await
            .0,
        422
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(bytes(&app, &reviewer, "/bank/queue.csv").await.0, 403);
    assert_eq!(bytes(&app, &app.client(), "/bank/queue.csv").await.0, 401);
}

/// The "cases" figure at the top of a dashboard page, and when it was counted.
fn dashboard_cases(page: &str) -> (i64, String) {
    let cases = page
        .split("<dt>案件数")
        .nth(1)
        .and_then(|rest| rest.split("<dd>").nth(1))
        .and_then(|rest| rest.split('<').next())
        .expect("the cases figure")
        .parse()
        .expect("a number");
    let at = page
        .split("集計時刻（日本時間） ")
        .nth(1)
        .and_then(|rest| rest.split(' ').take(2).collect::<Vec<_>>().join(" ").into())
        .expect("when it was counted");
    (cases, at)
}

#[tokio::test]
async fn the_dashboard_serves_figures_at_most_their_age_old_and_counts_again_in_the_background() {
    let app = TestApp::spawn_with(Options {
        dashboard_refresh_seconds: 1,
        ..Options::default()
    })
    .await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (status, page) = app.html(&reviewer, "/dashboard").await;
    assert_eq!(status, 200);
    let (before, at) = dashboard_cases(&page);
    assert!(
        page.contains("1秒より古くなると"),
        "the page says how old figures may be"
    );
    // A new claim: the figures just computed are served as they are...
    let (claimant, key) = app
        .draft_for(
            "cache@example.jp",
            &[],
            "4000009",
            &[("2020-09-04".to_owned(), "10,000")],
        )
        .await;
    app.send_draft(&claimant, &key).await;
    let (now, again) = dashboard_cases(&app.html(&reviewer, "/dashboard").await.1);
    if again == at {
        assert_eq!(now, before, "unchanged figures within their age");
    }
    // ...and once they are older than a second a view starts a new count in
    // the background; a later view has it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let mut seen = before;
    for _ in 0..100 {
        seen = dashboard_cases(&app.html(&reviewer, "/dashboard").await.1).0;
        if seen == before + 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, before + 1, "the new claim is counted");
    // A bank's figures are kept apart from the whole operation's.
    let clerk = app.login("bank.yucho@redress.example", PASSWORD).await;
    let (_, page) = app.html(&clerk, "/dashboard").await;
    assert!(
        !page.contains("0125"),
        "no other bank on a bank user's dashboard"
    );
}

#[tokio::test]
async fn kept_dashboard_figures_say_when_they_were_counted_and_are_counted_again_on_demand() {
    let app = TestApp::spawn_with(Options {
        dashboard_refresh_seconds: 3600,
        ..Options::default()
    })
    .await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (_, page) = app.html(&reviewer, "/dashboard").await;
    let (before, _) = dashboard_cases(&page);
    assert!(
        page.contains("href=\"/dashboard?refresh=1\""),
        "a way to count again"
    );
    assert!(page.contains("今すぐ集計し直す"));
    let (claimant, key) = app
        .draft_for(
            "again@example.jp",
            &[],
            "4000009",
            &[("2020-09-04".to_owned(), "10,000")],
        )
        .await;
    app.send_draft(&claimant, &key).await;
    // Within the hour the kept figures are served, with their time...
    let (kept, _) = dashboard_cases(&app.html(&reviewer, "/dashboard").await.1);
    assert_eq!(kept, before, "figures kept for an hour");
    // ...and on demand they are counted now, and kept for the next views.
    let (status, page) = app.html(&reviewer, "/dashboard?refresh=1").await;
    assert_eq!(status, 200);
    assert_eq!(
        dashboard_cases(&page).0,
        before + 1,
        "counted again on demand"
    );
    let (after, _) = dashboard_cases(&app.html(&reviewer, "/dashboard").await.1);
    assert_eq!(after, before + 1, "the new count is kept");
}

/// The kept figures equal the figures counted from the claims: the
/// dashboard of the whole operation and of every bank any line names, and
/// the report as of now and as of each of `moments` (past days included).
/// Folds the kept rows first when `compact`, so that both forms are checked.
pub(crate) async fn check_kept_figures(
    app: &TestApp,
    moments: &[chrono::DateTime<Utc>],
    compact: bool,
    when: &str,
) {
    if compact {
        use app::server::store::appended;
        appended::fold(&app.state.db, &appended::KEPT_FIGURES)
            .await
            .unwrap();
    }
    let banks: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT bank_code FROM debit_lines ORDER BY bank_code").fetch_all(p).await.unwrap());
    let scopes = std::iter::once(None).chain(banks.iter().map(|b| Some(b.as_str())));
    for scope in scopes {
        let kept = reports::dashboard(&app.state, scope).await.unwrap();
        let counted = reports::dashboard_counted(&app.state, scope).await.unwrap();
        let at = format!("{when}, scope {scope:?}");
        assert_eq!(kept.states, counted.states, "{at}: cases by state");
        assert_eq!(
            kept.daily, counted.daily,
            "{at}: new claims and decisions by day"
        );
        assert_eq!(kept.past_sla, counted.past_sla, "{at}: past the SLA");
        match (kept.days_to_payment, counted.days_to_payment) {
            (Some(k), Some(c)) => assert!((k - c).abs() < 1e-9, "{at}: days to payment {k} / {c}"),
            (k, c) => assert_eq!(k, c, "{at}: days to payment"),
        }
        assert_report(&kept.report, &counted.report, &at);
        // The cases in each state as of now, from the cases' history, are
        // the cases in each state now.
        let now: std::collections::BTreeMap<String, i64> = kept.states.iter().cloned().collect();
        assert_eq!(
            kept.report.total.states, now,
            "{at}: states from the history"
        );
    }
    for at in moments.iter().copied().chain([Utc::now()]) {
        for scope in [None, banks.first().map(String::as_str)] {
            let kept = reports::compute(&app.state, at, scope).await.unwrap();
            let counted = reports::count(&app.state, at, scope).await.unwrap();
            assert_report(
                &kept,
                &counted,
                &format!("{when}, report as of {at}, scope {scope:?}"),
            );
        }
    }
}

fn assert_report(kept: &Report, counted: &Report, at: &str) {
    assert_eq!(kept.banks, counted.banks, "{at}: per bank");
    assert_eq!(kept.total, counted.total, "{at}: total");
    assert_eq!(
        (kept.cases_reported, kept.ledger_approved, kept.ledger_paid),
        (
            counted.cases_reported,
            counted.ledger_approved,
            counted.ledger_paid
        ),
        "{at}: cases reported, ledger approved and paid"
    );
}

/// The state of each case at the report's moment, the call and travel
/// costs per bank, and a case decided twice counted once.
#[tokio::test]
async fn a_report_breaks_cases_down_by_state_at_its_moment_and_costs_by_bank() {
    use crate::decisions::{as_pairs, assessment_form, bank_confirms, state_of, version_of};
    let app = TestApp::spawn().await;
    let t0 = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let base = reports::compute(&app.state, t0, None).await.unwrap();
    let decided = |d: &reports::Dashboard| d.daily.last().map(|x| x.2).unwrap();
    let dash0 = reports::dashboard(&app.state, None).await.unwrap();
    // A case with debits at two banks, one call of 550 yen and one journey
    // of 440 yen.
    let (claimant, key) = app
        .draft_for(
            "two-banks@example.jp",
            &[],
            "3000001",
            &[("2020-09-04".to_owned(), "10,000")],
        )
        .await;
    let base_url = format!("/claims/{key}");
    let second = app
        .post_ok(
            &claimant,
            &format!("{base_url}/add-account"),
            &[
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "7654321"),
            ],
        )
        .await;
    app.post_ok(&claimant, &second, &debit_form("2020-09-05", "20,000"))
        .await;
    app.post_ok(
        &claimant,
        &format!("{base_url}/add-call"),
        &[
            ("date", "2020-09-07"),
            ("callee", "bank"),
            ("minutes", "25"),
            ("cost", "550"),
            ("receipt", "yes"),
        ],
    )
    .await;
    app.post_ok(
        &claimant,
        &format!("{base_url}/add-journey"),
        &[
            ("date", "2020-09-08"),
            ("from", "自宅"),
            ("to", "七十七銀行 本店"),
            ("means", "bus"),
            ("purpose", "窓口で相談"),
            ("cost", "440"),
        ],
    )
    .await;
    let two_banks = app.send_draft(&claimant, &key).await;
    let now = reports::compute(&app.state, Utc::now(), None)
        .await
        .unwrap();
    let change = |bank_code: &str| bank(&now, bank_code).minus(&bank(&base, bank_code));
    for code in ["0125", "9900"] {
        let c = change(code);
        assert_eq!(
            (c.calls_claimed, c.travel_claimed),
            (550, 440),
            "under each bank the case names: {code}"
        );
    }
    let total = now.total.minus(&base.total);
    assert_eq!(
        (total.calls_claimed, total.travel_claimed),
        (550, 440),
        "once in the total"
    );
    assert_eq!(total.cases, 2, "a case per bank in the banks' case count");
    let sent: i64 = total.states.values().sum();
    assert_eq!(sent, 1, "one more case in the states: {:?}", total.states);
    assert_eq!(
        now.total.states.values().sum::<i64>(),
        now.cases_reported,
        "every case sent is in one state"
    );

    // A case at 0125 rejected, appealed and rejected again.
    let (claimant, key) = app
        .draft_for(
            "rejected-twice@example.jp",
            &[],
            "3000002",
            &[("2020-09-04".to_owned(), "100,000")],
        )
        .await;
    let twice = app.send_draft(&claimant, &key).await;
    bank_confirms(&app, &twice).await;
    let reviewer = app.staff("reviewer@redress.example").await;
    let reject = |note: &'static str| {
        let (app, reviewer, twice) = (&app, &reviewer, &twice);
        async move {
            let mut fields = assessment_form(app, reviewer, twice).await;
            for (k, v) in fields.iter_mut() {
                if k.starts_with("ack_") {
                    *v = "Seen".into();
                }
            }
            fields.retain(|(k, _)| {
                !["outcome", "rejection_reason", "rejection_note"].contains(&k.as_str())
            });
            fields.push(("outcome".into(), "reject".into()));
            fields.push(("rejection_reason".into(), "insufficient_evidence".into()));
            fields.push(("rejection_note".into(), note.into()));
            app.post_ok(
                reviewer,
                &format!("/staff/claims/{twice}/assess"),
                &as_pairs(&fields),
            )
            .await;
            let approver = app.staff("approver@redress.example").await;
            let version = version_of(app, twice).await;
            app.post_ok(
                &approver,
                &format!("/staff/claims/{twice}/reject"),
                &[("version", &version)],
            )
            .await;
            assert_eq!(state_of(app, twice).await, "rejected");
        }
    };
    let pause = || tokio::time::sleep(std::time::Duration::from_millis(20));
    reject("No police report was given.").await;
    pause().await;
    let t1 = Utc::now();
    pause().await;
    app.post_ok(
        &claimant,
        &format!("/claims/{twice}/appeal"),
        &[("appeal_text", "The police report is attached now.")],
    )
    .await;
    assert_eq!(state_of(&app, &twice).await, "in_review");
    pause().await;
    let t2 = Utc::now();
    pause().await;
    reject("The report names another account.").await;
    pause().await;
    let t3 = Utc::now();
    // As of each moment, the case is in the state it was in then.
    let in_state = |r: &Report, state: &str| r.total.states.get(state).copied().unwrap_or(0);
    let state = &app.state;
    let at = |t| async move { reports::compute(state, t, None).await.unwrap() };
    let (r1, r2, r3) = (at(t1).await, at(t2).await, at(t3).await);
    let rejected0 = in_state(&base, "rejected");
    assert_eq!(in_state(&r1, "rejected"), rejected0 + 1, "rejected at t1");
    assert_eq!(in_state(&r2, "rejected"), rejected0, "appealed at t2");
    assert_eq!(
        in_state(&r2, "in_review") - in_state(&r1, "in_review"),
        1,
        "back in review at t2"
    );
    assert_eq!(in_state(&r3, "rejected"), rejected0 + 1, "rejected at t3");
    assert_eq!(
        bank(&r2, "0125")
            .states
            .get("in_review")
            .copied()
            .unwrap_or(0)
            - bank(&r1, "0125")
                .states
                .get("in_review")
                .copied()
                .unwrap_or(0),
        1,
        "per bank too"
    );
    let waiting = state_of(&app, &two_banks).await;
    assert_ne!(waiting, "rejected");
    assert_eq!(
        in_state(&r3, &waiting) - in_state(&base, &waiting),
        1,
        "the two-bank case is still {waiting}"
    );
    // The dashboard counts the case decided once, on its first decision.
    let dash = reports::dashboard(&app.state, None).await.unwrap();
    assert_eq!(decided(&dash) - decided(&dash0), 1, "decided once");
    assert_eq!(
        reports::dashboard_counted(&app.state, None)
            .await
            .unwrap()
            .daily,
        dash.daily
    );

    // The CSV: a column per state after the amounts and costs, in both
    // languages; the two-bank case's costs under both banks.
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let token = uuid::Uuid::new_v4().to_string();
    let res = app
        .post_form(
            &approver,
            "/reports",
            &[("request_id", token.as_str()), ("as_of", "")],
        )
        .await;
    let n = location(&res).trim_start_matches("/reports/").to_owned();
    let (_, body) = bytes(&app, &approver, &format!("/reports/{n}/csv")).await;
    let rows = csv_rows(&body);
    assert_one_table(&rows);
    let col = |name: &str| {
        rows[0]
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {:?}", rows[0]))
    };
    let frozen = reports::frozen(&app.state, n.parse().unwrap())
        .await
        .unwrap()
        .0;
    let row_0125 = rows.iter().find(|r| r[1] == "0125").unwrap();
    assert_eq!(
        row_0125[col("通話料の申請額")],
        bank(&frozen, "0125").calls_claimed.to_string()
    );
    assert_eq!(
        row_0125[col("不承認の案件")],
        bank(&frozen, "0125").states["rejected"].to_string()
    );
    let total_row = rows.iter().find(|r| r[1] == "合計").unwrap();
    assert_eq!(
        total_row[col("交通費の申請額")],
        frozen.total.travel_claimed.to_string()
    );
    let (_, english) = bytes(&app, &approver, &format!("/reports/{n}/csv?lang=en")).await;
    let english = csv_rows(&english);
    assert!(english[0].iter().any(|h| h == "Call costs approved"));
    assert!(english[0].iter().any(|h| h.starts_with("Cases: ")));
    assert_eq!(english[0].len(), rows[0].len());
    // The page shows both tables.
    let (_, page) = app.html(&approver, &format!("/reports/{n}")).await;
    assert!(page.contains("状況ごとの案件数（報告の時点）"));
    assert!(page.contains("通話料の申請額"));
    check_kept_figures(&app, &[t0, t1, t2, t3], false, "after the breakdowns").await;
    check_kept_figures(&app, &[t1, t2], true, "folded").await;
}
