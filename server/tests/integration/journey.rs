//! The claimant's journey: drafts, sections, lines, evidence, payout,
//! sending, the lock, answering a request, draft expiry.

use crate::helpers::*;

async fn claim_id(app: &TestApp, reference: &str) -> uuid::Uuid {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM claims WHERE reference = $1").bind(reference).fetch_one(p).await.unwrap())
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await.unwrap())
}

#[tokio::test]
async fn a_whole_claim_is_written_over_two_sessions_sent_and_followed() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    let base = format!("/claims/{key}");

    // The task list: seven sections, none complete.
    let tasks = app.get(&claimant, &base).await.text().await.unwrap();
    assert!(tasks.contains("7項目中0項目が完了"), "{tasks}");
    assert!(
        tasks.contains("まだ開始できません"),
        "payout waits for an account"
    );

    app.post_ok(&claimant, &format!("{base}/about"), &about_form())
        .await;
    let first = app
        .post_ok(
            &claimant,
            &format!("{base}/add-account"),
            &account_form("1234567"),
        )
        .await;
    app.post_ok(&claimant, &first, &debit_form("2020-09-03", "100,000"))
        .await;
    app.post_ok(
        &claimant,
        &first,
        &debit_form("2020-09-04", "５０，０００円"),
    )
    .await;

    // Log out; a new session days later continues where it stopped.
    app.post_ok(&claimant, "/logout", &[]).await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let list = app.get(&claimant, "/claims").await.text().await.unwrap();
    assert!(
        list.contains(&format!("href=\"/claims/{key}\"")),
        "the draft is listed"
    );
    let debits = app
        .get(&claimant, &format!("{base}/debits"))
        .await
        .text()
        .await
        .unwrap();
    assert!(debits.contains("150,000円"), "running total of the lines");

    // A second account at another bank, with one line changed after adding it.
    let second = app
        .post_ok(
            &claimant,
            &format!("{base}/add-account"),
            &[
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "7654321"),
            ],
        )
        .await;
    app.post_ok(&claimant, &second, &debit_form("2020-09-05", "1"))
        .await;
    let line: String = {
        let answers = crate::claims::draft_answers(&app, &key).await;
        let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
        doc["accounts"][1]["lines"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let page = app
        .get(&claimant, &format!("{base}/debits/{line}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"2020-09-05\""),
        "the change page shows the stored answer"
    );
    app.post_ok(
        &claimant,
        &format!("{base}/debits/{line}"),
        &[
            ("date", "2020-09-05"),
            ("amount", "30000"),
            ("descriptor", "デイーバライ"),
            ("reference", "W-998877"),
        ],
    )
    .await;
    // A line added by mistake is removed again.
    app.post_ok(&claimant, &second, &debit_form("2020-09-06", "999"))
        .await;
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let extra = doc["accounts"][1]["lines"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post_ok(&claimant, &format!("{base}/debits/{extra}/remove"), &[])
        .await;
    app.post_ok(&claimant, &format!("{base}/debits"), &[]).await;

    // One call, one journey.
    app.post_ok(
        &claimant,
        &format!("{base}/add-call"),
        &[
            ("date", "2020-09-07"),
            ("callee", "bank"),
            ("minutes", "25"),
            ("cost", "550"),
            ("receipt", "yes"),
        ],
    )
    .await;
    app.post_ok(&claimant, &format!("{base}/calls"), &[]).await;
    app.post_ok(
        &claimant,
        &format!("{base}/add-journey"),
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
    app.post_ok(&claimant, &format!("{base}/travel"), &[]).await;

    // Two files, one linked to the first debit.
    assert_eq!(
        app.upload(&claimant, &key, "通帳.pdf", PDF.to_vec())
            .await
            .status(),
        303
    );
    assert_eq!(
        app.upload(&claimant, &key, "receipt.png", PNG.to_vec())
            .await
            .status(),
        303
    );
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let first_line = doc["accounts"][0]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let file: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM evidence WHERE file_name = $1").bind("通帳.pdf").fetch_one(p).await.unwrap());
    app.post_ok(
        &claimant,
        &format!("{base}/evidence/{file}/links"),
        &[
            (&format!("line_{first_line}") as &str, "yes"),
            ("line_not-a-line", "yes"),
        ],
    )
    .await;
    assert_eq!(app.count("evidence_links").await, 1);
    app.post_ok(&claimant, &format!("{base}/evidence/done"), &[])
        .await;

    // Payout to another account in the claimant's name, shown masked.
    app.post_ok(
        &claimant,
        &format!("{base}/payout"),
        &[
            ("choice", "other"),
            ("bank", "9900"),
            ("branch", "018"),
            ("account_type", "ordinary"),
            ("account_number", "2468024"),
            ("holder_kana", "スズキ イチロウ"),
        ],
    )
    .await;

    // Check your answers: every answer, change links, totals per category.
    let check = app
        .get(&claimant, &format!("{base}/check"))
        .await
        .text()
        .await
        .unwrap();
    for text in [
        "鈴木 一郎",
        "W-998877",
        "自宅",
        "通帳.pdf",
        "****024",
        "180,000円",
        "550円",
        "440円",
        "180,990円",
    ] {
        assert!(check.contains(text), "check page shows {text}");
    }
    assert!(!check.contains("2468024"), "the payout account is masked");
    assert!(
        check.contains(&format!("href=\"{base}/about\"")),
        "change link"
    );

    // Sending ignores any total the browser sends: the server adds up.
    let to = app
        .post_ok(
            &claimant,
            &format!("{base}/check"),
            &[
                ("declare_true", "yes"),
                ("declare_share", "yes"),
                ("total", "1"),
                ("total_claimed", "99999999"),
            ],
        )
        .await;
    let reference = to
        .trim_start_matches("/claims/")
        .trim_end_matches("?sent=1")
        .to_owned();
    let id = claim_id(&app, &reference).await;
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT total_claimed FROM claims WHERE reference = '{reference}'")
        )
        .await,
        180_990
    );
    assert_eq!(
        app.count(&format!(
            "debit_lines WHERE claim_id IN (SELECT id FROM claims WHERE reference = '{reference}')"
        ))
        .await,
        3
    );
    assert_eq!(app.count("call_lines").await, 1);
    assert_eq!(app.count("travel_lines").await, 1);
    assert_eq!(app.count(&format!("drafts WHERE claimant_id IN (SELECT claimant_id FROM claims WHERE reference = '{reference}')")).await, 0, "the draft became the claim");
    let files: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM evidence WHERE case_id = $1").bind(id).fetch_one(p).await.unwrap());
    assert_eq!(files, 2, "the files stay with the claim");

    // The confirmation page, the receipt mail, "My claims".
    let page = app.get(&claimant, &to).await.text().await.unwrap();
    assert!(page.contains("申請を受け付けました") && page.contains(&reference));
    assert!(
        page.contains("デイーバライ"),
        "the changed descriptor is on the claim page"
    );
    assert!(
        page.contains("550円") && page.contains("440円"),
        "calls and travel on the claim page"
    );
    assert!(
        app.last_mail("claimant@redress.example")
            .await
            .subject
            .contains(&reference)
    );
    let list = app.get(&claimant, "/claims").await.text().await.unwrap();
    assert!(list.contains(&reference) && list.contains("受付済み"));

    // Locked: nothing of a sent claim changes, by the draft key or the reference.
    let answers_before: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT answers FROM claims WHERE id = $1").bind(id).fetch_one(p).await.unwrap());
    for path in [
        format!("{base}/about"),
        format!("/claims/{reference}/about"),
    ] {
        let res = app.post_form(&claimant, &path, &about_form()).await;
        assert!(
            matches!(res.status().as_u16(), 404 | 409),
            "{path}: {}",
            res.status()
        );
    }
    let res = app
        .upload(&claimant, &reference, "late.pdf", PDF.to_vec())
        .await;
    assert_eq!(res.status(), 409, "no files after sending unless asked");
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{reference}/check"),
            &[("declare_true", "yes"), ("declare_share", "yes")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let answers_after: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT answers FROM claims WHERE id = $1").bind(id).fetch_one(p).await.unwrap());
    assert_eq!(answers_before, answers_after);
}

#[tokio::test]
async fn another_claimant_gets_404_on_every_claim_address_and_function() {
    let app = TestApp::spawn().await;
    let owner = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&owner).await;
    app.complete_draft(&owner, &key, &[]).await;
    assert_eq!(
        app.upload(&owner, &key, "a.pdf", PDF.to_vec())
            .await
            .status(),
        303
    );
    let file: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM evidence").fetch_one(p).await.unwrap());
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let account = doc["accounts"][0]["id"].as_str().unwrap().to_owned();
    let line = doc["accounts"][0]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reference = app.file_claim(&owner).await;

    let stranger = app
        .register_claimant("other@example.jp", "kamome-no-suiheisen")
        .await;
    let base = format!("/claims/{key}");
    for path in [
        base.clone(),
        format!("{base}/about"),
        format!("{base}/debits"),
        format!("{base}/add-account"),
        format!("{base}/accounts/{account}"),
        format!("{base}/accounts/{account}/add-debit"),
        format!("{base}/debits/{line}"),
        format!("{base}/calls"),
        format!("{base}/travel"),
        format!("{base}/evidence"),
        format!("{base}/payout"),
        format!("{base}/check"),
        format!("/claims/{reference}"),
        format!("/claims/{reference}/reply"),
        format!("/claims/{reference}/withdraw"),
        format!("/files/{file}"),
    ] {
        let res = app.get(&stranger, &path).await;
        assert_eq!(res.status(), 404, "GET {path}");
        let html = res.text().await.unwrap();
        assert!(
            !html.contains("鈴木") && !html.contains("1234567"),
            "GET {path} leaks nothing"
        );
    }
    let before = crate::claims::draft_answers(&app, &key).await;
    for (path, form) in [
        (format!("{base}/about"), about_form()),
        (format!("{base}/add-account"), account_form("1111111")),
        (format!("{base}/accounts/{account}/remove"), vec![]),
        (
            format!("{base}/accounts/{account}/add-debit"),
            debit_form("2020-09-04", "1"),
        ),
        (format!("{base}/debits/{line}/remove"), vec![]),
        (format!("{base}/debits"), vec![]),
        (format!("{base}/evidence/{file}/remove"), vec![]),
        (
            format!("{base}/check"),
            vec![("declare_true", "yes"), ("declare_share", "yes")],
        ),
        (format!("/claims/{reference}/withdraw"), vec![]),
        (format!("/claims/{reference}/reply"), vec![("reply", "x")]),
    ] {
        let res = app.post_form(&stranger, &path, &form).await;
        assert_eq!(res.status(), 404, "POST {path}");
    }
    assert_eq!(
        app.upload(&stranger, &key, "b.pdf", PDF.to_vec())
            .await
            .status(),
        404
    );
    for (function, arg) in [
        ("claim_answers", key.as_str()),
        ("claim_answers", reference.as_str()),
        ("my_claim", reference.as_str()),
    ] {
        let field = if function == "my_claim" {
            "reference"
        } else {
            "key"
        };
        let res = stranger
            .post(app.url(&format!("/api/{function}")))
            .form(&[(field, arg)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{function}({arg})");
    }
    assert_eq!(
        crate::claims::draft_answers(&app, &key).await,
        before,
        "nothing changed"
    );
    assert_eq!(app.count("evidence").await, 1);
}

#[tokio::test]
async fn uploads_are_typed_by_their_bytes_limited_in_size_and_downloaded_as_attachments() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;

    // An HTML page named .pdf is refused with a message; nothing is kept.
    let res = app
        .upload(
            &claimant,
            &key,
            "statement.pdf",
            b"<!DOCTYPE html><script>alert(1)</script>".to_vec(),
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("id=\"file-error\"") && html.contains("このファイルは受け付けられません")
    );
    assert!(html.contains("href=\"#file\""), "in the error summary too");

    // 10 MB + 1 byte: 413 with a message.
    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let res = app.upload(&claimant, &key, "big.pdf", big).await;
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("10MB以下"));
    assert_eq!(app.count("evidence").await, 0);

    // Exactly 10 MB is fine.
    let mut max = PDF.to_vec();
    max.resize(10 * 1024 * 1024, b' ');
    assert_eq!(
        app.upload(&claimant, &key, "max.pdf", max).await.status(),
        303
    );
    // JPEG and HEIC by their bytes, whatever the name says.
    let jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];
    assert_eq!(
        app.upload(&claimant, &key, "photo.txt", jpeg)
            .await
            .status(),
        303
    );
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
    assert_eq!(
        app.upload(&claimant, &key, "IMG_0001.HEIC", heic)
            .await
            .status(),
        303
    );
    let kinds: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT kind FROM evidence ORDER BY created_at").fetch_all(p).await.unwrap());
    assert_eq!(kinds, ["pdf", "jpeg", "heic"]);

    // Stored under a generated name outside the web root.
    let stored: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT stored_name FROM evidence WHERE file_name = 'photo.txt'").fetch_one(p).await.unwrap());
    assert!(!stored.contains("photo") && stored.ends_with(".jpg"));
    assert!(app.state.files.exists(&stored).await.unwrap());

    // Downloads are attachments, never sniffed, never inline.
    let id: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM evidence WHERE file_name = 'photo.txt'").fetch_one(p).await.unwrap());
    let res = app.get(&claimant, &format!("/files/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_served_safely(&res, "attachment", "image/jpeg");
    assert_eq!(res.bytes().await.unwrap()[..3], [0xFF, 0xD8, 0xFF]);
    assert_eq!(
        app.get(&app.client(), &format!("/files/{id}"))
            .await
            .status(),
        303,
        "login first"
    );

    // At most 20 files.
    for i in 0..17 {
        assert_eq!(
            app.upload(&claimant, &key, &format!("{i}.pdf"), PDF.to_vec())
                .await
                .status(),
            303
        );
    }
    let res = app.upload(&claimant, &key, "21.pdf", PDF.to_vec()).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("20件まで"));
    assert_eq!(app.count("evidence").await, 20);

    // Removing a file deletes the record and the bytes.
    app.post_ok(
        &claimant,
        &format!("/claims/{key}/evidence/{id}/remove"),
        &[],
    )
    .await;
    assert!(!app.state.files.exists(&stored).await.unwrap());
    assert_eq!(app.count("evidence").await, 19);
}

#[tokio::test]
async fn a_request_opens_only_the_requested_sections_and_the_reply_returns_the_case() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = app.file_claim(&claimant).await;
    let id = claim_id(&app, &reference).await;
    // The bank and review steps belong to other issues: put the case in review.
    app.exec(&format!(
        "UPDATE claims SET state = 'in_review' WHERE reference = '{reference}'"
    ))
    .await;

    // Only reviewers ask; the claimant cannot.
    let res = app
        .post_form(
            &claimant,
            &format!("/staff/claims/{reference}/request"),
            &[("question", "x"), ("section_calls", "yes")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    app.post_ok(
        &reviewer,
        &format!("/staff/claims/{reference}/request"),
        &[
            ("question", "電話代の請求書を添付してください。"),
            ("section_calls", "yes"),
        ],
    )
    .await;
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) FROM claims WHERE reference = '{reference}' AND state = 'awaiting_claimant'")).await, 1);
    // The claimant is mailed what is asked and by when (14 days).
    let mail = app.last_mail("claimant@redress.example").await;
    assert_eq!(mail.kind, "info_requested");
    app.delivered(&mail).await;
    assert!(mail.subject.contains(&format!("[{reference}]")));
    assert!(
        mail.body_text
            .contains("電話代の請求書を添付してください。")
    );
    let by =
        app::server::services::drafts::today_jst(chrono::Utc::now()) + chrono::Duration::days(14);
    assert!(
        mail.body_text.contains(&by.to_string()),
        "{}",
        mail.body_text
    );

    // The claimant sees the question on the claim page.
    let page = app
        .get(&claimant, &format!("/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("電話代の請求書を添付してください。"));
    assert!(page.contains(&format!("href=\"/claims/{reference}/reply\"")));

    // Only the calls section opens: "About you" and the debits stay locked.
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{reference}/about"),
            &about_form(),
        )
        .await;
    assert_eq!(res.status(), 409);
    let res = app
        .post_form(&claimant, &format!("/claims/{reference}/debits"), &[])
        .await;
    assert_eq!(res.status(), 409);
    let locked = app
        .get(&claimant, &format!("/claims/{reference}/about"))
        .await
        .text()
        .await
        .unwrap();
    assert!(locked.contains("今は変更できません"));
    app.post_ok(
        &claimant,
        &format!("/claims/{reference}/add-call"),
        &[
            ("date", "2020-09-07"),
            ("callee", "police"),
            ("minutes", "10"),
            ("cost", "330"),
        ],
    )
    .await;
    // A file comes with the reply.
    let res = app
        .upload(&claimant, &reference, "bill.pdf", PDF.to_vec())
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/claims/{reference}/reply"));
    // Nothing takes effect before the reply is sent.
    assert_eq!(app.count("call_lines").await, 0);

    // An empty reply is refused; a real one returns the case to the queue.
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{reference}/reply"),
            &[("reply", "  ")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let to = app
        .post_ok(
            &claimant,
            &format!("/claims/{reference}/reply"),
            &[("reply", "請求書を添付しました。")],
        )
        .await;
    assert_eq!(to, format!("/claims/{reference}?replied=1"));
    assert_eq!(scalar(&app, &format!("SELECT COUNT(*) FROM claims WHERE reference = '{reference}' AND state = 'in_review'")).await, 1);
    assert_eq!(app.count("call_lines").await, 1);
    assert_eq!(
        scalar(
            &app,
            &format!("SELECT total_claimed FROM claims WHERE reference = '{reference}'")
        )
        .await,
        100_330
    );
    let answered: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM info_requests WHERE claim_id = $1 AND answered_at IS NOT NULL").bind(id).fetch_one(p).await.unwrap());
    assert_eq!(answered, 1);
    let actions: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT action FROM claim_events WHERE claim_id = $1 ORDER BY at").bind(id).fetch_all(p).await.unwrap());
    assert_eq!(actions, ["submit", "request_info", "answer_request"]);
    // The reviewer who asked reads the reply on the case page: the question,
    // the answer's words and date, and the file sent with it.
    let (_, case) = app
        .html(&reviewer, &format!("/staff/claims/{reference}"))
        .await;
    let exchange = case
        .split("情報提供の依頼と回答")
        .nth(1)
        .and_then(|t| t.split("</section>").next())
        .unwrap_or_default();
    assert!(
        exchange.contains("電話代の請求書を添付してください。")
            && exchange.contains("請求書を添付しました。")
            && exchange.contains("申請者の回答")
            && exchange.contains("bill.pdf")
            && exchange.contains("電話代"),
        "{case}"
    );
    // And everything is locked again.
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{reference}/add-call"),
            &[
                ("date", "2020-09-07"),
                ("callee", "bank"),
                ("minutes", "1"),
                ("cost", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 409);
    let timeline = app
        .get(&claimant, &format!("/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!timeline.contains("reviewer@"), "no staff names");
}

#[tokio::test]
async fn untouched_drafts_get_a_reminder_then_are_deleted_with_their_files() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let old = app.start_draft(&claimant).await;
    assert_eq!(
        app.upload(&claimant, &old, "a.pdf", PDF.to_vec())
            .await
            .status(),
        303
    );
    let fresh = app.start_draft(&claimant).await;
    let stored: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT stored_name FROM evidence").fetch_one(p).await.unwrap());
    let now = chrono::Utc::now();
    let set_updated = |days: i64| age_draft(&app, &old, days);
    let run = |at: chrono::DateTime<chrono::Utc>| expire_drafts_at(&app.state, at);

    // 82 days: nothing yet.
    set_updated(82).await;
    assert_eq!(run(now).await, (0, 0));
    // 84 days: the reminder (once), with the deletion date and no link but
    // the service's address.
    set_updated(84).await;
    assert_eq!(run(now).await, (1, 0));
    assert_eq!(run(now).await, (0, 0), "one reminder only");
    let mail = app.last_mail("claimant@redress.example").await;
    assert_eq!(mail.kind, "draft_expiring");
    assert!(!mail.body_text.contains(&old.to_string()), "no deep link");
    let deleted_on = (chrono::Utc::now() + chrono::Duration::hours(9) + chrono::Duration::days(6))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        mail.subject.contains(&deleted_on),
        "{} {deleted_on}",
        mail.subject
    );
    // 90 days and the reminder a week old: deleted, files too; the fresh draft stays.
    set_updated(91).await;
    assert_eq!(run(now + chrono::Duration::days(7)).await, (0, 1));
    assert_eq!(app.count("drafts").await, 1);
    assert_eq!(app.count("evidence").await, 0);
    assert!(!app.state.files.exists(&stored).await.unwrap());
    assert_eq!(
        app.get(&claimant, &format!("/claims/{old}")).await.status(),
        404
    );
    assert_eq!(
        app.get(&claimant, &format!("/claims/{fresh}"))
            .await
            .status(),
        200
    );

    // Saving a draft clears its reminder: it is alive again.
    age_draft(&app, &fresh, 85).await;
    assert_eq!(run(now).await, (1, 0));
    app.post_ok(&claimant, &format!("/claims/{fresh}/about"), &about_form())
        .await;
    assert_eq!(
        run(now + chrono::Duration::days(7)).await,
        (0, 0),
        "a saved draft is not deleted"
    );
    assert_eq!(app.count("drafts").await, 1);
}

#[tokio::test]
async fn a_passbook_account_is_shown_in_both_forms_to_the_claimant_staff_and_the_bank() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[]).await;
    // A ゆうちょ account as the passbook prints it, in full-width digits.
    let to = app
        .post_ok(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &[
                ("bank", "9900"),
                ("yucho_symbol", "１０５３０"),
                ("yucho_number", "１２３４５６７１"),
            ],
        )
        .await;
    app.post_ok(&claimant, &to, &debit_form("2020-09-05", "30,000"))
        .await;
    app.post_ok(&claimant, &format!("/claims/{key}/debits"), &[])
        .await;
    // Paid into another ゆうちょ account, given the same way: the page
    // shows the passbook's boxes filled when it is opened again.
    let payout = format!("/claims/{key}/payout");
    let form = [
        ("choice", "other"),
        ("bank", "9900"),
        ("yucho_symbol", "10530"),
        ("yucho_number", "7654321"),
        ("holder_kana", "すずき いちろう"),
    ];
    app.post_ok(&claimant, &payout, &form).await;
    let page = app.get(&claimant, &payout).await.text().await.unwrap();
    for filled in [r#"value="10530""#, r#"value="7654321""#, r#"value="058""#] {
        assert!(page.contains(filled), "{filled}");
    }
    let reference = app.send_draft(&claimant, &key).await;
    let printed = "通帳の記号・番号 10530-12345671";

    // The claimant and the bank see it whole, beside the Zengin form.
    let own = app.get(&claimant, &format!("/claims/{reference}")).await;
    let own = own.text().await.unwrap();
    assert!(own.contains(printed), "{own}");
    let bank = app.login("bank.yucho@redress.example", PASSWORD).await;
    let seen = app.get(&bank, &format!("/bank/claims/{reference}")).await;
    let seen = seen.text().await.unwrap();
    assert!(seen.contains(printed) && seen.contains("(058)"), "{seen}");
    // Staff see the symbol and the number masked, as an account number is.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let staff = app
        .get(&reviewer, &format!("/staff/claims/{reference}"))
        .await;
    let staff = staff.text().await.unwrap();
    assert!(staff.contains("通帳の記号・番号 10530-****671"), "{staff}");
    assert!(!staff.contains("12345671") && !staff.contains("1234567<"));
}

/// The reviewer assesses with every fact the claimant gave: the address,
/// the birth date, the police report, compensation from elsewhere, the
/// payout account (masked), and every evidence file beside the lines it
/// supports, photos shown on the page (served as images only) and the
/// others as downloads. A bank sees none of those facts.
#[tokio::test]
async fn the_reviewer_sees_every_fact_and_file_the_claimant_gave_and_a_bank_does_not() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(
        &claimant,
        &key,
        &[
            ("police_number", "宮城第2020-0917号"),
            ("police_date", "2020-09-17"),
        ],
    )
    .await;
    for (name, bytes) in [("通帳.png", PNG.to_vec()), ("領収書.pdf", PDF.to_vec())] {
        assert_eq!(app.upload(&claimant, &key, name, bytes).await.status(), 303);
    }
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let first_line = doc["accounts"][0]["lines"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let photo: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM evidence WHERE file_name = '通帳.png'").fetch_one(p).await.unwrap());
    app.post_ok(
        &claimant,
        &format!("/claims/{key}/evidence/{photo}/links"),
        &[(&format!("line_{first_line}") as &str, "yes")],
    )
    .await;
    let reference = app.send_draft(&claimant, &key).await;

    let reviewer = app.staff("reviewer@redress.example").await;
    let (status, page) = app
        .html(&reviewer, &format!("/staff/claims/{reference}"))
        .await;
    assert_eq!(status, 200);
    for fact in [
        "申請者の申告",
        "1946-02-11",
        "〒980-0811 宮城県仙台市青葉区一番町1-1",
        "宮城第2020-0917号 (2020-09-17)",
        "ほかから補償を受けたか",
        "七十七銀行",
        "証拠書類 (2)",
        "通帳.png",
        "裏付ける行: #1",
        "領収書.pdf",
        "行の指定なし",
    ] {
        assert!(page.contains(fact), "{fact}: {page}");
    }
    let facts = page
        .split("申請者の申告")
        .nth(1)
        .unwrap()
        .split("</dl>")
        .next()
        .unwrap();
    assert!(
        facts.contains("****567") && !facts.contains("1234567"),
        "the payout account masked: {facts}"
    );
    // The photo is shown on the page, as an image only; the PDF is a download.
    assert!(page.contains(&format!("src=\"/files/{photo}?inline=1\"")));
    let res = app
        .get(&reviewer, &format!("/files/{photo}?inline=1"))
        .await;
    assert_eq!(res.status(), 200);
    assert_served_safely(&res, "inline", "image/png");
    let pdf: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM evidence WHERE file_name = '領収書.pdf'").fetch_one(p).await.unwrap());
    let res = app.get(&reviewer, &format!("/files/{pdf}?inline=1")).await;
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;"),
        "a PDF is never shown inline"
    );
    // In English too.
    app.post_form(&reviewer, "/lang", &[("to", "en"), ("back", "/")])
        .await;
    let (_, en) = app
        .html(&reviewer, &format!("/staff/claims/{reference}"))
        .await;
    assert!(
        en.contains("What the claimant told us") && en.contains("Supports lines: #1"),
        "{en}"
    );
    // A bank sees the lines at its accounts, not the claimant's other facts.
    let bank = app.staff("bank.77@redress.example").await;
    let (status, page) = app.html(&bank, &format!("/bank/claims/{reference}")).await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("宮城第2020-0917号")
            && !page.contains("1946-02-11")
            && !page.contains("一番町")
    );
}

