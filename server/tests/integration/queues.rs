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
