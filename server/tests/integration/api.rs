//! The REST API for bank systems: keys per bank, pending lines, problems.

use crate::helpers::*;

pub(crate) async fn new_key(app: &TestApp, admin: &reqwest::Client, bank: &str) -> String {
    let res = app
        .post_form(
            admin,
            "/admin/api-keys",
            &[("bank_code", bank), ("label", "core system")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let start = html.find("rdk_").expect("the key is shown once");
    html[start..start + 68].to_owned()
}

#[tokio::test]
async fn bank_keys_list_only_their_banks_pending_lines_and_revocation_is_immediate() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let clerk = app.login("bank.77@redress.example", PASSWORD).await;
    assert_eq!(
        app.post_form(
            &clerk,
            "/admin/api-keys",
            &[("bank_code", "0125"), ("label", "x")]
        )
        .await
        .status(),
        403
    );
    assert_eq!(
        app.post_form(
            &admin,
            "/admin/api-keys",
            &[("bank_code", "0001"), ("label", "x")]
        )
        .await
        .status(),
        422
    );
    let key_a = new_key(&app, &admin, "0125").await;
    let key_b = new_key(&app, &admin, "9900").await;
    let stored: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT key_hash FROM api_keys").fetch_all(p).await.unwrap());
    assert!(
        stored.iter().all(|h| !h.contains(&key_a[4..])),
        "only hashes are kept"
    );
    let http = reqwest::Client::new();
    let get = |key: Option<&str>, q: &str| {
        let mut req = http.get(app.url(&format!("/api/v1/lines{q}")));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        req.send()
    };

    // No key, or a wrong one: a problem document, 401.
    let res = get(None, "").await.unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["type"],
        "https://redress.example/problems/unauthorized"
    );
    assert_eq!(get(Some("rdk_wrong"), "").await.unwrap().status(), 401);

    // Bank A's key: its three pending lines, two at a time.
    let page: serde_json::Value = get(Some(&key_a), "?limit=2")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["claim_reference"], "RD-000001");
    assert_eq!(page["items"][0]["account_number"], "1234567");
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    // The form the document gives a cursor (`^[0-9]+-[0-9]+$`).
    let (a, b) = cursor.split_once('-').unwrap();
    assert!(
        !a.is_empty() && !b.is_empty() && (a.to_owned() + b).bytes().all(|c| c.is_ascii_digit()),
        "{cursor}"
    );
    let page: serde_json::Value = get(Some(&key_a), &format!("?limit=2&cursor={cursor}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["claim_reference"], "RD-000003");
    assert!(page["next_cursor"].is_null());
    // Bank B's key sees only bank B's line.
    let page: serde_json::Value = get(Some(&key_b), "").await.unwrap().json().await.unwrap();
    let refs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["claim_reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["RD-000002"]);

    // Bad input: 400 problems, never a 500.
    for (q, kind) in [
        ("?cursor=zz", "invalid-cursor"),
        // Outside the document's pattern and bounds: refused as it says.
        ("?cursor=", "invalid-cursor"),
        ("?cursor=1-", "invalid-cursor"),
        ("?limit=0", "invalid-limit"),
        ("?limit=501", "invalid-limit"),
        ("?colour=red", "invalid-query"),
    ] {
        let res = get(Some(&key_a), q).await.unwrap();
        assert_eq!(res.status(), 400, "{q}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(
            body["type"],
            format!("https://redress.example/problems/{kind}")
        );
    }

    // Unknown endpoints and methods: problems too, not pages.
    let res = http
        .get(app.url("/api/v1/accounts"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = http
        .delete(app.url("/api/v1/lines"))
        .bearer_auth(&key_a)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["content-type"], "application/problem+json");

    // Use is recorded; revocation takes effect at once.
    let used: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE last_used_at IS NOT NULL").fetch_one(p).await.unwrap());
    assert_eq!(used, 2);
    let id: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM api_keys WHERE bank_code = '0125'").fetch_one(p).await.unwrap());
    app.post_ok(&admin, &format!("/admin/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(get(Some(&key_a), "").await.unwrap().status(), 401);
    assert_eq!(get(Some(&key_b), "").await.unwrap().status(), 200);
}

/// A key made by the bank's lead user on the bank's own page.
async fn lead_key(app: &TestApp, lead: &reqwest::Client) -> String {
    let res = app
        .post_form(lead, "/bank/api-keys", &[("label", "ledger")])
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let start = html.find("rdk_").expect("the key is shown once");
    html[start..start + 68].to_owned()
}

async fn json(res: reqwest::Response) -> serde_json::Value {
    res.json().await.unwrap()
}

fn problem_type(body: &serde_json::Value) -> &str {
    body["type"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches("https://redress.example/problems/")
}

#[tokio::test]
async fn a_banks_lead_user_manages_only_that_banks_keys() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let lead = app.login("bank.77@redress.example", PASSWORD).await;
    let clerk_b = app.login("bank.yucho@redress.example", PASSWORD).await;
    // A lead user's key is for their own bank, whatever the form says.
    let key = lead_key(&app, &lead).await;
    let banks: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT bank_code FROM api_keys").fetch_all(p).await.unwrap());
    assert_eq!(banks, ["0125"]);
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/lines"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A bank user who is not the lead may not make or list keys.
    assert_eq!(
        app.post_form(&clerk_b, "/bank/api-keys", &[("label", "x")])
            .await
            .status(),
        403
    );
    let page = app
        .get(&clerk_b, "/bank/api-keys")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("ledger"));
    // The admin's key for bank B is not the lead's to see or revoke.
    new_key(&app, &admin, "9900").await;
    let page = app.get(&lead, "/bank/api-keys").await.text().await.unwrap();
    assert!(page.contains("ledger") && !page.contains("9900"));
    let b_key: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM api_keys WHERE bank_code = '9900'").fetch_one(p).await.unwrap());
    assert_eq!(
        app.post_form(&lead, &format!("/bank/api-keys/{b_key}/revoke"), &[])
            .await
            .status(),
        404
    );
    let revoked: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NOT NULL").fetch_one(p).await.unwrap());
    assert_eq!(revoked, 0);
    // The lead revokes their own key: it stops at once.
    let a_key: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM api_keys WHERE bank_code = '0125'").fetch_one(p).await.unwrap());
    app.post_ok(&lead, &format!("/bank/api-keys/{a_key}/revoke"), &[])
        .await;
    let res = reqwest::Client::new()
        .get(app.url("/api/v1/lines"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_bank_system_reads_and_answers_lines_once_per_idempotency_key() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let key_a = new_key(&app, &admin, "0125").await;
    let key_b = new_key(&app, &admin, "9900").await;
    let http = reqwest::Client::new();
    let lines = json(
        http.get(app.url("/api/v1/lines"))
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let first = lines["items"][0].clone();
    let second = lines["items"][1].clone();
    assert_eq!(first["claim_reference"], "RD-000001");
    assert_eq!(second["claim_reference"], "RD-000001");
    let id = first["id"].as_str().unwrap().to_owned();
    let line_url = app.url(&format!("/api/v1/lines/{id}"));
    let verify_url = app.url(&format!("/api/v1/lines/{id}/verification"));

    // One line: bank A sees it; bank B's key gets 404 on every URL of it.
    let one = json(
        http.get(&line_url)
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(one["status"], "pending");
    assert_eq!(one["amount_yen"], first["amount_yen"]);
    assert_eq!(
        http.get(&line_url)
            .bearer_auth(&key_b)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let confirm = serde_json::json!({
        "verdict": "confirmed",
        "confirmed_amount_yen": 45000,
        "bank_date": first["debit_date"],
        "bank_reference": "TX-API-1",
        "holder_kana": "ヤマダ タロウ",
        "less_reason": "振込手数料分は対象外",
    });
    assert!(
        first["amount_yen"].as_i64().unwrap() > 45000,
        "less than claimed"
    );
    let res = http
        .post(&verify_url)
        .bearer_auth(&key_b)
        .json(&confirm)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(problem_type(&json(res).await), "not-found");
    let answers = || app.count("line_answers");
    assert_eq!(answers().await, 0);

    // Bad input: a problem, a 4xx, nothing written.
    let mut unknown = confirm.clone();
    unknown["pin"] = "1234".into();
    let mut bad_kana = confirm.clone();
    bad_kana["holder_kana"] = "Yamada".into();
    // Less than claimed without the bank's reason: refused, naming the key.
    let mut no_reason = confirm.clone();
    no_reason.as_object_mut().unwrap().remove("less_reason");
    let res = http
        .post(&verify_url)
        .bearer_auth(&key_a)
        .json(&no_reason)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(json(res).await["errors"][0]["field"], "less_reason");
    for (body, status, kind) in [
        (unknown.to_string(), 422, "invalid-body"),
        ("{\"verdict\":".to_owned(), 400, "malformed-json"),
        (bad_kana.to_string(), 422, "invalid-fields"),
        (
            serde_json::json!({"verdict": "disputed", "reason": "other"}).to_string(),
            422,
            "invalid-fields",
        ),
    ] {
        let res = http
            .post(&verify_url)
            .bearer_auth(&key_a)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let problem = json(res).await;
        assert_eq!(problem_type(&problem), kind, "{body}");
        if kind == "invalid-fields" {
            assert!(problem["errors"][0]["field"].is_string());
            assert!(problem["errors"][0]["detail"].as_str().unwrap().len() > 5);
        }
    }
    let res = http
        .post(&verify_url)
        .bearer_auth(&key_a)
        .header("content-type", "text/plain")
        .body(confirm.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(answers().await, 0);

    // Confirmed with an Idempotency-Key; the same again is the same answer.
    let send = |body: &serde_json::Value, key: &str| {
        http.post(&verify_url)
            .bearer_auth(&key_a)
            .header("idempotency-key", key)
            .json(body)
            .send()
    };
    let res = send(&confirm, "k-1").await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("idempotency-replayed").is_none());
    let answered = json(res).await;
    assert_eq!(answered["status"], "confirmed");
    assert_eq!(answered["confirmed_amount_yen"], 45000);
    let res = send(&confirm, "k-1").await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["idempotency-replayed"], "true");
    assert_eq!(json(res).await, answered);
    assert_eq!(answers().await, 1);
    // The same key with another body: 409, nothing written.
    let dispute = serde_json::json!({"verdict": "disputed", "reason": "amount_differs", "note": "45,000 yen only"});
    let res = send(&dispute, "k-1").await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(problem_type(&json(res).await), "idempotency-key-reused");
    assert_eq!(answers().await, 1);
    // A correction under a new key: recorded beside the first answer, by the key's own user.
    let res = send(&dispute, "k-2").await.unwrap();
    assert_eq!(json(res).await["status"], "disputed");
    assert_eq!(answers().await, 2);
    let actors: Vec<String> = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT u.email FROM line_answers a JOIN users u ON u.id = a.actor_id").fetch_all(p).await.unwrap());
    assert!(
        actors.iter().all(|e| e.starts_with("api-key-")),
        "{actors:?}"
    );
    // The key's user can never log in.
    let res = app
        .post_form(
            &app.client(),
            "/login",
            &[("email", actors[0].as_str()), ("password", "!")],
        )
        .await;
    assert_ne!(res.status(), 303);

    // Answering the claim's other line moves the case to the operator.
    let second_url = app.url(&format!(
        "/api/v1/lines/{}/verification",
        second["id"].as_str().unwrap()
    ));
    let res = http
        .post(&second_url)
        .bearer_auth(&key_a)
        .json(&serde_json::json!({"verdict": "disputed", "reason": "no_such_debit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let state: String = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT state FROM claims WHERE reference = 'RD-000001'").fetch_one(p).await.unwrap());
    assert_eq!(state, "in_review");

    // Revoked: the next write is refused at once.
    let id: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM api_keys WHERE bank_code = '0125'").fetch_one(p).await.unwrap());
    app.post_ok(&admin, &format!("/admin/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(send(&confirm, "k-3").await.unwrap().status(), 401);
    assert_eq!(answers().await, 3);
}

fn api_row(
    date: &str,
    amount: i64,
    reference: &str,
    account: &str,
    branch: &str,
) -> serde_json::Value {
    serde_json::json!({
        "branch_code": branch,
        "account_type": "ordinary",
        "account_number": account,
        "holder_kana": "ヤマダ タロウ",
        "transaction_date": date,
        "amount_yen": amount,
        "descriptor": "ドコモコウザ",
        "bank_reference": reference,
    })
}

#[tokio::test]
async fn a_bank_system_sends_its_list_with_the_imports_rules() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let key_a = new_key(&app, &admin, "0125").await;
    let key_b = new_key(&app, &admin, "9900").await;
    let http = reqwest::Client::new();
    let lines = json(
        http.get(app.url("/api/v1/lines"))
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let line = lines["items"][0].clone();
    let (branch, account) = (
        line["branch_code"].as_str().unwrap(),
        line["account_number"].as_str().unwrap(),
    );
    let date = line["debit_date"].as_str().unwrap();
    let amount = line["amount_yen"].as_i64().unwrap();
    // The claim's second line is a day later: a row one more day on is probable.
    let other = lines["items"][1].clone();
    let next_day =
        (chrono::NaiveDate::parse_from_str(other["debit_date"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap()
            + chrono::Duration::days(1))
        .to_string();
    // As a core banking system writes it: half-width kana.
    let mut first = api_row(date, amount, "TX-1", account, branch);
    first["holder_kana"] = "ﾔﾏﾀﾞ ﾀﾛｳ".into();
    first["descriptor"] = "ﾄﾞｺﾓｺｳｻﾞ".into();
    let rows = serde_json::json!({
        "name": "ledger search 2020-09",
        "rows": [
            first,
            api_row(&next_day, other["amount_yen"].as_i64().unwrap(), "TX-2", account, branch),
            api_row("令和2年9月20日", 3000, "TX-3", "7654321", branch),
            api_row("2020-09-20", -5, "TX-4", "7654321", branch),
            api_row("2020-09-20", 3000, "TX-5", "7654321", "999"),
        ],
    });
    let post = |body: &serde_json::Value, key: Option<&str>| {
        let mut req = http
            .post(app.url("/api/v1/imports"))
            .bearer_auth(&key_a)
            .json(body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        req.send()
    };
    let res = post(&rows, Some("list-1")).await.unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let result = json(res).await;
    assert_eq!(result["status"], "done");
    assert_eq!(result["source"], "api");
    assert_eq!(result["rows_total"], 5);
    assert_eq!(result["rows_matched"], 1);
    assert_eq!(result["rows_probable"], 1);
    assert_eq!(result["rows_unmatched"], 1);
    assert_eq!(result["rows_rejected"], 2);
    let rejected: Vec<(i64, String)> = result["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_i64().unwrap(),
                r["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(rejected[0].0, 4);
    assert_eq!(rejected[1], (5, "branch_not_found".to_owned()));
    // Every conversion is in the result, with its rows.
    let converted: Vec<(String, i64)> = result["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_owned(),
                c["rows"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        converted.contains(&("conv_half_width_kana".to_owned(), 1)),
        "{converted:?}"
    );
    assert!(
        converted.contains(&("conv_era_date".to_owned(), 1)),
        "{converted:?}"
    );
    // The exact match confirmed its line with the bank's figures.
    let one = json(
        http.get(app.url(&format!("/api/v1/lines/{}", line["id"].as_str().unwrap())))
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(one["status"], "confirmed");

    // The result is there to read again, for bank A only.
    let again = json(
        http.get(app.url(&location))
            .bearer_auth(&key_a)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(again, result);
    let res = http
        .get(app.url(&location))
        .bearer_auth(&key_b)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    // The same key and body: the first answer, not a second import.
    let res = post(&rows, Some("list-1")).await.unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["idempotency-replayed"], "true");
    assert_eq!(res.headers()["location"].to_str().unwrap(), location);
    assert_eq!(json(res).await["id"], result["id"]);
    assert_eq!(app.count("bank_imports").await, 1);
    // The same key with other rows: 409.
    let mut changed = rows.clone();
    changed["name"] = "another".into();
    let res = post(&changed, Some("list-1")).await.unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(app.count("bank_imports").await, 1);
    // Without a key, the same rows again change nothing (known references).
    let res = post(&rows, None).await.unwrap();
    let second = json(res).await;
    assert_eq!(second["rows_known"], 3);
    assert_eq!(second["rows_matched"], 0);
    assert_eq!(app.count("bank_debits").await, 3);

    // Bad bodies: problems, nothing imported.
    let mut unknown = rows.clone();
    unknown["rows"][0]["colour"] = "red".into();
    for (body, status, kind) in [
        (unknown, 422, "invalid-body"),
        (serde_json::json!({"rows": []}), 422, "invalid-fields"),
        (
            serde_json::json!({"rows": [{"branch_code": "100"}]}),
            422,
            "invalid-body",
        ),
    ] {
        let res = post(&body, None).await.unwrap();
        assert_eq!(res.status(), status, "{body}");
        assert_eq!(problem_type(&json(res).await), kind, "{body}");
    }
    assert_eq!(app.count("bank_imports").await, 2);
}

#[tokio::test]
async fn each_key_is_rate_limited_and_the_api_is_documented() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let key_a = new_key(&app, &admin, "0125").await;
    let key_b = new_key(&app, &admin, "9900").await;
    let http = reqwest::Client::new();
    let get = |key: &str| {
        http.get(app.url("/api/v1/lines?limit=1"))
            .bearer_auth(key)
            .send()
    };
    for i in 0..120 {
        assert_eq!(get(&key_a).await.unwrap().status(), 200, "request {i}");
    }
    let res = get(&key_a).await.unwrap();
    assert_eq!(res.status(), 429);
    let retry: i64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(problem_type(&json(res).await), "rate-limited");
    // Another key is not held back by the first one's use.
    assert_eq!(get(&key_b).await.unwrap().status(), 200);

    // The OpenAPI 3.1 document and the page that reads it (no key needed).
    let doc = json(
        http.get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/imports"]["post"].is_object());
    let page = http.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/api/v1/lines/{id}/verification"));
    assert!(html.contains("idempotency") || html.contains("Idempotency"));
}

#[tokio::test]
async fn a_long_list_is_worked_through_in_the_background_and_polled() {
    // The request answers at once: "processing", and where to look.
    let app = TestApp::spawn_with(Options {
        import_wait_ms: 0,
        ..Options::default()
    })
    .await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let key = new_key(&app, &admin, "0125").await;
    let rows: Vec<serde_json::Value> = (0..20_000)
        .map(|i| {
            api_row(
                "2020-09-20",
                1000 + i,
                &format!("BG-{i}"),
                &format!("{:07}", 3_000_000 + i),
                "100",
            )
        })
        .collect();
    let http = reqwest::Client::new();
    let res = http
        .post(app.url("/api/v1/imports"))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "rows": rows }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let first = json(res).await;
    assert_eq!(first["status"], "processing");
    assert_eq!(first["rows_total"], 20_000);
    let mut last = first;
    for _ in 0..600 {
        if last["status"] != "processing" {
            break;
        }
        let done = last["rows_done"].as_i64().unwrap_or(0);
        assert!((0..=20_000).contains(&done));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        last = json(
            http.get(app.url(&location))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap(),
        )
        .await;
    }
    assert_eq!(last["status"], "done");
    assert_eq!(last["rows_done"], 20_000);
    assert_eq!(last["rows_unmatched"], 20_000);
    assert_eq!(app.count("bank_debits").await, 20_000);
}
