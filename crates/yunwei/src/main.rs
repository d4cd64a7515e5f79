//! `yunwei`: the one binary — server, demo, migrations and operator commands.

mod config;
mod demo;
mod serve;

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use domain::registry::UserInput;

use crate::config::{Overrides, Settings};

#[derive(Parser)]
#[command(name = "yunwei", version, about = "Yunwei 运维 — O&M management for government data bureaus")]
struct Cli {
    #[command(flatten)]
    overrides: Overrides,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrations run first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Start a server on a fresh temporary data directory filled with the demo dataset.
    Demo,
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Audit trail operations.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a user; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        /// admin, unit_user, vendor_pm, engineer or auditor.
        #[arg(long)]
        role: String,
        /// Unit id (unit users).
        #[arg(long)]
        unit: Option<String>,
        /// Vendor id (vendor PMs and engineers).
        #[arg(long)]
        vendor: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exits non-zero if any record was altered, inserted or removed.
    Verify,
    /// Verify an archived segment (`GET /api/v1/audit/archive`) on its own, without a database.
    VerifyArchive {
        /// The archive file (JSON Lines).
        file: std::path::PathBuf,
    },
}

/// glibc's allocator spent about a tenth of the server's time under mixed load (many small
/// short-lived allocations across threads); mimalloc keeps them thread-local.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::resolve(&cli.overrides)?;
    config::init_tracing(&settings);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run(cli.command, settings))
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve::serve(settings).await,
        Command::Demo => demo::run(settings).await,
        Command::Openapi => {
            println!("{}", api::openapi_json());
            Ok(())
        }
        Command::Migrate => {
            let store = app::Database::connect(&settings.database_url()?).await?;
            let pending = store.pending_migrations().await?;
            store.migrate().await?;
            println!("migrations applied: {pending}");
            Ok(())
        }
        Command::Admin { command: AdminCommand::CreateUser { username, role, unit, vendor, display_name } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_string();
            let app = app::App::open(&settings.database_url()?, settings.app_config()).await?;
            let input = UserInput {
                username: Some(username),
                role: Some(role),
                unit_id: unit,
                vendor_id: vendor,
                display_name,
                password: Some(password),
                ..Default::default()
            };
            match app.create_user(&app::system_principal(), input).await {
                Ok(u) => {
                    println!("created user {} ({}) with id {}", u.username, u.role.as_str(), u.id);
                    Ok(())
                }
                Err(app::AppError::Validation(errs)) => {
                    for e in errs {
                        eprintln!("{}: {}", e.field, e.msg.zh);
                    }
                    bail!("the user was not created")
                }
                Err(app::AppError::Conflict { msg, .. }) => bail!("{}", msg.zh),
                Err(e) => Err(e.into()),
            }
        }
        Command::Audit { command: AuditCommand::VerifyArchive { file } } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header: domain::audit::SegmentHeader = serde_json::from_str(lines.next().unwrap_or_default())
                .context("the first line is not a segment header")?;
            if header.kind != domain::audit::SEGMENT_KIND {
                bail!("not an audit archive: {}", header.kind);
            }
            let records = lines
                .enumerate()
                .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("line {} is not an audit record", i + 2)))
                .collect::<anyhow::Result<Vec<domain::audit::AuditRecord>>>()?;
            let breaks = domain::audit::verify_segment(&header, &records);
            println!(
                "checked {} records, seq {}–{}; last hash {}",
                records.len(),
                header.from_seq,
                header.to_seq,
                header.last_hash
            );
            if breaks.is_empty() {
                println!("audit archive intact");
                Ok(())
            } else {
                for b in &breaks {
                    println!("BROKEN: {}", serde_json::to_string(b)?);
                }
                bail!("the archive is broken in {} places", breaks.len())
            }
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let app = app::App::open(&settings.existing_database_url()?, settings.app_config()).await?;
            let r = app.verify_audit(&app::system_principal()).await?;
            println!("checked {} records; head seq {} hash {}", r.checked, r.last_seq, r.last_hash);
            if r.intact() {
                println!("audit chain intact");
                Ok(())
            } else {
                for b in &r.breaks {
                    println!("BROKEN: {}", serde_json::to_string(b)?);
                }
                bail!("the audit chain is broken in {} places", r.breaks.len())
            }
        }
    }
}
