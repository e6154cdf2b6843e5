//! What every request can reach: the server core (database, settings,
//! files), the Leptos options and this process's metrics.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

pub use redress_core::state::*;

#[derive(Clone, Debug)]
pub struct AppState {
    /// The database, the settings, the files: what the services take.
    pub core: Core,
    pub leptos_options: LeptosOptions,
    /// What this process counted (requests, latency) for `/metrics`.
    pub metrics: Arc<super::metrics::Metrics>,
    /// The REST API's OpenAPI document (made by the web edge, shown on the
    /// API's documentation page).
    pub openapi: Arc<serde_json::Value>,
}

/// A handler passes `&state` where a service takes `&Core`.
impl std::ops::Deref for AppState {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The address of the client of a request, for rate limits.
pub fn client_ip(settings: &Settings, parts: &axum::http::request::Parts) -> String {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    redress_core::net::client_address(
        peer,
        forwarded,
        settings.trust_forwarded_for,
        &settings.trusted_proxies,
    )
}
