//! The `cocreate` command: configuration, the choice of backend, and the operator's commands.

pub mod config;
mod demo;
mod feedback_cli;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use cocreate_app::{
    AccountInput, App, AppError, GENERATED_PASSWORD, GeneratePlan, PolisExport, Worker,
    read_export, write_export,
};
use cocreate_core::{AccountKind, OrgRole, SystemClock};
use cocreate_store::Store;
use cocreate_store_postgres::PostgresStore;
use cocreate_store_sqlite::SqliteStore;
use cocreate_web::WebOptions;

use crate::config::{Backend, Config};
use crate::feedback_cli::FeedbackCommand;

/// Cocreate: a self-hosted co-creation platform.
#[derive(Debug, Parser)]
#[command(name = "cocreate", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file (TOML); read when it exists.
    #[arg(
        long,
        global = true,
        default_value = "cocreate.toml",
        env = "COCREATE_CONFIG"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve Cocreate over HTTP (applies pending migrations first).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill an empty database with a demo organisation, print its accounts, and serve it.
    Demo,
    /// Fill the database with a generated data set at scale (for trying volume and benchmarks):
    /// a public space of challenges, ideas, supports and threaded comments. Every generated
    /// account's password is `cocreate-demo`.
    Generate(GenerateArgs),
    /// Operator tasks on accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Operator tasks on the search index (`<data_dir>/search-index`).
    #[command(subcommand)]
    Search(SearchCommand),
    /// Write a consistent copy of the SQLite database to a new file while Cocreate keeps
    /// running. For PostgreSQL use pg_dump (see the README).
    Backup {
        /// The file to create; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the SQLite database (stop Cocreate first). The backup is checked
    /// and brought up to date first; the database it replaces is kept beside it with the suffix
    /// `.before-restore`.
    Restore {
        /// A file written by `cocreate backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Write the whole organisation (every table and file) as JSON, from one consistent
    /// snapshot while Cocreate keeps running. The file holds password and token hashes: it is
    /// created readable by its owner only.
    Export {
        /// The file to create; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Load an export into an empty database (either backend) and its file store: the way to
    /// move an organisation from SQLite to PostgreSQL. Everything loads, or nothing does.
    /// `cocreate import polis DIR` imports a Polis conversation instead.
    Import(ImportArgs),
    /// Feedback from files: CSV and JSON Lines, and e-mail.
    #[command(subcommand)]
    Feedback(FeedbackCommand),
}

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ImportArgs {
    /// A file written by `cocreate export`.
    #[arg(long)]
    pub from: Option<PathBuf>,
    #[command(subcommand)]
    pub source: Option<ImportSource>,
}

#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// Import a Polis conversation export (a folder with comments.csv, votes.csv and/or
    /// participants-votes.csv, and summary.csv) as a challenge whose statements people vote on;
    /// prints its id. Importing the same conversation again adds only what is new.
    Polis {
        /// The export's folder.
        dir: PathBuf,
        /// The space to import into (by default the organisation's first space).
        #[arg(long)]
        space: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Ideas to generate; supports, comments and accounts default to 10, 3 and 0.2 per idea.
    #[arg(long, default_value_t = 100_000)]
    pub ideas: usize,
    #[arg(long)]
    pub supports: Option<usize>,
    #[arg(long)]
    pub comments: Option<usize>,
    #[arg(long)]
    pub accounts: Option<usize>,
    /// Pieces of feedback on the generated products (default 2 per idea).
    #[arg(long)]
    pub feedback: Option<usize>,
    /// The same seed generates the same data set.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

impl GenerateArgs {
    pub fn plan(&self) -> GeneratePlan {
        let scaled = GeneratePlan::scaled(self.ideas);
        GeneratePlan {
            accounts: self.accounts.unwrap_or(scaled.accounts),
            ideas: self.ideas,
            supports: self.supports.unwrap_or(scaled.supports),
            comments: self.comments.unwrap_or(scaled.comments),
            feedback: self.feedback.unwrap_or(scaled.feedback),
            seed: self.seed,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account, e.g. the first admin.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// At least 10 characters. Prefer the environment variable to keep it out of shell history.
        #[arg(long, env = "COCREATE_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        /// customer, employee or partner.
        #[arg(long, default_value = "employee")]
        kind: String,
        /// member, moderator or admin.
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// Change an account's role (and optionally its kind).
    SetRole {
        #[arg(long)]
        email: String,
        /// member, moderator or admin.
        #[arg(long)]
        role: String,
        /// customer, employee or partner.
        #[arg(long)]
        kind: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the search index from the database, showing progress. A server rebuilds it by
    /// itself when it must; this is for doing it by hand while no server uses this data directory.
    Rebuild,
}

async fn rebuild_search_index(config: &Config) -> anyhow::Result<()> {
    let app = build_app(config).await?;
    let bar = indicatif::ProgressBar::new(0).with_style(indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} documents, {per_sec}, {eta} left",
    )?);
    let started = std::time::Instant::now();
    let documents = app
        .rebuild_search_index(&config.search_index_dir(), &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await
        .map_err(|e| anyhow!("{e} (is a server using {}?)", config.data_dir.display()))?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "search index rebuilt: {documents} documents in {seconds:.1} s ({:.0} per second)",
        documents as f64 / seconds.max(0.001)
    );
    Ok(())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("COCREATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colours only on a terminal: logs sent to a file or a journal stay plain text.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .try_init();
}

/// Opens the configured database, applying migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match config.backend()? {
        Backend::Sqlite(url) => {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("cannot create data directory {}", config.data_dir.display())
            })?;
            Arc::new(
                SqliteStore::connect(&url)
                    .await
                    .with_context(|| format!("cannot open {url}"))?,
            )
        }
        Backend::Postgres(url) => Arc::new(
            PostgresStore::connect(&url)
                .await
                .context("cannot connect to PostgreSQL")?,
        ),
    })
}

