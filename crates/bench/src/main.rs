//! `cocreate-bench`: fills a fresh database with generated data at scale, serves it on 127.0.0.1,
//! and measures, in one run on the same server, `/healthz`, the hot-list page, the idea page and
//! support writes through the API (with every count checked exact afterwards); then the hot list
//! again on a small data set, to show how list latency grows with the data. With
//! `--sustained-seconds` it runs the sustained mixed workload instead (see `sustained.rs`). Every
//! phase is bounded in time and sends traffic to 127.0.0.1 only. Method and figures:
//! docs/BENCHMARKS.md and docs/RELIABILITY.md.

mod dashboard;
mod duplicates;
mod fanout;
mod feedback;
mod feedback_import;
mod opinion;
mod pairwise;
mod report;
mod search;
mod sustained;
mod themes;
mod timeline;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, ValueEnum};
use cocreate_app::{AccountInput, Actor, App, AppConfig, GeneratePlan, Worker};
use cocreate_core::{AccountKind, OrgRole, Stage, SystemClock};
use cocreate_store::Store;
use cocreate_store_postgres::PostgresStore;
use cocreate_store_sqlite::SqliteStore;
use cocreate_web::WebOptions;
use hdrhistogram::Histogram;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use sqlx::Connection;

use report::{
    Report, Target, all_met, p99_under_20_ms, share_of_health, write_phases, write_targets,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

/// Benchmarks Cocreate on generated data (load on 127.0.0.1 only, bounded in time).
#[derive(Debug, Parser)]
#[command(name = "cocreate-bench")]
struct Args {
    /// Which database to measure.
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: BackendChoice,
    /// A PostgreSQL server where fresh databases may be created (and are dropped afterwards).
    #[arg(
        long,
        env = "COCREATE_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Ideas in the large data set (with 10 supports and 3 comments each).
    #[arg(long, default_value_t = 100_000)]
    ideas: usize,
    /// Ideas in the small data set the hot list is compared against.
    #[arg(long, default_value_t = 1_000)]
    baseline_ideas: usize,
    /// Concurrent connections in each phase.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Length of each read phase, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Support writes to send (each a distinct account and idea).
    #[arg(long, default_value_t = 30_000)]
    support_writes: usize,
    /// Instead of the phases above: find the maximum throughput of a mixed workload, then run it
    /// paced at `--sustained-share` of that maximum for this many seconds.
    #[arg(long)]
    sustained_seconds: Option<u64>,
    /// Instead of the phases above: compare comments on an idea with this many followers against
    /// comments on a quiet idea, and time the delivery to every follower.
    #[arg(long)]
    fanout_followers: Option<usize>,
    /// Instead of the phases above: find opinion groups in every Polis export in this folder
    /// (such as `fixtures/polis`), timing each and comparing it with the groups Polis found.
    #[arg(long)]
    opinion_groups: Option<std::path::PathBuf>,
    /// Instead of the phases above: import a CSV file of this many rows of feedback (and one of a
    /// tenth as many, and the large one again, and an mbox) into the generated data set.
    #[arg(long)]
    feedback_import: Option<usize>,
    /// Share of the maximum throughput the sustained run is paced at.
    #[arg(long, default_value_t = 0.7)]
    sustained_share: f64,
    /// Length of each window the sustained run reports, in seconds.
    #[arg(long, default_value_t = 30)]
    sustained_window: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // The server's warnings and errors (why a request failed) go to standard error.
    let filter = tracing_subscriber::EnvFilter::try_from_env("COCREATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx=error"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    if let Some(dir) = &args.opinion_groups {
        let report = opinion::opinion_groups_of(dir)?;
        println!("{report}");
        if !report.meets_targets() {
            bail!("a target was missed (see the report above)");
        }
        return Ok(());
    }
    // The load generator runs on its own threads, the server on its own runtime.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let backends = match args.backend {
        BackendChoice::Sqlite => vec![BackendChoice::Sqlite],
        BackendChoice::Postgres => vec![BackendChoice::Postgres],
        BackendChoice::Both => vec![BackendChoice::Sqlite, BackendChoice::Postgres],
    };
    let mut failed = false;
    for backend in backends {
        if let Some(followers) = args.fanout_followers {
            let report = runtime.block_on(fanout::fanout(&args, backend, followers))?;
            println!("{report}");
            failed |= !report.meets_targets();
            continue;
        }
        if let Some(rows) = args.feedback_import {
            let report =
                runtime.block_on(feedback_import::feedback_import(&args, backend, rows))?;
            println!("{report}");
            failed |= !report.meets_targets();
            continue;
        }
        if let Some(seconds) = args.sustained_seconds {
            let length = Duration::from_secs(seconds);
            let report = runtime.block_on(sustained::sustained(&args, backend, length))?;
            println!("{report}");
            failed |= !report.meets_targets();
            continue;
        }
        let report = runtime.block_on(bench(&args, backend))?;
        println!("{report}");
        failed |= !report.meets_targets();
    }
    if failed {
        bail!("a target was missed (see the report above)");
    }
    Ok(())
}

/// A server on 127.0.0.1 over a fresh database, with its own runtime.
struct Served {
    app: Arc<App>,
    /// The background worker (mail, news, ranks, retention), as `cocreate serve` runs it.
    worker: tokio::task::JoinHandle<()>,
    address: SocketAddr,
    _server: tokio::runtime::Runtime,
    drop_database: Option<(String, String)>,
    _files: tempfile::TempDir,
    /// Holds the SQLite database, when that is the backend, and the search index.
    data: tempfile::TempDir,
    /// When the search index was started on the generated data, and how its rebuild went.
    index_started: Option<Instant>,
    index_build: Option<search::IndexBuild>,
}

impl Served {
    async fn start(args: &Args, backend: BackendChoice, ideas: usize) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let files = tempfile::tempdir()?;
        let (store, drop_database): (Arc<dyn Store>, _) = match backend {
            BackendChoice::Postgres => {
                let name = format!("cocreate_bench_{:x}", rand::rng().random::<u32>());
                let mut admin = sqlx::PgConnection::connect(&args.postgres_url)
                    .await
                    .with_context(|| format!("cannot reach PostgreSQL at {}", args.postgres_url))?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                let autovacuum: String = sqlx::query_scalar("SHOW autovacuum")
                    .fetch_one(&mut admin)
                    .await?;
                if autovacuum != "on" {
                    // Without it dead row versions pile up and a long run slows for that alone.
                    eprintln!(
                        "  note: this PostgreSQL server runs with autovacuum {autovacuum}, unlike a production one"
                    );
                }
                let mut url = url::Url::parse(&args.postgres_url)?;
                url.set_path(&name);
                let store = PostgresStore::connect(url.as_str())
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                (Arc::new(store), Some((args.postgres_url.clone(), name)))
            }
            _ => {
                let url = format!("sqlite://{}", data.path().join("cocreate.db").display());
                let store = SqliteStore::connect(&url)
                    .await
                    .map_err(|e| anyhow!("{e}"))?;
                (Arc::new(store), None)
            }
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let config = AppConfig {
            base_url: url::Url::parse(&format!("http://{address}"))?,
            secret_key: secrecy::SecretString::from(
                "benchmark-secret-key-benchmark-secret-key".to_owned(),
            ),
            smtp: None,
            sign_in_attempts_per_minute: 1_000,
            files: cocreate_app::local_files(files.path()).map_err(|e| anyhow!("{e}"))?,
            retention: cocreate_app::RetentionPeriods::default(),
        };
        let app = App::new(store, Arc::new(SystemClock), config);
        let started = Instant::now();
        app.generate(&GeneratePlan::scaled(ideas), &|_| {})
            .await
            .map_err(|e| anyhow!("generating data: {e}"))?;
        eprintln!(
            "{backend:?}: generated {ideas} ideas in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if let Some((admin_url, _)) = &drop_database {
            // The generated rows reach the data files now, in a checkpoint of their own, rather
            // than in one that PostgreSQL starts (after 1 GB of WAL) during the measured phases.
            let mut admin = sqlx::PgConnection::connect(admin_url).await?;
            sqlx::query("CHECKPOINT").execute(&mut admin).await?;
        }
        let server = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        // Rate limits would cap the load generator, which comes from one address.
        let options = WebOptions {
            auth_requests_per_minute: 1_000_000,
            write_requests_per_minute: 1_000_000,
            ..WebOptions::default()
        };
        let index_started = Instant::now();
        {
            // The index follows the log on the server's runtime, as in `cocreate serve`.
            let _on_server = server.enter();
            app.start_search_index(&data.path().join("search-index"))
                .map_err(|e| anyhow!("{e}"))?;
        }
        let router = cocreate_web::router(app.clone(), &options);
        let worker = Worker::new(app.clone()).map_err(|e| anyhow!("{e}"))?;
        let worker = server.spawn(worker.run());
        server.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            cocreate_web::serve(listener, router, &options, std::future::pending()).await
        });
        let mut served = Self {
            app,
            worker,
            address,
            _server: server,
            drop_database,
            _files: files,
            data,
            index_started: Some(index_started),
            index_build: None,
        };
        // Every phase measures a server whose index has caught up, as one is after its start.
        served.index_build = Some(search::built_index(&served).await?);
        Ok(served)
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The PostgreSQL database this server uses, if that is the backend.
    fn postgres_database(&self) -> anyhow::Result<Option<String>> {
        let Some((admin_url, name)) = &self.drop_database else {
            return Ok(None);
        };
        let mut url = url::Url::parse(admin_url)?;
        url.set_path(name);
        Ok(Some(url.to_string()))
    }

    async fn stop(self) -> anyhow::Result<()> {
        let Self {
            app,
            _server,
            drop_database,
            ..
        } = self;
        _server.shutdown_background();
        drop(app);
        if let Some((admin_url, name)) = drop_database {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
        }
        Ok(())
    }
}

