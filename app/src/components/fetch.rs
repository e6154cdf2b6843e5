//! The islands' requests to their server functions, sent with
//! XMLHttpRequest and read with the browser's own JSON parser. The server
//! functions are the same (the same path, arguments form-encoded as
//! Leptos's client sends them, the same JSON answer); what the browser's
//! code no longer carries is the server function's client: its request and
//! response types, serde_json's reader and the error type's decoding, a
//! tenth of the claimant's WebAssembly (BENCHMARKS.md, issue 25, fifth part).

use leptos::wasm_bindgen::{JsCast, JsValue, closure::Closure};
use web_sys::js_sys;

/// POSTs `fields`, form-encoded, to `path` (a server function's `PATH`) and
/// calls `done` with the parsed JSON of a 2xx answer, or `None` for any
/// other answer, a network failure or an answer that is not JSON.
pub fn post(path: &str, fields: &[(&str, &str)], done: impl FnOnce(Option<JsValue>) + 'static) {
    let body = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                String::from(js_sys::encode_uri_component(k)),
                String::from(js_sys::encode_uri_component(v))
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return done(None);
    };
    if xhr.open("POST", path).is_err() {
        return done(None);
    }
    let _ = xhr.set_request_header("Content-Type", "application/x-www-form-urlencoded");
    let _ = xhr.set_request_header("Accept", "application/json");
    let answer = xhr.clone();
    // Called once, when the request ends however it ends; freed after.
    let on_end = Closure::once_into_js(move || {
        let ok = (200..300).contains(&answer.status().unwrap_or(0));
        let text = answer.response_text().ok().flatten().filter(|_| ok);
        done(text.and_then(|t| js_sys::JSON::parse(&t).ok()));
    });
    xhr.set_onloadend(Some(on_end.unchecked_ref()));
    // A request that cannot be sent still ends (`loadend`), with status 0.
    let _ = xhr.send_with_opt_str(Some(&body));
}

/// The strings of a JSON array (anything else: none).
pub fn strings(value: &JsValue) -> Vec<String> {
    items(value).iter().filter_map(|v| v.as_string()).collect()
}

/// The items of a JSON array (anything else: none).
pub fn items(value: &JsValue) -> Vec<JsValue> {
    if js_sys::Array::is_array(value) {
        js_sys::Array::from(value).iter().collect()
    } else {
        Vec::new()
    }
}

/// A JSON object's field (`undefined` when it has none).
fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// A JSON object's string field (`""` when it is missing or not a string).
pub fn text(value: &JsValue, name: &str) -> String {
    field(value, name).as_string().unwrap_or_default()
}

/// A JSON object's number field, whole.
pub fn whole(value: &JsValue, name: &str) -> Option<i64> {
    field(value, name).as_f64().map(|n| n as i64)
}
