//! The REST API's OpenAPI document (written by `server::rest`) read into
//! the docs page's description. The page depends on the API's document,
//! never the other way round.

use super::common::{ApiDescription, EndpointDoc, FieldDoc, SchemaDoc};
use serde_json::Value;

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

/// A schema's type in a few words: `string (date)`, `array of Line`...
pub fn kind(s: &Value) -> String {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_owned();
    }
    if let Some(any) = s
        .get("oneOf")
        .or_else(|| s.get("anyOf"))
        .and_then(Value::as_array)
    {
        let kinds: Vec<String> = any.iter().map(kind).filter(|k| k != "null").collect();
        return kinds.join(" | ");
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        return format!("one of: {}", names.join(", "));
    }
    let types: Vec<String> = match s.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let base = match types.first().map(String::as_str) {
        Some("array") => format!("array of {}", s.get("items").map(kind).unwrap_or_default()),
        Some(t) => t.to_owned(),
        None => "any".to_owned(),
    };
    match s.get("format").and_then(Value::as_str) {
        Some(f) => format!("{base} ({f})"),
        None => base,
    }
}

fn fields(s: &Value) -> Vec<FieldDoc> {
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    s.get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| FieldDoc {
                    name: name.clone(),
                    kind: kind(p),
                    required: required.contains(&name.as_str()),
                    description: text(&p["description"]),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn schema_of(content: &Value) -> String {
    content
        .as_object()
        .and_then(|c| c.values().next())
        .map(|m| kind(&m["schema"]))
        .unwrap_or_default()
}

pub fn describe(doc: &Value) -> ApiDescription {
    let mut endpoints = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            endpoints.push(EndpointDoc {
                method: method.to_uppercase(),
                path: path.clone(),
                summary: text(&op["summary"]),
                description: text(&op["description"]),
                params: op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| FieldDoc {
                        name: format!("{} ({})", text(&p["name"]), text(&p["in"])),
                        kind: kind(&p["schema"]),
                        required: p["required"].as_bool().unwrap_or(false),
                        description: text(&p["description"]),
                    })
                    .collect(),
                body: op.get("requestBody").map(|b| schema_of(&b["content"])),
                responses: op["responses"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| {
                        (
                            status.clone(),
                            text(&r["description"]),
                            schema_of(&r["content"]),
                        )
                    })
                    .collect(),
            });
        }
    }
    let mut schemas = Vec::new();
    for (name, s) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        match s.get("oneOf").and_then(Value::as_array) {
            // A tagged union: one table per variant, named by its tag.
            Some(variants) if variants.iter().all(|v| v.get("properties").is_some()) => {
                for v in variants {
                    let tag = v["properties"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .find_map(|(field, p)| {
                            let only = p["enum"].as_array().filter(|e| e.len() == 1)?;
                            Some(format!("{field} = {}", only[0].as_str()?))
                        })
                        .unwrap_or_default();
                    schemas.push(SchemaDoc {
                        name: format!("{name} ({tag})"),
                        kind: "object".to_owned(),
                        description: text(&s["description"]),
                        fields: fields(v),
                    });
                }
            }
            _ => schemas.push(SchemaDoc {
                name: name.clone(),
                kind: kind(s),
                description: text(&s["description"]),
                fields: fields(s),
            }),
        }
    }
    ApiDescription {
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        description: text(&doc["info"]["description"]),
        endpoints,
        schemas,
    }
}