/// The outcome of one load phase.
struct Phase {
    name: String,
    connections: usize,
    requests: u64,
    /// Requests sent by each connection.
    sent: Vec<u64>,
    errors: u64,
    elapsed: Duration,
    latency_us: Histogram<u64>,
}

impl Phase {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn millis(&self, quantile: f64) -> f64 {
        self.latency_us.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// What one request of a phase is: worker number and iteration give the request.
type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize, u64) -> reqwest::RequestBuilder + Send + Sync>;

/// Runs `connections` workers, each on its own connection, sending requests back to back until
/// `duration` passes or `limit` requests per worker were sent. Every answer must be a success.
async fn load(
    name: &str,
    connections: usize,
    duration: Duration,
    limit: u64,
    request: MakeRequest,
) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for worker in 0..connections {
        let request = request.clone();
        workers.push(tokio::spawn(async move {
            let client = connection_client()?;
            let mut latency = latency_histogram()?;
            let (mut sent, mut errors, mut first_error) = (0u64, 0u64, None);
            while Instant::now() < deadline && sent < limit {
                let begun = Instant::now();
                let failure = failure_of(request(&client, worker, sent)).await;
                latency.saturating_record(begun.elapsed().as_micros() as u64);
                sent += 1;
                if failure.is_some() {
                    errors += 1;
                    first_error = first_error.or(failure);
                }
            }
            anyhow::Ok((sent, errors, latency, first_error))
        }));
    }
    let mut phase = Phase {
        name: name.to_owned(),
        connections,
        requests: 0,
        sent: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
        latency_us: latency_histogram()?,
    };
    for worker in workers {
        let (sent, errors, latency, first_error) = worker.await??;
        if let Some(error) = first_error.filter(|_| phase.errors == 0) {
            eprintln!("  {name}: first failure: {error}");
        }
        phase.requests += sent;
        phase.sent.push(sent);
        phase.errors += errors;
        phase.latency_us.add(latency)?;
    }
    phase.elapsed = started.elapsed();
    eprintln!(
        "  {name}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
        phase.per_second(),
        phase.millis(0.5),
        phase.millis(0.99),
        phase.errors
    );
    Ok(phase)
}

