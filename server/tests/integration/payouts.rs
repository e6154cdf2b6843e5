//! Payouts: a batch made by payments staff and released by an approver,
//! the Zengin file (validated, byte-identical on every export), the bank's
//! results, the ledger's invariants, and a debit that is never paid twice:
//! reserved by one case at its approval, refused to any other.

use crate::decisions::{as_pairs, assessment_form, state_of, version_of};
use crate::helpers::*;

/// A claim by a new claimant for one debit of 100,000 yen on `account` at
/// 0125, confirmed by the bank and assessed in full (not yet approved).
pub(crate) async fn assessed_claim(app: &TestApp, email: &str, account: &'static str) -> String {
    assessed_claim_with(app, email, account, "TX-0001").await
}

/// `assessed_claim` with the bank's reference for the debit given (blank:
/// the bank gave none).
pub(crate) async fn assessed_claim_with(
    app: &TestApp,
    email: &str,
    account: &'static str,
    bank_reference: &str,
) -> String {
    let (claimant, key) = app
        .draft_for(email, &[], account, &[("2020-09-04".to_owned(), "100,000")])
        .await;
    let reference = app.send_draft(&claimant, &key).await;
    crate::decisions::bank_confirms_with(app, &reference, bank_reference).await;
    let reviewer = app.staff("reviewer@redress.example").await;
    let res = assess_in_full(app, &reviewer, &reference).await;
    assert_eq!(res.status(), 303, "assessed");
    reference
}

/// The reviewer assesses a case: every flag acknowledged ("Seen"), the
/// debit approved in full.
pub(crate) async fn assess_in_full(
    app: &TestApp,
    reviewer: &reqwest::Client,
    reference: &str,
) -> reqwest::Response {
    let mut fields = assessment_form(app, reviewer, reference).await;
    for (k, v) in fields.iter_mut() {
        if k.starts_with("ack_") {
            *v = "Seen".into();
        }
        if k == "approved_debit_1" {
            *v = "100,000".into();
        }
        if k == "outcome" {
            *v = "pay".into();
        }
    }
    app.post_form(
        reviewer,
        &format!("/staff/claims/{reference}/assess"),
        &as_pairs(&fields),
    )
    .await
}

/// An approver approves the assessed case (the response, not followed).
pub(crate) async fn approve(app: &TestApp, reference: &str) -> reqwest::Response {
    let approver = app.staff("approver@redress.example").await;
    let version = version_of(app, reference).await;
    app.post_form(
        &approver,
        &format!("/staff/claims/{reference}/approve"),
        &[("version", &version)],
    )
    .await
}

/// `assessed_claim`, then approved.
pub(crate) async fn approved_claim(app: &TestApp, email: &str, account: &'static str) -> String {
    let reference = assessed_claim(app, email, account).await;
    let res = approve(app, &reference).await;
    assert_eq!(res.status(), 303, "approved");
    assert_eq!(state_of(app, &reference).await, "approved");
    reference
}