/// Without JavaScript (no lookup island) a branch typed as part of its name
/// or in romaji is found when it names one branch, as the island finds it;
/// a part that names several is still asked again.
#[tokio::test]
async fn a_branch_typed_as_part_of_its_name_or_in_romaji_is_found_without_javascript() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    // An account at 0125 with the branch as typed (the page without JavaScript).
    let add = |typed: &'static str, number: &'static str| {
        let (app, claimant, key) = (&app, &claimant, &key);
        async move {
            app.post_form(
                claimant,
                &format!("/claims/{key}/add-account"),
                &[
                    ("bank", "0125"),
                    ("branch", typed),
                    ("account_type", "ordinary"),
                    ("account_number", number),
                ],
            )
            .await
        }
    };
    for (typed, number) in [
        ("駅前", "1234561"),
        ("Sendai Ekimae", "1234562"),
        ("sendai-ekimae shiten", "1234563"),
        ("仙台駅前支店", "1234564"),
    ] {
        assert_eq!(add(typed, number).await.status(), 303, "{typed}");
    }
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let branches: Vec<&str> = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["branch"].as_str().unwrap())
        .collect();
    assert_eq!(branches, ["202", "202", "202", "202"]);
    // Nothing that names no branch, or names many, is guessed.
    for typed in ["Nowhere Town", "店"] {
        let res = add(typed, "7654321").await;
        assert_eq!(res.status(), 422, "{typed}");
        assert!(
            res.text().await.unwrap().contains("id=\"branch-error\""),
            "{typed}"
        );
    }
}
