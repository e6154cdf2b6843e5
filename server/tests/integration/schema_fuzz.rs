//! A bank generates its client from the OpenAPI document: schemathesis
//! (PyPI, installed by `make test`) reads the document the server serves
//! and sends `/api/v1` requests generated from it (examples, the coverage of
//! every constraint, random fuzzing, and stateful runs that follow the
//! document's links from a list to a line and its answer, and from an import
//! to its result) with every check it has: no 5xx, every status, header,
//! content type and body as documented, what the document calls valid
//! accepted and what it calls invalid refused, authentication enforced.
//! Zero failures on both databases.

use crate::api::new_key;
use crate::drills::claim_of_six_debits;
use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_the_api_does_against_its_document() {
    let st = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/st");
    assert!(
        st.is_file(),
        "schemathesis is installed by make test (scripts/tools.sh test): {}",
        st.display()
    );
    let app = TestApp::spawn_with(Options {
        // The run sends thousands of requests with one key.
        api_rate_per_minute: 100_000,
        ..Options::default()
    })
    .await;
    // Lines for the key's bank to list, read and answer.
    claim_of_six_debits(&app).await;
    let admin = app.login("admin@redress.example", PASSWORD).await;
    let key = new_key(&app, &admin, "0125").await;
    let report = app.data_dir().join("schemathesis");
    let (url, key2, report2) = (app.url("/api/v1/openapi.json"), key.clone(), report.clone());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(st)
            // What a bank's system knows beyond the document (the file says what).
            .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
            .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
            .arg("run")
            .arg(url)
            .args(["--header", &format!("Authorization: Bearer {key2}")])
            .args(["--checks", "all"])
            .args(["--phases", "examples,coverage,fuzzing,stateful"])
            .args(["--max-examples", "40", "--seed", "27", "--workers", "1"])
            .args(["--generation-database", "none", "--no-color"])
            .args(["--report", "junit", "--report-dir"])
            .arg(report2)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = said
        .lines()
        .filter(|l| {
            l.contains("passed")
                || l.contains("failed")
                || l.contains("API Operations")
                || l.contains("Test cases")
        })
        .collect();
    eprintln!("schemathesis on {}: {}", backend(), summary.join(" | "));
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It did test: every operation of the document, and requests were sent.
    assert!(said.contains("5 selected"), "{said}");
}