/// A client that keeps one connection to the server, as one load-generating connection.
fn connection_client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(30))
        .build()
}

/// Latencies in microseconds, up to a minute.
fn latency_histogram() -> Result<Histogram<u64>, hdrhistogram::CreationError> {
    Histogram::new_with_bounds(1, 60_000_000, 3)
}

/// Sends the request and reads the answer; what went wrong, if it was not a success.
async fn failure_of(request: reqwest::RequestBuilder) -> Option<String> {
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            match response.text().await {
                Ok(_) if status.is_success() => None,
                Ok(body) => Some(format!("{status}: {body}")),
                Err(error) => Some(error.to_string()),
            }
        }
        Err(error) => Some(error.to_string()),
    }
}

fn get(served: &Served, path: String) -> MakeRequest {
    let url = served.url(&path);
    Arc::new(move |client, _, _| client.get(&url))
}

/// GETs of the given pages, each connection walking them in its own scattered order.
fn spread(pages: Arc<Vec<String>>) -> MakeRequest {
    Arc::new(move |client, worker, i| {
        let pick = (worker as u64 * 7919 + i * 104_729) as usize % pages.len();
        client.get(&pages[pick])
    })
}

async fn bench(args: &Args, backend: BackendChoice) -> anyhow::Result<Report> {
    let seconds = Duration::from_secs(args.seconds);
    let n = args.connections;
    let mut phases = Vec::new();

    // Both data sets are served at once, so the phases that compare them run back to back.
    let baseline = Served::start(args, backend, args.baseline_ideas).await?;
    let small_slug = first_space(&baseline.app).await?;
    let mut served = Served::start(args, backend, args.ideas).await?;
    let slug = first_space(&served.app).await?;
    phases.push(
        load(
            "/healthz",
            n,
            seconds,
            u64::MAX,
            get(&served, "/healthz".into()),
        )
        .await?,
    );
    phases.push(
        load(
            "hot list",
            n,
            seconds,
            u64::MAX,
            get(&served, format!("/spaces/{slug}?sort=hot")),
        )
        .await?,
    );
    let tokens = Arc::new(supporter_tokens(&served.app, n).await?);
    phases.push(
        load(
            "hot list, signed in",
            n,
            seconds,
            u64::MAX,
            signed_in_get(
                served.url(&format!("/spaces/{slug}?sort=hot")),
                tokens.clone(),
            ),
        )
        .await?,
    );
    // Signed in, as a challenge's page (its ideas listed by the challenge's index) is otherwise
    // served from the page cache.
    let challenges = challenge_pages(&served, &slug).await?;
    let readers = tokens.clone();
    phases.push(
        load(
            "challenge page, signed in",
            n,
            seconds,
            u64::MAX,
            Arc::new(move |client, worker, i| {
                let pick = (worker + i as usize) % challenges.len();
                client.get(&challenges[pick]).bearer_auth(&readers[worker])
            }),
        )
        .await?,
    );
    // The comparison of sizes is made signed in: anonymous pages come from the page cache.
    let small_readers = Arc::new(supporter_tokens(&baseline.app, n).await?);
    let small_url = baseline.url(&format!("/spaces/{small_slug}?sort=hot"));
    phases.push(
        load(
            "hot list, signed in, small",
            n,
            seconds,
            u64::MAX,
            Arc::new(move |client, worker, _| {
                client.get(&small_url).bearer_auth(&small_readers[worker])
            }),
        )
        .await?,
    );
    baseline.stop().await?;
    let ideas = gathering_ideas(&served.app, args.ideas as i64).await?;
    let pages: Arc<Vec<String>> = Arc::new(
        ideas
            .iter()
            .map(|id| served.url(&format!("/ideas/{id}")))
            .collect(),
    );
    phases.push(load("idea page", n, seconds, u64::MAX, spread(pages)).await?);
    let people = Arc::new(person_pages(&served, &ideas).await?);
    phases.push(load("person page", n, seconds, u64::MAX, spread(people)).await?);
    for (name, path) in [
        (
            "search, common word",
            format!("/search?q={}", search::COMMON_WORD),
        ),
        (
            "similar ideas while typing",
            format!(
                "/api/v1/spaces/{slug}/similar?title={}",
                search::SIMILAR_TITLE
            ),
        ),
        ("search, no match", "/search?q=zzzqqq".to_owned()),
        (
            "search facets",
            format!("/api/v1/search/facets?q={}", search::COMMON_WORD),
        ),
        (
            "search, narrowed to a stage",
            format!("/search?q={}&stage=in_review", search::COMMON_WORD),
        ),
    ] {
        phases.push(load(name, n, seconds, u64::MAX, get(&served, path)).await?);
    }
    // Signed in, a search is never served from the page cache: the index and the tables answer.
    phases.push(
        load(
            "search, common word, signed in",
            n,
            seconds,
            u64::MAX,
            signed_in_get(
                served.url(&format!("/search?q={}", search::COMMON_WORD)),
                tokens.clone(),
            ),
        )
        .await?,
    );

    let (queue, duplicates) = duplicates::duplicate_phases(&served, &slug, n, seconds)
        .await
        .inspect_err(|error| eprintln!("  duplicates: {error:#}"))?;
    phases.push(queue);

    // Themes first: the dashboard then lists them.
    let (themes_phases, themes) = themes::themes_phases(&served, &slug, n, seconds)
        .await
        .inspect_err(|error| eprintln!("  themes: {error:#}"))?;
    phases.extend(themes_phases);

    let (dashboard_phases, dashboard) = dashboard::dashboard_phases(&served, &slug, n, seconds)
        .await
        .inspect_err(|error| eprintln!("  dashboard: {error:#}"))?;
    phases.extend(dashboard_phases);

    let (feedback_phases, feedback) =
        feedback::feedback_phases(&served, &slug, tokens.clone(), n, seconds)
            .await
            .inspect_err(|error| eprintln!("  feedback: {error:#}"))?;
    phases.extend(feedback_phases);

    // The support writes below take the first 2,000 ideas; the timelines' supports, the rest.
    let untouched = &ideas[2_000.min(ideas.len())..];
    let (timeline_phases, timeline) =
        timeline::timeline_phases(&served, &slug, untouched, n, seconds)
            .await
            .inspect_err(|error| eprintln!("  timeline: {error:#}"))?;
    phases.extend(timeline_phases);

    let pairwise = pairwise::pairwise_phases(&served, &ideas, tokens.clone(), n, seconds)
        .await
        .inspect_err(|error| eprintln!("  pairwise: {error:#}"))?;
    let (pairwise_sent, pairwise_counted) = (pairwise.sent, pairwise.counted);
    phases.extend(pairwise.phases);

    // Support writes: one new account per connection; connection w supports ideas w, w+1, … so
    // every idea is supported by many connections at nearly the same moment.
    let targets: Vec<i64> = ideas.iter().take(2_000.min(ideas.len())).copied().collect();
    let before = supporter_counts(&served.app, &targets).await?;
    let per_connection = (args.support_writes / n).min(targets.len()) as u64;
    let support_urls: Arc<Vec<String>> = Arc::new(
        targets
            .iter()
            .map(|id| served.url(&format!("/api/v1/ideas/{id}/support")))
            .collect(),
    );
    let urls = support_urls.clone();
    let writers = tokens.clone();
    let writes = load(
        "support writes",
        n,
        Duration::from_secs(120),
        per_connection,
        Arc::new(move |client, worker, i| {
            client
                .put(&urls[(worker + i as usize) % urls.len()])
                .bearer_auth(&writers[worker])
        }),
    )
    .await?;
    // Idea k received one support from each connection whose range covered it.
    let mut expected = before.clone();
    for (worker, sent) in writes.sent.iter().enumerate() {
        for i in 0..*sent {
            let k = (worker + i as usize) % targets.len();
            *expected.entry(targets[k]).or_default() += 1;
        }
    }
    let after = supporter_counts(&served.app, &targets).await?;
    let wrong_counts = targets
        .iter()
        .filter(|id| after.get(id) != expected.get(id))
        .count();
    let miscounted = served
        .app
        .store()
        .miscounted_ideas()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    phases.push(writes);
    let (comments, index_lag) = search::comment_writes(&served, &ideas, tokens, n, seconds).await?;
    phases.push(comments);
    let index = served.index_build.take();
    served.stop().await?;
    Ok(Report {
        backend,
        ideas: args.ideas,
        baseline_ideas: args.baseline_ideas,
        phases,
        checked_ideas: targets.len(),
        miscounted,
        wrong_counts,
        index,
        index_lag,
        pairwise_sent,
        pairwise_counted,
        duplicates,
        dashboard,
        themes,
        feedback,
        timeline,
    })
}