/// The batch form's one-time token on the payments page.
pub(crate) fn request_id_of(page: &str) -> String {
    page.split("name=\"request_id\" value=\"")
        .nth(1)
        .map(|s| s[..36].to_owned())
        .expect("the form's token")
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

async fn multipart_post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: &str,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(body.as_bytes().to_vec())
        .file_name("results.csv")
        .mime_str("text/csv")
        .unwrap();
    client
        .post(app.url(path))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_batch_is_made_released_exported_and_its_results_recorded_and_no_debit_is_paid_twice() {
    let app = TestApp::spawn().await;
    let a = assessed_claim(&app, "pa@example.jp", "4000001").await;
    let b = approved_claim(&app, "pb@example.jp", "4000002").await;
    // C (a relative) claims the very debit A claims: same bank, account,
    // date and amount, and the bank confirms it with the same reference.
    // Assessed while A waits for its approval (the flag acknowledged).
    let c = assessed_claim(&app, "pc@example.jp", "4000001").await;
    // The bank sees what it already confirmed: C's page names A and the
    // reference it gave there; both cases carry the flag (on the page, and
    // stored for the queue's filter once the sweep has run).
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let page = app
        .get(&clerk, &format!("/bank/claims/{c}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("ほかの申請ですでに確認した引き出し")
            && page.contains(&format!("href=\"/bank/claims/{a}\""))
            && page.contains("TX-0001"),
        "{page}"
    );
    app::server::services::assessment::sweep(&app.state.db, 100)
        .await
        .unwrap();
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    for r in [&a, &c] {
        let page = app
            .get(&reviewer, &format!("/staff/claims/{r}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("銀行が同じ引き出しをほかの申請でも確認しています"),
            "{r}"
        );
        let stored: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM claim_flags f JOIN claims c ON c.id = f.claim_id
             WHERE c.reference = $1 AND f.kind = 'flag_confirmed_elsewhere'",
        ).bind(r).fetch_one(p).await.unwrap());
        assert_eq!(stored, 1, "{r}");
    }
    assert_eq!(approve(&app, &a).await.status(), 303);
    // C's approval is refused, naming A with a link; nothing is written.
    let entries = app.count("ledger_entries").await;
    let res = approve(&app, &c).await;
    assert_eq!(res.status(), 409);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!("href=\"/staff/claims/{a}\"")),
        "a link to the case holding the debit: {page}"
    );
    assert!(
        page.contains("この引き出しは別の案件ですでに承認"),
        "{page}"
    );
    assert_eq!(state_of(&app, &c).await, "assessed");
    assert_eq!(app.count("ledger_entries").await, entries);
    // The database itself refuses a second active reservation of A's debit,
    // with the same reference or with none (which cannot tell them apart).
    for bank_reference in ["TX-0001", ""] {
        let twice = app::on_db!(&app.state.db, p => sqlx::query(
            "INSERT INTO debit_reservations (id, debit_line_id, claim_id, bank_code, branch_code, account_number,
                                             debit_date, amount, bank_reference, reserved, reserved_at)
             SELECT $1, l.id, l.claim_id, r.bank_code, r.branch_code, r.account_number, r.debit_date, r.amount,
                    $2, r.reserved, r.reserved_at
             FROM debit_reservations r JOIN debit_lines l ON l.claim_id = (SELECT id FROM claims WHERE reference = $3)",
        ).bind(uuid::Uuid::new_v4()).bind(bank_reference).bind(&c).execute(p).await.map(|r| r.rows_affected()));
        assert!(twice.is_err(), "{bank_reference:?}: {twice:?}");
    }
    // Sent back, C cannot be assessed to pay that debit either: refused
    // beside the line's amount.
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let version = version_of(&app, &c).await;
    app.post_ok(
        &approver,
        &format!("/staff/claims/{c}/send-back"),
        &[("version", version.as_str()), ("reason", "Same debit as A")],
    )
    .await;
    let res = assess_in_full(&app, &reviewer, &c).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"approved_debit_1-error\""), "{page}");
    assert!(page.contains(&format!("href=\"/staff/claims/{a}\"")));
    assert_eq!(state_of(&app, &c).await, "in_review");
    // Approval owes each approved claimant the approved amount, in balanced
    // entries: A and B only.
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'approve'"
        )
        .await,
        4
    );

    let payments = app.login("payments@redress.example", PASSWORD).await;
    let (status, page) = {
        let res = app.get(&payments, "/payments").await;
        (res.status().as_u16(), res.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(page.contains(&a) || page.contains("2件"), "{page}");
    let request_id = request_id_of(&page);

    // A Saturday, or today: refused next to the field, nothing written.
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let earliest = app::domain::payout::earliest_transfer_date(today);
    let mut weekend = today;
    while chrono::Datelike::weekday(&weekend) != chrono::Weekday::Sat {
        weekend += chrono::Duration::days(1);
    }
    for (date, key) in [
        (weekend.to_string(), "transfer_date_not_business_day"),
        (today.to_string(), "transfer_date_too_soon"),
    ] {
        let res = app
            .post_form(
                &payments,
                "/payments/batches",
                &[("request_id", &request_id), ("transfer_date", &date)],
            )
            .await;
        assert_eq!(res.status(), 422, "{key}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("id=\"transfer_date-error\"")
        );
    }
    assert_eq!(app.count("payout_batches").await, 0);
    // Only payments staff make batches.
    let res = app
        .post_form(
            &approver,
            "/payments/batches",
            &[
                ("request_id", &request_id),
                ("transfer_date", &earliest.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    // Only cases approved by yesterday: none, said plainly, nothing made.
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let res = app
        .post_form(
            &payments,
            "/payments/batches",
            &[
                ("request_id", request_id.as_str()),
                ("transfer_date", &earliest.to_string()),
                ("approved_until", &yesterday),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("この条件で支払える承認済みの案件はありません")
    );
    assert_eq!(app.count("payout_batches").await, 0);

    // The batch: every approved case, scheduled; posting the form again
    // finds the same batch.
    let form = [
        ("request_id", request_id.as_str()),
        ("transfer_date", &earliest.to_string()),
    ];
    let to = app.post_ok(&payments, "/payments/batches", &form).await;
    assert_eq!(to, "/payments/batches/1?made=1");
    let again = app.post_ok(&payments, "/payments/batches", &form).await;
    assert_eq!(again, "/payments/batches/1?made=1");
    assert_eq!(app.count("payout_batches").await, 1);
    for r in [&a, &b] {
        assert_eq!(state_of(&app, r).await, "payout_scheduled");
    }
    assert_eq!(state_of(&app, &c).await, "in_review");
    let page = app
        .get(&approver, "/payments/batches/1")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("batch-conflicts") && page.contains("/payments/batches/1/release"),
        "nothing in the way of the release: {page}"
    );
    assert!(
        !page.contains("4000001") && page.contains("****001"),
        "accounts masked"
    );

    // Not exported before release; released by an approver, once.
    let res = app.get(&payments, "/payments/batches/1/zengin.txt").await;
    assert_eq!(res.status(), 409);
    let res = app
        .post_form(
            &payments,
            "/payments/batches/1/release",
            &[("release", "yes")],
        )
        .await;
    assert_eq!(res.status(), 403);
    app.post_ok(
        &approver,
        "/payments/batches/1/release",
        &[("release", "yes")],
    )
    .await;
    let approver2 = app.login("approver2@redress.example", PASSWORD).await;
    let res = app
        .post_form(
            &approver2,
            "/payments/batches/1/release",
            &[("release", "yes")],
        )
        .await;
    assert_eq!(res.status(), 409);
    // The release tells each claimant the transfer date (the approval
    // promised it), with the account's last three digits only.
    let told = app.last_mail("pa@example.jp").await;
    assert_eq!(told.kind, "transfer_scheduled");
    assert!(told.body_text.contains("001") && !told.body_text.contains("4000001"));

    // The file: valid, 120-byte records, the same bytes every time, its
    // SHA-256 kept with the batch; A's debit once.
    let first = app
        .get(&payments, "/payments/batches/1/zengin.txt")
        .await
        .bytes()
        .await
        .unwrap();
    let second = app
        .get(&payments, "/payments/batches/1/zengin.txt")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(first, second);
    let summary = app::domain::zengin::validate(&first, true).unwrap();
    assert_eq!(summary.count, 2);
    assert_eq!(summary.total, 200_000);
    let plain = app
        .get(&payments, "/payments/batches/1/zengin.txt?crlf=0")
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(plain.len(), 5 * 120);
    assert!(app::domain::zengin::validate(&plain, false).is_ok());
    let sha: String = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT file_sha256 FROM payout_batches WHERE number = 1").fetch_one(p).await.unwrap());
    use sha2::Digest;
    assert_eq!(sha, hex::encode(sha2::Sha256::digest(&first)));
    // The payee is the holder's name as the bank confirmed it.
    let (record, _, _) = encoding_rs::SHIFT_JIS.decode(&first[122..242]);
    assert!(record.contains("ﾔﾏﾀﾞ ﾊﾅｺ"), "{record}");
    let csv = app
        .get(&payments, "/payments/batches/1/batch.csv")
        .await
        .text()
        .await
        .unwrap();
    for r in [&a, &b] {
        assert!(csv.contains(r.as_str()));
    }
    assert!(!csv.contains(c.as_str()));

    // Results recorded truthfully: a payment date after today (Japan time)
    // or before the batch's release is refused beside the field (or the
    // file), nothing recorded.
    let entries = app.count("ledger_entries").await;
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    for (date, key) in [
        (&tomorrow, "後になっています"),
        (&yesterday, "承認日より前"),
    ] {
        let res = app
            .post_form(
                &payments,
                "/payments/batches/1/results",
                &[
                    ("reference", a.as_str()),
                    ("result", "paid"),
                    ("paid_on", date.as_str()),
                ],
            )
            .await;
        assert_eq!(res.status(), 422, "{date}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("id=\"paid_on-error\"") && page.contains(key),
            "{page}"
        );
        let file = format!("reference,result,date,reason,note\n{a},paid,{date},,\n");
        let res = multipart_post(&app, &payments, "/payments/batches/1/results-file", &file).await;
        assert_eq!(res.status(), 422, "{date}");
    }
    assert_eq!(app.count("ledger_entries").await, entries);
    assert_eq!(state_of(&app, &a).await, "payout_scheduled");
    // Recorded; the same file again changes nothing.
    let file = format!(
        "reference,result,date,reason,note\n{a},paid,{today},,\n{b},failed,,account_closed,\n"
    );
    let res = multipart_post(&app, &payments, "/payments/batches/1/results-file", &file).await;
    assert_eq!(res.status(), 303);
    let after = app.count("ledger_entries").await;
    let res = multipart_post(&app, &payments, "/payments/batches/1/results-file", &file).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.count("ledger_entries").await, after);
    assert_eq!(state_of(&app, &a).await, "paid");
    assert_eq!(state_of(&app, &b).await, "payout_failed");
    let batch_state: String = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT state FROM payout_batches WHERE number = 1").fetch_one(p).await.unwrap());
    assert_eq!(batch_state, "done");

    // The claimants are told: the amount, the date, the last 3 digits only.
    let paid = app.last_mail("pa@example.jp").await;
    assert_eq!(paid.kind, "payment_sent");
    app.delivered(&paid).await;
    assert!(paid.subject.contains(&format!("[{a}]")));
    assert!(paid.body_text.contains("100,000") && paid.body_text.contains("001"));
    assert!(!paid.body_text.contains("4000001"));
    let failed = app.last_mail("pb@example.jp").await;
    assert_eq!(failed.kind, "payment_failed");
    app.delivered(&failed).await;
    // B waits on the payments page with the reason.
    let page = app.get(&payments, "/payments").await.text().await.unwrap();
    let failed = &page[page.find("振込できなかった案件").expect("the failed list")..];
    assert!(failed.contains(&b) && failed.contains("口座が解約されている"));
    // B's claimant is asked for another account and gives one (a bad one
    // first: refused beside the field, nothing written); a new batch takes B.
    let claimant_b = app.login("pb@example.jp", "kamome-no-suiheisen").await;
    let own = app
        .get(&claimant_b, &format!("/claims/{b}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(own.contains(&format!("/claims/{b}/payout-account")));
    let path = format!("/claims/{b}/payout-account");
    let mut account = account_form("4000009");
    account.push(("holder_kana", "ヤマダ ハナコ"));
    let mut bad = account.clone();
    bad.retain(|(k, _)| *k != "account_number");
    bad.push(("account_number", "12345678"));
    let res = app.post_form(&claimant_b, &path, &bad).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"account_number-error\"")
    );
    // Nobody else may change it.
    let res = app
        .post_form(
            &app.login("pa@example.jp", "kamome-no-suiheisen").await,
            &path,
            &account,
        )
        .await;
    assert_eq!(res.status(), 404);
    let to = app.post_ok(&claimant_b, &path, &account).await;
    assert_eq!(to, format!("/claims/{b}?account_changed=1"));
    let request2 = uuid::Uuid::new_v4().to_string();
    let to = app
        .post_ok(
            &payments,
            "/payments/batches",
            &[
                ("request_id", request2.as_str()),
                ("transfer_date", &earliest.to_string()),
            ],
        )
        .await;
    assert_eq!(to, "/payments/batches/2?made=1");
    assert_eq!(state_of(&app, &b).await, "payout_scheduled");
    assert_eq!(state_of(&app, &c).await, "in_review", "C is never paid");
    let account_now: String = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT l.account_number FROM payout_lines l JOIN payout_batches b ON b.id = l.batch_id WHERE b.number = 2",
    ).fetch_one(p).await.unwrap());
    assert_eq!(account_now, "4000009");
    // Released and paid: failed, rescheduled, paid.
    app.post_ok(
        &approver,
        "/payments/batches/2/release",
        &[("release", "yes")],
    )
    .await;
    app.post_ok(
        &payments,
        "/payments/batches/2/results",
        &[
            ("reference", b.as_str()),
            ("result", "paid"),
            ("paid_on", &today.to_string()),
        ],
    )
    .await;
    assert_eq!(state_of(&app, &b).await, "paid");

    // The ledger balances and its invariants hold; the database refuses a
    // second payment of the same debit and any change of an entry.
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(check.ok(), "{:?} {:?}", check.violations, check.bad_files);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM paid_debits").await, 2);
    let twice = app::on_db!(&app.state.db, p => sqlx::query(
        "INSERT INTO paid_debits (debit_line_id, claim_id, payout_line_id, bank_code, branch_code, account_number,
                                  debit_date, amount, bank_reference)
         SELECT l.id, l.claim_id, p.payout_line_id, p.bank_code, p.branch_code, p.account_number, p.debit_date,
                p.amount, p.bank_reference
         FROM paid_debits p JOIN debit_lines l ON l.claim_id = (SELECT id FROM claims WHERE reference = $1)",
    ).bind(&c).execute(p).await.map(|r| r.rows_affected()));
    assert!(twice.is_err(), "{twice:?}");
    let change = app::on_db!(&app.state.db, p => sqlx::query("UPDATE ledger_entries SET amount = 0")
        .execute(p).await.map(|r| r.rows_affected()));
    assert!(change.is_err());
    // The cost split: half of A's debit is the bank's (0125's default share).
    assert_eq!(
        scalar(
            &app,
            "SELECT CAST(SUM(bank_share) AS BIGINT) FROM cost_shares"
        )
        .await,
        100_000
    );
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let page = app.get(&admin, "/admin/ledger").await.text().await.unwrap();
    assert!(
        page.contains("台帳はすべての検査に合格しています"),
        "{page}"
    );
    let csv = app
        .get(&admin, "/admin/settlement.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("0125") && csv.contains("100000"),
        "{csv}"
    );
    assert!(
        csv.contains("銀行コード,銀行名,案件数") && !csv.contains("debits_paid"),
        "headers in words, as the other exports: {csv}"
    );
    let xlsx = app
        .get(&admin, "/admin/settlement.xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(
        sheet.get_value((1, 0)).map(|v| v.to_string()),
        Some("0125".into())
    );
    assert_eq!(
        sheet.get_value((1, 4)).map(|v| v.to_string()),
        Some("100000".into())
    );
    // Not for payments staff.
    assert_eq!(
        app.get(&payments, "/admin/settlement.csv").await.status(),
        403
    );
}

