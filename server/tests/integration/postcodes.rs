//! The address lookup: from a postcode as people type it to the prefecture,
//! city and town, without JavaScript (the form's button) and with it (a
//! server function); a newer list loaded by `redress postcodes update` is
//! the one every process looks up from then on.

use crate::helpers::*;

/// The about page posted with the lookup's button (or a chosen area).
async fn find(
    app: &TestApp,
    who: &reqwest::Client,
    key: &str,
    postcode: &str,
    address: &str,
    extra: (&str, &str),
) -> (u16, String) {
    let form = vec![
        ("full_name", "鈴木 一郎"),
        ("birth_date_era", "showa"),
        ("birth_date_year", "25"),
        ("postal_code", postcode),
        ("address", address),
        extra,
    ];
    let res = app
        .post_form(who, &format!("/claims/{key}/about"), &form)
        .await;
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn a_postcode_fills_the_address_without_javascript_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let key = app.start_draft(&claimant).await;
    let button = ("find_address", "1");

    // As people type it: the postal mark, full-width digits, a long dash.
    let (status, page) = find(&app, &claimant, &key, "〒９８０ー０８１１", "", button).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains(r#"value="宮城県仙台市青葉区一番町""#),
        "{page}"
    );
    assert!(page.contains("郵便番号から住所を入れました"));
    // What was typed is kept, the birthday's boxes too.
    assert!(page.contains(r#"value="鈴木 一郎""#));
    assert!(page.contains(r#"value="25""#));
    // An address that already goes on from it is not cut back.
    let (_, page) = find(
        &app,
        &claimant,
        &key,
        "980-0811",
        "宮城県仙台市青葉区一番町1-1",
        button,
    )
    .await;
    assert!(page.contains(r#"value="宮城県仙台市青葉区一番町1-1""#));

    // A postcode of several areas offers them; the one chosen fills it.
    let (status, page) = find(&app, &claimant, &key, "0791573", "", button).await;
    assert_eq!(status, 200);
    assert!(page.contains("複数の地域があります"));
    let offered = page.matches(r#"name="use_address""#).count();
    assert!(offered >= 2, "{offered} areas offered");
    assert!(page.contains(r#"value="北海道富良野市山部西２６線""#));
    let chosen = ("use_address", "北海道富良野市山部西２６線");
    let (status, page) = find(&app, &claimant, &key, "0791573", "", chosen).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(
            r#"id="address" name="address" type="text" value="北海道富良野市山部西２６線""#
        ),
        "{page}"
    );

    // Unknown and malformed codes: 422, the message by the field and in the summary.
    for (code, message) in [
        ("123-4567", "この郵便番号の住所は見つかりませんでした"),
        ("12-34", "郵便番号は7桁の数字で入力してください"),
    ] {
        let (status, page) = find(&app, &claimant, &key, code, "", button).await;
        assert_eq!(status, 422, "{code}");
        let by_field = page
            .split(r#"id="postal_code-error""#)
            .nth(1)
            .and_then(|rest| rest.split("</p>").next())
            .unwrap_or_default();
        assert!(by_field.contains(message), "{code}: by the field");
        let summary = format!(r##"<a href="#postal_code">{message}"##);
        assert!(page.contains(&summary), "{code}: in the summary");
    }

    // Nothing was saved: the section is still to do.
    let tasks = app
        .get(&claimant, &format!("/claims/{key}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(tasks.contains("7項目中0項目が完了"));
    // Nobody else's draft: a stranger's lookup on it is not a way in.
    let (status, _) = find(&app, &app.client(), &key, "980-0811", "", button).await;
    assert_ne!(status, 200);
}

/// Runs the `redress` binary on the test's database, off the test's
/// runtime: the server under test shares it, and a blocked runtime would
/// hold whatever write it was in the middle of.
async fn redress(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_redress"));
    cmd.args(args)
        .env("DATABASE_URL", app.database_url())
        .env("REDRESS_DATA_DIR", app.data_dir())
        .env("RUST_LOG", "error");
    tokio::task::spawn_blocking(move || cmd.output().expect("the redress binary"))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_lookup_needs_a_login_and_a_list_loaded_by_the_command_is_used_by_every_process() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .post(app.url("/api/postcode_addresses"))
        .form(&[("code", "9800811")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let claimant = app.login("claimant@redress.example", PASSWORD).await;
    let ask = |code: &'static str| {
        let (claimant, url) = (claimant.clone(), app.url("/api/postcode_addresses"));
        async move {
            let res = claimant
                .post(url)
                .form(&[("code", code)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Vec<String>>().await.unwrap()
        }
    };
    assert_eq!(ask("980-0811").await, ["宮城県仙台市青葉区一番町"]);
    assert_eq!(ask("１００ー０００１").await, ["東京都千代田区千代田"]);
    assert!(ask("not a code").await.is_empty());

    // Japan Post's own file, in Shift_JIS as it comes in KEN_ALL.CSV: one
    // town renamed, one new code; the whole list replaces the shipped one.
    let ken_all = "\
13101,\"100  \",\"1000001\",\"ﾄｳｷｮｳﾄ\",\"ﾁﾖﾀﾞｸ\",\"ﾁﾖﾀﾞ\",\"東京都\",\"千代田区\",\"千代田一丁目\",0,0,0,0,0,0
04101,\"980  \",\"9800999\",\"ﾐﾔｷﾞｹﾝ\",\"ｾﾝﾀﾞｲｼｱｵﾊﾞｸ\",\"ｼﾝﾏﾁ\",\"宮城県\",\"仙台市青葉区\",\"新町（次のビルを除く）\",0,0,0,0,0,0
";
    let dir = app.data_dir().join("postcodes");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("KEN_ALL.CSV");
    std::fs::write(&file, encoding_rs::SHIFT_JIS.encode(ken_all).0).unwrap();
    // A list far smaller than the one in force (one prefecture's file?)
    // would take the others away: refused unless asked for.
    let out = redress(&app, &["postcodes", "update", file.to_str().unwrap()]).await;
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("2 postcodes against 120720") && said.contains("--allow-shrink"),
        "{said}"
    );
    assert_eq!(app.count("postcode_lists").await, 0);
    let out = redress(
        &app,
        &[
            "postcodes",
            "update",
            "--allow-shrink",
            file.to_str().unwrap(),
        ],
    )
    .await;
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("2 now; 1 added, 1 changed"), "{said}");
    assert!(
        said.contains("~ 1000001 東京都千代田区千代田 → 東京都千代田区千代田一丁目"),
        "{said}"
    );
    // The server (another process) looks up in it at once.
    assert_eq!(ask("1000001").await, ["東京都千代田区千代田一丁目"]);
    assert_eq!(ask("9800999").await, ["宮城県仙台市青葉区新町"]);
    assert!(ask("980-0811").await.is_empty());
    assert_eq!(app.count("postcode_lists").await, 1);

    // A file that is not a list is refused whole; nothing is loaded.
    let bad = dir.join("banks.csv");
    std::fs::write(&bad, "0125,本店,1234567\n").unwrap();
    let out = redress(
        &app,
        &[
            "postcodes",
            "update",
            "--allow-shrink",
            bad.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a postcode list"));
    assert_eq!(app.count("postcode_lists").await, 1);
    assert_eq!(ask("9800999").await, ["宮城県仙台市青葉区新町"]);
}
