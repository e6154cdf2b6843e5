//! What every command can reach: the database and the settings.

use std::path::PathBuf;
use std::sync::Arc;

use super::db::Db;

/// Settings read once at start-up (see the server crate's config).
#[derive(Clone, Debug)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// The public address, e.g. `https://redress.example.jp` (no trailing slash).
    pub public_url: String,
    /// The origins a write may come from: exactly the public origin when the
    /// public address is configured; unset, the listen address (and
    /// `localhost` for a loopback one, as `make run` is opened).
    pub allowed_origins: Vec<String>,
    /// How long a login lasts whatever the activity (ASVS 7.3.2): staff
    /// and bank users, and claimants.
    pub staff_session_lifetime: std::time::Duration,
    pub claimant_session_lifetime: std::time::Duration,
    pub mail_from: String,
    pub smtp_url: Option<String>,
    /// Where replies to our mail go (unset: no Reply-To header).
    pub mail_reply_to: Option<String>,
    /// The first wait before a mail is tried again (doubled per failure).
    pub mail_retry_base: std::time::Duration,
    /// Behind a load balancer: take the client's address from the last entry
    /// of `X-Forwarded-For` (the one the balancer added), not the socket.
    pub trust_forwarded_for: bool,
    /// The proxies whose `X-Forwarded-For` entries are believed (addresses
    /// and CIDR blocks): the client is the first address from the right
    /// that is not one of them (`net::client_address`).
    pub trusted_proxies: Vec<String>,
    /// Requests per minute one API key may make.
    pub api_rate_per_minute: i64,
    /// How long a request waits for a bank list's import before it shows
    /// progress instead (the import goes on in the background).
    pub import_wait: std::time::Duration,
    /// How long an import's worker holds it between chunks (another process
    /// takes it over past that).
    pub import_lease: std::time::Duration,
    /// Rows of a bank's list per transaction.
    pub import_chunk_rows: usize,
    /// What an uploaded Excel list may unpack to.
    pub sheet_limits: crate::services::bank_import::SheetLimits,
    /// Cases approved for more than this (yen) need a second approver.
    pub second_approval_above: i64,
    /// The operator's side of the Zengin transfer file.
    pub zengin: ZenginSettings,
    /// Addresses (or CIDR blocks) that may read `/metrics`.
    pub metrics_allow: Vec<String>,
    /// How old the dashboard's figures may be before a view has them
    /// computed again (zero: computed on every view).
    pub dashboard_refresh: std::time::Duration,
    /// The longest a request may take (uploads: `upload_timeout`).
    pub request_timeout: std::time::Duration,
    pub upload_timeout: std::time::Duration,
    /// After SIGTERM, how long requests in flight may take to finish.
    pub shutdown_grace: std::time::Duration,
}

/// Who pays, as the operator's bank knows it: the requester code it gave,
/// the name, and the paying account. Bank and branch names come from the
/// bank list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZenginSettings {
    pub code: String,
    pub name: String,
    pub bank_code: String,
    pub branch_code: String,
    /// `1` ordinary, `2` current.
    pub account_type: char,
    pub account_number: String,
    /// Leave bank and branch names blank in the file (some banks want that).
    pub blank_names: bool,
}

impl ZenginSettings {
    /// Reads `code,name,bank,branch,type,account` (type `1` ordinary or `2`
    /// current), e.g. `0000012345,ﾚﾄﾞﾚｽ,0001,001,1,1234567`.
    pub fn parse(text: &str, blank_names: bool) -> Result<ZenginSettings, String> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        let [code, name, bank, branch, kind, account] = parts[..] else {
            return Err(
                "REDRESS_ZENGIN_REQUESTER must be code,name,bank,branch,type,account".into(),
            );
        };
        let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
        if !digits(code, 10) {
            return Err("the Zengin requester code must be 10 digits".into());
        }
        if crate::domain::zengin::to_zengin(name).is_err() {
            return Err(
                "the Zengin requester name must be katakana, digits or capital letters".into(),
            );
        }
        if !digits(bank, 4) || !digits(branch, 3) || !digits(account, 7) {
            return Err(
                "the paying bank (4 digits), branch (3) and account (7) are numbers".into(),
            );
        }
        let account_type = match kind {
            "1" => '1',
            "2" => '2',
            _ => return Err("the paying account's type is 1 (ordinary) or 2 (current)".into()),
        };
        Ok(ZenginSettings {
            code: code.to_owned(),
            name: name.to_owned(),
            bank_code: bank.to_owned(),
            branch_code: branch.to_owned(),
            account_type,
            account_number: account.to_owned(),
            blank_names,
        })
    }
}

impl Settings {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public URL: the only origin allowed to write.
    pub fn public_origin(&self) -> String {
        origin_of(&self.public_url)
    }
}

/// The server core: what every command and query reaches (the database,
/// the settings, the evidence files, the group commit, the dashboard's
/// cached figures). The web edge holds one; a job or a test may too.
#[derive(Clone, Debug)]
pub struct Core {
    pub db: Db,
    pub settings: Arc<Settings>,
    /// Evidence files (a local folder by default).
    pub files: Arc<dyn super::files::FileStore>,
    /// The dashboard's figures as this process last computed them.
    pub dashboards: Arc<super::services::reports::DashboardCache>,
    /// SQLite's group commit (claim submissions go through it).
    pub commits: Arc<super::group_commit::GroupCommit>,
    /// This process, as its background jobs name it in their leases.
    pub process: Arc<Process>,
}

/// This running process: an id for the leases of the jobs it works on, and
/// whether it is stopping (SIGTERM: jobs hand back what they hold between
/// steps instead of starting the next).
#[derive(Debug)]
pub struct Process {
    pub id: uuid::Uuid,
    stopping: tokio::sync::watch::Sender<bool>,
    /// Jobs running now (a stopping process waits for them to hand back).
    jobs: tokio::sync::watch::Sender<usize>,
}

impl Default for Process {
    fn default() -> Self {
        Process {
            id: uuid::Uuid::new_v4(),
            stopping: tokio::sync::watch::Sender::new(false),
            jobs: tokio::sync::watch::Sender::new(0),
        }
    }
}

/// A job running in this process, counted while it lives.
pub struct Running(Arc<Process>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.jobs.send_modify(|n| *n -= 1);
    }
}

impl Process {
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Counts a job as running until the returned guard is dropped.
    pub fn running(self: &Arc<Self>) -> Running {
        self.jobs.send_modify(|n| *n += 1);
        Running(self.clone())
    }

    /// Waits until no job runs (they hand back their work at their next
    /// step once the process is stopping), at most `limit`.
    pub async fn jobs_ended(&self, limit: std::time::Duration) -> bool {
        let mut rx = self.jobs.subscribe();
        tokio::time::timeout(limit, rx.wait_for(|n| *n == 0))
            .await
            .is_ok()
    }
}

/// `scheme://host[:port]` of a URL (no path, no trailing slash).
pub fn origin_of(url: &str) -> String {
    let url = url.trim_end_matches('/');
    match url.find("://") {
        Some(i) => match url[i + 3..].find('/') {
            Some(j) => url[..i + 3 + j].to_owned(),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