#[tokio::test]
async fn a_hundred_releases_and_result_recordings_at_once_have_one_effect_each() {
    let app = TestApp::spawn().await;
    let a = approved_claim(&app, "qa@example.jp", "4100001").await;
    // An admin sets 0125's share to 30%: out of range is refused beside the
    // field, nothing written.
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let res = app
        .post_form(
            &admin,
            "/admin/banks/share",
            &[("bank_code", "0125"), ("share_percent", "150")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("0から100までの数字を入力してください")
    );
    app.post_ok(
        &admin,
        "/admin/banks/share",
        &[("bank_code", "0125"), ("share_percent", "30")],
    )
    .await;
    // D's payout account is another one, held in a name the Zengin set
    // cannot write (ヷ): listed with the character before any file exists,
    // and left out of the batch.
    let d = approved_claim(&app, "qd@example.jp", "4100002").await;
    app::on_db!(&app.state.db, p => sqlx::query(
        "UPDATE claims SET payout_account_number = '7777777', payout_holder_kana = 'ヷタナベ ハナ' WHERE reference = $1",
    ).bind(&d).execute(p).await.map(|r| r.rows_affected())).unwrap();
    let payments = app.login("payments@redress.example", PASSWORD).await;
    let page = app.get(&payments, "/payments").await.text().await.unwrap();
    let problems = &page[page
        .find("振込データにできない案件")
        .expect("the problem list")..];
    assert!(
        problems.contains(&d) && problems.contains("「ヷ」"),
        "{problems}"
    );
    let res = app
        .post_form(
            &payments,
            "/admin/banks/share",
            &[("bank_code", "0125"), ("share_percent", "0")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    let request = uuid::Uuid::new_v4().to_string();
    app.post_ok(
        &payments,
        "/payments/batches",
        &[("request_id", request.as_str()), ("transfer_date", &date)],
    )
    .await;
    assert_eq!(
        state_of(&app, &d).await,
        "approved",
        "D is not in the batch"
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM payout_lines").await, 1);
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, url) = (approver.clone(), app.url("/payments/batches/1/release"));
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[("release", "yes")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 303 || *s == 409),
        "{statuses:?}"
    );

    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, url) = (payments.clone(), app.url("/payments/batches/1/results"));
        // Paid today: the release was today, and a later date is refused.
        let (a, date) = (a.clone(), today.to_string());
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .form(&[
                    ("reference", a.as_str()),
                    ("result", "paid"),
                    ("paid_on", date.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        let s = t.await.unwrap();
        assert!(s == 303 || s == 409, "{s}");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'pay'"
        )
        .await,
        2
    );
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'payment_sent'"
        )
        .await,
        1
    );
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(check.ok(), "{:?}", check.violations);
    assert_eq!(
        scalar(
            &app,
            "SELECT CAST(SUM(bank_share) AS BIGINT) FROM cost_shares"
        )
        .await,
        30_000
    );
}

