//! Administration of accounts: invitation by mail with a code, roles,
//! disabling (sessions end at once), the record of admin actions.

use crate::helpers::*;

async fn user_id(app: &TestApp, email: &str) -> String {
    app::server::store::users::by_email(&app.state.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

#[tokio::test]
async fn an_admin_invites_a_reviewer_who_sets_a_password_with_the_mailed_code() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    // Bad input: each named beside its field, nothing written.
    let before = app.count("users").await;
    for (fields, field) in [
        (
            vec![
                ("email", "not-an-address"),
                ("role", "reviewer"),
                ("lang", "ja"),
            ],
            "email",
        ),
        (
            vec![
                ("email", "x@example.jp"),
                ("role", "claimant"),
                ("lang", "ja"),
            ],
            "role",
        ),
        (
            vec![
                ("email", "x@example.jp"),
                ("role", "bank_staff"),
                ("lang", "ja"),
            ],
            "bank",
        ),
        (
            vec![
                ("email", "x@example.jp"),
                ("role", "reviewer"),
                ("lang", "fr"),
            ],
            "lang",
        ),
        (
            vec![
                ("email", "reviewer@redress.example"),
                ("role", "reviewer"),
                ("lang", "ja"),
            ],
            "email",
        ),
    ] {
        let res = app.post_form(&admin, "/admin/users/invite", &fields).await;
        assert_eq!(res.status(), 422, "{field}");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains(&format!("id=\"{field}-error\"")),
            "{field}"
        );
    }
    assert_eq!(app.count("users").await, before, "nothing half-written");
    // Only admins invite.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let invite = [
        ("email", "new.reviewer@example.jp"),
        ("role", "reviewer"),
        ("lang", "en"),
    ];
    assert_eq!(
        app.post_form(&reviewer, "/admin/users/invite", &invite)
            .await
            .status(),
        403
    );
    assert_eq!(app.html(&reviewer, "/admin/users").await.0, 403);

    let res = app.post_form(&admin, "/admin/users/invite", &invite).await;
    assert_eq!(res.status(), 303);
    let mail = app.last_mail("new.reviewer@example.jp").await;
    assert_eq!(mail.kind, "staff_invite");
    assert_eq!(
        mail.subject, "Redress: You are invited to a staff account",
        "in the invitee's language"
    );
    app.delivered(&mail).await;
    let code = mail_code(&mail.body_text);
    // No password works before the invitee sets one.
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[("email", "new.reviewer@example.jp"), ("password", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = app
        .post_form(
            &app.client(),
            "/invite",
            &[
                ("token", "ACDE-FGHJ-KMNP"),
                ("password", "hikari-no-umi-2020"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "a wrong code");
    let res = app
        .post_form(
            &app.client(),
            "/invite",
            &[("token", code.as_str()), ("password", "password")],
        )
        .await;
    assert_eq!(res.status(), 422, "a weak password");
    let res = app
        .post_form(
            &app.client(),
            "/invite",
            &[("token", code.as_str()), ("password", "hikari-no-umi-2020")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?notice=invite_done");
    let res = app
        .post_form(
            &app.client(),
            "/invite",
            &[("token", code.as_str()), ("password", "hikari-no-umi-2021")],
        )
        .await;
    assert_eq!(res.status(), 422, "the code works once");
    let newcomer = app
        .login("new.reviewer@example.jp", "hikari-no-umi-2020")
        .await;
    assert_eq!(app.html(&newcomer, "/staff/queue").await.0, 200);
    assert_eq!(app.html(&newcomer, "/admin/users").await.0, 403);
    // The list finds the account; the record says who invited whom.
    let (status, page) = app.html(&admin, "/admin/users?q=new.reviewer").await;
    assert_eq!(status, 200);
    assert!(page.contains("new.reviewer@example.jp"));
    assert!(
        page.contains("admin@redress.example"),
        "the admin action is listed"
    );
    let res = app.get(&admin, "/admin/actions.csv?q=new.reviewer").await;
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8_lossy(&body[3..]).to_string();
    assert!(
        text.contains("new.reviewer@example.jp") && text.contains("reviewer"),
        "{text}"
    );
}

#[tokio::test]
async fn roles_change_claimants_are_not_edited_and_a_disabled_account_stops_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let reviewer_id = user_id(&app, "reviewer@redress.example").await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.html(&reviewer, "/staff/queue").await.0, 200);

    // A reviewer becomes bank staff at 9900 (with the bank), then an approver.
    let path = format!("/admin/users/{reviewer_id}/role");
    let res = app
        .post_form(&admin, &path, &[("role", "bank_staff"), ("bank", "")])
        .await;
    assert_eq!(res.status(), 422, "bank staff need a bank");
    let res = app
        .post_form(&admin, &path, &[("role", "bank_staff"), ("bank", "9900")])
        .await;
    assert_eq!(res.status(), 303);
    // The session opened under the old role ends at once; the next login
    // has the new role.
    assert_eq!(
        app.html(&reviewer, "/staff/queue").await.0,
        401,
        "the old role's session ended"
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(
        app.html(&reviewer, "/bank/queue").await.0,
        200,
        "the new role applies"
    );
    assert_eq!(app.html(&reviewer, "/staff/queue").await.0, 403);
    let res = app
        .post_form(&admin, &path, &[("role", "approver"), ("bank", "")])
        .await;
    assert_eq!(res.status(), 303);
    let row = app::server::store::users::by_email(&app.state.db, "reviewer@redress.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.role.as_str(), row.bank_code.as_deref()),
        ("approver", None)
    );
    // A claimant's account is not edited; one's own role is not changed.
    let claimant_id = user_id(&app, "claimant@redress.example").await;
    let res = app
        .post_form(
            &admin,
            &format!("/admin/users/{claimant_id}/role"),
            &[("role", "admin")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let admin_id = user_id(&app, "admin@redress.example").await;
    let res = app
        .post_form(
            &admin,
            &format!("/admin/users/{admin_id}/role"),
            &[("role", "reviewer")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(
        app.post_form(&admin, &format!("/admin/users/{admin_id}/disable"), &[])
            .await
            .status(),
        409
    );

    // Disabled: the open session stops on its next request; login refused.
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    assert_eq!(app.html(&claimant, "/claims").await.0, 200);
    let res = app
        .post_form(&admin, &format!("/admin/users/{claimant_id}/disable"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.html(&claimant, "/claims").await.0,
        401,
        "the session is dead"
    );
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[
                ("email", "claimant@redress.example"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "no login while disabled");
    let page = res.text().await.unwrap();
    assert!(
        page.contains("このアカウントは利用停止されています")
            && !page.contains("パスワードが違います"),
        "the right password is told the account is disabled, not that it is wrong"
    );
    // A wrong password learns nothing about the account.
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[
                ("email", "claimant@redress.example"),
                ("password", "not-the-password"),
            ],
        )
        .await;
    let page = res.text().await.unwrap();
    assert!(page.contains("パスワードが違います") && !page.contains("利用停止"));
    // Enabled again: it works again (with a new login: the old session is gone).
    let res = app
        .post_form(&admin, &format!("/admin/users/{claimant_id}/enable"), &[])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.html(&claimant, "/claims").await.0,
        401,
        "the old session stays ended"
    );
    let again = app.login("claimant@redress.example", PASSWORD).await;
    assert_eq!(app.html(&again, "/claims").await.0, 200);
    // Non-admins may do none of it.
    assert_eq!(
        app.post_form(&again, &format!("/admin/users/{reviewer_id}/disable"), &[])
            .await
            .status(),
        403
    );
    // Every action is on record, and the record cannot be changed.
    let n: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM admin_actions").fetch_one(p).await.unwrap());
    assert_eq!(n, 4, "two role changes, a disable and an enable");
    let tamper = app::on_db!(&app.state.db, p => sqlx::query("DELETE FROM admin_actions").execute(p).await.map(|r| r.rows_affected()));
    assert!(tamper.is_err());
}

#[tokio::test]
async fn the_case_views_are_searched_and_exported_as_csv() {
    let app = TestApp::spawn().await;
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.html(&reviewer, "/staff/claims/RD-000001").await.0, 200);
    assert_eq!(app.html(&reviewer, "/staff/claims/RD-000002").await.0, 200);
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let (status, page) = app.html(&admin, "/admin/views?q=RD-000001").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("RD-000001") && !page.contains("RD-000002"),
        "the search narrows the record"
    );
    let res = app.get(&admin, "/admin/views.csv?q=reviewer@").await;
    assert_eq!(res.status(), 200);
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8_lossy(&body[3..]).to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "a header and the two views: {text}");
    assert!(
        text.contains("RD-000001")
            && text.contains("RD-000002")
            && text.contains("reviewer@redress.example")
    );
    let (_, none) = app.html(&admin, "/admin/views?q=nobody-at-all").await;
    assert!(!none.contains("RD-000001"));
    assert_eq!(app.get(&reviewer, "/admin/views.csv").await.status(), 403);
}

#[tokio::test]
async fn the_account_search_and_the_mail_queue_are_exported_as_csv() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    // The accounts the search finds, with the page's search.
    let (_, page) = app.html(&admin, "/admin/users?q=bank").await;
    assert!(
        page.contains("/admin/users.csv?q=bank"),
        "the page links its CSV"
    );
    let rows = csv_download(&app, &admin, "/admin/users.csv?q=bank").await;
    assert_eq!(
        rows[0][0], "メールアドレス",
        "a header in the admin's language"
    );
    let emails: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        emails,
        ["bank.77@redress.example", "bank.yucho@redress.example"]
    );
    assert!(
        rows[1..].iter().all(|r| r[5] == "設定済み"),
        "the two-step login column"
    );
    assert_eq!(
        csv_download(&app, &admin, "/admin/users.csv?q=nobody-here")
            .await
            .len(),
        1
    );

    // The mail queue: a failed mail is listed with its reason, never its text.
    let now = chrono::Utc::now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = app::server::store::outbox::enqueue(
        &mut tx,
        &app::server::store::outbox::NewMail {
            kind: "claim_received",
            to: "refused@example.jp",
            claim_id: None,
            subject: "件名",
            body_text: "本文は出さない",
            body_html: "<p>本文は出さない</p>",
        },
        now,
    )
    .await
    .unwrap();
    app::on_tx!(&mut tx, c => sqlx::query("UPDATE outbox SET attempts = 1, failed_at = $2, last_error = '550 no such user' WHERE id = $1")
        .bind(id).bind(now).execute(c).await.unwrap().rows_affected());
    tx.commit().await.unwrap();
    let (_, page) = app.html(&admin, "/admin/mail").await;
    assert!(page.contains("/admin/mail.csv"), "the page links its CSV");
    let rows = csv_download(&app, &admin, "/admin/mail.csv").await;
    let row = rows
        .iter()
        .find(|r| r[2] == "refused@example.jp")
        .expect("the failed mail");
    assert!(row[3].starts_with("失敗"), "{row:?}");
    assert_eq!(row[5], "550 no such user");
    assert!(
        rows.iter()
            .flatten()
            .all(|cell| !cell.contains("本文は出さない"))
    );
    // Admins only.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.get(&reviewer, "/admin/users.csv").await.status(), 403);
    assert_eq!(app.get(&reviewer, "/admin/mail.csv").await.status(), 403);
    assert_eq!(
        app.get(&app.client(), "/admin/mail.csv").await.status(),
        401
    );
}

/// A newer zengin-code list loaded into the running system: new and
/// renamed branches are taken, a branch the list dropped (closed, merged)
/// stays for the case that names it but is no longer offered to a new
/// claim, nothing is deleted, and loading the same list again changes
/// nothing.
#[tokio::test]
async fn a_newer_bank_list_is_loaded_without_losing_the_branches_cases_name() {
    use app::server::services::banks;
    let app = TestApp::spawn().await;
    let mut list = app::server::bank_data::load().unwrap();
    let branches_before = app.count("branches").await;
    // 77 Bank's head office renamed, a new 77 branch, and Japan Post Bank's
    // 108 (RD-000002's account) merged away.
    let b77 = list.get_mut("0125").unwrap();
    b77.branches.get_mut("100").unwrap().name = "本店".to_owned();
    let new = app::server::bank_data::BranchEntry {
        code: "998".to_owned(),
        name: "新設".to_owned(),
        kana: "シンセツ".to_owned(),
        roma: "shinsetsu".to_owned(),
    };
    b77.branches.insert("998".to_owned(), new);
    list.get_mut("9900").unwrap().branches.remove("108");

    let (_, changes) = banks::update_list(&app.state.db, None, "banks.json", &list)
        .await
        .unwrap();
    assert!(changes.banks_added.is_empty() && changes.banks_renamed.is_empty());
    assert_eq!(
        changes.branches_added,
        [("0125".to_owned(), "998".to_owned(), "新設".to_owned())]
    );
    assert_eq!(
        changes.branches_renamed,
        [(
            "0125".to_owned(),
            "100".to_owned(),
            "本店営業部".to_owned(),
            "本店".to_owned()
        )]
    );
    assert_eq!(
        changes.branches_retired,
        [("9900".to_owned(), "108".to_owned(), "一〇八".to_owned())]
    );
    // Nothing deleted; the same list again changes nothing.
    assert_eq!(app.count("branches").await, branches_before + 1);
    let (_, again) = banks::update_list(&app.state.db, None, "banks.json", &list)
        .await
        .unwrap();
    assert_eq!(again, banks::ListChanges::default());

    // The retired branch is not offered to a new claim...
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &[
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "1234567"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("id=\"branch-error\""));
    // ...while the case that names it still shows it.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let case = app
        .get(&reviewer, "/staff/claims/RD-000002")
        .await
        .text()
        .await
        .unwrap();
    assert!(case.contains("一〇八"), "{case}");
    // A branch renamed is found by its new name.
    let res = app
        .post_form(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &[
                ("bank", "0125"),
                ("branch", "本店"),
                ("account_type", "ordinary"),
                ("account_number", "1234567"),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    // An admin loads the shipped list again from the page: the head office
    // takes its name back, 108 is offered again, 998 is kept but retired.
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let upload = |name: &str, bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        admin
            .post(app.url("/admin/banks/list"))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let shipped = include_bytes!("../../../crates/core/data/zengin-code/banks.json.gz");
    let res = upload("banks.json.gz", shipped.to_vec()).await.unwrap();
    assert_eq!(res.status(), 303);
    let page = app.get(&admin, &location(&res)).await.text().await.unwrap();
    for said in [
        "0125-100 本店 → 本店営業部",
        "9900-108 一〇八",
        "0125-998 新設",
        "banks.json.gz (admin@redress.example)",
        "コマンド redress banks update",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    assert_eq!(app.count("bank_list_updates").await, 3);
    // Not a bank list: said beside the field, nothing changed.
    let res = upload("banks.json", b"{\"0125\": 1}".to_vec())
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("銀行・支店の一覧として読めませんでした")
    );
    assert_eq!(app.count("bank_list_updates").await, 3);
}
