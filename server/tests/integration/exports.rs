//! Spreadsheet formulas planted through the real entry points (a claimant's
//! name and address, a debit's passbook text, a bank's list and its file
//! name, a withdrawal's reason, an invited member's address) never reach an
//! export as a formula: every CSV goes through the one writer, which
//! neutralises a cell beginning with `= + - @`, a tab or a carriage return
//! (OWASP), and every Excel text cell likewise. The downloads walked are
//! every CSV and Excel route of the router; the table below must name each.

use std::collections::BTreeMap;

use crate::helpers::*;

/// (`𠮷` is not in Shift_JIS: that download writes it 〓, and counts it.)
const NAME: &str = "-SUM(A:A)𠮷";
const DESCRIPTOR: &str = "=HYPERLINK(\"//evil.example\",\"x\")";
const LISTED: &str = "+cmd|' /C calc'!A0";
const REASON: &str = "@SUM(1+1)";
/// A valid address (its local part may hold `= | ' !`), lower-cased as kept.
const EMAIL: &str = "=cmd|'/c'!a0@example.jp";
const INVITED: &str = "-2+3@example.jp";
const FILE_NAME: &str = "=1+2.csv";

/// Every download of the router: who fetches it, its query, and the planted
/// value it must carry (neutralised), or `None` where no free text reaches
/// it (figures, codes, katakana payee names): those are still checked for
/// any cell that would run.
fn downloads() -> BTreeMap<&'static str, (&'static str, &'static str, Option<&'static str>)> {
    BTreeMap::from([
        (
            "/admin/claims/{reference}/history.csv",
            ("admin", "", Some(REASON)),
        ),
        (
            "/staff/queue.csv",
            ("admin", "?state=submitted", Some(NAME)),
        ),
        ("/staff/reported-losses.csv", ("admin", "", Some(LISTED))),
        (
            "/bank/queue.csv",
            ("bank", "?status=all&q=5100007", Some(DESCRIPTOR)),
        ),
        ("/bank/imports.csv", ("bank", "", Some(FILE_NAME))),
        ("/admin/actions.csv", ("admin", "", Some(INVITED))),
        ("/admin/users.csv", ("admin", "", Some(EMAIL))),
        ("/admin/mail.csv", ("admin", "", Some(EMAIL))),
        ("/admin/views.csv", ("admin", "", Some(INVITED))),
        (
            "/payments/batches/{number}/batch.csv",
            ("payments", "", None),
        ),
        ("/payments/batches.csv", ("payments", "", None)),
        ("/admin/settlement.csv", ("admin", "", None)),
        ("/admin/settlement.xlsx", ("admin", "", None)),
        ("/reports/{number}/csv", ("approver", "", None)),
        ("/reports/{number}/about.csv", ("approver", "", None)),
        ("/reports/{number}/xlsx", ("approver", "", None)),
    ])
}

/// The text cells of an Excel download, and whether any cell is a formula.
async fn xlsx_cells(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<String> {
    use calamine::{Data, Reader, Xlsx};
    let res = app.get(client, path).await;
    assert_eq!(res.status(), 200, "{path}");
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let formulas = book.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{path}: a formula in {name}"
        );
        let range = book.worksheet_range(&name).unwrap();
        out.extend(range.used_cells().filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        }));
    }
    out
}

/// The cells of a CSV download (the BOM dropped).
async fn cells(app: &TestApp, client: &reqwest::Client, path: &str) -> Vec<String> {
    let res = app.get(client, path).await;
    assert_eq!(res.status(), 200, "{path}");
    let body = res.bytes().await.unwrap();
    let body = body.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM");
    let mut out = Vec::new();
    for record in csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
    {
        out.extend(record.unwrap().iter().map(str::to_owned));
    }
    out
}

/// No cell would run as a formula, and the planted value (if any) arrived,
/// quoted.
fn neutralised(path: &str, cells: &[String], planted: Option<&str>) {
    for c in cells {
        let number = c.trim_start_matches(['-', '+']).parse::<f64>().is_ok();
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']) || number,
            "{path}: the cell {c:?} would run as a formula"
        );
    }
    if let Some(planted) = planted {
        assert!(
            cells.iter().any(|c| *c == format!("'{planted}")),
            "{path}: {planted:?} is not in the file: {cells:?}"
        );
    }
}

