//! Spreadsheet formulas planted through the real entry points (a claimant's
//! name, a debit's passbook text, a bank's list, a withdrawal's reason) never
//! reach an export as a formula: every CSV goes through the one writer,
//! which neutralises a cell beginning with `= + - @`, a tab or a carriage
//! return (OWASP), and every Excel text cell likewise.

use crate::helpers::*;

const NAME: &str = "-SUM(A:A)";
const DESCRIPTOR: &str = "=HYPERLINK(\"//evil.example\",\"x\")";
const LISTED: &str = "+cmd|' /C calc'!A0";
const REASON: &str = "@SUM(1+1)";

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

/// No cell would run as a formula, and the planted value arrived, quoted.
fn neutralised(path: &str, cells: &[String], planted: &str) {
    for c in cells {
        let number = c.trim_start_matches(['-', '+']).parse::<f64>().is_ok();
        assert!(
            !c.starts_with(['=', '+', '-', '@', '\t', '\r']) || number,
            "{path}: the cell {c:?} would run as a formula"
        );
    }
    assert!(
        cells.iter().any(|c| *c == format!("'{planted}")),
        "{path}: {planted:?} is not in the file: {cells:?}"
    );
}

#[tokio::test]
async fn formulas_planted_through_every_entry_point_never_run_in_an_export() {
    let app = TestApp::spawn().await;
    // A claimant's name and passbook text.
    let claimant = app
        .register_claimant("formula@example.jp", "kamome-no-suiheisen")
        .await;
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
    // A bank's list with a debit no claim names.
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    let list = format!(
        "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\n\
         100,普通,7776665,スズキ イチロウ,2020-09-03,12000,{LISTED},TX-Z\n"
    );
    let part = reqwest::multipart::Part::bytes(list.into_bytes()).file_name("list.csv");
    let res = clerk
        .post(app.url("/bank/import"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    let admin = app.login("admin@redress.example", PASSWORD).await;
    let path = "/staff/queue.csv?state=submitted";
    neutralised(path, &cells(&app, &admin, path).await, NAME);
    let path = format!("/bank/queue.csv?status=all&q={reference}");
    neutralised(&path, &cells(&app, &clerk, &path).await, DESCRIPTOR);
    let path = "/staff/reported-losses.csv";
    neutralised(path, &cells(&app, &admin, path).await, LISTED);
    // A withdrawal's reason, in the case's history.
    app.post_ok(
        &claimant,
        &format!("/claims/{reference}/withdraw"),
        &[("reason", REASON)],
    )
    .await;
    let path = format!("/admin/claims/{reference}/history.csv");
    neutralised(&path, &cells(&app, &admin, &path).await, REASON);
}
