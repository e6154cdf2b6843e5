//! The bank's side: answers on its own lines only, corrections with a
//! history, the case moving on by itself, the account check, view records.

use crate::helpers::*;

/// A claim with two debits at 0125 (七十七) and one at 9900 (ゆうちょ);
/// returns its reference.
async fn claim_at_two_banks(app: &TestApp, claimant: &reqwest::Client) -> String {
    let key = draft_at_two_banks(app, claimant).await;
    app.send_draft(claimant, &key).await
}

/// The same, still a draft (files may be added); its key.
async fn draft_at_two_banks(app: &TestApp, claimant: &reqwest::Client) -> String {
    let key = app.start_draft(claimant).await;
    app.post_ok(claimant, &format!("/claims/{key}/about"), &about_form())
        .await;
    let first = app
        .post_ok(
            claimant,
            &format!("/claims/{key}/add-account"),
            &account_form("1234567"),
        )
        .await;
    app.post_ok(claimant, &first, &debit_form("2020-09-03", "100000"))
        .await;
    app.post_ok(claimant, &first, &debit_form("2020-09-04", "50000"))
        .await;
    let second = app
        .post_ok(
            claimant,
            &format!("/claims/{key}/add-account"),
            &[
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "7654321"),
            ],
        )
        .await;
    app.post_ok(claimant, &second, &debit_form("2020-09-05", "30000"))
        .await;
    for section in ["debits", "calls", "travel", "evidence/done"] {
        app.post_ok(claimant, &format!("/claims/{key}/{section}"), &[])
            .await;
    }
    key
}

/// A claim with two lines at 0125 and one at 9900, and a clerk of each bank.
struct TwoBanks {
    app: TestApp,
    claimant: reqwest::Client,
    reference: String,
    lines: [uuid::Uuid; 2],
    yucho_line: uuid::Uuid,
    b77: reqwest::Client,
    yucho: reqwest::Client,
}

impl TwoBanks {
    async fn new() -> TwoBanks {
        let app = TestApp::spawn().await;
        let claimant = app.login("claimant@redress.example", PASSWORD).await;
        let reference = claim_at_two_banks(&app, &claimant).await;
        let [l1, l2] = lines_at(&app, &reference, "0125").await[..] else {
            panic!("two lines at 0125")
        };
        let [y1] = lines_at(&app, &reference, "9900").await[..] else {
            panic!("one line at 9900")
        };
        let b77 = app.login("bank.77@redress.example", PASSWORD).await;
        let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
        TwoBanks {
            app,
            claimant,
            reference,
            lines: [l1, l2],
            yucho_line: y1,
            b77,
            yucho,
        }
    }
}

/// The ids of the claim's lines at `bank`, in order.
async fn lines_at(app: &TestApp, reference: &str, bank: &str) -> Vec<uuid::Uuid> {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, uuid::Uuid>(
        "SELECT l.id FROM debit_lines l JOIN claims c ON c.id = l.claim_id WHERE c.reference = $1 AND l.bank_code = $2 ORDER BY l.position",
    ).bind(reference).bind(bank).fetch_all(p).await.unwrap())
}

async fn state_of(app: &TestApp, reference: &str) -> String {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, String>("SELECT state FROM claims WHERE reference = $1")
        .bind(reference).fetch_one(p).await.unwrap())
}

fn confirm(amount: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("verdict", "confirmed"),
        ("confirmed_amount", amount),
        ("bank_date", "2020-09-03"),
        ("bank_reference", "TX-0001"),
        ("holder_kana", "スズキ イチロウ"),
    ]
}

/// A confirmation of less than was claimed, with the bank's reason.
fn confirm_less(amount: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut form = confirm(amount);
    form.push(("less_reason", "手数料千円は顧客負担のため"));
    form
}