async fn first_space(app: &App) -> anyhow::Result<String> {
    let spaces = app.store().spaces().await.map_err(|e| anyhow!("{e}"))?;
    spaces
        .into_iter()
        .next()
        .map(|s| s.slug)
        .context("the generated space is missing")
}

/// The pages of the generated space's challenges.
async fn challenge_pages(served: &Served, slug: &str) -> anyhow::Result<Vec<String>> {
    let store = served.app.store();
    let space = store
        .space_by_slug(slug)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("the generated space is missing")?;
    let pages: Vec<String> = store
        .challenges(space.id)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .iter()
        .map(|challenge| served.url(&format!("/challenges/{}", challenge.id)))
        .collect();
    anyhow::ensure!(!pages.is_empty(), "the generated space has no challenges");
    Ok(pages)
}

/// The pages of the people who proposed the first of `ideas`, each once.
async fn person_pages(served: &Served, ideas: &[i64]) -> anyhow::Result<Vec<String>> {
    let mut pages = Vec::new();
    for id in ideas.iter().take(500) {
        let store = served.app.store();
        let idea = store.idea(*id).await.map_err(|e| anyhow!("{e}"))?;
        let Some(idea) = idea else { continue };
        let author = store
            .account_by_id(idea.author_id)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .context("an idea's author is missing")?;
        let page = served.url(&format!("/people/{}", author.handle));
        if !pages.contains(&page) {
            pages.push(page);
        }
    }
    anyhow::ensure!(!pages.is_empty(), "no idea has an author to show");
    Ok(pages)
}

