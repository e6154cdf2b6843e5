//! `redress`: serve, migrate, create-user, seed-demo, backup, restore.

use clap::Parser;
use std::process::ExitCode;

use app::domain::Role;
use app::server::AppError;
use app::server::services::{accounts, demo};
use server::config::{BanksCommand, Cli, Command, FilesCommand, PostcodesCommand};
use server::startup;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into())
    };
    // One JSON object per line for log collectors; lines for people by
    // default. The error layer keeps the open spans, so a 500's log line
    // says which operation failed (`AppError`'s `during`).
    use tracing_subscriber::prelude::*;
    if cli.settings.log_format == "json" {
        let json = tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(false);
        tracing_subscriber::registry()
            .with(filter())
            .with(json)
            .with(tracing_error::ErrorLayer::default())
            .init();
    } else {
        tracing_subscriber::registry()
            .with(filter())
            .with(tracing_subscriber::fmt::layer())
            .with(tracing_error::ErrorLayer::default())
            .init();
    }
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("redress: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.settings;
    // A restore comes before anything opens (and so creates) the database.
    if let Some(Command::Restore { from }) = &cli.command {
        let url = config.database_url();
        let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        else {
            anyhow::bail!("restore is for SQLite; on PostgreSQL use pg_restore (see the README)");
        };
        let path = std::path::PathBuf::from(path.split('?').next().unwrap_or(path));
        app::server::db::Db::restore_sqlite_file(from, &path).await?;
        let state = startup::prepare(&config).await?;
        let cases = app::server::store::queue::counts(&state.db)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum::<i64>();
        println!(
            "restored {} into {} ({cases} cases); migrations applied",
            from.display(),
            path.display()
        );
        return Ok(());
    }
    if matches!(cli.command, Some(Command::Migrate)) && !config.db_options().statement_cache {
        anyhow::bail!(
            "redress migrate needs PostgreSQL itself: run it with REDRESS_DB_STATEMENT_CACHE=on and DATABASE_URL pointing past PgBouncer"
        );
    }
    if let Some(Command::DemoCode { email }) = &cli.command {
        if !demo::DEMO_USERS
            .iter()
            .any(|(e, role, _)| *e == email.as_str() && role.is_staff())
        {
            anyhow::bail!("{email} is not one of the demo's staff logins");
        }
        let key = app::server::services::mfa::demo_key(email);
        let secret = app::domain::totp::base32_decode(&key).unwrap_or_default();
        let step = app::domain::totp::step_at(chrono::Utc::now().timestamp());
        println!("key:  {}", app::domain::totp::grouped(&key));
        println!(
            "code: {} (for about {} s more)",
            app::domain::totp::format_code(app::domain::totp::code_at(&secret, step)),
            30 - chrono::Utc::now().timestamp().rem_euclid(30)
        );
        return Ok(());
    }
    if let Some(Command::Backup { to }) = &cli.command {
        config.validate()?;
        let db =
            app::server::db::Db::connect_with(&config.database_url(), &config.db_options()).await?;
        db.backup_to(to).await?;
        println!("backed up the database into {}", to.display());
        return Ok(());
    }
    let state = startup::prepare(&config).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("REDRESS_LISTEN {} cannot be used: {e}", config.listen)
                })?;
            println!(
                "Redress is running at {} (database: {})",
                state.settings.public_url,
                state.db.backend()
            );
            startup::serve(
                listener,
                state,
                std::time::Duration::from_millis(config.mail_poll_ms),
            )
            .await
        }
        Command::Migrate => {
            println!("migrations applied ({})", state.db.backend());
            Ok(())
        }
        Command::CreateUser {
            email,
            role,
            bank,
            bank_lead,
            password,
        } => {
            let role = Role::parse(&role).map_err(|_| anyhow::anyhow!("--role must be one of claimant, bank_staff, reviewer, approver, payments, admin"))?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(random_password);
            let id = accounts::create_user(&state, &email, &password, role, bank.as_deref())
                .await
                .map_err(explain)?;
            if bank_lead {
                accounts::make_bank_lead(&state, id)
                    .await
                    .map_err(explain)?;
            }
            println!("created {} ({})", email, role.as_str());
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::SeedDemo => {
            anyhow::ensure!(
                !config.production(),
                "the demo data is not loaded where REDRESS_ENV=production: its accounts' password is published"
            );
            demo::seed(&state).await.map_err(explain)?;
            println!(
                "demo data loaded; every demo login has the password {}",
                demo::DEMO_PASSWORD
            );
            for (email, role, bank) in demo::DEMO_USERS {
                println!(
                    "  {:<28} {}{}",
                    email,
                    role.as_str(),
                    bank.map(|b| format!(" (bank {b})")).unwrap_or_default()
                );
            }
            println!("  bank.77@redress.example is also the 77 Bank's lead user (its API keys)");
            println!(
                "  staff logins ask for a code after the password: `redress demo-code EMAIL` prints it\n  (and the key, for an authenticator app); the claimant's is optional"
            );
            Ok(())
        }
        Command::Banks {
            action: BanksCommand::Update { file },
        } => {
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", file.display()))?;
            let list = redress_core::bank_data::read(&bytes)
                .map_err(|e| anyhow::anyhow!("{} is not a bank list: {e}", file.display()))?;
            let name = file.display().to_string();
            let (_, changes) =
                redress_core::services::banks::update_list(&state.db, None, &name, &list)
                    .await
                    .map_err(explain)?;
            print_changes(&changes);
            Ok(())
        }
        Command::Postcodes {
            action: PostcodesCommand::Update { file, allow_shrink },
        } => {
            use redress_core::services::postcodes;
            let bytes = std::fs::read(&file)
                .map_err(|e| anyhow::anyhow!("{} cannot be read: {e}", file.display()))?;
            let list = redress_core::postcodes::Postcodes::read(&bytes)
                .map_err(|e| anyhow::anyhow!("{} is not a postcode list: {e}", file.display()))?;
            let name = file.display().to_string();
            let c = match postcodes::update(&state.db, None, &name, &list, allow_shrink).await {
                Ok((_, c)) => c,
                Err(AppError::Conflict("postcode_list_shrinks")) => {
                    let now = postcodes::current(&state.db).await.map_err(explain)?;
                    anyhow::bail!(
                        "{} has {} postcodes against {} in the list in force: loading it would \
                         take the others away (one prefecture's file?). Pass --allow-shrink to \
                         load it anyway.",
                        file.display(),
                        list.len(),
                        now.len()
                    );
                }
                Err(e) => return Err(explain(e)),
            };
            println!(
                "postcodes: {} before, {} now; {} added, {} changed, {} removed",
                c.before, c.after, c.added, c.changed, c.removed
            );
            for example in &c.examples {
                println!("  {example}");
            }
            Ok(())
        }
        Command::Files {
            action: FilesCommand::Migrate { to },
        } => {
            let target = app::server::files::open_url(&to)?;
            anyhow::ensure!(
                target.url() != state.files.url(),
                "--to {to} is the store in use (REDRESS_FILES_URL)"
            );
            let done = redress_core::services::files_migrate::migrate(
                &state.db,
                state.files.as_ref(),
                target.as_ref(),
            )
            .await?;
            println!(
                "files: {} copied and verified, {} already there, from {} to {}",
                done.copied,
                done.already,
                state.files.url(),
                target.url()
            );
            for name in &done.missing {
                println!("  missing in the source: {name}");
            }
            for name in &done.differ {
                println!("  bytes differ from the hash taken at upload: {name}");
            }
            anyhow::ensure!(
                done.whole(),
                "{} files missing and {} differing: not every file is in {}",
                done.missing.len(),
                done.differ.len(),
                target.url()
            );
            Ok(())
        }
        Command::Backup { .. } | Command::Restore { .. } | Command::DemoCode { .. } => Ok(()),
    }
}

fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => {
            let list: Vec<String> = errors
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, app::i18n::Lang::En.t(&e.key)))
                .collect();
            anyhow::anyhow!("{}", list.join("; "))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

fn random_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The differences a newer bank list made, as `redress banks update` says them.
fn print_changes(c: &redress_core::services::banks::ListChanges) {
    println!(
        "banks added {}, renamed {}; branches added {}, renamed {}, retired {}",
        c.banks_added.len(),
        c.banks_renamed.len(),
        c.branches_added.len(),
        c.branches_renamed.len(),
        c.branches_retired.len()
    );
    for (code, name) in &c.banks_added {
        println!("  + bank {code} {name}");
    }
    for (code, old, new) in &c.banks_renamed {
        println!("  ~ bank {code} {old} -> {new}");
    }
    for (bank, code, name) in &c.branches_added {
        println!("  + branch {bank}-{code} {name}");
    }
    for (bank, code, old, new) in &c.branches_renamed {
        println!("  ~ branch {bank}-{code} {old} -> {new}");
    }
    for (bank, code, name) in &c.branches_retired {
        println!("  - branch {bank}-{code} {name} (kept for the cases naming it)");
    }
}