#[tokio::test]
async fn banks_answer_their_own_lines_and_the_case_moves_on_by_itself() {
    let TwoBanks {
        app,
        claimant,
        reference,
        lines: [l1, l2],
        yucho_line: y1,
        b77,
        yucho,
    } = TwoBanks::new().await;

    // The queue, searched by reference: this bank's two lines, grouped, counted.
    let queue = app
        .get(&b77, &format!("/bank/queue?q={reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains("1件の申請、2件の引き出し"), "{queue}");
    assert!(!queue.contains("7654321"), "never another bank's line");
    let queue = app
        .get(&yucho, &format!("/bank/queue?q={reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(queue.contains("1件の申請、1件の引き出し"), "{queue}");
    assert!(
        !queue.contains("1234567"),
        "{}",
        &queue[queue.find("1234567").unwrap_or(0).saturating_sub(300)..]
    );

    // Bad input: messages, 422, nothing written.
    let url = format!("/bank/claims/{reference}/lines/{l1}");
    let res = app
        .post_form(
            &b77,
            &url,
            &[
                ("verdict", "confirmed"),
                ("confirmed_amount", "0"),
                ("holder_kana", "鈴木"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    for field in ["confirmed_amount", "bank_date", "holder_kana"] {
        assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}");
    }
    let res = app
        .post_form(&b77, &url, &[("verdict", "disputed"), ("reason", "other")])
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.count("line_answers").await, 0);

    // Another bank reaches nothing of bank A: page, form post, server function.
    assert_eq!(app.get(&yucho, &url).await.status(), 404);
    assert_eq!(
        app.post_form(&yucho, &url, &confirm("1")).await.status(),
        404
    );
    assert_eq!(
        app.post_form(
            &yucho,
            &format!("/bank/claims/{reference}/lines/{l1}"),
            &confirm("1")
        )
        .await
        .status(),
        404
    );
    assert_eq!(app.count("line_answers").await, 0);

    // Less than claimed (100,000) is confirmed only with the bank's reason:
    // asked by the field and in the summary, 422, nothing written.
    let res = app.post_form(&b77, &url, &confirm("99,000")).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"less_reason-error\""), "by the field");
    assert!(html.contains("href=\"#less_reason\""), "in the summary");
    assert_eq!(app.count("line_answers").await, 0);
    assert_eq!(state_of(&app, &reference).await, "submitted");
    // The first answer starts the bank review; the amount may differ.
    assert_eq!(
        app.post_ok(&b77, &url, &confirm_less("99,000")).await,
        format!("/bank/claims/{reference}?answered=1")
    );
    assert_eq!(state_of(&app, &reference).await, "bank_review");
    let line2 = format!("/bank/claims/{reference}/lines/{l2}");
    app.post_ok(
        &b77,
        &line2,
        &[("verdict", "disputed"), ("reason", "authorized_by_holder")],
    )
    .await;
    // A correction: recorded beside the first answer, not over it.
    app.post_ok(
        &b77,
        &line2,
        &[
            ("verdict", "disputed"),
            ("reason", "other"),
            ("note", "窓口で本人確認済み"),
        ],
    )
    .await;
    assert_eq!(app.count("line_answers").await, 3);
    assert_eq!(
        state_of(&app, &reference).await,
        "bank_review",
        "the other bank has not answered"
    );
    let page = app
        .get(&b77, &format!("/bank/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("窓口で本人確認済み") && page.contains("bank.77@redress.example"),
        "history with who"
    );
    assert!(page.contains("99,000円"));

    // The last line answered: the case goes to the operator's review by itself.
    app.post_ok(
        &yucho,
        &format!("/bank/claims/{reference}/lines/{y1}"),
        &confirm("30000"),
    )
    .await;
    assert_eq!(state_of(&app, &reference).await, "in_review");
    let claim_page = app
        .get(&claimant, &format!("/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        claim_page.contains("銀行が引き出しを確認しました"),
        "timeline"
    );
    assert!(
        !claim_page.contains("bank.77@") && !claim_page.contains("bank.yucho@"),
        "no clerk names"
    );
    assert!(
        claim_page.contains("99,000円"),
        "the confirmed amount per line"
    );
    // The bank's reason for less is the reviewer's to read, not the claimant's.
    assert!(!claim_page.contains("手数料千円は顧客負担のため"));
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let staff_page = app
        .get(&reviewer, &format!("/staff/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    let at = staff_page
        .find("手数料千円は顧客負担のため")
        .expect("the reviewer reads the reason");
    assert!(
        staff_page[..at].contains("99,000円"),
        "beside the confirmed amount"
    );
    let actions: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT e.action FROM claim_events e JOIN claims c ON c.id = e.claim_id WHERE c.reference = $1 ORDER BY e.at, e.id",
    ).bind(&reference).fetch_all(p).await.unwrap());
    assert_eq!(actions, ["submit", "start_bank_review", "bank_checked"]);

    // Corrections go on until approval, then stop.
    app.post_ok(&b77, &url, &confirm("100000")).await;
    app.exec(&format!(
        "UPDATE claims SET state = 'approved' WHERE reference = '{reference}'"
    ))
    .await;
    let res = app.post_form(&b77, &url, &confirm("1")).await;
    assert_eq!(res.status(), 409);
    assert_eq!(app.count("line_answers").await, 5);
    // The history cannot be rewritten, even by the database's own users.
    app::on_db!(&app.state.db, p => assert!(sqlx::query("DELETE FROM line_answers").execute(p).await.is_err()));
}

#[tokio::test]
async fn the_payout_bank_checks_the_account_and_every_opening_is_recorded() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = claim_at_two_banks(&app, &claimant).await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    let check = format!("/bank/claims/{reference}/account-check");

    // The payout account (the first debited one) is at 0125: its number in full there.
    let page = app
        .get(&b77, &format!("/bank/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("1234567 スズキ イチロウ"));
    let res = app.post_form(&b77, &check, &[]).await;
    assert_eq!(
        res.status(),
        422,
        "{}",
        res.text().await.unwrap_or_default()
    );
    app.post_ok(&b77, &check, &[("matches", "yes")]).await;
    let page = app
        .get(&b77, &format!("/bank/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("本人名義です"));
    // Another bank on the claim does not hold it.
    assert_eq!(
        app.post_form(&yucho, &check, &[("matches", "no")])
            .await
            .status(),
        409
    );
    assert!(
        !app.get(&yucho, &format!("/bank/claims/{reference}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("1234567")
    );

    // Every opening by staff is recorded; an admin lists them; nobody else.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let staff_page = app
        .get(&reviewer, &format!("/staff/claims/{reference}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(staff_page.contains("****567"), "masked for the operator");
    assert!(
        !staff_page.contains("1234567"),
        "{}",
        &staff_page[staff_page.find("1234567").unwrap_or(0).saturating_sub(200)..][..400]
    );
    let views: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM case_views v JOIN claims c ON c.id = v.claim_id WHERE c.reference = $1",
    ).bind(&reference).fetch_one(p).await.unwrap());
    // One record per case page served: 0125 twice, 9900 once, the reviewer once.
    let per_user: Vec<(String, i64)> = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT u.email, COUNT(*) FROM case_views v JOIN users u ON u.id = v.user_id GROUP BY u.email ORDER BY u.email",
    ).fetch_all(p).await.unwrap());
    assert_eq!(views, 4, "{per_user:?}");
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let list = app.get(&admin, "/admin/views").await.text().await.unwrap();
    assert!(
        list.contains(&reference)
            && list.contains("reviewer@redress.example")
            && list.contains("bank.yucho@redress.example")
    );
    assert_eq!(app.get(&reviewer, "/admin/views").await.status(), 403);
}

#[tokio::test]
async fn two_banks_answering_the_last_lines_at_once_still_move_the_case_on() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = claim_at_two_banks(&app, &claimant).await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    let l = lines_at(&app, &reference, "0125").await;
    let y = lines_at(&app, &reference, "9900").await;
    app.post_ok(
        &b77,
        &format!("/bank/claims/{reference}/lines/{}", l[0]),
        &confirm_less("1000"),
    )
    .await;
    let (u1, u2) = (
        format!("/bank/claims/{reference}/lines/{}", l[1]),
        format!("/bank/claims/{reference}/lines/{}", y[0]),
    );
    let form = confirm_less("1000");
    let (a, b) = tokio::join!(
        app.post_form(&b77, &u1, &form),
        app.post_form(&yucho, &u2, &form),
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (303, 303));
    assert_eq!(state_of(&app, &reference).await, "in_review");
}

const LIST: &str = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号
100,普通,2223334,スズキ イチロウ,2020-09-03,100000,ドコモコウザ,TX-A
100,普通,2223334,スズキ イチロウ,2020-09-05,50000,ドコモコウザ,TX-B
100,普通,9998887,タナカ ジロウ,2020-09-06,20000,ドコモコウザ,TX-C
100,普通,9998887,タナカ ジロウ,2020-02-30,20000,ドコモコウザ,TX-D
100,普通,9998887,タナカ ジロウ,2020-09-06,-500,ドコモコウザ,TX-E
999,普通,9998887,タナカ ジロウ,2020-09-06,20000,ドコモコウザ,TX-F
100,普通,9998887,タナカ ジロウ,2020-09-07,20000,ドコモコウザ,TX-C
";

async fn upload_list(
    app: &TestApp,
    client: &reqwest::Client,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.upload_list(client, name, bytes).await
}

/// Uploads a bank's list, which is imported at once (303); the import's
/// report page.
async fn imported(app: &TestApp, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> String {
    let res = upload_list(app, client, name, bytes).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    app.get(client, &location(&res)).await.text().await.unwrap()
}

async fn verdict(app: &TestApp, line: uuid::Uuid) -> Option<String> {
    app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, Option<String>>("SELECT bank_verdict FROM debit_lines WHERE id = $1")
        .bind(line).fetch_one(p).await.unwrap())
}

#[tokio::test]
async fn a_banks_list_is_matched_reported_and_imported_again_without_change() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    app.complete_draft(&claimant, &key, &[]).await;
    // The claim's account: 2223334 at 0125 head office (branch 100), two debits.
    let to = app
        .post_ok(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &account_form("2223334"),
        )
        .await;
    app.post_ok(&claimant, &to, &debit_form("2020-09-03", "100000"))
        .await;
    app.post_ok(&claimant, &to, &debit_form("2020-09-04", "50000"))
        .await;
    app.post_ok(&claimant, &format!("/claims/{key}/debits"), &[])
        .await;
    let reference = app.send_draft(&claimant, &key).await;
    let lines = lines_at(&app, &reference, "0125").await;
    let (first, second) = (lines[1], lines[2]);

    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let res = upload_list(&app, &b77, "list.csv", LIST.as_bytes().to_vec()).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let report_url = location(&res);
    let report = app.get(&b77, &report_url).await.text().await.unwrap();
    assert!(
        report.contains("7行：一致 1、要確認 1、申請なし 1、取り込み済み 0、不備 4"),
        "{report}"
    );
    for (line, why) in [
        (5, "日付"),
        (6, "円単位の数字"),
        (7, "その支店は見つかりません"),
        (8, "同じ取引番号"),
    ] {
        assert!(
            report.contains(&format!("行 {line}: ")) && report.contains(why),
            "row {line}: {why}"
        );
    }
    // The exact match confirmed its line with the bank's data.
    assert_eq!(verdict(&app, first).await.as_deref(), Some("confirmed"));
    assert_eq!(verdict(&app, second).await, None);
    assert_eq!(state_of(&app, &reference).await, "bank_review");

    // Another bank reaches none of it.
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    assert_eq!(app.get(&yucho, &report_url).await.status(), 404);
    let probable: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM bank_debits WHERE bank_reference = 'TX-B'").fetch_one(p).await.unwrap());
    assert_eq!(
        app.post_form(&yucho, &format!("/bank/debits/{probable}/accept"), &[])
            .await
            .status(),
        404
    );

    // The claim's other line, answered by hand; then accepting the probable
    // match confirms the last one and the case moves on.
    app.post_ok(
        &b77,
        &format!("/bank/claims/{reference}/lines/{}", lines[0]),
        &confirm("100000"),
    )
    .await;
    app.post_ok(&b77, &format!("/bank/debits/{probable}/accept"), &[])
        .await;
    assert_eq!(verdict(&app, second).await.as_deref(), Some("confirmed"));
    assert_eq!(state_of(&app, &reference).await, "in_review");
    assert_eq!(
        app.post_form(&b77, &format!("/bank/debits/{probable}/accept"), &[])
            .await
            .status(),
        409
    );

    // The same list again changes nothing.
    let answers = app.count("line_answers").await;
    let res = upload_list(&app, &b77, "list.csv", LIST.as_bytes().to_vec()).await;
    let again = app.get(&b77, &location(&res)).await.text().await.unwrap();
    assert!(again.contains("取り込み済み 3"), "{again}");
    assert_eq!(app.count("bank_debits").await, 3);
    assert_eq!(app.count("line_answers").await, answers);

    // Shift_JIS is read; bytes that are neither UTF-8 nor Shift_JIS are refused.
    let sjis_text = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\n100,普通,5556667,サトウ ハナ,2020-09-08,7000,デイーバライ,TX-S\n";
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(sjis_text);
    let res = upload_list(&app, &b77, "sjis.csv", sjis.into_owned()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        app.count("bank_debits WHERE holder_kana = 'サトウ ハナ'")
            .await,
        1
    );
    let res = upload_list(
        &app,
        &b77,
        "bad.csv",
        b"a,b\n\x82\xa0\xff\xfe\x80\n".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("文字コード"));

    // The rows no claim names are bank-reported losses for the operator.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let losses = app
        .get(&reviewer, "/staff/reported-losses")
        .await
        .text()
        .await
        .unwrap();
    assert!(losses.contains("TX-C") && losses.contains("TX-S") && !losses.contains("TX-A"));
    // Account numbers masked: whole only to the claimant and the account's bank.
    assert!(!losses.contains("9998887") && losses.contains("****887"));
    assert_eq!(
        app.get(&claimant, "/staff/reported-losses").await.status(),
        403
    );
    assert_eq!(app.get(&b77, "/staff/reported-losses").await.status(), 403);
}

#[tokio::test]
async fn a_bank_reported_loss_becomes_a_letter_whose_code_starts_a_prefilled_claim() {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let list = "h1,h2,h3,h4,h5,h6,h7,h8\n\
        100,普通,4445556,イトウ ジロウ,2020-09-09,45000,ドコモコウザ,INV-1\n\
        100,普通,4445556,イトウ ジロウ,2020-09-10,5000,ドコモコウザ,INV-2\n\
        100,普通,7778889,サトウ ハナコ,2020-09-10,7000,ドコモコウザ,INV-3\n\
        100,普通,6667778,ヤマダ ケン,2020-09-11,8000,ドコモコウザ,INV-4\n";
    assert_eq!(
        upload_list(&app, &b77, "l.csv", list.as_bytes().to_vec())
            .await
            .status(),
        303
    );
    let debit: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM bank_debits WHERE bank_reference = 'INV-1'").fetch_one(p).await.unwrap());

    // Only operator staff write letters.
    assert_eq!(
        app.post_form(&b77, "/staff/invitations", &[("debit", &debit.to_string())])
            .await
            .status(),
        403
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let res = app
        .post_form(
            &reviewer,
            "/staff/invitations",
            &[("debit", &debit.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let letter = res.text().await.unwrap();
    assert!(
        letter.contains("イトウ ジロウ 様")
            && letter.contains("45,000円")
            && letter.contains("5,000円")
    );
    assert!(
        letter.contains("****556") && !letter.contains("4445556"),
        "the account masked in the letter"
    );
    let start = letter.find("請求コード：").unwrap() + "請求コード：".len();
    let code: String = letter[start..].chars().take(14).collect();
    assert!(code.chars().filter(|c| *c == '-').count() == 2, "{code}");
    // Only the hash is kept; the letter page does not show the code again.
    let stored: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT code_hash FROM invitations").fetch_one(p).await.unwrap());
    assert!(!stored.contains(&code.replace('-', "")));
    let id: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM invitations").fetch_one(p).await.unwrap());
    let again = app
        .get(&reviewer, &format!("/staff/invitations/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&code) && again.contains("____-____-____"));
    // The letter is in the holder's language (Japanese unless English is
    // asked), whatever the clerk's screen: a clerk in English writes one.
    let other: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM bank_debits WHERE bank_reference = 'INV-3'").fetch_one(p).await.unwrap());
    app.post_form(&reviewer, "/lang", &[("to", "en"), ("back", "/")])
        .await;
    let res = app
        .post_form(
            &reviewer,
            "/staff/invitations",
            &[("debit", &other.to_string())],
        )
        .await;
    let page = res.text().await.unwrap();
    let letter_of = |page: &str| {
        page.split("class=\"letter\"")
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        page.contains("<pre lang=\"ja\" class=\"letter\">")
            && letter_of(&page).contains("請求コード："),
        "a Japanese letter from an English screen: {page}"
    );
    app.post_form(&reviewer, "/lang", &[("to", "ja"), ("back", "/")])
        .await;
    // And an English letter from a Japanese screen, when asked.
    let fourth: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM bank_debits WHERE bank_reference = 'INV-4'").fetch_one(p).await.unwrap());
    let res = app
        .post_form(
            &reviewer,
            "/staff/invitations",
            &[("debit", &fourth.to_string()), ("letter_lang", "en")],
        )
        .await;
    let page = res.text().await.unwrap();
    assert!(
        page.contains("<pre lang=\"en\" class=\"letter\">")
            && letter_of(&page).contains("To ヤマダ ケン"),
        "{page}"
    );
    // One letter per account.
    assert_eq!(
        app.post_form(
            &reviewer,
            "/staff/invitations",
            &[("debit", &debit.to_string())]
        )
        .await
        .status(),
        409
    );

    // The holder registers and types the code (any case, full-width is fine).
    let holder = app
        .register_claimant("ito@example.jp", "kamome-no-suiheisen")
        .await;
    let res = app
        .post_form(
            &holder,
            "/claims/redeem",
            &[("claim_code", "ACDE-FGHJ-KMNP")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("この請求コードは使えません")
    );
    // With ten drafts open, a code is refused as a new claim is, and stays
    // unused.
    for _ in 0..10 {
        app.start_draft(&holder).await;
    }
    let res = app
        .post_form(&holder, "/claims/redeem", &[("claim_code", &code)])
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("作成中の申請が多すぎます")
    );
    let holders = "SELECT id FROM users WHERE email = 'ito@example.jp'";
    let open: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM drafts WHERE claimant_id IN ({holders})")).fetch_one(p).await.unwrap());
    assert_eq!(open, 10, "no draft was made");
    app.exec(&format!(
        "DELETE FROM drafts WHERE claimant_id IN ({holders})"
    ))
    .await;
    let to = app
        .post_ok(
            &holder,
            "/claims/redeem",
            &[("claim_code", &code.to_lowercase())],
        )
        .await;
    let key = to.trim_start_matches("/claims/");
    let answers = crate::claims::draft_answers(&app, key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    assert_eq!(doc["accounts"][0]["number"], "4445556");
    assert_eq!(doc["accounts"][0]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(doc["accounts"][0]["lines"][0]["amount"], 45000);
    let page = app
        .get(&holder, &format!("{to}/debits"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("50,000円"),
        "the running total of the filled-in debits"
    );
    // A code works once.
    let res = app
        .post_form(&holder, "/claims/redeem", &[("claim_code", &code)])
        .await;
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn the_bank_queue_filters_by_status_dates_amounts_branch_and_search() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = claim_at_two_banks(&app, &claimant).await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let count = |html: &str| -> String {
        let start = html.find("<p role=\"status\">").expect("counts") + "<p role=\"status\">".len();
        html[start..].split('<').next().unwrap().to_owned()
    };
    let get = |q: &'static str| {
        let (app, b77) = (&app, &b77);
        async move {
            app.get(b77, &format!("/bank/queue?{q}"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    // Open lines at 0125: the demo's three and this claim's two.
    assert_eq!(count(&get("").await), "3件の申請、5件の引き出し");
    assert_eq!(
        count(&get("amount_min=60000").await),
        "3件の申請、4件の引き出し"
    );
    assert_eq!(
        count(&get("amount_max=60000").await),
        "1件の申請、1件の引き出し"
    );
    assert_eq!(
        count(&get("date_from=2020-09-04&date_to=2020-09-04").await),
        "2件の申請、2件の引き出し"
    );
    assert_eq!(count(&get("branch=100").await), "3件の申請、5件の引き出し");
    assert_eq!(count(&get("branch=101").await), "0件の申請、0件の引き出し");
    assert_eq!(
        count(
            &app.get(&b77, &format!("/bank/queue?q={reference}"))
                .await
                .text()
                .await
                .unwrap()
        ),
        "1件の申請、2件の引き出し"
    );
    assert_eq!(count(&get("q=1234567").await), "2件の申請、4件の引き出し");
    // Answered lines leave the open list and appear under "answered".
    let line = lines_at(&app, &reference, "0125").await[0];
    app.post_ok(
        &b77,
        &format!("/bank/claims/{reference}/lines/{line}"),
        &confirm("100000"),
    )
    .await;
    assert_eq!(count(&get("").await), "3件の申請、4件の引き出し");
    assert_eq!(
        count(&get("status=answered").await),
        "1件の申請、1件の引き出し"
    );
    assert_eq!(count(&get("status=all").await), "3件の申請、5件の引き出し");
    // A filter that cannot be read is named (422, not a 500), and the rest still apply.
    let res = app.get(&b77, "/bank/queue?amount_min=abc&branch=1").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"amount_min-error\"") && html.contains("id=\"branch-error\""));
}

#[tokio::test]
async fn a_banks_list_can_be_an_excel_sheet() {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let heading = [
        "支店番号",
        "預金種目",
        "口座番号",
        "口座名義",
        "取引日",
        "金額",
        "摘要",
        "取引番号",
    ];
    for (c, h) in heading.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Demo claim RD-000001's first debit (numbers as numbers, as Excel keeps them).
    let rows: [(&str, f64, &str, &str, f64, &str); 2] = [
        (
            "普通",
            1234567.0,
            "ヤマダ ハナコ",
            "2020-09-03",
            100000.0,
            "XL-1",
        ),
        (
            "普通",
            7778889.0,
            "オカ ミチコ",
            "2020-09-12",
            3000.0,
            "XL-2",
        ),
    ];
    for (r, (kind, number, holder, date, amount, reference)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_number(r, 0, 100.0).unwrap();
        sheet.write_string(r, 1, *kind).unwrap();
        sheet.write_number(r, 2, *number).unwrap();
        sheet.write_string(r, 3, *holder).unwrap();
        sheet.write_string(r, 4, *date).unwrap();
        sheet.write_number(r, 5, *amount).unwrap();
        sheet.write_string(r, 6, "ドコモコウザ").unwrap();
        sheet.write_string(r, 7, *reference).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let report = imported(&app, &b77, "list.xlsx", bytes).await;
    assert!(
        report.contains("2行：一致 1、要確認 0、申請なし 1"),
        "{report}"
    );
    // A zip that is not a workbook is refused with a message.
    let res = upload_list(
        &app,
        &b77,
        "broken.xlsx",
        b"PK\x03\x04not a workbook".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 422);
}

/// A workbook rebuilt with one more part of `pad` zero bytes: a few
/// kilobytes on the wire, `pad` bytes once unpacked (a zip bomb).
fn with_padding(workbook: &[u8], pad: usize) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(workbook)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let mut part = source.by_index(i).unwrap();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        out.start_file(part.name().to_owned(), options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.start_file("xl/media/pad.bin", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..pad / zeros.len() {
        out.write_all(&zeros).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// A list sheet of `rows` rows of the eight columns (the heading first).
fn list_workbook(rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for c in 0..8u16 {
        sheet.write_string(0, c, format!("h{c}")).unwrap();
    }
    for r in 1..=rows {
        sheet.write_number(r, 0, 100.0).unwrap();
        sheet.write_string(r, 1, "普通").unwrap();
        sheet.write_number(r, 2, 1234567.0).unwrap();
        sheet.write_string(r, 3, "ヤマダ ハナコ").unwrap();
        sheet.write_string(r, 4, "2020-09-03").unwrap();
        sheet.write_number(r, 5, 100000.0).unwrap();
        sheet.write_string(r, 6, "ドコモコウザ").unwrap();
        sheet.write_string(r, 7, format!("XB-{r}")).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// An Excel list that unpacks past the configured size, or holds more
/// cells than the configured count, is refused with a message before it is
/// read whole; nothing is imported. One within both limits is imported.
#[tokio::test]
async fn an_excel_list_past_the_unpacked_limits_is_refused_before_it_is_read() {
    let app = TestApp::spawn_with(Options {
        import_max_unpacked_mb: 4,
        import_max_cells: 2_000,
        ..Options::default()
    })
    .await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let bomb = with_padding(&list_workbook(2), 64 * 1024 * 1024);
    assert!(
        bomb.len() < 200 * 1024,
        "a small file: {} bytes",
        bomb.len()
    );
    let many_cells = list_workbook(300); // 2,408 cells
    for (name, bytes) in [("bomb.xlsx", bomb), ("cells.xlsx", many_cells)] {
        let res = upload_list(&app, &b77, name, bytes).await;
        assert_eq!(res.status(), 422, "{name}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("このExcelファイルは展開すると大きすぎます"),
            "{name}: {html}"
        );
        assert!(html.contains("error-summary"), "{name}: in the summary too");
    }
    assert_eq!(app.count("bank_imports").await, 0);
    assert_eq!(app.count("bank_debits").await, 0);
    // Within both limits (padding of 2 MB, 200 rows = 1,608 cells): imported.
    let res = upload_list(
        &app,
        &b77,
        "ok.xlsx",
        with_padding(&list_workbook(200), 2 * 1024 * 1024),
    )
    .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    assert_eq!(app.count("bank_imports").await, 1);
}

#[tokio::test]
async fn an_import_still_working_shows_its_progress_and_one_that_cannot_be_resumed_says_to_send_again()
 {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    let clerk: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM users WHERE email = 'bank.77@redress.example'").fetch_one(p).await.unwrap());
    let (working, cut_off) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let now = chrono::Utc::now();
    // One held by another process (its lease runs on); one an older release
    // left, its rows not kept: nothing can resume it.
    let other = uuid::Uuid::new_v4();
    for (id, owner, until, rows) in [
        (
            working,
            Some(other),
            Some(now + chrono::Duration::minutes(10)),
            Some(r#"{"rows":[],"rejected":[]}"#),
        ),
        (cut_off, None, None, None),
    ] {
        app::on_db!(&app.state.db, p => sqlx::query(
            "INSERT INTO bank_imports (id, bank_code, actor_id, file_name, rows_read, rows_rejected, rows_matched,
                                       rows_probable, rows_unmatched, rows_known, rejections, created_at,
                                       status, rows_total, source, lease_owner, lease_until, job_rows)
             VALUES ($1, '0125', $2, 'big.csv', 0, 0, 0, 0, 0, 0, '[]', $3, 'processing', 100000, 'upload', $4, $5, $6)",
        ).bind(id).bind(clerk).bind(now).bind(owner).bind(until).bind(rows).execute(p).await.unwrap().rows_affected());
    }
    // Still working (another process has it): progress, and a link to look again.
    let res = app.get(&b77, &format!("/bank/imports/{working}")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("一覧を処理しています"), "{html}");
    assert!(html.contains("<progress"));
    assert!(html.contains("100000 行のうち 0 行を処理しました"));
    assert!(html.contains(&format!("href=\"/bank/imports/{working}\"")));
    // The one nothing can resume is failed by the first process that looks
    // (every 2 s): what it did is kept; sending the list again does the rest.
    let mut status = String::new();
    for _ in 0..100 {
        status = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT status FROM bank_imports WHERE id = $1").bind(cut_off).fetch_one(p).await.unwrap());
        if status != "processing" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "failed");
    let html = app
        .get(&b77, &format!("/bank/imports/{cut_off}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("一覧を取り込めませんでした"));
    assert!(!html.contains("<progress"));
    // Another bank's import is not there.
    assert_eq!(
        app.get(&yucho, &format!("/bank/imports/{working}"))
            .await
            .status(),
        404
    );
    // Nor through the progress server function.
    let res = yucho
        .post(app.url("/api/poll_import"))
        .form(&[("id", working.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = b77
        .post(app.url("/api/poll_import"))
        .form(&[("id", working.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("processing"));
}

#[tokio::test]
async fn a_banks_import_history_and_the_reported_losses_download_as_csv() {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    for name in ["first.csv", "again.csv"] {
        let res = upload_list(&app, &b77, name, LIST.as_bytes().to_vec()).await;
        assert_eq!(res.status(), 303, "{name}");
    }
    // The import history, newest first, with what became of the rows.
    let rows = csv_download(&app, &b77, "/bank/imports.csv").await;
    assert_eq!(
        rows[0],
        [
            "ファイル",
            "取り込み日時",
            "状況",
            "読んだ行",
            "一致",
            "要確認",
            "申請なし",
            "取り込み済み",
            "不備"
        ]
    );
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][0], "again.csv");
    assert_eq!(rows[1][2..], ["完了", "7", "0", "0", "0", "3", "4"]);
    assert_eq!(rows[2][0], "first.csv");
    assert_eq!(rows[2][2..], ["完了", "7", "0", "0", "3", "0", "4"]);
    // Another bank's clerk gets only their bank's imports: none.
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    assert_eq!(
        csv_download(&app, &yucho, "/bank/imports.csv").await.len(),
        1
    );
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    assert_eq!(app.get(&reviewer, "/bank/imports.csv").await.status(), 403);
    assert_eq!(
        app.get(&app.client(), "/bank/imports.csv").await.status(),
        401
    );
    let page = app.get(&b77, "/bank/import").await.text().await.unwrap();
    assert!(page.contains("href=\"/bank/imports.csv\""));

    // The reported losses: every debit no claim names, whether a letter is
    // written; for operator staff only.
    let debit: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM bank_debits WHERE bank_reference = 'TX-C'").fetch_one(p).await.unwrap());
    let res = app
        .post_form(
            &reviewer,
            "/staff/invitations",
            &[("debit", &debit.to_string())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let rows = csv_download(&app, &reviewer, "/staff/reported-losses.csv").await;
    assert_eq!(rows[0][0], "銀行");
    assert_eq!(rows[0][8], "案内状作成済み");
    let mut body: Vec<_> = rows[1..].to_vec();
    body.sort_by(|a, b| a[1].cmp(&b[1]));
    assert_eq!(
        body,
        [
            [
                "0125",
                "TX-A",
                "100",
                "****334",
                "スズキ イチロウ",
                "2020-09-03",
                "100000",
                "ドコモコウザ",
                "いいえ"
            ],
            [
                "0125",
                "TX-B",
                "100",
                "****334",
                "スズキ イチロウ",
                "2020-09-05",
                "50000",
                "ドコモコウザ",
                "いいえ"
            ],
            [
                "0125",
                "TX-C",
                "100",
                "****887",
                "タナカ ジロウ",
                "2020-09-06",
                "20000",
                "ドコモコウザ",
                "はい"
            ],
        ]
    );
    assert_eq!(
        app.get(&b77, "/staff/reported-losses.csv").await.status(),
        403
    );
    assert_eq!(
        app.get(&app.client(), "/staff/reported-losses.csv")
            .await
            .status(),
        401
    );
    let page = app
        .get(&reviewer, "/staff/reported-losses")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/staff/reported-losses.csv\""));
}

/// What one bank's server function returns for a claim it shares with
/// another bank holds nothing of the other bank's: not its account check
/// or the note with it, not its lines, and no total but the bank's own.
#[tokio::test]
async fn a_bank_reads_nothing_of_another_banks_side_of_a_shared_claim() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let reference = claim_at_two_banks(&app, &claimant).await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    // 0125 holds the payout account and checks it, with an internal note.
    app.post_ok(
        &b77,
        &format!("/bank/claims/{reference}/account-check"),
        &[("matches", "no"), ("note", "MARKER-0125-INTERNAL-NOTE")],
    )
    .await;
    let json = |client: reqwest::Client| {
        let url = app.url("/api/bank_case");
        let reference = reference.clone();
        async move {
            let res = client
                .post(url)
                .form(&[("reference", reference.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        }
    };
    let theirs = json(yucho).await;
    for planted in ["MARKER-0125-INTERNAL-NOTE", "1234567", "100000", "50000"] {
        assert!(!theirs.contains(planted), "9900 reads {planted}: {theirs}");
    }
    let value: serde_json::Value = serde_json::from_str(&theirs).unwrap();
    assert_eq!(value["detail"]["total"], 30000, "9900's own line only");
    assert!(value["account_check"].is_null(), "{theirs}");
    // 0125 reads its own check and its own total.
    let own: serde_json::Value = serde_json::from_str(&json(b77).await).unwrap();
    assert_eq!(own["detail"]["total"], 150000);
    assert_eq!(own["account_check"][1], "MARKER-0125-INTERNAL-NOTE");
}

/// Lists as core banking systems write them, matched exactly: a Shift_JIS
/// CSV with half-width kana holders and descriptors, full-width digits,
/// era and compact dates, amounts with 円; Japan Post Bank's old Excel
/// (`.xls`) with codes as numbers (leading zeros lost), a real date cell
/// and one account by the passbook's 記号・番号. A holder in another name
/// is a flag for the reviewer, not a refusal.
#[tokio::test]
async fn banks_lists_as_core_banking_writes_them_match_exactly() {
    let app = TestApp::spawn().await;
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    // RD-000001 (ヤマダ ハナコ, 1234567) and RD-000003 (タカハシ カズコ,
    // 5550123); the second row's holder is someone else (カズオ).
    let text = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\r\n\
        １００,1,1234567,ﾔﾏﾀﾞ ﾊﾅｺ,R2.9.3,\"１００，０００円\",ﾄﾞｺﾓｺｳｻﾞ,SJ-1\r\n\
        100,普通,5550123,ﾀｶﾊｼ ｶｽﾞｵ,20200907,\"￥200,000\",ﾄﾞｺﾓ ｺｳｻﾞ,SJ-2\r\n";
    let (sjis, _, lossy) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!lossy);
    let report = imported(&app, &b77, "core.csv", sjis.into_owned()).await;
    assert!(
        report.contains("2行：一致 2、要確認 0、申請なし 0"),
        "{report}"
    );
    // Every conversion is in the report, with its rows.
    for said in [
        "半角カナを全角カナに：2行",
        "全角の数字・英字を半角に：1行",
        "和暦の日付を西暦に：1行",
        "8桁の日付（20200907）を年月日に：1行",
    ] {
        assert!(report.contains(said), "{said}: {report}");
    }
    assert_eq!(
        app.count("line_answers WHERE holder_kana IN ('ヤマダ ハナコ', 'タカハシ カズオ')")
            .await,
        2
    );

    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    let xls = include_bytes!("../fixtures/yucho-list.xls").to_vec();
    let report = imported(&app, &yucho, "yucho.xls", xls).await;
    assert!(
        report.contains("2行：一致 1、要確認 0、申請なし 1"),
        "{report}"
    );
    for said in [
        "ゆうちょ銀行の記号・番号を店番・口座番号に：1行",
        "先頭の0が落ちた支店番号・口座番号を桁どおりに：1行",
        "和暦の日付を西暦に：1行",
    ] {
        assert!(report.contains(said), "{said}: {report}");
    }
    assert_eq!(
        app.count(
            "bank_debits WHERE bank_code = '9900' AND branch_code = '008' \
             AND account_number = '0001234' AND amount = 3000 AND holder_kana = 'オカ ミチコ'"
        )
        .await,
        1
    );

    // The reviewer sees a flag where the holder is another name, none
    // where it is the claimant's reading in half-width kana.
    let reviewer = app.login("reviewer@redress.example", PASSWORD).await;
    let flag = "銀行が確認した口座名義が申請者のフリガナと違います";
    let page = |r: &'static str| {
        let (app, reviewer) = (&app, &reviewer);
        async move {
            app.get(reviewer, &format!("/staff/claims/{r}"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let differs = page("RD-000003").await;
    assert!(
        differs.contains(flag) && differs.contains("タカハシ カズオ"),
        "{differs}"
    );
    assert!(!page("RD-000001").await.contains(flag));
    assert!(!page("RD-000002").await.contains(flag));
}

/// A bank sees the evidence the claimant linked to its own lines (the
/// passbook photo of its account), shown on its case page and downloadable;
/// never a file linked only to another bank's line or to none.
#[tokio::test]
async fn a_bank_sees_only_the_files_linked_to_its_own_lines() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = draft_at_two_banks(&app, &claimant).await;
    for (name, bytes) in [
        ("passbook-77.png", PNG.to_vec()),
        ("passbook-yucho.png", PNG.to_vec()),
        ("receipt.pdf", PDF.to_vec()),
    ] {
        assert_eq!(app.upload(&claimant, &key, name, bytes).await.status(), 303);
    }
    let answers = crate::claims::draft_answers(&app, &key).await;
    let doc: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let line_of = |i: usize| {
        doc["accounts"][i]["lines"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let file = |name: &'static str| {
        let db = app.state.db.clone();
        async move {
            app::on_db!(&db, p => sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM evidence WHERE file_name = $1").bind(name).fetch_one(p).await.unwrap())
        }
    };
    let (f77, fyucho, freceipt) = (
        file("passbook-77.png").await,
        file("passbook-yucho.png").await,
        file("receipt.pdf").await,
    );
    for (f, line) in [(f77, line_of(0)), (fyucho, line_of(1))] {
        app.post_ok(
            &claimant,
            &format!("/claims/{key}/evidence/{f}/links"),
            &[(&format!("line_{line}") as &str, "yes")],
        )
        .await;
    }
    let reference = app.send_draft(&claimant, &key).await;

    for (who, own, line, others) in [
        (
            "bank.77@redress.example",
            (f77, "passbook-77.png"),
            "#1",
            [fyucho, freceipt],
        ),
        (
            "bank.yucho@redress.example",
            (fyucho, "passbook-yucho.png"),
            "#3",
            [f77, freceipt],
        ),
    ] {
        let bank = app.staff(who).await;
        let (status, page) = app.html(&bank, &format!("/bank/claims/{reference}")).await;
        assert_eq!(status, 200, "{who}");
        assert!(
            page.contains(own.1) && page.contains(&format!("裏付ける行: {line}")),
            "{who}: its own file, beside its line: {page}"
        );
        for name in ["passbook-77.png", "passbook-yucho.png", "receipt.pdf"] {
            assert_eq!(page.contains(name), name == own.1, "{who}: {name}");
        }
        let res = app.get(&bank, &format!("/files/{}?inline=1", own.0)).await;
        assert_eq!(res.status(), 200, "{who}");
        assert_eq!(res.headers()["content-type"], "image/png");
        for other in others {
            assert_eq!(
                app.get(&bank, &format!("/files/{other}")).await.status(),
                404,
                "{who}: another bank's or an unlinked file"
            );
        }
    }
}

#[tokio::test]
async fn a_clerk_confirms_every_open_line_as_claimed_in_one_step_after_saying_each_was_checked() {
    let TwoBanks {
        app,
        claimant: _,
        reference,
        lines: [l1, l2],
        yucho_line: y1,
        b77,
        yucho,
    } = TwoBanks::new().await;
    let case = format!("/bank/claims/{reference}");
    let all = format!("/bank/claims/{reference}/confirm-all");

    // The case page offers it for the two open lines, without JavaScript,
    // naming the holder the clerk then says the bank's records show.
    let kana: String = app::on_db!(&app.state.db, p => sqlx::query_scalar(
        "SELECT name_kana FROM claims WHERE reference = $1").bind(&reference).fetch_one(p).await.unwrap());
    let page = app.get(&b77, &case).await.text().await.unwrap();
    assert!(page.contains(&format!("action=\"{all}\"")), "{page}");
    assert!(page.contains("2件をすべて確認済みにする"));
    assert!(
        page.contains(&format!("口座名義「{kana}」の口座から")),
        "{page}"
    );
    assert!(page.contains("上の引き出しと口座名義をすべて銀行の記録と照合しました"));

    // One line disputed by hand first: it keeps its answer.
    app.post_ok(
        &b77,
        &format!("/bank/claims/{reference}/lines/{l2}"),
        &[("verdict", "disputed"), ("reason", "no_such_debit")],
    )
    .await;
    let page = app.get(&b77, &case).await.text().await.unwrap();
    assert!(page.contains("1件をすべて確認済みにする"));

    // Not ticked: asked by the field and in the summary, 422, nothing written.
    let res = app.post_form(&b77, &all, &[]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"checked_all-error\""));
    assert!(html.contains("href=\"#checked_all\""));
    assert_eq!(app.count("line_answers").await, 1);

    // The other bank's confirm-all answers its own line only.
    assert_eq!(
        app.post_ok(&yucho, &all, &[("checked_all", "yes")]).await,
        format!("{case}?confirmed_all=1")
    );
    assert_eq!(verdict(&app, y1).await.as_deref(), Some("confirmed"));
    assert_eq!(verdict(&app, l1).await, None, "not another bank's line");
    assert_eq!(state_of(&app, &reference).await, "bank_review");

    // This bank's: its open line confirmed as claimed; the case moves on.
    app.post_ok(&b77, &all, &[("checked_all", "yes")]).await;
    assert_eq!(verdict(&app, l1).await.as_deref(), Some("confirmed"));
    assert_eq!(verdict(&app, l2).await.as_deref(), Some("disputed"), "kept");
    let (amount, date, holder): (i64, chrono::NaiveDate, String) = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT confirmed_amount, bank_date, holder_kana FROM line_answers WHERE line_id = $1",
    ).bind(l1).fetch_one(p).await.unwrap());
    assert_eq!((amount, date.to_string().as_str()), (100_000, "2020-09-03"));
    assert_eq!(holder, kana, "the holder the clerk checked");
    assert_eq!(state_of(&app, &reference).await, "in_review");
    assert_eq!(app.count("line_answers").await, 3);

    // Nothing left open: the form is gone, and a second post says so.
    let page = app.get(&b77, &case).await.text().await.unwrap();
    assert!(!page.contains(&format!("action=\"{all}\"")));
    let res = app.post_form(&b77, &all, &[("checked_all", "yes")]).await;
    assert_eq!(res.status(), 409);
    assert_eq!(app.count("line_answers").await, 3);
}

/// PostgreSQL: a list that grows the debits' table from nothing leaves its
/// planner statistics counted (`Db::analyze_grown`, after each chunk): the
/// queries of the flags that follow an import are planned for the rows it
/// wrote, not for an empty table, whether or not autovacuum is on (it is
/// off on the test server; on, it waits up to a minute). The planner's row
/// count (`pg_class.reltuples`) is set only by ANALYZE and VACUUM.
#[tokio::test]
async fn an_import_that_grows_a_table_counts_its_statistics_again() {
    if backend() != "postgres" {
        eprintln!("planner statistics are PostgreSQL's");
        return;
    }
    let app = TestApp::spawn().await;
    let counted = || async {
        app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, f32>(
            "SELECT reltuples FROM pg_class WHERE relname = 'bank_debits' AND relkind = 'r'")
            .fetch_one(p).await.unwrap())
    };
    let rows = || async {
        app::on_db!(&app.state.db, p => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM bank_debits")
            .fetch_one(p).await.unwrap())
    };
    let before = counted().await;
    assert!(before < 50.0, "a young database: {before}");
    let mut list = String::from("支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\n");
    for i in 0..300 {
        list.push_str(&format!(
            "100,普通,{:07},タナカ ジロウ,2020-09-06,{},ドコモコウザ,TX-G{i}\n",
            5_000_000 + i,
            1_000 + i
        ));
    }
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let report = imported(&app, &b77, "grow.csv", list.into_bytes()).await;
    assert!(report.contains("申請なし 300"), "{report}");
    let after = counted().await;
    assert_eq!(
        after as i64,
        rows().await,
        "the planner counts the rows the import wrote (before: {before})"
    );
}

/// A sent claim of a new claimant with debits at one account of 0125
/// (branch 100); its reference.
async fn claim_of_account(
    app: &TestApp,
    who: &str,
    account: &'static str,
    debits: &[(&'static str, &'static str)],
) -> String {
    let claimant = app
        .register_claimant(&format!("{who}@example.jp"), PASSWORD)
        .await;
    let key = app.start_draft(&claimant).await;
    app.post_ok(&claimant, &format!("/claims/{key}/about"), &about_form())
        .await;
    let to = app
        .post_ok(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &account_form(account),
        )
        .await;
    for (date, amount) in debits {
        app.post_ok(&claimant, &to, &debit_form(date, amount)).await;
    }
    for section in ["debits", "calls", "travel", "evidence/done"] {
        app.post_ok(&claimant, &format!("/claims/{key}/{section}"), &[])
            .await;
    }
    app.send_draft(&claimant, &key).await
}

/// A bank's list that confirms the lines of several claims, a claim's rows
/// in two of the list's transactions (two rows a chunk): the dashboard's
/// and the report's kept figures equal a full count after it (PostgreSQL
/// computes a chunk's figures at once, `figures::hold_many`), and nothing
/// is left pending.
#[tokio::test]
async fn a_list_confirming_many_claims_keeps_their_figures_exact() {
    let app = TestApp::spawn_with(Options {
        import_chunk_rows: 2,
        ..Options::default()
    })
    .await;
    let both = claim_of_account(
        &app,
        "both",
        "3000001",
        &[("2020-09-03", "10000"), ("2020-09-04", "20000")],
    )
    .await;
    let one = claim_of_account(
        &app,
        "one",
        "3000002",
        &[("2020-09-03", "30000"), ("2020-09-05", "40000")],
    )
    .await;
    let single = claim_of_account(&app, "single", "3000003", &[("2020-09-06", "5000")]).await;
    let list = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号
100,普通,3000001,スズキ イチロウ,2020-09-03,10000,ドコモコウザ,TX-M1
100,普通,3000002,スズキ イチロウ,2020-09-03,30000,ドコモコウザ,TX-M2
100,普通,3000001,スズキ イチロウ,2020-09-04,20000,ドコモコウザ,TX-M3
100,普通,3000003,スズキ イチロウ,2020-09-06,5000,ドコモコウザ,TX-M4
100,普通,3000009,タナカ ジロウ,2020-09-06,7000,ドコモコウザ,TX-M5
";
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let report = imported(&app, &b77, "many.csv", list.as_bytes().to_vec()).await;
    assert!(
        report.contains("5行：一致 4、要確認 0、申請なし 1、取り込み済み 0、不備 0"),
        "{report}"
    );
    assert_eq!(state_of(&app, &both).await, "in_review");
    assert_eq!(state_of(&app, &one).await, "bank_review");
    assert_eq!(state_of(&app, &single).await, "in_review");
    assert_eq!(
        app.count("figures_pending").await,
        0,
        "nothing left pending"
    );
    // Each claimant whose every line the list confirmed is told once; the
    // claim still waiting on a line is not.
    for (reference, told) in [(&both, 1), (&one, 0), (&single, 1)] {
        let n: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox o JOIN claims c ON c.id = o.claim_id
              WHERE c.reference = $1 AND o.kind = 'bank_checked'")
            .bind(reference.as_str()).fetch_one(p).await.unwrap());
        assert_eq!(n, told, "{reference}: mails telling every bank answered");
    }
    crate::reports::check_kept_figures(&app, &[], false, "after the list").await;
}