pub(crate) async fn build_app(config: &Config) -> anyhow::Result<Arc<App>> {
    let store = open_store(config).await?;
    Ok(App::new(store, Arc::new(SystemClock), config.app_config()?))
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    init_logging();
    let config = Config::load(&cli.config)?;
    match cli.command {
        Command::Serve => {
            let _lock = lock_sqlite(&config)?;
            serve(&config).await
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            println!("migrations applied ({})", store.backend());
            Ok(())
        }
        Command::Demo => {
            let _lock = lock_sqlite(&config)?;
            let app = build_app(&config).await?;
            demo::seed(&app).await?;
            serve_app(&config, app).await
        }
        Command::Generate(args) => generate(&config, &args.plan()).await,
        Command::Admin(command) => admin(&config, command).await,
        Command::Search(SearchCommand::Rebuild) => rebuild_search_index(&config).await,
        Command::Backup { to } => backup(&config, &to).await,
        Command::Restore { from } => restore(&config, &from).await,
        Command::Export { to } => export(&config, &to).await,
        Command::Import(ImportArgs {
            source: Some(ImportSource::Polis { dir, space }),
            ..
        }) => import_polis(&config, &dir, space.as_deref()).await,
        Command::Import(ImportArgs {
            from: Some(from), ..
        }) => {
            let _lock = lock_sqlite(&config)?;
            import(&config, &from).await
        }
        Command::Feedback(command) => feedback_cli::feedback(&config, command).await,
        Command::Import(_) => Err(anyhow!(
            "name what to import: --from FILE (an export), or polis DIR"
        )),
    }
}

/// The SQLite database file, or an error naming what to use for PostgreSQL instead.
fn sqlite_file(config: &Config, postgres_advice: &str) -> anyhow::Result<PathBuf> {
    match config.backend()? {
        Backend::Sqlite(url) => config::sqlite_path(&url),
        Backend::Postgres(_) => Err(anyhow!(
            "the database is PostgreSQL: {postgres_advice} (see the README, Backups)"
        )),
    }
}

/// Beside a SQLite database, a lock held while a server uses it, so that a restore (or a second
/// server) cannot replace the file under it. The lock goes with the process, however it ends.
fn lock_sqlite(config: &Config) -> anyhow::Result<Option<std::fs::File>> {
    let Backend::Sqlite(url) = config.backend()? else {
        return Ok(None);
    };
    let database = config::sqlite_path(&url)?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create directory {}", dir.display()))?;
    }
    let path = with_suffix(&database, ".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(anyhow!(
            "Cocreate is running on {} (it holds {}); stop it first",
            database.display(),
            path.display()
        )),
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

