//! Builds the application: database, migrations, state, router and layers.

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use app::server::db::Db;
use app::server::{AppState, Settings, mail, services};
use app::{App, shell};
use web::middleware::security::{run_housekeeping, same_origin_writes, security_headers};

use crate::config::Config;
use crate::sessions::DbSessionStore;

/// Request bodies larger than this are refused (uploads have their own limit).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Behind PgBouncer in transaction mode the migrations cannot run (they
/// hold a session-level lock and prepare named statements): a process
/// starts only on a schema `redress migrate` brought up to date directly.
async fn refuse_pending_migrations(db: &Db) -> anyhow::Result<()> {
    let pending = db.migrations_pending().await?;
    if !pending.is_empty() {
        anyhow::bail!(
            "{} migrations of this release are not applied (REDRESS_DB_STATEMENT_CACHE=off does not run them): run redress migrate with DATABASE_URL pointing at PostgreSQL itself, not at PgBouncer",
            pending.len()
        );
    }
    Ok(())
}

/// Connects, migrates and loads the bank list: everything `serve` needs.
pub async fn prepare(config: &Config) -> anyhow::Result<AppState> {
    config.validate()?;
    let db = Db::connect_with(&config.database_url(), &config.db_options()).await?;
    if config.db_options().statement_cache {
        db.migrate().await?;
    } else {
        refuse_pending_migrations(&db).await?;
    }
    if config.production() {
        refuse_demo_accounts(&db).await?;
    }
    services::banks::load_if_empty(&db).await?;
    let settings = Settings {
        data_dir: config.data_dir.clone(),
        public_url: config.public_url(),
        allowed_origins: config.allowed_origins(),
        staff_session_lifetime: std::time::Duration::from_secs(config.staff_session_hours * 3600),
        claimant_session_lifetime: std::time::Duration::from_secs(
            config.claimant_session_hours * 3600,
        ),
        sheet_limits: app::server::services::bank_import::SheetLimits {
            max_unpacked_bytes: config.import_max_unpacked_mb * 1024 * 1024,
            max_cells: config.import_max_cells,
        },
        mail_from: config.mail_from.clone(),
        smtp_url: config.smtp_url.clone(),
        mail_reply_to: config.mail_reply_to.clone(),
        mail_retry_base: std::time::Duration::from_millis(config.mail_retry_ms),
        trust_forwarded_for: config.trust_forwarded_for,
        trusted_proxies: config.trusted_proxies.clone(),
        api_rate_per_minute: config.api_rate_per_minute,
        import_wait: std::time::Duration::from_millis(config.import_wait_ms),
        import_lease: std::time::Duration::from_secs(config.import_lease_secs),
        import_chunk_rows: config.import_chunk_rows as usize,
        second_approval_above: config.second_approval_above,
        zengin: app::server::state::ZenginSettings::parse(
            &config.zengin_requester,
            config.zengin_blank_names,
        )
        .map_err(anyhow::Error::msg)?,
        metrics_allow: config.metrics_allow.clone(),
        dashboard_refresh: std::time::Duration::from_secs(config.dashboard_refresh_seconds),
        request_timeout: std::time::Duration::from_secs(config.request_timeout_secs),
        upload_timeout: std::time::Duration::from_secs(config.upload_timeout_secs),
        shutdown_grace: std::time::Duration::from_secs(config.shutdown_grace_secs),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name(app::site_name(&config.site_root))
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build();
    let core = app::server::state::Core {
        commits: app::server::group_commit::GroupCommit::start(&db),
        db,
        files: app::server::files::open_url(&config.files_url())?,
        settings: Arc::new(settings),
        dashboards: Arc::new(services::reports::DashboardCache::default()),
        process: Arc::default(),
    };
    Ok(AppState {
        core,
        leptos_options,
        metrics: Arc::new(app::server::metrics::Metrics::default()),
        openapi: Arc::new(web::rest::openapi()),
    })
}

/// In production no demo account may log in: their password is published.
async fn refuse_demo_accounts(db: &Db) -> anyhow::Result<()> {
    let mut live = Vec::new();
    for (email, _, _) in services::demo::DEMO_USERS {
        if let Some(user) = app::server::store::users::by_email(db, email).await?
            && user.disabled_at.is_none()
        {
            live.push(email);
        }
    }
    anyhow::ensure!(
        live.is_empty(),
        "demo accounts with the published demo password can log in ({}): disable them at /admin/users from a real administrator's account (started once without REDRESS_ENV=production), or start from an empty database (REDRESS_ENV=production)",
        live.join(", ")
    );
    Ok(())
}

/// The whole HTTP stack.
pub async fn router(state: AppState) -> anyhow::Result<Router> {
    let store = DbSessionStore::new(&state.db).await?;
    tokio::spawn(
        store
            .clone()
            .delete_expired_every(std::time::Duration::from_secs(600)),
    );
    let sessions = SessionManagerLayer::new(store)
        .with_name("redress_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure_cookies())
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::minutes(120),
        ));

    // The case pages are bound with the case-view audit as their own
    // layer; the other pages without it.
    let (case_pages, pages): (Vec<_>, Vec<_>) = route_list()
        .into_iter()
        .partition(|r| app::routes::CASE_PAGES.contains(&r.path()));
    anyhow::ensure!(
        case_pages.len() == app::routes::CASE_PAGES.len(),
        "every case page is a page of the app: {:?}",
        case_pages.iter().map(|r| r.path()).collect::<Vec<_>>()
    );
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let page_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let render = leptos_axum::render_app_async_with_context(context.clone(), page_shell.clone());
    let mut cases = Router::new();
    for page in &case_pages {
        let render = render.clone();
        cases = cases.route(
            page.path(),
            axum::routing::get(move |req: axum::extract::Request| render(req)),
        );
    }
    let case_pages = cases.route_layer(from_fn_with_state(
        state.clone(),
        web::middleware::case_views::record_case_views,
    ));
    let app = Router::new()
        .route(
            app::routes::metrics::PATH,
            axum::routing::get(web::middleware::ops::metrics),
        )
        .merge(web::routes())
        .merge(case_pages)
        .leptos_routes_with_context(&state, pages, context.clone(), page_shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(from_fn_with_state(
            state.settings.request_timeout,
            web::middleware::ops::time_limit,
        ));
    // Uploads have their own, larger limits (one file and its form; the
    // time a phone on a slow line takes to send a photo).
    let uploads = Router::new()
        .merge(web::evidence::upload_routes())
        .merge(web::bank::upload_routes())
        .merge(web::payments::upload_routes())
        .merge(web::rest::upload_routes())
        .merge(web::settings::upload_routes())
        .layer(from_fn_with_state(
            state.settings.upload_timeout,
            web::middleware::ops::time_limit,
        ));
    let app = Router::new()
        .merge(uploads)
        .merge(app)
        .with_state(state.clone())
        .layer(sessions)
        .layer(from_fn(web::middleware::ops::user_memo))
        // Every CSV download, in Shift_JIS when asked (`?encoding=sjis`).
        .layer(from_fn(web::download::shift_jis_when_asked))
        .layer(from_fn_with_state(
            state.clone(),
            web::middleware::security::database_down,
        ))
        .layer(from_fn(web::middleware::security::server_fn_bad_input))
        .layer(from_fn_with_state(state.clone(), same_origin_writes))
        .layer(from_fn(
            web::middleware::security::control_characters_not_found,
        ))
        .layer(from_fn(security_headers))
        // Pages, JSON and CSV gzipped for a browser that asks (a quick
        // level: it is paid on every response); the site's files come
        // precompressed (brotli and gzip) and pass through as they are.
        .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
        .layer(from_fn_with_state(
            state.clone(),
            web::middleware::ops::request_context,
        ));
    Ok(app)
}

/// Serves until SIGTERM or Ctrl-C, then stops gracefully (`serve_until`);
/// also runs the mail sender and the background jobs (housekeeping, flag
/// sweep, draft expiry and reminders).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    mail_poll: std::time::Duration,
) -> anyhow::Result<()> {
    serve_until(listener, state, mail_poll, stop_signal()).await
}

