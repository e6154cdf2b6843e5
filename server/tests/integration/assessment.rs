//! The operator's view of a case against the policy: flags and the SLA clock.

use chrono::{Datelike, Duration};

use crate::helpers::*;

/// Files a claim for a new claimant: one account, these (date, amount) debits.
async fn claim_with(
    app: &TestApp,
    email: &str,
    account: &'static str,
    debits: &[(String, &str)],
) -> (String, reqwest::Client) {
    let (claimant, key) = app.draft_for(email, &[], account, debits).await;
    (app.send_draft(&claimant, &key).await, claimant)
}

#[tokio::test]
async fn a_case_shows_the_policys_flags_and_its_sla_clock() {
    let app = TestApp::spawn().await;
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let last_month = (today.with_day(1).unwrap() - Duration::days(1))
        .with_day(1)
        .unwrap();
    let day = |d: i64| (last_month + Duration::days(d)).to_string();
    // A: a charge of 100,001 yen 91 days ago, and 310,000 yen in one month.
    let (a, claimant_a) = claim_with(
        &app,
        "a@example.jp",
        "7654321",
        &[
            ((today - Duration::days(91)).to_string(), "100,001"),
            (day(0), "100,000"),
            (day(1), "100,000"),
            (day(2), "100,000"),
            (day(3), "10,000"),
        ],
    )
    .await;
    // B: the same debit on the same account (and the same phone, the same day).
    let (b, _) = claim_with(&app, "b@example.jp", "7654321", &[(day(0), "100,000")]).await;
    // C: one ordinary debit elsewhere.
    let (c, _) = claim_with(&app, "c@example.jp", "1112223", &[(day(5), "5,000")]).await;

    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let page = |r: String| {
        let reviewer = reviewer.clone();
        let app = &app;
        async move {
            let html = app
                .get(&reviewer, &format!("/staff/claims/{r}"))
                .await
                .text()
                .await
                .unwrap();
            let start = html
                .find("id=\"checks-title\"")
                .expect("the checks section");
            let end = html[start..].find("</section>").unwrap() + start;
            html[start..end].to_owned()
        }
    };
    let checks = page(a.clone()).await;
    for text in [
        "上限を超えています",
        "100,001円",
        "310,000円",
        "対象期間(申請前90日)より前の引き出し (1行目)",
        "同じ引き出しがほかの申請にもあります (2行目)",
        "銀行が確認していない引き出し",
        "期限内",
        "0 営業日が経過",
        "補償方針 第1版",
    ] {
        assert!(checks.contains(text), "{text} missing in {checks}");
    }
    assert!(checks.contains(&b), "A names B: {checks}");
    // B names A for the same debit and account; C, with the same phone the
    // same day, is flagged for the contact only.
    let checks = page(b.clone()).await;
    assert!(checks.contains("同じ口座がほかの申請にもあります") && checks.contains(&a));
    assert!(!checks.contains("上限を超えています"));
    let checks = page(c.clone()).await;
    assert!(checks.contains("同じメールアドレスまたは電話番号から24時間以内に複数の申請"));
    assert!(!checks.contains("同じ口座"));
    assert!(!checks.contains("同じ引き出し"));

    // Sent three weeks ago: past the ten business days of the target.
    let earlier = chrono::Utc::now() - Duration::days(21);
    app::on_db!(&app.state.db, p => sqlx::query("UPDATE claims SET submitted_at = $1 WHERE reference = $2")
        .bind(earlier).bind(&c).execute(p).await.unwrap().rows_affected());
    let checks = page(c.clone()).await;
    assert!(checks.contains("期限超過"), "{checks}");
    // The claimant's side shows none of it; a bank clerk cannot read it.
    let own = app
        .get(&claimant_a, &format!("/claims/{a}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        own.contains(&a) && !own.contains("checks-title") && !own.contains("上限を超えています")
    );
    let res = claimant_a
        .post(app.url("/api/operator_decision"))
        .form(&[("reference", a.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let res = clerk
        .post(app.url("/api/operator_decision"))
        .form(&[("reference", a.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}