#[tokio::test]
async fn the_payout_batches_download_as_csv_for_whoever_sees_the_payments_page() {
    let app = TestApp::spawn().await;
    approved_claim(&app, "pcsv-a@example.jp", "4100001").await;
    approved_claim(&app, "pcsv-b@example.jp", "4100002").await;
    let payments = app.login("payments@redress.example", PASSWORD).await;
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let page = app.get(&payments, "/payments").await.text().await.unwrap();
    let request_id = request_id_of(&page);
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    app.post_ok(
        &payments,
        "/payments/batches",
        &[
            ("request_id", request_id.as_str()),
            ("transfer_date", &date),
        ],
    )
    .await;
    let rows = csv_download(&app, &approver, "/payments/batches.csv").await;
    assert_eq!(
        rows,
        [
            vec![
                "番号",
                "状態",
                "振込指定日",
                "件",
                "金額",
                "作成者",
                "承認者",
                "振込データのSHA-256"
            ],
            vec![
                "1",
                "承認待ち",
                &date,
                "2",
                "200000",
                "payments@redress.example",
                "",
                ""
            ],
        ]
    );
    // Released and exported: the releaser and the file's hash appear.
    app.post_ok(
        &approver,
        "/payments/batches/1/release",
        &[("release", "yes")],
    )
    .await;
    let file = app
        .get(&payments, "/payments/batches/1/zengin.txt")
        .await
        .bytes()
        .await
        .unwrap();
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&file));
    let rows = csv_download(&app, &payments, "/payments/batches.csv").await;
    assert_eq!(
        rows[1],
        [
            "1",
            "承認済み(送金中)",
            &date,
            "2",
            "200000",
            "payments@redress.example",
            "approver@redress.example",
            &sha
        ]
    );
    let page = app.get(&payments, "/payments").await.text().await.unwrap();
    assert!(page.contains("href=\"/payments/batches.csv\""));
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(
        app.get(&reviewer, "/payments/batches.csv").await.status(),
        403
    );
    assert_eq!(
        app.get(&app.client(), "/payments/batches.csv")
            .await
            .status(),
        401
    );
}

