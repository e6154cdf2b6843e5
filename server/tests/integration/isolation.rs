//! Isolation, generated: every server function, every GET route of the
//! router (downloads and the REST API included) and every page, fetched by
//! a bank that shares a claim with another bank, and by a claimant who
//! does not own it. Unique markers are planted on the other side; no byte
//! the observer receives may hold one. The server-function table must name
//! every registered function, so a new one cannot be forgotten.

use std::collections::BTreeMap;

use crate::helpers::*;

/// The arguments each server function is called with (`{name}` is filled
/// like a route's parameter). A function missing here fails the test.
fn server_fn_args() -> BTreeMap<&'static str, Vec<(&'static str, &'static str)>> {
    let reference = ("reference", "{reference}");
    BTreeMap::from([
        (
            "bank_queue",
            vec![
                ("query[page]", "1"),
                ("query[status]", ""),
                ("query[date_from]", ""),
                ("query[date_to]", ""),
                ("query[amount_min]", ""),
                ("query[amount_max]", ""),
                ("query[branch]", ""),
                ("query[q]", "{search}"),
            ],
        ),
        ("bank_case", vec![reference, ("line", "{line}")]),
        ("bank_imports", vec![]),
        ("bank_import_report", vec![("id", "{id}")]),
        ("poll_import", vec![("id", "{id}")]),
        ("reported_losses", vec![]),
        ("invitation_letter", vec![("id", "{id}")]),
        ("bank_notices", vec![]),
        ("my_claims", vec![]),
        ("my_claim", vec![reference]),
        ("claim_answers", vec![("key", "{reference}")]),
        ("my_drafts", vec![]),
        ("whoami", vec![]),
        ("participating_banks", vec![]),
        ("admin_policies", vec![]),
        ("admin_banks", vec![]),
        ("bank_list_updates", vec![("shown", "{id}")]),
        ("branch_suggestions", vec![("bank", "9900"), ("q", "108")]),
        ("postcode_addresses", vec![("code", "9800811")]),
        ("case_views", vec![("page", "1"), ("q", "{search}")]),
        ("api_key_list", vec![]),
        ("api_description", vec![]),
        ("mail_queue", vec![]),
        ("mfa_setup", vec![]),
        ("mfa_recovery_codes", vec![]),
        ("my_mfa", vec![]),
        ("my_account", vec![]),
        ("operator_queue", vec![("query[q]", "{search}")]),
        ("operator_case", vec![reference]),
        ("operator_decision", vec![reference]),
        ("payments_overview", vec![]),
        ("payout_batch", vec![("number", "1")]),
        ("ledger_report", vec![]),
        ("get_dashboard", vec![]),
        ("get_report", vec![("as_of", "2030-01-01")]),
        ("get_frozen_report", vec![("number", "1")]),
        ("list_users", vec![("q", "{search}"), ("page", "1")]),
        ("get_user", vec![("id", "{id}")]),
    ])
}

/// What fills a parameter: each value in turn (the observer's own and the
/// other side's ids where both exist).
struct Fill {
    values: BTreeMap<&'static str, Vec<String>>,
}

impl Fill {
    fn of(&self, name: &str) -> Vec<String> {
        let name = name.trim_start_matches('*');
        let key = match name {
            "key" | "reference" => "reference",
            "line" | "lid" | "aid" => "line",
            "rest" => "rest",
            "number" => "number",
            "search" => "search",
            _ => "id",
        };
        self.values[key].clone()
    }

    /// Every way of filling `pattern`'s `{...}` parameters.
    fn paths(&self, pattern: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut rest = pattern;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').unwrap() + open;
            let values = self.of(&rest[open + 1..close]);
            out = out
                .iter()
                .flat_map(|p| {
                    values
                        .iter()
                        .map(move |v| format!("{p}{}{v}", &rest[..open]))
                })
                .collect();
            rest = &rest[close + 1..];
        }
        out.into_iter().map(|p| format!("{p}{rest}")).collect()
    }
}

/// The markers found in `body` as whole tokens (not inside a longer run of
/// letters and digits, so a hex id holding "16180" is no false alarm).
fn leaks<'a>(body: &str, markers: &[&'a str]) -> Vec<&'a str> {
    markers
        .iter()
        .filter(|m| {
            body.match_indices(**m).any(|(i, _)| {
                let before = body[..i].chars().last();
                let after = body[i + m.len()..].chars().next();
                let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                !word(before) && !word(after)
            })
        })
        .copied()
        .collect()
}