fn with_suffix(path: &std::path::Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

async fn backup(config: &Config, to: &std::path::Path) -> anyhow::Result<()> {
    let database = sqlite_file(config, "back it up with pg_dump")?;
    if to.exists() {
        return Err(anyhow!("{} exists already; name a new file", to.display()));
    }
    let store = SqliteStore::connect(&format!("sqlite://{}", database.display()))
        .await
        .with_context(|| format!("cannot open {}", database.display()))?;
    store.backup_into(to).await?;
    store.close().await;
    let size = std::fs::metadata(to)
        .with_context(|| format!("cannot read {}", to.display()))?
        .len();
    println!(
        "backed up {} to {} ({size} bytes)",
        database.display(),
        to.display()
    );
    Ok(())
}

async fn restore(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    let database = sqlite_file(config, "restore it with pg_restore or psql")?;
    let _lock = lock_sqlite(config)?;
    if !from.is_file() {
        return Err(anyhow!("{} is not a file", from.display()));
    }
    // The backup is copied, checked and migrated beside the database, then renamed into place,
    // so a failure at any step leaves the database as it was.
    let staging = with_suffix(&database, ".restoring");
    let journal_suffixes = ["", "-wal", "-shm"];
    for suffix in journal_suffixes {
        remove_if_present(&with_suffix(&staging, suffix))?;
    }
    std::fs::copy(from, &staging)
        .with_context(|| format!("cannot copy {} to {}", from.display(), staging.display()))?;
    if let Err(error) = SqliteStore::prepare_restore(&staging).await {
        for suffix in journal_suffixes {
            remove_if_present(&with_suffix(&staging, suffix))?;
        }
        return Err(anyhow!("{error}; nothing was changed"));
    }
    let kept = with_suffix(&database, ".before-restore");
    for suffix in journal_suffixes {
        let current = with_suffix(&database, suffix);
        let previous = with_suffix(&kept, suffix);
        remove_if_present(&previous)?;
        if current.exists() {
            std::fs::rename(&current, &previous)
                .with_context(|| format!("cannot move {} aside", current.display()))?;
        }
    }
    std::fs::rename(&staging, &database)
        .with_context(|| format!("cannot move {} into place", staging.display()))?;
    println!(
        "restored {} into {}; the database it replaced is kept as {}",
        from.display(),
        database.display(),
        kept.display()
    );
    Ok(())
}

/// An error from a use case, with the detail of an internal one (the operator may see it).
pub(crate) fn operator_error(error: AppError) -> anyhow::Error {
    match error {
        AppError::Internal(why) => anyhow!("internal error: {why}"),
        other => anyhow!("{other}"),
    }
}

async fn export(config: &Config, to: &std::path::Path) -> anyhow::Result<()> {
    if to.exists() {
        return Err(anyhow!("{} exists already; name a new file", to.display()));
    }
    let app = build_app(config).await?;
    let export = app.export_organisation().await.map_err(operator_error)?;
    // Written beside the target and renamed into place, so no half-written export is left.
    let partial = with_suffix(to, ".partial");
    remove_if_present(&partial)?;
    let written = config::create_private(&partial)
        .map(std::io::BufWriter::new)
        .and_then(|mut out| {
            write_export(&export, &mut out)?;
            out.into_inner()?.sync_all()
        });
    if let Err(error) = written {
        remove_if_present(&partial)?;
        return Err(error).with_context(|| format!("cannot write {}", partial.display()));
    }
    std::fs::rename(&partial, to)
        .with_context(|| format!("cannot move {} into place", partial.display()))?;
    println!(
        "exported {} rows in {} tables and {} files from {} to {}",
        export.row_count(),
        export.tables.len(),
        export.files.len(),
        app.store().backend(),
        to.display()
    );
    Ok(())
}

async fn import(config: &Config, from: &std::path::Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::open(from).with_context(|| format!("cannot open {}", from.display()))?;
    let export = read_export(std::io::BufReader::new(file))
        .map_err(|e| anyhow!("{}: {}", from.display(), operator_error(e)))?;
    let app = build_app(config).await?;
    app.import_organisation(&export).await.map_err(|e| {
        anyhow!(
            "{}: {}; nothing was imported",
            from.display(),
            operator_error(e)
        )
    })?;
    println!(
        "imported {} rows and {} files from {} into {}; passwords work as before, and sessions, \
         API tokens and invitation links do too where the secret key is the one the export came from",
        export.row_count(),
        export.files.len(),
        from.display(),
        app.store().backend()
    );
    Ok(())
}

async fn import_polis(
    config: &Config,
    dir: &std::path::Path,
    space: Option<&str>,
) -> anyhow::Result<()> {
    let open = |name: &str| -> anyhow::Result<Option<std::fs::File>> {
        let path = dir.join(name);
        match std::fs::File::open(&path) {
            Ok(file) => Ok(Some(file)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error).with_context(|| format!("cannot open {}", path.display())),
        }
    };
    let comments = open("comments.csv")?.ok_or_else(|| {
        anyhow!(
            "{} has no comments.csv: is it a Polis export?",
            dir.display()
        )
    })?;
    let export = PolisExport {
        name: dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        comments,
        votes: open("votes.csv")?,
        participants_votes: open("participants-votes.csv")?,
        summary: open("summary.csv")?,
    };
    let app = build_app(config).await?;
    let imported = app.import_polis(space, export).await.map_err(|e| {
        anyhow!(
            "{}: {}; nothing was imported",
            dir.display(),
            operator_error(e)
        )
    })?;
    eprintln!(
        "{} challenge {}: {} statements ({} hidden), {} participants, {} votes ({} new)",
        if imported.created {
            "created"
        } else {
            "updated"
        },
        imported.challenge_id,
        imported.statements,
        imported.hidden_statements,
        imported.participants,
        imported.votes,
        imported.votes_added
    );
    println!("{}", imported.challenge_id);
    Ok(())
}

fn remove_if_present(path: &std::path::Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

async fn generate(config: &Config, plan: &GeneratePlan) -> anyhow::Result<()> {
    let app = build_app(config).await?;
    let started = std::time::Instant::now();
    let generated = app
        .generate(plan, &|line| println!("{line}"))
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let miscounted = app
        .store()
        .miscounted_ideas()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if miscounted > 0 {
        return Err(anyhow!(
            "{miscounted} ideas have counters that disagree with their rows"
        ));
    }
    let miscounted = app
        .store()
        .miscounted_products()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    if miscounted > 0 {
        return Err(anyhow!(
            "{miscounted} products have feedback counts that disagree with their feedback"
        ));
    }
    println!(
        "generated {} accounts, {} ideas, {} supports, {} comments, {} products and {} pieces of feedback in {:.1} s; counters checked exact",
        generated.account_ids.len(),
        generated.idea_ids.len(),
        generated.supports,
        generated.comments,
        generated.product_slugs.len(),
        generated.feedback,
        started.elapsed().as_secs_f64()
    );
    println!(
        "space: {}/spaces/{} (generated accounts sign in with the password {GENERATED_PASSWORD})",
        app.config().base_url.as_str().trim_end_matches('/'),
        generated.space_slug
    );
    Ok(())
}

async fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let app = build_app(config).await?;
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            password,
            kind,
            role,
        } => {
            let kind: AccountKind = kind.parse()?;
            let role: OrgRole = role.parse()?;
            let input = AccountInput {
                email: &email,
                name: &name,
                password: &password,
            };
            let account = app
                .create_account_as_operator(&input, kind, role)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!(
                "created {} ({} {}), id {}",
                account.email, account.kind, account.role, account.id
            );
        }
        AdminCommand::SetRole { email, role, kind } => {
            let role: OrgRole = role.parse()?;
            let kind = kind.map(|k| k.parse::<AccountKind>()).transpose()?;
            let account = app
                .set_access_as_operator(&email, role, kind)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            println!("{} is now {} {}", account.email, account.kind, account.role);
        }
    }
    Ok(())
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let app = build_app(config).await?;
    serve_app(config, app).await
}

async fn serve_app(config: &Config, app: Arc<App>) -> anyhow::Result<()> {
    app.start_search_index(&config.search_index_dir())
        .map_err(|e| anyhow!("search index: {e}"))?;
    let worker = Worker::new(app.clone()).map_err(|e| anyhow!("mail settings: {e}"))?;
    let worker = tokio::spawn(worker.run());
    let options = WebOptions {
        auth_requests_per_minute: config.auth_requests_per_minute,
        write_requests_per_minute: config.write_requests_per_minute,
        trusted_proxies: config.trusted_proxy_networks()?,
        ..WebOptions::default()
    };
    let router = cocreate_web::router(app.clone(), &options);
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, backend = app.store().backend(), "Cocreate is listening");
    println!(
        "Cocreate is running at {} (listening on {address}; Ctrl-C stops it)",
        app.config().base_url
    );
    cocreate_web::serve(listener, router, &options, shutdown_signal()).await?;
    worker.abort();
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