/// Two approvers approve, at the same moment, two cases naming one debit:
/// with the same bank reference, and with none on one side (a blank
/// reference cannot tell two debits apart). The database lets one win; the
/// other is refused whole, and the debit is reserved once.
#[tokio::test]
async fn two_approvals_of_one_debit_at_once_reserve_it_once() {
    let app = TestApp::spawn().await;
    let first = app.login("approver@redress.example", PASSWORD).await;
    let second = app.login("approver2@redress.example", PASSWORD).await;
    let rounds: [(&'static str, &str, &str); 3] = [
        ("4300001", "TX-0001", "TX-0001"),
        ("4300002", "", "TX-0002"),
        ("4300003", "TX-0003", ""),
    ];
    for (i, (account, ref_x, ref_y)) in rounds.into_iter().enumerate() {
        let x = assessed_claim_with(&app, &format!("race{i}x@example.jp"), account, ref_x).await;
        let y = assessed_claim_with(&app, &format!("race{i}y@example.jp"), account, ref_y).await;
        let (vx, vy) = (version_of(&app, &x).await, version_of(&app, &y).await);
        let post = |client: &reqwest::Client, reference: &str, version: String| {
            client
                .post(app.url(&format!("/staff/claims/{reference}/approve")))
                .form(&[("version", version)])
                .send()
        };
        let (rx, ry) = tokio::join!(post(&first, &x, vx), post(&second, &y, vy));
        let mut statuses = [rx.unwrap().status().as_u16(), ry.unwrap().status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 409], "round {i}");
        let states = [state_of(&app, &x).await, state_of(&app, &y).await];
        assert_eq!(
            states.iter().filter(|s| *s == "approved").count(),
            1,
            "round {i}: {states:?}"
        );
        let held: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM debit_reservations WHERE account_number = $1 AND released_at IS NULL",
        ).bind(account).fetch_one(p).await.unwrap());
        assert_eq!(held, 1, "round {i}");
    }
    assert_eq!(
        scalar(
            &app,
            "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'approve'"
        )
        .await,
        6,
        "three approvals, two legs each"
    );
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(check.ok(), "{:?}", check.violations);
}