/// The page patterns of the app (`path!("/a/:b")` in lib.rs, as `/a/{b}`).
pub(crate) fn pages() -> Vec<String> {
    let lib = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src/lib.rs"),
    )
    .unwrap();
    lib.match_indices("path!(\"")
        .map(|(i, m)| {
            let start = i + m.len();
            let end = lib[start..].find('"').unwrap() + start;
            lib[start..end]
                .split('/')
                .map(|s| match s.strip_prefix(':') {
                    Some(p) => format!("{{{p}}}"),
                    None => s.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

/// Everything `observer` can fetch, with `fill`; returns what it received
/// and from where. Server functions are called with the table's arguments
/// and must read them (no 400) and never fail (no 500).
async fn sweep(
    app: &TestApp,
    observer: &reqwest::Client,
    bearer: Option<&str>,
    fill: &Fill,
) -> Vec<(String, u16, String)> {
    let mut received = Vec::new();
    let table = server_fn_args();
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
        .collect();
    for name in &registered {
        let args = table.get(name.as_str()).unwrap_or_else(|| {
            panic!("server function {name} is missing from the isolation table")
        });
        // Every combination of the filled arguments.
        let mut forms: Vec<Vec<(String, String)>> = vec![vec![]];
        for (arg, value) in args {
            let values = if value.starts_with('{') {
                fill.of(value.trim_matches(|c| c == '{' || c == '}'))
            } else {
                vec![(*value).to_owned()]
            };
            forms = forms
                .iter()
                .flat_map(|f| {
                    values.iter().map(move |v| {
                        let mut f = f.clone();
                        f.push(((*arg).to_owned(), v.clone()));
                        f
                    })
                })
                .collect();
        }
        for form in forms {
            let res = observer
                .post(app.url(&format!("/api/{name}")))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            assert!(
                status != 400 && status < 500,
                "/api/{name} {form:?}: {status} {body}"
            );
            received.push((format!("/api/{name} {form:?}"), status, body));
        }
    }
    assert_eq!(
        table.len(),
        registered.len(),
        "the table names a server function that no longer exists"
    );
    let mut gets: Vec<String> = crate::routes::all()
        .into_iter()
        .filter(|r| r.reads())
        .map(|r| r.pattern)
        .collect();
    gets.extend(pages());
    for pattern in gets {
        for path in fill.paths(&pattern) {
            let mut req = observer.get(app.url(&path));
            if let Some(key) = bearer {
                req = req.bearer_auth(key);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            assert!(status < 500, "GET {path}: {status} {body}");
            received.push((format!("GET {path}"), status, body));
        }
    }
    received
}

fn assert_nothing_leaks(who: &str, received: &[(String, u16, String)], markers: &[&str]) {
    let mut found = Vec::new();
    for (what, status, body) in received {
        let hits = leaks(body, markers);
        if !hits.is_empty() {
            found.push(format!("{what} ({status}): {hits:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "{who} received markers:\n{}",
        found.join("\n")
    );
}

/// A claim at 9900 (the payout account, first) and at 0125, with the
/// amounts and numbers used as markers; returns its reference.
async fn shared_claim(app: &TestApp, claimant: &reqwest::Client) -> String {
    let key = app.start_draft(claimant).await;
    let mut about = about_form();
    about.retain(|(f, _)| !["full_name", "name_kana", "phone"].contains(f));
    about.extend([
        ("full_name", "秘密 花子"),
        ("name_kana", "ヒミツ ハナコ"),
        ("phone", "090-8765-4309"),
    ]);
    app.post_ok(claimant, &format!("/claims/{key}/about"), &about)
        .await;
    let yucho = app
        .post_ok(
            claimant,
            &format!("/claims/{key}/add-account"),
            &[
                ("bank", "9900"),
                ("branch", "108"),
                ("account_type", "ordinary"),
                ("account_number", "8642097"),
            ],
        )
        .await;
    app.post_ok(claimant, &yucho, &debit_form("2020-09-05", "16180"))
        .await;
    let b77 = app
        .post_ok(
            claimant,
            &format!("/claims/{key}/add-account"),
            &account_form("1357913"),
        )
        .await;
    app.post_ok(claimant, &b77, &debit_form("2020-09-03", "31415"))
        .await;
    app.post_ok(claimant, &b77, &debit_form("2020-09-04", "27182"))
        .await;
    for section in ["debits", "calls", "travel", "evidence/done"] {
        app.post_ok(claimant, &format!("/claims/{key}/{section}"), &[])
            .await;
    }
    app.send_draft(claimant, &key).await
}

#[tokio::test]
async fn no_byte_a_bank_or_a_claimant_receives_holds_another_sides_marker() {
    let app = TestApp::spawn().await;
    let owner = app.login("claimant@redress.example", PASSWORD).await;
    let reference = shared_claim(&app, &owner).await;
    let line_at = |bank: &'static str| {
        let db = app.state.db.clone();
        let reference = reference.clone();
        async move {
            app::on_db!(&db, p => sqlx::query_scalar::<_, uuid::Uuid>(
                "SELECT l.id FROM debit_lines l JOIN claims c ON c.id = l.claim_id WHERE c.reference = $1 AND l.bank_code = $2 ORDER BY l.position LIMIT 1",
            ).bind(reference).bind(bank).fetch_one(p).await.unwrap())
        }
    };
    let (yucho_line, own_line) = (line_at("9900").await, line_at("0125").await);

    // 9900's side: its answer, its account check, an import of its own.
    let yucho = app.login("bank.yucho@redress.example", PASSWORD).await;
    app.post_ok(
        &yucho,
        &format!("/bank/claims/{reference}/lines/{yucho_line}"),
        &[
            ("verdict", "confirmed"),
            ("confirmed_amount", "16180"),
            ("bank_date", "2020-09-05"),
            ("bank_reference", "MK9900REF"),
            ("holder_kana", "ヒミツ マーカー"),
            // The bank's note (its reason for less, shown to the reviewer).
            ("less_reason", "MK9900NOTE"),
        ],
    )
    .await;
    app.post_ok(
        &yucho,
        &format!("/bank/claims/{reference}/account-check"),
        &[("matches", "no"), ("note", "MARKER9900ACCTNOTE")],
    )
    .await;
    let list = "支店番号,預金種目,口座番号,口座名義,取引日,金額,摘要,取引番号\n108,普通,8642097,ヒミツ ハナコ,2020-09-06,16180,MARKER9900DESC,MK9900IMP\n";
    let res = app
        .upload_list(&yucho, "MARKER9900FILE.csv", list.as_bytes().to_vec())
        .await;
    assert_eq!(res.status(), 303);
    let import = location(&res)
        .trim_start_matches("/bank/imports/")
        .to_owned();
    let yucho_markers = [
        "16180",
        "16,180",
        "8642097",
        "MK9900REF",
        "MK9900NOTE",
        "ヒミツ マーカー",
        "MARKER9900ACCTNOTE",
        "MARKER9900DESC",
        "MK9900IMP",
        "MARKER9900FILE",
        // The claim's whole total (0125 may see only its own lines').
        "74777",
        "74,777",
    ];

    // 0125 shares the claim: it sees its own lines, nothing of 9900's.
    let b77 = app.login("bank.77@redress.example", PASSWORD).await;
    let res = app
        .post_form(&b77, "/bank/api-keys", &[("label", "sweep")])
        .await;
    let html = res.text().await.unwrap();
    let at = html.find("rdk_").expect("the key is shown once");
    let key = html[at..at + 68].to_owned();
    let fill = |line: uuid::Uuid| Fill {
        values: BTreeMap::from([
            ("reference", vec![reference.clone()]),
            ("line", vec![line.to_string(), yucho_line.to_string()]),
            ("id", vec![import.clone()]),
            ("number", vec!["1".to_owned()]),
            ("rest", vec!["lines".to_owned()]),
            ("search", vec!["8642097".to_owned()]),
        ]),
    };
    let received = sweep(&app, &b77, Some(&key), &fill(own_line)).await;
    // The sweep reached the shared claim (so its silence means something).
    let seen = |what: &str| {
        received
            .iter()
            .any(|(w, s, b)| w.starts_with(what) && *s == 200 && b.contains("31415"))
    };
    assert!(seen("/api/bank_case"), "0125 reads its own line");
    assert!(seen(&format!("GET /bank/claims/{reference}")));
    assert_nothing_leaks("bank 0125", &received, &yucho_markers);

    // Another claimant: nothing of the owner's claim at all.
    let stranger = app
        .register_claimant("stranger@example.jp", "kamome-no-suiheisen")
        .await;
    let received = sweep(&app, &stranger, None, &fill(own_line)).await;
    let mut owner_markers = yucho_markers.to_vec();
    owner_markers.extend([
        "31415",
        "31,415",
        "27182",
        "27,182",
        "1357913",
        "秘密 花子",
        "ヒミツ ハナコ",
        "090-8765-4309",
    ]);
    assert_nothing_leaks("another claimant", &received, &owner_markers);

    // Nor in any mail to them.
    let mails: Vec<(String, String)> = app::on_db!(&app.state.db, p => sqlx::query_as(
        "SELECT to_addr, body_text FROM outbox WHERE to_addr IN ('bank.77@redress.example', 'stranger@example.jp')",
    ).fetch_all(p).await.unwrap());
    for (to, body) in mails {
        let markers: &[&str] = if to.starts_with("bank") {
            &yucho_markers
        } else {
            &owner_markers
        };
        assert!(leaks(&body, markers).is_empty(), "mail to {to}: {body}");
    }
}

#[test]
fn markers_are_found_as_whole_tokens_only() {
    assert_eq!(leaks("total: 16,180 yen", &["16,180"]), ["16,180"]);
    assert_eq!(leaks("{\"a\":16180}", &["16180"]), ["16180"]);
    assert!(leaks("id 3f16180ab", &["16180"]).is_empty());
    let fill = Fill {
        values: BTreeMap::from([
            ("reference", vec!["R".to_owned()]),
            ("line", vec!["a".to_owned(), "b".to_owned()]),
        ]),
    };
    assert_eq!(
        fill.paths("/c/{reference}/l/{line}"),
        ["/c/R/l/a", "/c/R/l/b"]
    );
}
