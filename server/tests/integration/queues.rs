//! The operator's queues: per state with counts, filters, search, sorting,
//! and who works on which case.

use crate::helpers::*;

#[tokio::test]
async fn queues_filter_search_sort_and_count_and_cases_are_taken_and_released() {
    let app = TestApp::spawn().await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let admin = app.login("admin@redress.example", PASSWORD).await;

    // Submitted (newest first) with the count of every queue.
    let (status, page) = app.html(&reviewer, "/staff/queue").await;
    assert_eq!(status, 200);
    assert_eq!(listed(&page), ["RD-000002", "RD-000001"]);
    assert!(page.contains("aria-current=\"page\""));
    assert!(
        page.contains("(2)") && page.contains("(1)"),
        "counts per queue"
    );
    let (_, page) = app
        .html(&reviewer, "/staff/queue?state=awaiting_claimant")
        .await;
    assert_eq!(listed(&page), ["RD-000003"]);
    // The payout states have their tabs, and the open tab is the one asked
    // for (an unknown state was shown as "submitted" without a word).
    for state in ["payout_scheduled", "paid", "payout_failed"] {
        let (status, page) = app
            .html(&reviewer, &format!("/staff/queue?state={state}"))
            .await;
        assert_eq!(status, 200, "{state}");
        assert!(
            page.contains(&format!(
                "href=\"/staff/queue?state={state}\" aria-current=\"page\""
            )),
            "{state}: the open tab"
        );
        assert!(listed(&page).is_empty(), "{state}");
    }

    // Filters: bank, amount, search by account, name and reference; sorting.
    for (query, expected) in [
        ("bank=9900", vec!["RD-000002"]),
        ("min=100000", vec!["RD-000001"]),
        ("max=50%2C000", vec!["RD-000002"]),
        ("q=1234567", vec!["RD-000001"]),
        ("q=%E4%BD%90%E8%97%A4", vec!["RD-000002"]),
        ("q=RD-000002", vec!["RD-000002"]),
        ("sort=oldest", vec!["RD-000001", "RD-000002"]),
        ("sort=largest", vec!["RD-000001", "RD-000002"]),
        ("age=30", vec![]),
    ] {
        let (status, page) = app.html(&reviewer, &format!("/staff/queue?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(listed(&page), expected, "{query}");
    }
    // Bad filter values: 422, named beside the field, never a 500.
    let (status, page) = app.html(&reviewer, "/staff/queue?min=lots&age=-3").await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"min-error\"") && page.contains("id=\"age-error\""));

    // A reviewer takes a case; nobody else can take it; it is in "mine".
    app.post_ok(
        &reviewer,
        "/staff/claims/RD-000001/assign",
        &[("assign", "take")],
    )
    .await;
    let res = app
        .post_form(
            &admin,
            "/staff/claims/RD-000001/assign",
            &[("assign", "take")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let (_, page) = app.html(&reviewer, "/staff/queue?assignee=me").await;
    assert_eq!(listed(&page), ["RD-000001"]);
    assert!(page.contains("reviewer@redress.example"));
    let (_, page) = app.html(&reviewer, "/staff/queue?assignee=none").await;
    assert_eq!(listed(&page), ["RD-000002"]);
    // An approver cannot take cases; a bank clerk cannot even try.
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let res = app
        .post_form(
            &approver,
            "/staff/claims/RD-000002/assign",
            &[("assign", "take")],
        )
        .await;
    assert_eq!(res.status(), 403);
    // The admin reassigns to themselves, only to a reviewer or admin.
    let res = app
        .post_form(
            &admin,
            "/staff/claims/RD-000001/assign",
            &[
                ("assign", "to"),
                ("assignee_email", "approver@redress.example"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    app.post_ok(
        &admin,
        "/staff/claims/RD-000001/assign",
        &[
            ("assign", "to"),
            ("assignee_email", "admin@redress.example"),
        ],
    )
    .await;
    // The reviewer no longer has it and cannot release it.
    let res = app
        .post_form(
            &reviewer,
            "/staff/claims/RD-000001/assign",
            &[("assign", "release")],
        )
        .await;
    assert_eq!(res.status(), 409);
    app.post_ok(
        &admin,
        "/staff/claims/RD-000001/assign",
        &[("assign", "release")],
    )
    .await;
    let (_, page) = app.html(&reviewer, "/staff/queue?assignee=none").await;
    assert_eq!(listed(&page), ["RD-000002", "RD-000001"]);

    // The history keeps who took, handed on and released the case; the
    // claimant's timeline does not show staff work.
    let (_, page) = app.html(&reviewer, "/staff/claims/RD-000001").await;
    let history = &page[page.find("staff-history").expect("the history")..];
    let take = history.find("担当者が引き受け").expect("taken");
    let to = history.find("担当者を変更").expect("reassigned");
    let release = history.find("担当を解除").expect("released");
    assert!(take < to && to < release, "in order");
    assert!(history.contains("admin@redress.example"));
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let (_, own) = app.html(&claimant, "/claims/RD-000001").await;
    assert!(!own.contains("担当者が引き受け") && !own.contains("担当を解除"));
    let csv = app
        .get(&admin, "/admin/claims/RD-000001/history.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("assign_take") && csv.contains("assign_to") && csv.contains("assign_release")
    );
}

/// The cases per state as counted from the claims themselves.
async fn counted(app: &TestApp) -> Vec<(String, i64)> {
    app::on_db!(&app.state.db, p => sqlx::query_as::<_, (String, i64)>(
        "SELECT state, COUNT(*) FROM claims GROUP BY state ORDER BY state")
        .fetch_all(p).await.unwrap())
}

#[tokio::test]
async fn the_queue_counts_follow_every_change_of_state_and_a_large_filtered_queue_says_more_than() {
    use app::server::store::{appended, queue};
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    // 1,060 cases in review, each with a debit at bank 0125.
    insert_cases(&app, 1060, 500_000, 3_000_000, 0).await;
    assert_eq!(queue::counts(db).await.unwrap(), counted(&app).await);

    // Moves one way and back, a deletion: the kept counts follow each.
    app.exec("UPDATE claims SET state = 'assessed' WHERE reference IN ('RD-500000', 'RD-500001', 'RD-500002')")
        .await;
    app.exec("UPDATE claims SET state = 'in_review' WHERE reference = 'RD-500001'")
        .await;
    app.exec("UPDATE claims SET full_name = '多数 次郎' WHERE reference = 'RD-500003'")
        .await;
    app.exec("DELETE FROM debit_lines WHERE claim_id IN (SELECT id FROM claims WHERE reference = 'RD-500004')")
        .await;
    app.exec("DELETE FROM claims WHERE reference = 'RD-500004'")
        .await;
    let expected = counted(&app).await;
    let in_review = expected.iter().find(|(s, _)| s == "in_review").unwrap().1;
    let assessed = expected.iter().find(|(s, _)| s == "assessed").unwrap().1;
    assert!(in_review >= 1057 && assessed >= 2, "{expected:?}");
    assert_eq!(queue::counts(db).await.unwrap(), expected);
    // Compaction folds the appended rows into one per state (the server
    // also does every 10 s); the counts read the same.
    appended::fold(db, &appended::STATE_COUNTS).await.unwrap();
    assert_eq!(app.count("claim_state_counts").await, expected.len() as i64);
    assert_eq!(queue::counts(db).await.unwrap(), expected);
    app.exec("UPDATE claims SET state = 'approved' WHERE reference = 'RD-500005'")
        .await;
    let expected = counted(&app).await;
    assert_eq!(queue::counts(db).await.unwrap(), expected);
    appended::fold(db, &appended::STATE_COUNTS).await.unwrap();
    assert_eq!(app.count("claim_state_counts").await, expected.len() as i64);
    assert_eq!(queue::counts(db).await.unwrap(), expected);
    // Nothing to fold: nothing written.
    assert_eq!(
        appended::fold(db, &appended::STATE_COUNTS).await.unwrap(),
        0
    );

    // The page: the tab and the whole queue's total are exact.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let in_review = expected.iter().find(|(s, _)| s == "in_review").unwrap().1;
    let (status, page) = app.html(&reviewer, "/staff/queue?state=in_review").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("({in_review})")), "the tab's count");
    assert!(
        page.contains(&format!("{in_review} 件")),
        "the queue's total"
    );
    // Filtered, it is counted only so far past the page.
    let ahead = queue::COUNT_AHEAD;
    let at_bank: i64 = app::on_db!(db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM claims c WHERE c.state = 'in_review'
         AND EXISTS (SELECT 1 FROM debit_lines l WHERE l.claim_id = c.id AND l.bank_code = '0125')")
        .fetch_one(p).await.unwrap());
    assert!(at_bank > ahead + 50, "{at_bank}");
    let (status, page) = app
        .html(&reviewer, "/staff/queue?state=in_review&bank=0125")
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("{ahead}件以上")),
        "more than counted"
    );
    assert_eq!(listed(&page).len(), 50);
    assert!(
        page.contains(&format!(" 1 / {}<", ahead / 50 + 1)) && page.contains("rel=\"next\""),
        "the pager reaches one page past the count"
    );
    let (_, page) = app
        .html(&reviewer, "/staff/queue?state=in_review&bank=0125&page=2")
        .await;
    assert!(page.contains(&format!("{}件以上", ahead + 50)));
    // The first page whose count reaches the end is exact.
    let exact = (at_bank - ahead + 49) / 50 + 1;
    let (_, page) = app
        .html(
            &reviewer,
            &format!("/staff/queue?state=in_review&bank=0125&page={exact}"),
        )
        .await;
    assert!(
        page.contains(&format!("{at_bank} 件")),
        "exact within reach"
    );
    assert!(!page.contains("件以上"));
}