/// SIGTERM (every orchestrator's stop, `docker stop`) or Ctrl-C.
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be caught");
                std::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Serves until `stop` ends; then takes no new connection, lets the
/// requests in flight finish for at most the shutdown grace
/// (`REDRESS_SHUTDOWN_GRACE_SECS`), and has the mail sender hand back the
/// mails it claimed and did not send. Every background job keeps its state
/// in the database: another process (or this one restarted) goes on.
pub async fn serve_until(
    listener: TcpListener,
    state: AppState,
    mail_poll: std::time::Duration,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let sender = tokio::spawn(mail::run_sender(
        state.db.clone(),
        state.settings.clone(),
        mail_poll,
        stopped.clone(),
    ));
    tokio::spawn(run_housekeeping(
        state.db.clone(),
        std::time::Duration::from_secs(3600),
    ));
    // The queue tabs' counts, the kept figures and the address counts are
    // sums of appended rows: fold them often.
    tokio::spawn(app::server::store::appended::run_folds(
        state.db.clone(),
        std::time::Duration::from_secs(10),
    ));
    tokio::spawn(services::assessment::run_flag_sweep(
        state.db.clone(),
        std::time::Duration::from_secs(5),
    ));
    tokio::spawn(services::notifications::run(
        state.core.clone(),
        std::time::Duration::from_secs(30),
    ));
    tokio::spawn(services::drafts::run_expiry(
        state.core.clone(),
        std::time::Duration::from_secs(3600),
    ));
    if !state.settings.dashboard_refresh.is_zero() {
        // The whole operation's figures, read before an operator asks.
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = services::reports::refresh_dashboard(&state, None).await {
                tracing::warn!("the dashboard's figures were not computed: {e}");
            }
        });
    }
    // Bank list imports left by a process that stopped: taken over here.
    tokio::spawn(services::bank_import::run_jobs(
        state.core.clone(),
        std::time::Duration::from_secs(2),
    ));
    let grace = state.settings.shutdown_grace;
    let process = state.process.clone();
    let stopping_process = process.clone();
    let app = router(state).await?;
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        stop.await;
        tracing::info!("stopping: no new connections, the requests in flight finish");
        let _ = stopping.send(true);
        stopping_process.stop();
    });
    let overdue = async {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server.into_future() => served?,
        () = overdue => {
            tracing::warn!(seconds = grace.as_secs(), "requests still running after the shutdown grace: stopped");
        }
    }
    // Imports hand back their lease at their next chunk (bounded: another
    // process takes over at the lease's end anyway).
    if !process.jobs_ended(std::time::Duration::from_secs(10)).await {
        tracing::warn!(
            "a job did not hand back its work in time: another process takes it over when its lease ends"
        );
    }
    // The mail sender hands back what it claimed (bounded: a mail server
    // that does not answer does not hold the stop).
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sender).await;
    tracing::info!("stopped");
    Ok(())
}

/// The app's pages, listed once per process. Listing renders the app with
/// resource loading switched off by a flag that is process-wide
/// (leptos_server's `SuppressResourceLoad`): a page another server of the
/// same process renders meanwhile creates its resources unloaded and waits
/// for them for ever. The tests start servers while others answer; the
/// request hung, without an error, until the run's time limit.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}