/// An approver takes an approval back before any money moved: the case's
/// debit is released (the other claim of it may then be approved), what the
/// ledger owed is revoked, the claimant is told; a failed transfer that will
/// not be retried is taken back the same way. A paid or scheduled case
/// cannot be.
#[tokio::test]
async fn an_approval_taken_back_releases_its_debit_for_the_other_claim() {
    let app = TestApp::spawn().await;
    let a = assessed_claim(&app, "ra@example.jp", "4500001").await;
    let c = assessed_claim(&app, "rc@example.jp", "4500001").await;
    assert_eq!(approve(&app, &a).await.status(), 303);
    assert_eq!(approve(&app, &c).await.status(), 409);
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let page = app
        .get(&approver, &format!("/staff/claims/{a}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/staff/claims/{a}/reopen")));
    // A reason is asked for; nothing is written without one.
    let path = format!("/staff/claims/{a}/reopen");
    let version = version_of(&app, &a).await;
    let entries = app.count("ledger_entries").await;
    let res = app
        .post_form(&approver, &path, &[("version", version.as_str())])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"reopen_reason-error\"")
    );
    assert_eq!(app.count("ledger_entries").await, entries);
    // Not for a reviewer.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let form = [
        ("version", version.as_str()),
        ("reopen_reason", "A is the relative's claim of C's debit"),
    ];
    assert_eq!(app.post_form(&reviewer, &path, &form).await.status(), 403);
    app.post_ok(&approver, &path, &form).await;
    assert_eq!(state_of(&app, &a).await, "in_review");
    let owed_a: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(-SUM(l.amount), 0) AS BIGINT) FROM ledger_entries l JOIN claims c ON c.id = l.claim_id
         WHERE c.reference = $1 AND l.account = 'owed_to_claimant'",
    ).bind(&a).fetch_one(p).await.unwrap());
    assert_eq!(owed_a, 0, "nothing is owed to A any more");
    assert_eq!(app.last_mail("ra@example.jp").await.kind, "reopened");
    // C can now be approved; A cannot be assessed to pay the debit again.
    assert_eq!(approve(&app, &c).await.status(), 303);
    let res = assess_in_full(&app, &reviewer, &a).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"approved_debit_1-error\"")
    );

    // C's transfer fails and will not be retried: taken back the same way.
    let payments = app.login("payments@redress.example", PASSWORD).await;
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    let request = uuid::Uuid::new_v4().to_string();
    app.post_ok(
        &payments,
        "/payments/batches",
        &[("request_id", request.as_str()), ("transfer_date", &date)],
    )
    .await;
    // Scheduled: cannot be taken back.
    let version = version_of(&app, &c).await;
    let form = [
        ("version", version.as_str()),
        ("reopen_reason", "The claimant asked us to wait"),
    ];
    let res = app
        .post_form(&approver, &format!("/staff/claims/{c}/reopen"), &form)
        .await;
    assert_eq!(res.status(), 409);
    app.post_ok(
        &app.login("approver2@redress.example", PASSWORD).await,
        "/payments/batches/1/release",
        &[("release", "yes")],
    )
    .await;
    app.post_ok(
        &payments,
        "/payments/batches/1/results",
        &[
            ("reference", c.as_str()),
            ("result", "failed"),
            ("fail_reason", "account_closed"),
        ],
    )
    .await;
    assert_eq!(state_of(&app, &c).await, "payout_failed");
    let version = version_of(&app, &c).await;
    app.post_ok(
        &approver,
        &format!("/staff/claims/{c}/reopen"),
        &[
            ("version", version.as_str()),
            (
                "reopen_reason",
                "The account is closed; the claimant gives up the claim",
            ),
        ],
    )
    .await;
    assert_eq!(state_of(&app, &c).await, "in_review");
    let held: i64 = scalar(
        &app,
        "SELECT COUNT(*) FROM debit_reservations WHERE released_at IS NULL",
    )
    .await;
    assert_eq!(held, 0);
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert!(check.ok(), "{:?}", check.violations);
    // Nothing is owed to either: a new batch finds nothing to pay.
    let request = uuid::Uuid::new_v4().to_string();
    let res = app
        .post_form(
            &payments,
            "/payments/batches",
            &[("request_id", request.as_str()), ("transfer_date", &date)],
        )
        .await;
    assert_eq!(res.status(), 422);
}

