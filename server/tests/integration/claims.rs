//! A claim from the claimant's form to the operator's and the bank's queues.

use crate::helpers::*;

#[tokio::test]
async fn a_claim_reaches_the_reviewer_and_only_the_named_bank() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    assert_eq!(app.get(&claimant, "/claims/new").await.status(), 200);
    let reference = app.file_claim(&claimant).await;
    assert_eq!(
        reference, "RD-000004",
        "the demo data holds three claims before it"
    );

    // The confirmation page shows the reference; "My claims" lists it as submitted.
    let page = app
        .get(&claimant, &format!("/claims/{reference}?sent=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("申請を受け付けました") && page.contains(&reference));
    assert!(
        page.contains("1234567"),
        "the claimant sees their own account number"
    );
    let list = app.get(&claimant, "/claims").await.text().await.unwrap();
    assert!(list.contains(&reference) && list.contains("受付済み"));
    // A confirmation mail went to the claimant with the reference in its subject.
    let mail = app.last_mail("claimant@redress.example").await;
    assert!(mail.subject.contains(&reference));
    assert!(
        !mail.body_text.contains("1234567"),
        "no account number in mail"
    );

    // The reviewer sees it first in the queue; the account number is masked.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let queue = app
        .get(&reviewer, "/staff/queue?sort=newest")
        .await
        .text()
        .await
        .unwrap();
    let first = queue.find("RD-0000").unwrap();
    assert_eq!(&queue[first..first + 9], reference, "newest first");
    let case = app
        .get(&reviewer, &format!("/staff/claims/{reference}"))
        .await;
    assert_eq!(case.status(), 200);
    let case = case.text().await.unwrap();
    assert!(case.contains("****567") && !case.contains("1234567"));

    // The named bank sees the line, with the full account number.
    let bank = app.login("bank.77@redress.example", PASSWORD).await;
    let bank_queue = app.get(&bank, "/bank/queue").await.text().await.unwrap();
    assert!(bank_queue.contains(&reference) && bank_queue.contains("1234567"));
    assert_eq!(
        app.get(&bank, &format!("/bank/claims/{reference}"))
            .await
            .status(),
        200
    );

    // Another bank sees nothing of it: not in its queue, 404 on its URL and server function.
    let other = app.login("bank.yucho@redress.example", PASSWORD).await;
    let other_queue = app.get(&other, "/bank/queue").await.text().await.unwrap();
    assert!(!other_queue.contains(&reference));
    assert!(
        other_queue.contains("RD-000002"),
        "its own demo claim is there"
    );
    let res = app.get(&other, &format!("/bank/claims/{reference}")).await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("1234567"));
    let res = other
        .post(app.url("/api/bank_case"))
        .form(&[("reference", reference.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // Another claimant cannot open it either.
    let stranger = app
        .register_claimant("other@example.jp", "kamome-no-suiheisen")
        .await;
    assert_eq!(
        app.get(&stranger, &format!("/claims/{reference}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn every_bad_field_is_answered_with_a_message_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.post_ok(&claimant, &format!("/claims/{key}/about"), &about_form())
        .await;
    let debit_page = app
        .post_ok(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &account_form("7654321"),
        )
        .await;
    let answers_before = draft_answers(&app, &key).await;
    let outbox_before = app.count("outbox").await;

    let about = format!("/claims/{key}/about");
    let account = format!("/claims/{key}/add-account");
    let cases: &[(&str, &str, &str, &str)] = &[
        (&about, "full_name", "", "氏名を入力してください"),
        (
            &about,
            "full_name",
            "<script>alert(1)</script>",
            "氏名に使えない文字",
        ),
        (&about, "name_kana", "鈴木", "カタカナかひらがな"),
        (&about, "phone", "12345", "090-1234-5678"),
        (&about, "birth_date", "1800-01-01", "生年月日を正しく"),
        (&about, "postal_code", "12-34", "7桁の数字"),
        (&about, "address", "", "住所を入力"),
        (&about, "contact", "fax", "連絡方法を選んで"),
        (&about, "compensated", "", "補償を受けたかどうか"),
        (&account, "bank", "", "銀行を選んでください"),
        (&account, "bank", "0001", "この銀行はまだ参加していません"),
        (&account, "branch", "", "支店番号または支店名"),
        (&account, "branch", "999", "その支店は見つかりません"),
        (&account, "account_type", "pin", "口座の種類を一覧から"),
        (&account, "account_number", "12345678", "7桁以内"),
        (
            &account,
            "account_number",
            "7654321",
            "すでに追加されています",
        ),
        (&debit_page, "date", "2099-01-01", "未来の日付"),
        (&debit_page, "date", "yesterday", "2020-09-03 の形"),
        (&debit_page, "amount", "0", "1円から10,000,000円"),
        (&debit_page, "amount", "10000001", "1円から10,000,000円"),
        (&debit_page, "amount", "12.5", "円単位の数字"),
        (&debit_page, "descriptor", "", "通帳に表示された内容"),
    ];
    for (path, field, value, message) in cases {
        let mut form = if *path == about {
            about_form()
        } else if *path == account {
            account_form("1111111")
        } else {
            debit_form("2020-09-04", "5000")
        };
        form.retain(|(f, _)| f != field);
        form.push((field, value));
        let res = app.post_form(&claimant, path, &form).await;
        assert_eq!(res.status(), 422, "{field}={value}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "message next to {field}"
        );
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "summary links to {field}"
        );
        assert!(html.contains(message), "{field}={value}: {message}");
        if *path == about && *field != "name_kana" {
            assert!(html.contains("スズキ イチロウ"), "what was typed is kept");
        }
    }
    assert_eq!(
        draft_answers(&app, &key).await,
        answers_before,
        "nothing saved"
    );
    assert_eq!(app.count("outbox").await, outbox_before);

    // A draft cannot be sent before every section is complete, nor without
    // the declaration and the consent.
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{key}/check"),
            &[("declare_true", "yes"), ("declare_share", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422);
    app.post_ok(&claimant, &debit_page, &debit_form("2020-09-04", "5000"))
        .await;
    app.complete_draft(&claimant, &key, &[]).await;
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{key}/check"),
            &[("declare_true", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("id=\"declare_share-error\"")
    );
}

pub async fn draft_answers(app: &TestApp, key: &str) -> String {
    let id = uuid::Uuid::parse_str(key).unwrap();
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>("SELECT answers FROM drafts WHERE id = $1").bind(id).fetch_one(p).await.unwrap())
}

#[tokio::test]
async fn fifty_claims_sent_ten_at_once_all_land_and_a_draft_sent_twice_at_once_lands_once() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let before = app.count("claims").await;
    for _ in 0..5 {
        let mut keys = Vec::new();
        for _ in 0..10 {
            let key = app.start_draft(&claimant).await;
            app.complete_draft(&claimant, &key, &[]).await;
            keys.push(key);
        }
        // The first draft is sent twice at once: one claim; the other send
        // finds it sent (409) or already gone (404).
        keys.push(keys[0].clone());
        let mut tasks = Vec::new();
        for key in keys {
            let client = claimant.clone();
            let url = app.url(&format!("/claims/{key}/check"));
            tasks.push(tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[("declare_true", "yes"), ("declare_share", "yes")])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().as_u16());
        }
        statuses.sort();
        assert_eq!(statuses[..10], [303; 10], "{statuses:?}");
        assert!(matches!(statuses[10], 404 | 409), "{statuses:?}");
    }
    assert_eq!(app.count("claims").await, before + 50);
    let distinct: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(DISTINCT reference) FROM claims").fetch_one(p).await.unwrap());
    assert_eq!(distinct, before + 50, "every claim has its own reference");

    // The queue pages by 50, newest first: the oldest claim is on page 2.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let page1 = app
        .get(&reviewer, "/staff/queue?sort=newest")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page1.matches("<tr><td><a href=\"/staff/claims/").count(),
        50
    );
    assert!(!page1.contains(">RD-000001<") && page1.contains("rel=\"next\""));
    let page2 = app
        .get(&reviewer, "/staff/queue?sort=newest&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(page2.contains(">RD-000001<") && page2.contains("rel=\"prev\""));
    assert!(page2.contains("52"), "the count of the whole queue");
}

#[tokio::test]
async fn pages_are_guarded_by_role() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    assert_eq!(app.get(&anonymous, "/claims").await.status(), 401);
    assert_eq!(app.get(&anonymous, "/staff/queue").await.status(), 401);
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    assert_eq!(app.get(&claimant, "/staff/queue").await.status(), 403);
    assert_eq!(app.get(&claimant, "/bank/queue").await.status(), 403);
    assert_eq!(app.get(&claimant, "/admin/banks").await.status(), 403);
    let bank = app.login("bank.77@redress.example", PASSWORD).await;
    assert_eq!(
        app.get(&bank, "/staff/claims/RD-000001").await.status(),
        403
    );
    assert_eq!(app.post_form(&bank, "/claims/new", &[]).await.status(), 403);
    // Arguments a server function cannot read: 400, not 500.
    assert_eq!(
        claimant
            .post(app.url("/api/operator_queue"))
            .form(&[("page", "1")])
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    // Server functions answer with the same statuses.
    assert_eq!(
        anonymous
            .post(app.url("/api/operator_queue"))
            .form(&[("query[page]", "1")])
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        claimant
            .post(app.url("/api/operator_queue"))
            .form(&[("query[page]", "1")])
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(
        reviewer
            .post(app.url("/api/operator_queue"))
            .form(&[("query[page]", "1")])
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn an_admin_chooses_the_participating_banks() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let res = app
        .post_form(
            &admin,
            "/admin/banks",
            &[("bank_code", "0001"), ("participating", "yes")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.get(&admin, "/admin/banks")
            .await
            .text()
            .await
            .unwrap()
            .contains("みずほ")
    );
    let res = app
        .post_form(
            &admin,
            "/admin/banks",
            &[("bank_code", "12"), ("participating", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &admin,
            "/admin/banks",
            &[("bank_code", "0002"), ("participating", "yes")],
        )
        .await;
    assert_eq!(res.status(), 422, "no bank has code 0002");
    // The claim form now offers it.
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    assert!(
        app.get(&claimant, &format!("/claims/{key}/add-account"))
            .await
            .text()
            .await
            .unwrap()
            .contains("value=\"0001\"")
    );
    // Removing asks first: the list's button leads to the question, and
    // the bank stays until the answer.
    let participating = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            app::on_db!(&db, p => sqlx::query_scalar::<_, bool>("SELECT participating FROM banks WHERE code = '0001'").fetch_one(p).await.unwrap())
        }
    };
    let res = app
        .post_form(
            &admin,
            "/admin/banks",
            &[("bank_code", "0001"), ("participating", "no")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/admin/banks?remove=0001#remove-bank");
    assert!(participating(&app).await, "not removed by one click");
    let page = app
        .get(&admin, "/admin/banks?remove=0001")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("みずほ銀行を参加銀行から外しますか"),
        "{page}"
    );
    assert!(page.contains("name=\"confirm\" value=\"yes\""));
    let res = app
        .post_form(
            &admin,
            "/admin/banks",
            &[
                ("bank_code", "0001"),
                ("participating", "no"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(!participating(&app).await, "removed once confirmed");
}

#[tokio::test]
async fn branch_suggestions_need_a_login_and_a_participating_bank() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    let res = anonymous
        .post(app.url("/api/branch_suggestions"))
        .form(&[("bank", "0125"), ("q", "本店")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let ask = |bank: &'static str, q: &'static str| {
        let claimant = claimant.clone();
        let url = app.url("/api/branch_suggestions");
        async move {
            let res = claimant
                .post(url)
                .form(&[("bank", bank), ("q", q)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Vec<serde_json::Value>>().await.unwrap()
        }
    };
    let found = ask("0125", "本店").await;
    assert!(
        found
            .iter()
            .any(|b| b["code"] == "100" && b["name"] == "本店営業部"),
        "{found:?}"
    );
    assert!(
        ask("0125", "10")
            .await
            .iter()
            .all(|b| b["code"].as_str().unwrap().starts_with("10"))
    );
    assert!(
        ask("0001", "本店").await.is_empty(),
        "not a participating bank"
    );
    assert!(
        ask("0125", "%").await.is_empty(),
        "LIKE wildcards are escaped"
    );
}

#[tokio::test]
async fn anyone_can_check_a_reference_with_the_phone_digits_and_it_is_rate_limited() {
    let app = TestApp::spawn().await;
    let client = app.client();
    // Demo claim RD-000001 was filed with the phone 022-123-4567.
    let res = app
        .post_form(
            &client,
            "/genuine",
            &[("reference", "rd-000001"), ("phone_last4", "4567")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("申請 RD-000001 は存在します。現在の状況：受付済み"),
        "found with its public status"
    );
    assert!(!html.contains("山田"), "no personal data");
    // A wrong phone and a wrong reference read the same.
    let wrong_phone = app
        .post_form(
            &client,
            "/genuine",
            &[("reference", "RD-000001"), ("phone_last4", "0000")],
        )
        .await;
    let wrong_ref = app
        .post_form(
            &client,
            "/genuine",
            &[("reference", "RD-999999"), ("phone_last4", "4567")],
        )
        .await;
    for res in [wrong_phone, wrong_ref] {
        assert_eq!(res.status(), 200);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("その申請番号と電話番号の組み合わせは見つかりません")
        );
    }
    let res = app
        .post_form(
            &client,
            "/genuine",
            &[("reference", "123"), ("phone_last4", "45")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"reference-error\"") && html.contains("id=\"phone_last4-error\""));
    // 10 lookups per 10 minutes per address: 4 so far, the 11th is refused.
    let mut last = 0;
    for _ in 0..7 {
        last = app
            .post_form(
                &client,
                "/genuine",
                &[("reference", "RD-000002"), ("phone_last4", "1111")],
            )
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn a_claimant_withdraws_a_claim_once_and_the_history_records_it() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let page = app
        .get(&claimant, "/claims/RD-000001")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("申請を受け付けました"),
        "the timeline shows the submission"
    );
    assert!(
        page.contains("href=\"/claims/RD-000001/withdraw\""),
        "withdrawal is offered"
    );
    assert_eq!(
        app.get(&claimant, "/claims/RD-000001/withdraw")
            .await
            .status(),
        200
    );

    // Another claimant, bank staff and the anonymous cannot.
    let bank = app.login("bank.77@redress.example", PASSWORD).await;
    assert_eq!(
        app.post_form(&bank, "/claims/RD-000001/withdraw", &[("reason", "x")])
            .await
            .status(),
        403
    );
    let anonymous = app.client();
    assert_eq!(
        app.post_form(&anonymous, "/claims/RD-000001/withdraw", &[("reason", "x")])
            .await
            .status(),
        303
    );
    let stranger = app
        .register_claimant("w@example.jp", "kamome-no-suiheisen")
        .await;
    assert_eq!(
        app.get(&stranger, "/claims/RD-000001/withdraw")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_form(&stranger, "/claims/RD-000001/withdraw", &[("reason", "x")])
            .await
            .status(),
        404
    );

    let long = "あ".repeat(1001);
    let res = app
        .post_form(
            &claimant,
            "/claims/RD-000001/withdraw",
            &[("reason", long.as_str())],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"reason-error\""));

    let res = app
        .post_form(
            &claimant,
            "/claims/RD-000001/withdraw",
            &[("reason", "銀行から補償を受けました")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/claims/RD-000001?withdrawn=1");
    let page = app
        .get(&claimant, "/claims/RD-000001?withdrawn=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("申請を取り下げました") && page.contains("取り下げ済み"));
    assert!(
        !page.contains("/claims/RD-000001/withdraw\""),
        "no longer offered"
    );

    // Once only: the claimant cannot withdraw (or undo) again.
    let res = app
        .post_form(&claimant, "/claims/RD-000001/withdraw", &[("reason", "")])
        .await;
    assert_eq!(res.status(), 409);
    let (state, note): (String, Option<String>) = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT c.state, e.note FROM claims c JOIN claim_events e ON e.claim_id = c.id
         WHERE c.reference = 'RD-000001' AND e.action = 'withdraw'").fetch_one(p).await.unwrap());
    assert_eq!(state, "withdrawn");
    assert_eq!(note.as_deref(), Some("銀行から補償を受けました"));
    // Withdrawn claims leave the queues.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert!(
        !app.get(&reviewer, "/staff/queue")
            .await
            .text()
            .await
            .unwrap()
            .contains(">RD-000001<")
    );
    let list = app.get(&claimant, "/claims").await.text().await.unwrap();
    assert!(list.contains("最終更新"));
}

/// A stored draft that cannot be read is never shown empty nor written
/// over: its page and every save answer 500 (logged with what it was
/// doing), and the row stays as it was for someone to repair.
#[tokio::test]
async fn a_draft_that_cannot_be_read_is_never_written_over() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.post_ok(&claimant, &format!("/claims/{key}/about"), &about_form())
        .await;
    let garbled = r#"{"about":{"full_name":"山田 花子"},"accounts":"from a future version"}"#;
    app::on_db!(&app.state.db, p => sqlx::query("UPDATE drafts SET answers = $2 WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&key).unwrap()).bind(garbled).execute(p).await.unwrap().rows_affected());
    assert_eq!(
        app.html(&claimant, &format!("/claims/{key}/about")).await.0,
        500
    );
    let res = app
        .post_form(&claimant, &format!("/claims/{key}/about"), &about_form())
        .await;
    assert_eq!(res.status(), 500);
    let stored: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT answers FROM drafts WHERE id = $1")
        .bind(uuid::Uuid::parse_str(&key).unwrap()).fetch_one(p).await.unwrap());
    assert_eq!(stored, garbled, "nothing was written over the row");
    // The list of drafts still lists it (with no total, not a zero one).
    let (status, page) = app.html(&claimant, "/claims/new").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/claims/{key}\"")), "{page}");
}

/// The start page is for visitors too: 200 (it was 401, a failed resource
/// to the browser and invisible to search engines), and starting asks to
/// log in.
#[tokio::test]
async fn the_start_page_answers_a_visitor_200_and_starting_asks_to_log_in() {
    let app = TestApp::spawn().await;
    let visitor = app.client();
    let res = app.get(&visitor, "/claims/new").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("www-authenticate").is_none());
    assert!(res.text().await.unwrap().contains("id=\"start\""));
    let res = app.post_form(&visitor, "/claims/new", &[]).await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"), "{}", location(&res));
    // A bank clerk is still refused the claimant's drafts.
    let bank = app.staff("bank.77@redress.example").await;
    assert_eq!(app.get(&bank, "/claims/new").await.status(), 403);
}
