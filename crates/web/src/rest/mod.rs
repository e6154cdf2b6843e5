//! The REST API for bank systems (`/api/v1`), authenticated by per-bank API
//! keys. JSON in and out; unknown fields are refused; errors are RFC 9457
//! problem details with a stable `type`; writes honour `Idempotency-Key`;
//! each key is rate-limited. The OpenAPI 3.1 document is generated from the
//! code below (utoipa) and served at `/api/v1/openapi.json`.

use app::routes;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use app::domain::FieldErrors;
use app::domain::verification::{DisputeReason, Verification as Answer};
use app::i18n::Lang;
use app::server::auth::{CurrentUser, token_hash};
use app::server::error::AppError;
use app::server::services::{api_keys as key_service, bank_import, bank_review};
use app::server::state::AppState;
use app::server::store::api_keys::{self, ApiLine, KeyRow};
use app::server::store::{attempts, bank_debits};

mod caller;
mod idempotency;
mod imports;
mod lines;
mod problem;
pub use problem::not_found;

use caller::*;
pub use idempotency::IDEMPOTENCY_KEEP;
use idempotency::*;
use imports::*;
use lines::*;
use problem::*;

/// The verification's amount field (the form calls it `confirmed_amount`).
const AMOUNT_FIELD: &str = "confirmed_amount_yen";

/// The most rows one import request may carry.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// Reads and small writes (under the app's 1 MiB body limit).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            routes::api_lines::PATH,
            get(list_lines).fallback(wrong_method),
        )
        .route(routes::api_line::PATH, get(get_line).fallback(wrong_method))
        .route(
            routes::api_line_verification::PATH,
            post(verify_line).fallback(wrong_method),
        )
        .route(
            routes::api_import::PATH,
            get(get_import).fallback(wrong_method),
        )
        .route(routes::api_openapi::PATH, get(openapi_json))
        // Anything else under the API is a problem document too, not a page.
        .route(
            routes::api_unknown::PATH,
            axum::routing::any(no_such_endpoint),
        )
}

/// An import's rows may be many: its own, larger body limit.
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route(
            routes::api_imports::PATH,
            post(create_import).fallback(wrong_method),
        )
        .layer(axum::extract::DefaultBodyLimit::max(
            bank_import::MAX_LIST_BYTES,
        ))
}

async fn no_such_endpoint() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "no-such-endpoint",
        "There is no such endpoint",
        "See /api/v1/openapi.json for the endpoints.",
    )
}

async fn wrong_method() -> Response {
    problem(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "This endpoint does not take that method",
        "See /api/v1/openapi.json for the methods each endpoint takes.",
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress API for bank systems",
        version = "1",
        description = "A participating bank's systems read the debit lines claimed on accounts at the bank, \
answer them (confirmed or disputed), and send the bank's own list of debits (the same rows as the CSV import). \
Authenticate with `Authorization: Bearer <key>`; a key acts for one bank only and sees nothing of any other bank. \
Writes accept an `Idempotency-Key` header (up to 255 visible ASCII characters, kept 24 hours): the same key with \
the same body returns the first response again (with `Idempotency-Replayed: true`); with a different body, 409. \
Every error is a problem document (RFC 9457) whose `type` is stable. Each key may make a limited number of \
requests per minute (429 with `Retry-After` beyond it)."
    ),
    paths(list_lines, get_line, verify_line, create_import, get_import),
    components(schemas(
        Line, LinesPage, Verification, DisputeReason, ImportRequest, ImportRowJson, ImportResult,
        RejectedRow, imports::Conversion, Problem, ProblemField
    )),
    modifiers(&BearerKey),
    security(("api_key" = [])),
    tags(
        (name = "lines", description = "Debit lines claimed on accounts at the key's bank"),
        (name = "imports", description = "The bank's own list of debits, matched to claimed lines")
    )
)]
pub struct ApiDoc;

struct BearerKey;

impl utoipa::Modify for BearerKey {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A key made on the API keys page (rdk_…)"))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document, as JSON, stating every constraint the server
/// enforces (a bank that generates its client from it gets them right).
pub fn openapi() -> serde_json::Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    state_the_rules(&mut doc);
    link(&mut doc);
    doc
}

/// A whole number of yen as JSON Schema's `integer` allows it: `894277`
/// or `894277.0`. A fraction, or a number past 64 bits (the document's
/// `int64`), is refused.
fn whole_yen<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    // 2^63 as a float: the first value past i64's range.
    const PAST: f64 = 9_223_372_036_854_775_808.0;
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && (-PAST..PAST).contains(&f) => Ok(f as i64),
        _ => Err(serde::de::Error::custom(
            "expected a whole number of yen within 64 bits",
        )),
    }
}

/// The links a client follows from one answer to the next operation (a
/// stateful test run too): from a page of lines to the first line and to
/// its answer, from a line to its answer, from an import to its result.
fn link(doc: &mut serde_json::Value) {
    /// (from path, method, answers, link name, to path, method, the id's expression)
    type Link = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    const LINKS: [Link; 4] = [
        (
            "/api/v1/lines",
            "get",
            &["200"],
            "FirstLine",
            "/api/v1/lines/{id}",
            "get",
            "$response.body#/items/0/id",
        ),
        (
            "/api/v1/lines",
            "get",
            &["200"],
            "AnswerFirstLine",
            "/api/v1/lines/{id}/verification",
            "post",
            "$response.body#/items/0/id",
        ),
        (
            "/api/v1/lines/{id}",
            "get",
            &["200"],
            "Answer",
            "/api/v1/lines/{id}/verification",
            "post",
            "$response.body#/id",
        ),
        (
            "/api/v1/imports",
            "post",
            &["201", "202"],
            "Result",
            "/api/v1/imports/{id}",
            "get",
            "$response.body#/id",
        ),
    ];
    for (from, method, codes, name, to, to_method, id) in LINKS {
        let Some(target) = doc["paths"][to][to_method]["operationId"]
            .as_str()
            .map(str::to_owned)
        else {
            continue;
        };
        for code in codes {
            let response = &mut doc["paths"][from][method]["responses"][*code];
            if response.is_object() {
                response["links"][name] =
                    serde_json::json!({"operationId": target, "parameters": {"id": id}});
            }
        }
    }
}