/// A batch whose case no longer holds a debit it pays (here its reservation
/// was ended behind the product's back, as a bug or a bad migration would)
/// is shown with the line at fault and cannot be released, on the page or
/// by a post; the ledger check names it too.
#[tokio::test]
async fn a_batch_paying_a_debit_its_case_does_not_hold_is_never_released() {
    let app = TestApp::spawn().await;
    let a = approved_claim(&app, "ua@example.jp", "4600001").await;
    let b = approved_claim(&app, "ub@example.jp", "4600002").await;
    let payments = app.login("payments@redress.example", PASSWORD).await;
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    let request = uuid::Uuid::new_v4().to_string();
    app.post_ok(
        &payments,
        "/payments/batches",
        &[("request_id", request.as_str()), ("transfer_date", &date)],
    )
    .await;
    app::on_db!(&app.state.db, p => sqlx::query(
        "UPDATE debit_reservations SET released_at = reserved_at, release_reason = 'test'
         WHERE claim_id = (SELECT id FROM claims WHERE reference = $1)",
    ).bind(&b).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let page = app
        .get(&approver, "/payments/batches/1")
        .await
        .text()
        .await
        .unwrap();
    let conflicts = &page[page.find("batch-conflicts").expect("the conflicts")..];
    assert!(
        conflicts.contains(&format!("href=\"/staff/claims/{b}\""))
            && conflicts.contains("案件がこの引き出しを確保していません")
            && !conflicts.contains(&format!("href=\"/staff/claims/{a}\"")),
        "{conflicts}"
    );
    assert!(
        !page.contains("/payments/batches/1/release"),
        "no release offered"
    );
    let res = app
        .post_form(
            &approver,
            "/payments/batches/1/release",
            &[("release", "yes")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("案件が確保していない引き出し")
    );
    let state: String = app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>(
        "SELECT state FROM payout_batches WHERE number = 1").fetch_one(p).await.unwrap());
    assert_eq!(state, "open");
    let check = app::server::services::payouts::check_ledger(&app.state)
        .await
        .unwrap();
    assert_eq!(
        check.violations.debits_unreserved, 1,
        "{:?}",
        check.violations
    );
}

/// Once paid, the claimant's claim page shows what was approved, what was
/// paid, when, to which account (masked), and, in the reviewer's words,
/// why a line was approved for less; "My claims" shows the amount paid
/// beside the amount claimed. Before the bank's result it says when the
/// transfer is due.
#[tokio::test]
async fn a_paid_claim_shows_its_claimant_the_amount_the_date_the_masked_account_and_why_less() {
    let app = TestApp::spawn().await;
    let (claimant, key) = app
        .draft_for(
            "paid-view@example.jp",
            &[],
            "5200001",
            &[("2020-09-04".to_owned(), "100,000")],
        )
        .await;
    let reference = app.send_draft(&claimant, &key).await;
    crate::decisions::bank_confirms_with(&app, &reference, "TX-PV1").await;
    let reviewer = app.staff("reviewer@redress.example").await;
    let why = "振込手数料の分は補償の対象外です";
    let mut fields = assessment_form(&app, &reviewer, &reference).await;
    for (k, v) in fields.iter_mut() {
        if k.starts_with("ack_") {
            *v = "Seen".into();
        }
        match k.as_str() {
            "approved_debit_1" => *v = "99,560".into(),
            "approved_debit_1_note" => *v = why.into(),
            "outcome" => *v = "pay".into(),
            _ => {}
        }
    }
    let res = app
        .post_form(
            &reviewer,
            &format!("/staff/claims/{reference}/assess"),
            &as_pairs(&fields),
        )
        .await;
    assert_eq!(res.status(), 303, "assessed");
    assert_eq!(approve(&app, &reference).await.status(), 303);
    let claim_page = || async {
        app.get(&claimant, &format!("/claims/{reference}"))
            .await
            .text()
            .await
            .unwrap()
    };
    let page = claim_page().await;
    assert!(
        page.contains("認定額") && page.contains("99,560円"),
        "{page}"
    );
    assert!(page.contains(why), "the reviewer's reason");

    let payments = app.staff("payments@redress.example").await;
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    let request_id = request_id_of(&app.get(&payments, "/payments").await.text().await.unwrap());
    app.post_ok(
        &payments,
        "/payments/batches",
        &[("request_id", &request_id), ("transfer_date", &date)],
    )
    .await;
    let approver = app.staff("approver@redress.example").await;
    app.post_ok(
        &approver,
        "/payments/batches/1/release",
        &[("release", "yes")],
    )
    .await;
    let page = claim_page().await;
    assert!(
        page.contains(&format!("{date}に振り込む予定です")),
        "scheduled: {page}"
    );
    let masked = app::domain::account::mask_account("5200001");
    assert!(page.contains(&masked), "the account, masked: {page}");
    assert!(page.contains("七十七銀行"), "the bank as people write it");

    let results = format!("reference,result,date,reason,note\n{reference},paid,{today},,\n");
    let res = multipart_post(
        &app,
        &payments,
        "/payments/batches/1/results-file",
        &results,
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(state_of(&app, &reference).await, "paid");
    let page = claim_page().await;
    assert!(page.contains(&format!("{today}に振り込みました")), "{page}");
    let transfer = page
        .split("お振込み")
        .nth(1)
        .and_then(|t| t.split("</dl>").next())
        .unwrap_or_default();
    assert!(transfer.contains("99,560円") && transfer.contains(&masked));
    assert!(
        !transfer.contains("5200001"),
        "the destination masked (the debit lines show the claimant's own numbers)"
    );
    // My claims: the amount paid beside the amount claimed.
    let list = app.get(&claimant, "/claims").await.text().await.unwrap();
    assert!(
        list.contains("申請額 100,000円") && list.contains("支払額 99,560円"),
        "{list}"
    );
    // The same in English.
    app.post_form(&claimant, "/lang", &[("to", "en"), ("back", "/claims")])
        .await;
    let en = app
        .get(&claimant, &format!("/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        en.contains(&format!("paid on {today}")) && en.contains("Amount approved"),
        "{en}"
    );
}

/// A bank's queue has every state: a case approved (past the banks' check)
/// leaves "open" but stays under "all" and "closed", and its search finds
/// it, as the bank's dashboard counts it.
#[tokio::test]
async fn a_banks_queue_keeps_its_cases_after_approval_under_all_and_closed() {
    let app = TestApp::spawn().await;
    let reference = approved_claim(&app, "bank-all@example.jp", "5300001").await;
    let bank = app.staff("bank.77@redress.example").await;
    let listed_here = |status: &'static str| {
        let (app, bank, reference) = (&app, bank.clone(), reference.clone());
        async move {
            let (s, page) = app
                .html(&bank, &format!("/bank/queue?status={status}&q={reference}"))
                .await;
            assert_eq!(s, 200, "{status}");
            page.contains(&format!("/bank/claims/{reference}"))
        }
    };
    assert!(!listed_here("open").await, "nothing left to answer");
    assert!(listed_here("closed").await, "closed: past the banks' check");
    assert!(
        listed_here("all").await,
        "all: every case with a line at the bank"
    );
    let (_, page) = app.html(&bank, "/bank/queue?status=closed").await;
    assert!(page.contains("確認を終えた申請"), "the filter is offered");
}
