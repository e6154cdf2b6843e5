//! Settings from flags or environment variables (every flag has one).

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "redress",
    version,
    about = "Redress: compensation claims for unauthorized bank debits"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply the database migrations and load the bank list, then exit.
    Migrate,
    /// Create a user (staff are never self-registered).
    CreateUser {
        #[arg(long)]
        email: String,
        /// claimant, bank_staff, reviewer, approver, payments or admin.
        #[arg(long)]
        role: String,
        /// The 4-digit bank code (bank_staff only).
        #[arg(long)]
        bank: Option<String>,
        /// Make the bank user the bank's lead user (manages its API keys).
        #[arg(long)]
        bank_lead: bool,
        /// The password; when absent a random one is generated and printed.
        #[arg(long, env = "REDRESS_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Load the demo data: participating banks, one login per role, a few claims.
    SeedDemo,
    /// Print a demo staff login's two-step key and its code right now (the
    /// demo's staff accounts start with a key derived from their address).
    DemoCode {
        /// A demo login's address, e.g. reviewer@redress.example.
        email: String,
    },
    /// Copy the SQLite database, consistently, while the application runs
    /// (on PostgreSQL use pg_dump).
    Backup {
        /// The new file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore a backup made with `redress backup` into an empty data folder.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
    },
    /// The bank and branch list.
    Banks {
        #[command(subcommand)]
        action: BanksCommand,
    },
    /// The evidence files.
    Files {
        #[command(subcommand)]
        action: FilesCommand,
    },
    /// The postcode list of the address lookup.
    Postcodes {
        #[command(subcommand)]
        action: PostcodesCommand,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum FilesCommand {
    /// Copy every evidence file from the store in use (REDRESS_FILES_URL)
    /// to another (file:///folder or s3://bucket/prefix), each verified by
    /// its hash as read back. Run it again to copy what is new; then set
    /// REDRESS_FILES_URL to the new store. Also a verified copy for a backup.
    Migrate {
        /// Where to copy to.
        #[arg(long)]
        to: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum PostcodesCommand {
    /// Load a newer postcode list into this system (every process looks
    /// up in it from then on): Japan Post's utf_ken_all.csv (UTF-8) or
    /// KEN_ALL.CSV (Shift_JIS), zipped out, or the shipped compact form.
    /// Prints the differences.
    Update {
        /// The list file.
        file: PathBuf,
        /// Load it even if it has less than half the postcodes of the
        /// list in force (a partial list takes the others away).
        #[arg(long)]
        allow_shrink: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum BanksCommand {
    /// Load a newer zengin-code list (JSON or .json.gz, the shipped form)
    /// into this system: new and renamed banks and branches are taken, a
    /// branch the list no longer has is kept for the cases naming it but
    /// no longer offered. Prints the differences.
    Update {
        /// The list file.
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Folder for the SQLite file, written mails and (later) uploads.
    #[arg(
        long,
        env = "REDRESS_DATA_DIR",
        value_name = "REDRESS_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Where evidence files are kept: file:///folder, or s3://bucket/prefix
    /// shared by every process (endpoint, region and keys from AWS_*).
    /// Default: the evidence folder in the data folder.
    #[arg(
        long,
        env = "REDRESS_FILES_URL",
        value_name = "REDRESS_FILES_URL",
        global = true
    )]
    pub files_url: Option<String>,
    /// sqlite:... or postgres://... (default: redress.db in the data folder).
    #[arg(
        long,
        env = "DATABASE_URL",
        value_name = "DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Address and port to listen on.
    #[arg(
        long,
        env = "REDRESS_LISTEN",
        value_name = "REDRESS_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,
    /// The address people use (default: http:// and the listen address).
    #[arg(
        long,
        env = "REDRESS_PUBLIC_URL",
        value_name = "REDRESS_PUBLIC_URL",
        global = true
    )]
    pub public_url: Option<String>,
    /// smtp://host:port or smtps://user:pass@host; unset: mails are written as .eml files.
    #[arg(
        long,
        env = "SMTP_URL",
        value_name = "SMTP_URL",
        global = true,
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// The sender of every mail.
    #[arg(
        long,
        env = "REDRESS_MAIL_FROM",
        value_name = "REDRESS_MAIL_FROM",
        default_value = "Redress <no-reply@redress.example>",
        global = true
    )]
    pub mail_from: String,
    /// Where replies to our mail go (e.g. the operator's help desk); unset: no Reply-To.
    #[arg(
        long,
        env = "REDRESS_MAIL_REPLY_TO",
        value_name = "REDRESS_MAIL_REPLY_TO",
        global = true
    )]
    pub mail_reply_to: Option<String>,
    /// The first wait before a mail that could not be sent is tried again, in
    /// milliseconds (doubled per failure, at most an hour, with jitter).
    #[arg(
        long,
        env = "REDRESS_MAIL_RETRY_MS",
        value_name = "REDRESS_MAIL_RETRY_MS",
        default_value_t = 60_000,
        global = true
    )]
    pub mail_retry_ms: u64,
    /// Where the built stylesheet, JavaScript and WebAssembly are served from.
    #[arg(
        long,
        env = "REDRESS_SITE_ROOT",
        value_name = "REDRESS_SITE_ROOT",
        default_value = "target/site",
        global = true
    )]
    pub site_root: String,
    /// Behind one load balancer whose address is not known in advance: trust
    /// the socket's peer as a proxy (see `trusted_proxies`).
    #[arg(
        long,
        env = "REDRESS_TRUST_FORWARDED_FOR",
        value_name = "REDRESS_TRUST_FORWARDED_FOR",
        global = true
    )]
    pub trust_forwarded_for: bool,
    /// The proxies in front (CDN, load balancer): addresses or CIDR blocks,
    /// comma-separated. The client is the first `X-Forwarded-For` address
    /// from the right that is not one of them.
    #[arg(
        long,
        env = "REDRESS_TRUSTED_PROXIES",
        value_name = "REDRESS_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
    /// Who may read `/metrics`: addresses or CIDR blocks, comma-separated.
    #[arg(
        long,
        env = "REDRESS_METRICS_ALLOW",
        value_name = "REDRESS_METRICS_ALLOW",
        default_value = "127.0.0.1,::1",
        value_delimiter = ',',
        global = true
    )]
    pub metrics_allow: Vec<String>,
    /// Log lines for people (`text`) or one JSON object per line (`json`).
    #[arg(
        long,
        env = "REDRESS_LOG_FORMAT",
        value_name = "REDRESS_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: String,
    /// How often the mail sender looks at the outbox, in milliseconds.
    #[arg(
        long,
        env = "REDRESS_MAIL_POLL_MS",
        value_name = "REDRESS_MAIL_POLL_MS",
        default_value_t = 2000,
        global = true
    )]
    pub mail_poll_ms: u64,
    /// Requests per minute one API key may make (all server processes together).
    #[arg(
        long,
        env = "REDRESS_API_RATE_PER_MINUTE",
        value_name = "REDRESS_API_RATE_PER_MINUTE",
        default_value_t = 120,
        global = true
    )]
    pub api_rate_per_minute: i64,
    /// How long an upload of a bank's list waits for its import before the
    /// page shows progress instead, in milliseconds.
    #[arg(
        long,
        env = "REDRESS_IMPORT_WAIT_MS",
        value_name = "REDRESS_IMPORT_WAIT_MS",
        default_value_t = 5000,
        global = true
    )]
    pub import_wait_ms: u64,
    /// How long the process working on a bank's list import holds it
    /// without a word (renewed with every chunk of rows): past it, another
    /// process takes the import over, in seconds.
    #[arg(
        long,
        env = "REDRESS_IMPORT_LEASE_SECS",
        value_name = "REDRESS_IMPORT_LEASE_SECS",
        default_value_t = 60,
        global = true
    )]
    pub import_lease_secs: u64,
    /// Rows of a bank's list saved per transaction (each chunk is where an
    /// import resumes from).
    #[arg(
        long,
        env = "REDRESS_IMPORT_CHUNK_ROWS",
        value_name = "REDRESS_IMPORT_CHUNK_ROWS",
        default_value_t = 5000,
        value_parser = clap::value_parser!(u64).range(1..=100_000),
        global = true
    )]
    pub import_chunk_rows: u64,
    /// Cases approved for more than this many yen need a second approver.
    #[arg(
        long,
        env = "REDRESS_SECOND_APPROVAL_ABOVE",
        value_name = "REDRESS_SECOND_APPROVAL_ABOVE",
        default_value_t = 1_000_000,
        global = true
    )]
    pub second_approval_above: i64,
    /// The operator in the Zengin transfer file: `code,name,bank,branch,type,account`
    /// (requester code from the paying bank, name in katakana, the paying account).
    #[arg(
        long,
        env = "REDRESS_ZENGIN_REQUESTER",
        value_name = "REDRESS_ZENGIN_REQUESTER",
        default_value = DEMO_REQUESTER,
        global = true
    )]
    pub zengin_requester: String,
    /// Leave bank and branch names blank in the Zengin file.
    #[arg(
        long,
        env = "REDRESS_ZENGIN_BLANK_NAMES",
        value_name = "REDRESS_ZENGIN_BLANK_NAMES",
        global = true
    )]
    pub zengin_blank_names: bool,
    /// How old the dashboard's figures may be, in seconds: a view serves the
    /// figures last computed and, when they are older, computes new ones in
    /// the background (0: compute on every view).
    #[arg(
        long,
        env = "REDRESS_DASHBOARD_REFRESH_SECONDS",
        value_name = "REDRESS_DASHBOARD_REFRESH_SECONDS",
        default_value_t = 0,
        global = true
    )]
    pub dashboard_refresh_seconds: u64,
    /// How many hours a staff or bank login lasts, whatever the activity.
    #[arg(
        long,
        env = "REDRESS_STAFF_SESSION_HOURS",
        value_name = "REDRESS_STAFF_SESSION_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub staff_session_hours: u64,
    /// How many hours a claimant's login lasts, whatever the activity.
    #[arg(
        long,
        env = "REDRESS_CLAIMANT_SESSION_HOURS",
        value_name = "REDRESS_CLAIMANT_SESSION_HOURS",
        default_value_t = 168,
        global = true
    )]
    pub claimant_session_hours: u64,
    /// The most an uploaded Excel list may unpack to, in megabytes.
    #[arg(
        long,
        env = "REDRESS_IMPORT_MAX_UNPACKED_MB",
        value_name = "REDRESS_IMPORT_MAX_UNPACKED_MB",
        default_value_t = 200,
        global = true
    )]
    pub import_max_unpacked_mb: u64,
    /// The most cells an uploaded Excel list may hold.
    #[arg(
        long,
        env = "REDRESS_IMPORT_MAX_CELLS",
        value_name = "REDRESS_IMPORT_MAX_CELLS",
        default_value_t = 2_000_000,
        global = true
    )]
    pub import_max_cells: u64,
    /// PostgreSQL: the most connections this process holds (several
    /// processes share the server's `max_connections`, 100 by default).
    #[arg(
        long,
        env = "REDRESS_DB_POOL",
        value_name = "REDRESS_DB_POOL",
        default_value_t = 16,
        global = true
    )]
    pub db_pool: u32,
    /// PostgreSQL: the longest one statement may run before the server
    /// cancels it (the request answers 503), in milliseconds.
    #[arg(
        long,
        env = "REDRESS_STATEMENT_TIMEOUT_MS",
        value_name = "REDRESS_STATEMENT_TIMEOUT_MS",
        default_value_t = 30_000,
        global = true
    )]
    pub statement_timeout_ms: u64,
    /// PostgreSQL: `off` behind PgBouncer in transaction mode: statements
    /// prepared unnamed inside a transaction each, never kept on a
    /// connection; no migrations at start-up (run `redress migrate` against
    /// PostgreSQL itself). `on`: each statement prepared once per connection.
    #[arg(
        long,
        env = "REDRESS_DB_STATEMENT_CACHE",
        value_name = "REDRESS_DB_STATEMENT_CACHE",
        default_value = "on",
        value_parser = ["on", "off"],
        global = true
    )]
    pub db_statement_cache: String,
    /// The longest a request may take before it is answered 503, in seconds
    /// (uploads have their own, longer limit).
    #[arg(
        long,
        env = "REDRESS_REQUEST_TIMEOUT_SECS",
        value_name = "REDRESS_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,
    /// The longest an upload (evidence, a bank's list, a payout result, a
    /// settings file) may take, in seconds: a phone on a slow line sends a
    /// photo for minutes.
    #[arg(
        long,
        env = "REDRESS_UPLOAD_TIMEOUT_SECS",
        value_name = "REDRESS_UPLOAD_TIMEOUT_SECS",
        default_value_t = 600,
        global = true
    )]
    pub upload_timeout_secs: u64,
    /// After SIGTERM (or Ctrl-C): how long the requests in flight may take
    /// to finish, in seconds, while no new connection is taken.
    #[arg(
        long,
        env = "REDRESS_SHUTDOWN_GRACE_SECS",
        value_name = "REDRESS_SHUTDOWN_GRACE_SECS",
        default_value_t = 25,
        global = true
    )]
    pub shutdown_grace_secs: u64,
    /// `production` refuses to start with what is only for trying Redress
    /// out: the demo Zengin requester, mail written to files, a public
    /// address without TLS, demo accounts. `development` (the default)
    /// allows them.
    #[arg(
        long,
        env = "REDRESS_ENV",
        value_name = "REDRESS_ENV",
        default_value = "development",
        global = true
    )]
    pub env: String,
}