/// Ideas still gathering support, far enough from the last tier that the benchmark's supports
/// cannot send them to review, in a shuffled order.
async fn gathering_ideas(app: &App, ideas: i64) -> anyhow::Result<Vec<i64>> {
    let mut found = Vec::new();
    for id in 1..=ideas {
        if let Some(idea) = app.store().idea(id).await.map_err(|e| anyhow!("{e}"))?
            && idea.stage == Stage::Gathering
            && idea.supporters < 9_000
        {
            found.push(id);
        }
        if found.len() >= 20_000 {
            break;
        }
    }
    found.shuffle(&mut rand::rngs::StdRng::seed_from_u64(11));
    Ok(found)
}

async fn supporter_counts(app: &App, ids: &[i64]) -> anyhow::Result<HashMap<i64, i64>> {
    let mut counts = HashMap::new();
    for id in ids {
        let idea = app
            .store()
            .idea(*id)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .context("idea vanished")?;
        counts.insert(*id, idea.supporters);
    }
    Ok(counts)
}

/// API tokens of `n` new customer accounts, one per connection.
async fn supporter_tokens(app: &App, n: usize) -> anyhow::Result<Vec<String>> {
    let mut tokens = Vec::new();
    for k in 0..n {
        let email = format!("bench{k}@bench.cocreate.example");
        let account = app
            .create_account_as_operator(
                &AccountInput {
                    email: &email,
                    name: &format!("Bench {k}"),
                    password: "benchmark-password",
                },
                AccountKind::Customer,
                OrgRole::Member,
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let created = app
            .create_api_token(&Actor::from_account(&account, None), "benchmark")
            .await
            .map_err(|e| anyhow!("{e}"))?;
        tokens.push(created.secret);
    }
    Ok(tokens)
}

/// An admin account made for one part of the run, as the actor and an API token of it.
async fn staff_with_token(
    app: &App,
    email: &str,
    name: &str,
) -> anyhow::Result<(Actor, Arc<String>)> {
    let account = app
        .create_account_as_operator(
            &AccountInput {
                email,
                name,
                password: "benchmark-password",
            },
            AccountKind::Employee,
            OrgRole::Admin,
        )
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let staff = Actor::from_account(&account, None);
    let token = app
        .create_api_token(&staff, "benchmark")
        .await
        .map_err(|e| anyhow!("{e}"))?
        .secret;
    Ok((staff, Arc::new(token)))
}

/// The same page asked by each connection with its own account's bearer token.
fn signed_in_get(url: String, tokens: Arc<Vec<String>>) -> MakeRequest {
    Arc::new(move |client, worker, _| client.get(&url).bearer_auth(&tokens[worker]))
}
