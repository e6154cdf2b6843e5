//! A bank reports a debit before anyone claims it; the claim that names it
//! later is matched to the bank's own row: confirmed by that report when
//! exact, waiting for the bank's click when probable, never twice.

use crate::helpers::*;

/// The bank's own list: three debits no claim names yet.
const LIST: &str = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号
100,普通,3141592,ヤマダ ハナコ,2020-09-03,40000,ドコモコウザ,RL-EXACT
100,普通,3141592,ヤマダ ハナコ,2020-09-07,15000,ドコモコウザ,RL-DAYOFF
100,普通,2718281,ホカノ ヒト,2020-09-03,9000,ドコモコウザ,RL-OTHER
";

async fn debit(app: &TestApp, reference: &str) -> (String, Option<uuid::Uuid>) {
    app::on_db!(&app.state.db, p => sqlx::query_as::<_, (String, Option<uuid::Uuid>)>(
        "SELECT status, line_id FROM bank_debits WHERE bank_reference = $1",
    ).bind(reference).fetch_one(p).await.unwrap())
}

/// The claim's lines: (id, verdict, the answer's bank reference and who gave it).
async fn lines(
    app: &TestApp,
    claim: &str,
) -> Vec<(uuid::Uuid, Option<String>, Option<String>, Option<String>)> {
    app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT l.id, l.bank_verdict, a.bank_reference, u.email
         FROM debit_lines l JOIN claims c ON c.id = l.claim_id
         LEFT JOIN line_answers a ON a.line_id = l.id
         LEFT JOIN users u ON u.id = a.actor_id
         WHERE c.reference = $1 ORDER BY l.position",
    ).bind(claim).fetch_all(p).await.unwrap())
}

/// Sends a claim on account 3141592 at 0125 with these debits; its reference.
async fn claim(app: &TestApp, email: &str, debits: &[(&str, &str)]) -> String {
    let debits: Vec<(String, &str)> = debits.iter().map(|(d, a)| ((*d).to_owned(), *a)).collect();
    let (claimant, key) = app.draft_for(email, &[], "3141592", &debits).await;
    app.send_draft(&claimant, &key).await
}

/// Waits for the match that follows a claim's answer (up to 30 s).
async fn until_matched(app: &TestApp, reference: &str) {
    for _ in 0..600 {
        if debit(app, reference).await.0 != "unmatched" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{reference} was not matched to the claim that names it");
}

#[tokio::test]
async fn a_debit_the_bank_reported_first_is_confirmed_by_that_report_when_a_claim_names_it() {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let res = app
        .upload_list(&b77, "list.csv", LIST.as_bytes().to_vec())
        .await;
    assert_eq!(res.status(), 303);
    for r in ["RL-EXACT", "RL-DAYOFF", "RL-OTHER"] {
        assert_eq!(debit(&app, r).await, ("unmatched".to_owned(), None), "{r}");
    }
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let (_, losses) = app.html(&reviewer, "/staff/reported-losses").await;
    assert!(
        losses.contains("40,000"),
        "a reported loss no claim names yet"
    );

    // The claim: the exact debit, the one a day off (claimed 09-06), and one
    // the bank never reported.
    let reference = claim(
        &app,
        "first@example.jp",
        &[
            ("2020-09-03", "40,000"),
            ("2020-09-06", "15,000"),
            ("2020-09-10", "7,000"),
        ],
    )
    .await;
    until_matched(&app, "RL-EXACT").await;
    until_matched(&app, "RL-DAYOFF").await;
    let got = lines(&app, &reference).await;
    // Exact: confirmed with the bank's reference, by the list's sender.
    assert_eq!(
        debit(&app, "RL-EXACT").await,
        ("matched".to_owned(), Some(got[0].0))
    );
    assert_eq!(
        (
            got[0].1.as_deref(),
            got[0].2.as_deref(),
            got[0].3.as_deref()
        ),
        (
            Some("confirmed"),
            Some("RL-EXACT"),
            Some("bank.77@redress.example")
        )
    );
    // Probable: given to the line, waiting for the bank's click.
    assert_eq!(
        debit(&app, "RL-DAYOFF").await,
        ("probable".to_owned(), Some(got[1].0))
    );
    assert_eq!(got[1].1, None);
    // Not reported: open, as before; another account's report untouched.
    assert_eq!(got[2].1, None);
    assert_eq!(
        debit(&app, "RL-OTHER").await,
        ("unmatched".to_owned(), None)
    );
    let state: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT state FROM claims WHERE reference = $1")
        .bind(&reference).fetch_one(p).await.unwrap());
    assert_eq!(
        state, "bank_review",
        "the bank's review started with its report"
    );
    // The list of losses no claim names no longer holds the two.
    let (_, losses) = app.html(&reviewer, "/staff/reported-losses").await;
    assert!(!losses.contains("40,000") && !losses.contains("15,000"));
    assert!(losses.contains("9,000"));

    // A second claim of the same debit is not confirmed by the same report:
    // the row went to the first; the bank answers the second itself.
    let second = claim(&app, "second@example.jp", &[("2020-09-03", "40,000")]).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got2 = lines(&app, &second).await;
    assert_eq!(got2[0].1, None, "one report confirms one line");
    let answers: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM line_answers a JOIN debit_lines l ON l.id = a.line_id WHERE l.amount = 40000",
    ).fetch_one(p).await.unwrap());
    assert_eq!(answers, 1);
}