/// The demo operator's requester (not a real one).
pub const DEMO_REQUESTER: &str = "0000012345,ﾚﾄﾞﾚｽ ﾎｼｮｳ ｼﾞﾑｷｮｸ,0001,001,1,1234567";

impl Config {
    /// How the database is opened: the pool and the statement limit.
    pub fn db_options(&self) -> app::server::db::DbOptions {
        app::server::db::DbOptions {
            pool: self.db_pool,
            statement_timeout: std::time::Duration::from_millis(self.statement_timeout_ms),
            statement_cache: self.db_statement_cache == "on",
        }
    }

    /// Where evidence files are kept (default: `<data dir>/evidence`).
    pub fn files_url(&self) -> String {
        self.files_url.clone().unwrap_or_else(|| {
            let dir = self.data_dir.join("evidence");
            let dir = std::path::absolute(&dir).unwrap_or(dir);
            format!("file://{}", dir.display())
        })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("redress.db").display()))
    }

    /// The origins a write may come from: exactly the configured public
    /// origin; unset, the listen address (and `localhost` on a loopback one,
    /// the address `make run` prints being opened either way).
    pub fn allowed_origins(&self) -> Vec<String> {
        if self.public_url.is_some() {
            return vec![app::server::state::origin_of(&self.public_url())];
        }
        let mut origins = vec![format!("http://{}", self.listen)];
        if self.listen.ip().is_loopback() {
            origins.push(format!("http://localhost:{}", self.listen.port()));
        }
        origins
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Checks what clap cannot: one clear sentence per wrong setting.
    /// Whether this is a production deployment (`REDRESS_ENV=production`).
    pub fn production(&self) -> bool {
        self.env == "production"
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let url = self.public_url();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            anyhow::bail!("REDRESS_PUBLIC_URL must start with http:// or https://, not {url:?}");
        }
        if !matches!(self.env.as_str(), "development" | "production") {
            anyhow::bail!(
                "REDRESS_ENV must be development or production, not {:?}",
                self.env
            );
        }
        if self.production() {
            if self.zengin_requester == DEMO_REQUESTER {
                anyhow::bail!(
                    "REDRESS_ZENGIN_REQUESTER is the demo requester: set the requester code, name and account your paying bank gave you (REDRESS_ENV=production)"
                );
            }
            if self.smtp_url.is_none() {
                anyhow::bail!(
                    "SMTP_URL is not set, so mail would be written to files and never sent: set the mail server (REDRESS_ENV=production)"
                );
            }
            if !self
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://"))
            {
                anyhow::bail!(
                    "REDRESS_PUBLIC_URL must be the https:// address people use: logins and claims are not sent without TLS (REDRESS_ENV=production)"
                );
            }
        }
        if self.mail_from.parse::<lettre_address::Mailbox>().is_err() {
            anyhow::bail!(
                "REDRESS_MAIL_FROM is not a valid mail address: {:?}",
                self.mail_from
            );
        }
        if let Some(reply_to) = &self.mail_reply_to
            && reply_to.parse::<lettre_address::Mailbox>().is_err()
        {
            anyhow::bail!("REDRESS_MAIL_REPLY_TO is not a valid mail address: {reply_to:?}");
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            anyhow::bail!(
                "REDRESS_LOG_FORMAT must be text or json, not {:?}",
                self.log_format
            );
        }
        for (name, rules) in [
            ("REDRESS_METRICS_ALLOW", &self.metrics_allow),
            ("REDRESS_TRUSTED_PROXIES", &self.trusted_proxies),
        ] {
            for rule in rules {
                if app::server::net::parse_rule(rule).is_none() {
                    anyhow::bail!("{name}: {rule:?} is not an address or a CIDR block");
                }
            }
        }
        if !(1..=24 * 30).contains(&self.staff_session_hours)
            || !(1..=24 * 90).contains(&self.claimant_session_hours)
        {
            anyhow::bail!(
                "REDRESS_STAFF_SESSION_HOURS must be 1 to 720 and REDRESS_CLAIMANT_SESSION_HOURS 1 to 2160"
            );
        }
        if self.import_max_unpacked_mb == 0 || self.import_max_cells == 0 {
            anyhow::bail!(
                "REDRESS_IMPORT_MAX_UNPACKED_MB and REDRESS_IMPORT_MAX_CELLS must be at least 1"
            );
        }
        if !(1..=1000).contains(&self.db_pool) {
            anyhow::bail!("REDRESS_DB_POOL must be 1 to 1000");
        }
        if self.statement_timeout_ms == 0
            || self.request_timeout_secs == 0
            || self.upload_timeout_secs == 0
        {
            anyhow::bail!(
                "REDRESS_STATEMENT_TIMEOUT_MS, REDRESS_REQUEST_TIMEOUT_SECS and REDRESS_UPLOAD_TIMEOUT_SECS must be at least 1"
            );
        }
        if self.mail_retry_ms == 0 {
            anyhow::bail!("REDRESS_MAIL_RETRY_MS must be at least 1");
        }
        if !(1..=100_000).contains(&self.api_rate_per_minute) {
            anyhow::bail!("REDRESS_API_RATE_PER_MINUTE must be 1 to 100000");
        }
        if let Some(smtp) = &self.smtp_url
            && !(smtp.starts_with("smtp://") || smtp.starts_with("smtps://"))
        {
            anyhow::bail!("SMTP_URL must start with smtp:// or smtps://");
        }
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "REDRESS_DATA_DIR {} cannot be created: {e}",
                self.data_dir.display()
            )
        })?;
        Ok(())
    }
}

/// lettre's address type, through the app crate's dependency.
mod lettre_address {
    pub use app::server::mail::Mailbox;
}