/// What the derive cannot say (the fields' own rules are on the fields):
/// the answer's variants (a tagged enum) refuse unknown fields as the other
/// bodies do; the Idempotency-Key's form (a header of many operations); and
/// that every operation may answer 401 (no valid key) and 429 (the key's
/// rate limit).
fn state_the_rules(doc: &mut serde_json::Value) {
    use serde_json::json;
    let schemas = &mut doc["components"]["schemas"];
    if let Some(variants) = schemas["Verification"]["oneOf"].as_array_mut() {
        for v in variants {
            v["additionalProperties"] = json!(false);
            // A dispute for "other" reasons says what they are.
            if v["properties"]["note"].is_object() {
                v["if"] =
                    json!({"properties": {"reason": {"const": "other"}}, "required": ["reason"]});
                v["then"] = json!({"required": ["note"], "properties": {"note": {"type": "string", "pattern": "\\S"}}});
            }
        }
    }
    let problem = |what: &str| json!({"description": what, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(|p| p.as_object_mut())
        .flat_map(|p| p.values_mut())
    {
        for param in op["parameters"].as_array_mut().into_iter().flatten() {
            if param["name"] == "Idempotency-Key" {
                param["schema"] = json!({"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"});
            }
        }
        let responses = &mut op["responses"];
        for (code, what) in [
            ("401", "No valid key"),
            (
                "429",
                "The key's rate limit was passed: try again after Retry-After",
            ),
        ] {
            if responses.get(code).is_none() {
                responses[code] = problem(what);
            }
        }
    }
}

async fn openapi_json() -> Response {
    Json(openapi()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_and_names_every_endpoint() {
        let doc = openapi();
        assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1"));
        for path in [
            "/api/v1/lines",
            "/api/v1/lines/{id}",
            "/api/v1/lines/{id}/verification",
            "/api/v1/imports",
            "/api/v1/imports/{id}",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing");
        }
        assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    }

    /// A client can follow an import to its result and a line to its answer.
    #[test]
    fn the_document_links_each_answer_to_the_next_operation() {
        let doc = openapi();
        let result =
            &doc["paths"]["/api/v1/imports"]["post"]["responses"]["202"]["links"]["Result"];
        assert_eq!(
            result["operationId"],
            doc["paths"]["/api/v1/imports/{id}"]["get"]["operationId"]
        );
        assert_eq!(result["parameters"]["id"], "$response.body#/id");
        let answer =
            &doc["paths"]["/api/v1/lines/{id}"]["get"]["responses"]["200"]["links"]["Answer"];
        assert_eq!(
            answer["operationId"],
            doc["paths"]["/api/v1/lines/{id}/verification"]["post"]["operationId"]
        );
    }

    /// Each rule the server enforces is in the document (the schemathesis
    /// run of issue 27 found these four missing).
    #[test]
    fn the_document_states_the_rules_the_server_enforces() {
        let doc = openapi();
        for variant in doc["components"]["schemas"]["Verification"]["oneOf"]
            .as_array()
            .unwrap()
        {
            assert_eq!(variant["additionalProperties"], false, "{variant}");
        }
        assert_eq!(
            doc["components"]["schemas"]["ImportRequest"]["additionalProperties"],
            false
        );
        assert_eq!(
            doc["components"]["schemas"]["ImportRequest"]["properties"]["rows"]["minItems"],
            1
        );
        let params = |path: &str, method: &str| {
            doc["paths"][path][method]["parameters"]
                .as_array()
                .unwrap()
                .clone()
        };
        let named = |ps: &[serde_json::Value], name: &str| {
            ps.iter().find(|p| p["name"] == name).unwrap()["schema"].clone()
        };
        let lines = params("/api/v1/lines", "get");
        assert_eq!(named(&lines, "cursor")["pattern"], "^[0-9]+-[0-9]+$");
        assert_eq!(
            (
                named(&lines, "limit")["minimum"].clone(),
                named(&lines, "limit")["maximum"].clone()
            ),
            (1.into(), 500.into())
        );
        let key = named(&params("/api/v1/imports", "post"), "Idempotency-Key");
        assert_eq!(
            (key["maxLength"].clone(), key["pattern"].clone()),
            (255.into(), "^[!-~]+$".into())
        );
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                for code in ["401", "429"] {
                    assert!(
                        op["responses"].get(code).is_some(),
                        "{method} {path} lacks {code}"
                    );
                }
            }
        }
    }

    #[test]
    fn unknown_fields_are_refused_in_every_body() {
        let confirmed = r#"{"verdict":"confirmed","confirmed_amount_yen":1,"bank_date":"2020-09-01","holder_kana":"ア","pin":"1234"}"#;
        assert!(serde_json::from_str::<Verification>(confirmed).is_err());
        let disputed = r#"{"verdict":"disputed","reason":"other","note":"x","extra":1}"#;
        assert!(serde_json::from_str::<Verification>(disputed).is_err());
        let fine = r#"{"verdict":"disputed","reason":"no_such_debit"}"#;
        assert!(serde_json::from_str::<Verification>(fine).is_ok());
        assert!(serde_json::from_str::<ImportRequest>(r#"{"rows":[],"x":1}"#).is_err());
    }
}
