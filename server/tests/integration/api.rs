//! The REST API for bank systems: keys per bank, pending lines, problems.

use crate::helpers::*;

async fn new_key(app: &TestApp, admin: &reqwest::Client, bank: &str) -> String {
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
        ("?limit=0", "invalid-limit"),
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

    // Use is recorded; revocation takes effect at once.
    let used: i64 = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE last_used_at IS NOT NULL").fetch_one(p).await.unwrap());
    assert_eq!(used, 2);
    let id: uuid::Uuid = app::on_db!(&app.state.db, p => sqlx::query_scalar("SELECT id FROM api_keys WHERE bank_code = '0125'").fetch_one(p).await.unwrap());
    app.post_ok(&admin, &format!("/admin/api-keys/{id}/revoke"), &[])
        .await;
    assert_eq!(get(Some(&key_a), "").await.unwrap().status(), 401);
    assert_eq!(get(Some(&key_b), "").await.unwrap().status(), 200);
}
