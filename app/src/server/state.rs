//! What every request can reach: the database and the settings.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;

use super::db::Db;

/// Settings read once at start-up (see the server crate's config).
#[derive(Clone, Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// The public address, e.g. `https://redress.example.jp` (no trailing slash).
    pub public_url: String,
    pub mail_from: String,
    pub smtp_url: Option<String>,
    /// Behind a load balancer: take the client's address from the last entry
    /// of `X-Forwarded-For` (the one the balancer added), not the socket.
    pub trust_forwarded_for: bool,
    /// Requests per minute one API key may make.
    pub api_rate_per_minute: i64,
    /// How long a request waits for a bank list's import before it shows
    /// progress instead (the import goes on in the background).
    pub import_wait: std::time::Duration,
    /// Cases approved for more than this (yen) need a second approver.
    pub second_approval_above: i64,
}

impl Settings {
    /// The address of the client of a request, for rate limits.
    pub fn client_ip(&self, parts: &axum::http::request::Parts) -> String {
        if self.trust_forwarded_for
            && let Some(last) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
        {
            return last.to_owned();
        }
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public URL: the only origin allowed to write.
    pub fn public_origin(&self) -> String {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://") {
            Some(i) => match url[i + 3..].find('/') {
                Some(j) => url[..i + 3 + j].to_owned(),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Evidence files (a local folder by default).
    pub files: Arc<dyn super::files::FileStore>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