#[tokio::test]
async fn formulas_planted_through_every_entry_point_never_run_in_an_export() {
    let app = TestApp::spawn().await;
    // A claimant (a formula for an address) with a formula for a name and
    // for a debit's passbook text.
    let claimant = app.register_claimant(EMAIL, "kamome-no-suiheisen").await;
    let key = app.start_draft(&claimant).await;
    let mut about = about_form();
    about.retain(|(k, _)| *k != "full_name");
    about.push(("full_name", NAME));
    app.post_ok(&claimant, &format!("/claims/{key}/about"), &about)
        .await;
    let add = app
        .post_ok(
            &claimant,
            &format!("/claims/{key}/add-account"),
            &account_form("5100007"),
        )
        .await;
    app.post_ok(
        &claimant,
        &add,
        &[
            ("date", "2020-09-04"),
            ("amount", "12,000"),
            ("descriptor", DESCRIPTOR),
        ],
    )
    .await;
    for section in ["debits", "calls", "travel", "evidence/done"] {
        app.post_ok(&claimant, &format!("/claims/{key}/{section}"), &[])
            .await;
    }
    let reference = app.send_draft(&claimant, &key).await;
    // The mail server refused the mails to that address (they stay in the
    // mail queue's export).
    app::on_db!(&app.state.db, p => sqlx::query(
        "UPDATE outbox SET sent_at = NULL, failed_at = $2, last_error = '550 5.1.1 mailbox refused' WHERE to_addr = $1",
    ).bind(EMAIL).bind(chrono::Utc::now()).execute(p).await.unwrap().rows_affected());
    // A bank's list (a formula for its file name) with a debit no claim names.
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let list = format!(
        "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\n\
         100,普通,7776665,スズキ イチロウ,2020-09-03,12000,{LISTED},TX-Z\n"
    );
    let res = app.upload_list(&clerk, FILE_NAME, list.into_bytes()).await;
    assert_eq!(res.status(), 303);
    // The claimant withdraws another claim, with a formula for a reason.
    let withdrawn = app.file_claim(&claimant).await;
    app.post_ok(
        &claimant,
        &format!("/claims/{withdrawn}/withdraw"),
        &[("reason", REASON)],
    )
    .await;
    // An admin invites a member (a formula for an address), who opens the case.
    let admin = app.login("admin@redress.example", PASSWORD).await;
    app.post_ok(
        &admin,
        "/admin/users/invite",
        &[("email", INVITED), ("role", "reviewer"), ("lang", "ja")],
    )
    .await;
    let code = mail_code(&app.last_mail(INVITED).await.body_text);
    app.post_ok(
        &app.client(),
        "/invite",
        &[("token", code.as_str()), ("password", "hikari-no-umi-2020")],
    )
    .await;
    let invited = app.login(INVITED, "hikari-no-umi-2020").await;
    assert_eq!(
        app.html(&invited, &format!("/staff/claims/{reference}"))
            .await
            .0,
        200
    );
    // A batch paid out (figures and katakana), and a frozen report.
    crate::payouts::approved_claim(&app, "exports-paid@example.jp", "4000009").await;
    let payments = app.login("payments@redress.example", PASSWORD).await;
    let page = app.html(&payments, "/payments").await.1;
    let today = app::server::services::drafts::today_jst(chrono::Utc::now());
    let date = app::domain::payout::earliest_transfer_date(today).to_string();
    app.post_ok(
        &payments,
        "/payments/batches",
        &[
            ("request_id", crate::payouts::request_id_of(&page).as_str()),
            ("transfer_date", date.as_str()),
        ],
    )
    .await;
    let approver = app.login("approver@redress.example", PASSWORD).await;
    let token = uuid::Uuid::new_v4().to_string();
    app.post_ok(
        &approver,
        "/reports",
        &[("request_id", token.as_str()), ("as_of", "")],
    )
    .await;

    let clients = BTreeMap::from([
        ("admin", admin),
        ("bank", clerk),
        ("payments", payments),
        ("approver", approver),
    ]);
    let table = downloads();
    let routes: Vec<String> = crate::routes::all()
        .into_iter()
        .filter(|r| r.reads() && (r.pattern.ends_with("csv") || r.pattern.ends_with("xlsx")))
        .map(|r| r.pattern)
        .collect();
    assert_eq!(
        routes,
        table.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
        "every download of the router is in the table, and only those"
    );
    for (pattern, (who, query, planted)) in table {
        let path = format!(
            "{}{query}",
            pattern
                .replace("{reference}", &withdrawn)
                .replace("{number}", "1")
        );
        let client = &clients[who];
        let found = if pattern.ends_with("xlsx") {
            xlsx_cells(&app, client, &path).await
        } else {
            let replaced = same_in_shift_jis(&app, client, &path).await;
            if planted == Some(NAME) {
                assert!(replaced > 0, "{path}: the name's 𠮷 is not counted");
            }
            cells(&app, client, &path).await
        };
        neutralised(&path, &found, planted);
    }
}

/// The download asked for in Shift_JIS (`encoding=sjis`) says so, decodes
/// without error, and is the UTF-8 file's text with exactly the characters
/// Shift_JIS cannot hold written 〓 (counted in its header): nothing
/// dropped, nothing else changed.
async fn same_in_shift_jis(app: &TestApp, client: &reqwest::Client, path: &str) -> usize {
    let utf8 = app.get(client, path).await.bytes().await.unwrap();
    let text = std::str::from_utf8(utf8.strip_prefix(b"\xEF\xBB\xBF").unwrap()).unwrap();
    let sep = if path.contains('?') { '&' } else { '?' };
    let res = app.get(client, &format!("{path}{sep}encoding=sjis")).await;
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "text/csv; charset=Shift_JIS",
        "{path}"
    );
    let replaced: usize = res.headers()["redress-replaced-characters"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let sjis = res.bytes().await.unwrap();
    let (decoded, _, errors) = encoding_rs::SHIFT_JIS.decode(&sjis);
    assert!(!errors, "{path}: not Shift_JIS");
    let mut expected = String::new();
    let mut missing = 0;
    for c in text.chars() {
        let mut buf = [0u8; 4];
        if encoding_rs::SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2 {
            missing += 1;
            expected.push('〓');
        } else {
            expected.push(c);
        }
    }
    assert_eq!(decoded, expected, "{path}");
    assert_eq!(replaced, missing, "{path}");
    replaced
}
