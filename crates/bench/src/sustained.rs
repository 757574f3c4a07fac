//! The sustained run: a mixed workload (80% page and API reads, 15% supports, 5% comments and
//! ideas) first as fast as it goes, to find the maximum, then paced at a share of that maximum
//! for minutes, in windows: errors, p99 latency and memory of each window show whether the
//! server holds steady. Bounded in time, on 127.0.0.1 only.

use std::sync::Arc;
use std::time::Duration;

use anyhow::anyhow;
use hdrhistogram::Histogram;
use serde_json::json;
use sqlx::Connection;

use crate::{
    Args, BackendChoice, MakeRequest, Served, connection_client, failure_of, first_space,
    gathering_ideas, latency_histogram, load, supporter_tokens,
};

/// Requests per cycle of the mix, and where each kind sits in it.
const CYCLE: u64 = 20;
const READS: u64 = 16;
const SUPPORTS: u64 = 3;

/// Support requests of the paced run start this many cycles in, past the supports the maximum
/// run sent, so no account supports an idea twice.
const PACED_OFFSET: u64 = 400;

/// The kinds of request in the mix, as reported per window.
const KINDS: [&str; 3] = ["reads", "supports", "comments and ideas"];

/// Where request `i` of connection `worker` sits in the cycle. Each connection starts at its
/// own place, so the writes of all connections do not arrive together in one burst a cycle.
fn position(worker: usize, i: u64) -> u64 {
    (i + worker as u64) % CYCLE
}

/// Which of [`KINDS`] the request at `position` of the cycle is.
fn kind_of(position: u64) -> usize {
    match position {
        p if p < READS => 0,
        p if p < READS + SUPPORTS => 1,
        _ => 2,
    }
}

/// One window of the paced run.
pub(crate) struct Window {
    requests: u64,
    errors: u64,
    latency_us: Histogram<u64>,
    /// The same latencies by kind of request.
    by_kind: [Histogram<u64>; 3],
    /// Resident memory of this process (server, database caches and load generator) at the
    /// window's end, in MiB.
    resident_mib: f64,
    /// Size of SQLite's write-ahead log at the window's end, in MiB (none on PostgreSQL).
    wal_mib: Option<f64>,
    /// PostgreSQL's own work during the window that competes with requests (none on SQLite).
    postgres: Option<PostgresWork>,
    /// What the machine's cores did during the window: a stall in a window where they had no
    /// idle time, or where the hypervisor took time from them, is the machine's, not the server's.
    cpu: CpuShares,
}

/// What the database was doing, read at the end of each window.
enum DatabaseWatch {
    Sqlite { wal: std::path::PathBuf },
    Postgres { connection: sqlx::PgConnection },
}

/// PostgreSQL's counts of the work it does beside the requests: checkpoints (after one starts,
/// the first change to each page writes the whole page to the WAL) and vacuums and analyzes of
/// `ideas`, the table every support and comment rewrites.
#[derive(Clone, Copy, Default, PartialEq, Debug)]
struct PostgresWork {
    checkpoints: i64,
    idea_vacuums: i64,
    idea_analyzes: i64,
}

impl PostgresWork {
    async fn read(connection: &mut sqlx::PgConnection) -> sqlx::Result<Self> {
        let (checkpoints, idea_vacuums, idea_analyzes) = sqlx::query_as(
            "SELECT (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter),
                    COALESCE(SUM(vacuum_count + autovacuum_count), 0)::bigint,
                    COALESCE(SUM(analyze_count + autoanalyze_count), 0)::bigint
             FROM pg_stat_user_tables WHERE relname = 'ideas'",
        )
        .fetch_one(connection)
        .await?;
        Ok(Self {
            checkpoints,
            idea_vacuums,
            idea_analyzes,
        })
    }

    fn since(&self, earlier: &Self) -> Self {
        Self {
            checkpoints: self.checkpoints - earlier.checkpoints,
            idea_vacuums: self.idea_vacuums - earlier.idea_vacuums,
            idea_analyzes: self.idea_analyzes - earlier.idea_analyzes,
        }
    }
}

impl std::fmt::Display for PostgresWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let work: Vec<String> = [
            (self.checkpoints, "checkpoint"),
            (self.idea_vacuums, "vacuum"),
            (self.idea_analyzes, "analyze"),
        ]
        .iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{what} ×{count}"))
        .collect();
        if work.is_empty() {
            f.write_str("–")
        } else {
            f.write_str(&work.join(", "))
        }
    }
}

/// Shares of the machine's CPU time over a span, in percent of all cores' time.
#[derive(Clone, Copy, Default)]
struct CpuShares {
    /// Running anything (this process, the database server, anything else on the machine).
    busy: f64,
    /// Taken by the hypervisor for other virtual machines.
    steal: f64,
}

/// The machine's CPU time since boot, in ticks, from the first line of /proc/stat.
#[derive(Clone, Copy, Default)]
struct CpuTicks {
    busy: u64,
    steal: u64,
    total: u64,
}

impl CpuTicks {
    /// Now, or zeros where there is no /proc/stat.
    fn now() -> Self {
        Self::parse(&std::fs::read_to_string("/proc/stat").unwrap_or_default())
    }

    fn parse(stat: &str) -> Self {
        // cpu user nice system idle iowait irq softirq steal (guest time is counted in user).
        let ticks: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .take(8)
            .filter_map(|field| field.parse().ok())
            .collect();
        let [user, nice, system, idle, iowait, irq, softirq, steal] = ticks[..] else {
            return Self::default();
        };
        Self {
            busy: user + nice + system + irq + softirq,
            steal,
            total: user + nice + system + idle + iowait + irq + softirq + steal,
        }
    }

    fn shares_since(&self, earlier: &Self) -> CpuShares {
        let total = self.total.saturating_sub(earlier.total).max(1) as f64;
        CpuShares {
            busy: self.busy.saturating_sub(earlier.busy) as f64 * 100.0 / total,
            steal: self.steal.saturating_sub(earlier.steal) as f64 * 100.0 / total,
        }
    }
}

fn p99_ms(latency_us: &Histogram<u64>) -> f64 {
    latency_us.value_at_quantile(0.99) as f64 / 1000.0
}

impl Window {
    fn p99_ms(&self) -> f64 {
        p99_ms(&self.latency_us)
    }
}

pub(crate) struct SustainedReport {
    backend: BackendChoice,
    connections: usize,
    maximum: f64,
    rate: f64,
    window: Duration,
    windows: Vec<Window>,
    first_error: Option<String>,
    miscounted: i64,
}

/// The mixed workload: request `i` of connection `worker`.
fn mix(served: &Served, slug: &str, ideas: Arc<Vec<i64>>, tokens: Arc<Vec<String>>) -> MakeRequest {
    let hot = served.url(&format!("/spaces/{slug}?sort=hot"));
    let base = served.url("");
    let propose = served.url(&format!("/api/v1/spaces/{slug}/ideas"));
    Arc::new(move |client, worker, i| {
        let cycle = i / CYCLE;
        let token = &tokens[worker];
        let any_idea = ideas[(worker * 7_919 + i as usize * 104_729) % ideas.len()];
        match position(worker, i) {
            0..4 => client.get(&hot),
            4..8 => client.get(&hot).bearer_auth(token),
            8..12 => client.get(format!("{base}/ideas/{any_idea}")),
            12..READS => client
                .get(format!("{base}/api/v1/ideas/{any_idea}"))
                .bearer_auth(token),
            p if p < READS + SUPPORTS => {
                // Each connection walks the ideas from its own starting point, one support each.
                let step = cycle * SUPPORTS + (p - READS);
                let start = worker * ideas.len() / tokens.len();
                let idea = ideas[(start + step as usize) % ideas.len()];
                client
                    .put(format!("{base}/api/v1/ideas/{idea}/support"))
                    .bearer_auth(token)
            }
            _ if cycle % 5 == 4 => client.post(&propose).bearer_auth(token).json(&json!({
                "title": format!("Sustained idea {worker}-{i}"),
                "body": "Proposed during the sustained run.",
            })),
            _ => client
                .post(format!("{base}/api/v1/ideas/{any_idea}/comments"))
                .bearer_auth(token)
                .json(&json!({ "body": format!("Sustained comment {worker}-{i}") })),
        }
    })
}

pub(crate) async fn sustained(
    args: &Args,
    backend: BackendChoice,
    length: Duration,
) -> anyhow::Result<SustainedReport> {
    let n = args.connections;
    let served = Served::start(args, backend, args.ideas).await?;
    let slug = first_space(&served.app).await?;
    let ideas = Arc::new(gathering_ideas(&served.app, args.ideas as i64).await?);
    let tokens = Arc::new(supporter_tokens(&served.app, n).await?);
    let request = mix(&served, &slug, ideas.clone(), tokens.clone());

    let fastest = load(
        "mixed, as fast as it goes",
        n,
        Duration::from_secs(args.seconds),
        PACED_OFFSET * CYCLE,
        request.clone(),
    )
    .await?;
    let maximum = fastest.per_second();
    let rate = maximum * args.sustained_share;
    eprintln!(
        "  paced at {rate:.0} req/s ({:.0}% of {maximum:.0}) for {} s",
        args.sustained_share * 100.0,
        length.as_secs()
    );
    let window = Duration::from_secs(args.sustained_window);
    let watch = match served.postgres_database()? {
        Some(url) => DatabaseWatch::Postgres {
            connection: sqlx::PgConnection::connect(&url).await?,
        },
        None => DatabaseWatch::Sqlite {
            wal: served.data.path().join("cocreate.db-wal"),
        },
    };
    let (windows, first_error) = paced(n, rate, length, window, request, watch).await?;
    let miscounted = served
        .app
        .store()
        .miscounted_ideas()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    served.stop().await?;
    Ok(SustainedReport {
        backend,
        connections: n,
        maximum,
        rate,
        window,
        windows,
        first_error: first_error
            .or_else(|| (fastest.errors > 0).then(|| "errors in the maximum run".to_owned())),
        miscounted,
    })
}

/// An empty window.
fn window() -> anyhow::Result<Window> {
    Ok(Window {
        requests: 0,
        errors: 0,
        latency_us: latency_histogram()?,
        by_kind: [
            latency_histogram()?,
            latency_histogram()?,
            latency_histogram()?,
        ],
        resident_mib: 0.0,
        wal_mib: None,
        postgres: None,
        cpu: CpuShares::default(),
    })
}

/// One answered request of the paced run.
struct Sample {
    window: usize,
    kind: usize,
    latency_us: u64,
    failure: Option<String>,
}

/// Sends `rate` requests a second in all over `connections` connections, each on a fixed
/// schedule, for `length`. Latency is measured from when a request was due, not when it was
/// sent, so a server that falls behind shows it (no coordinated omission). The clients exist
/// before the schedule starts, and one collector keeps the windows, so the load generator's own
/// set-up and memory stay out of the figures.
async fn paced(
    connections: usize,
    rate: f64,
    length: Duration,
    length_of_window: Duration,
    request: MakeRequest,
    mut watch: DatabaseWatch,
) -> anyhow::Result<(Vec<Window>, Option<String>)> {
    let seconds_per_window = length_of_window.as_secs().max(1);
    let count = length.as_secs().div_ceil(seconds_per_window) as usize;
    let interval = Duration::from_secs_f64(connections as f64 / rate);
    let clients = (0..connections)
        .map(|_| connection_client())
        .collect::<Result<Vec<_>, _>>()?;
    let (record, mut samples) = tokio::sync::mpsc::unbounded_channel::<Sample>();
    let started = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut workers = Vec::new();
    for (worker, client) in clients.into_iter().enumerate() {
        let request = request.clone();
        let record = record.clone();
        workers.push(tokio::spawn(async move {
            let offset = interval.mul_f64(worker as f64 / connections as f64);
            for k in 0u64.. {
                let due = started + offset + interval.mul_f64(k as f64);
                let since_start = due - started;
                if since_start >= length {
                    break;
                }
                tokio::time::sleep_until(due).await;
                let i = PACED_OFFSET * CYCLE + k;
                let failure = failure_of(request(&client, worker, i)).await;
                let sample = Sample {
                    window: (since_start.as_secs() / seconds_per_window) as usize,
                    kind: kind_of(position(worker, i)),
                    latency_us: due.elapsed().as_micros() as u64,
                    failure,
                };
                if record.send(sample).is_err() {
                    break;
                }
            }
        }));
    }
    drop(record);
    let collector = tokio::spawn(async move {
        let mut windows = (0..count)
            .map(|_| window())
            .collect::<Result<Vec<_>, _>>()?;
        let mut first_error = None;
        while let Some(sample) = samples.recv().await {
            let slot = &mut windows[sample.window];
            slot.requests += 1;
            slot.latency_us.saturating_record(sample.latency_us);
            slot.by_kind[sample.kind].saturating_record(sample.latency_us);
            if sample.failure.is_some() {
                slot.errors += 1;
                first_error = first_error.or(sample.failure);
            }
        }
        anyhow::Ok((windows, first_error))
    });
    // Memory, the CPU time and what the database did, at the end of each window.
    let sampler = tokio::spawn(async move {
        let mut samples = Vec::new();
        tokio::time::sleep_until(started).await;
        let mut cpu = CpuTicks::now();
        let mut postgres = match &mut watch {
            DatabaseWatch::Postgres { connection } => PostgresWork::read(connection).await?,
            DatabaseWatch::Sqlite { .. } => PostgresWork::default(),
        };
        for k in 1..=count {
            tokio::time::sleep_until(started + length_of_window * k as u32).await;
            let (wal_mib, postgres_work) = match &mut watch {
                DatabaseWatch::Sqlite { wal } => (
                    Some(std::fs::metadata(wal).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)),
                    None,
                ),
                DatabaseWatch::Postgres { connection } => {
                    let now = PostgresWork::read(connection).await?;
                    let work = now.since(&postgres);
                    postgres = now;
                    (None, Some(work))
                }
            };
            let cpu_now = CpuTicks::now();
            samples.push((
                resident_mib(),
                wal_mib,
                postgres_work,
                cpu_now.shares_since(&cpu),
            ));
            cpu = cpu_now;
        }
        anyhow::Ok(samples)
    });
    for worker in workers {
        worker.await?;
    }
    let (mut windows, first_error) = collector.await??;
    for (total, (resident, wal, postgres, cpu)) in windows.iter_mut().zip(sampler.await??) {
        total.resident_mib = resident;
        total.wal_mib = wal;
        total.postgres = postgres;
        total.cpu = cpu;
    }
    Ok((windows, first_error))
}

/// This process's resident memory in MiB, from /proc (0 where there is none).
pub(crate) fn resident_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

impl SustainedReport {
    /// (what, measured, wanted, met).
    fn targets(&self) -> Vec<crate::Target> {
        let errors: u64 = self.windows.iter().map(|w| w.errors).sum();
        let mut p99s: Vec<f64> = self.windows.iter().map(Window::p99_ms).collect();
        let worst = p99s.iter().copied().fold(0.0, f64::max);
        p99s.sort_by(f64::total_cmp);
        let median = p99s.get(p99s.len() / 2).copied().unwrap_or_default();
        // Memory after the first window (caches warm) against the end.
        let warm = self.windows.first().map_or(0.0, |w| w.resident_mib);
        let end = self.windows.last().map_or(0.0, |w| w.resident_mib);
        let growth = if warm > 0.0 { end / warm - 1.0 } else { 0.0 };
        let requests: u64 = self.windows.iter().map(|w| w.requests).sum();
        let achieved = requests as f64 / (self.window.as_secs_f64() * self.windows.len() as f64);
        vec![
            (
                "paced rate achieved".into(),
                format!("{achieved:.0} of {:.0} req/s", self.rate),
                "≥ 95%".into(),
                achieved >= 0.95 * self.rate,
            ),
            (
                "errors".into(),
                format!("{errors}"),
                "0".into(),
                errors == 0 && self.first_error.is_none(),
            ),
            (
                "worst window p99 / median window p99".into(),
                format!("{worst:.1} / {median:.1} ms"),
                "≤ 2×".into(),
                worst <= 2.0 * median,
            ),
            (
                "memory, end of first window → end".into(),
                format!("{warm:.0} → {end:.0} MiB ({:+.1}%)", growth * 100.0),
                "≤ +10%".into(),
                growth <= 0.10,
            ),
            (
                "ideas whose counters differ from their rows".into(),
                format!("{}", self.miscounted),
                "0".into(),
                self.miscounted == 0,
            ),
        ]
    }

    pub(crate) fn meets_targets(&self) -> bool {
        crate::all_met(&self.targets())
    }
}

impl std::fmt::Display for SustainedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "\n### {:?}, sustained: {:.0} req/s paced ({:.0} maximum), {} connections\n",
            self.backend, self.rate, self.maximum, self.connections
        )?;
        writeln!(
            f,
            "| window | requests | errors | req/s | p50 ms | p99 ms | p99 {} ms | p99 {} ms | p99 {} ms | memory MiB | WAL MiB | PostgreSQL work | CPU busy % | CPU steal % |",
            KINDS[0], KINDS[1], KINDS[2]
        )?;
        writeln!(
            f,
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
        )?;
        let seconds = self.window.as_secs();
        for (k, w) in self.windows.iter().enumerate() {
            writeln!(
                f,
                "| {}–{} s | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} | {} | {} | {:.0} | {:.1} |",
                k as u64 * seconds,
                (k as u64 + 1) * seconds,
                w.requests,
                w.errors,
                w.requests as f64 / self.window.as_secs_f64(),
                w.latency_us.value_at_quantile(0.5) as f64 / 1000.0,
                w.p99_ms(),
                p99_ms(&w.by_kind[0]),
                p99_ms(&w.by_kind[1]),
                p99_ms(&w.by_kind[2]),
                w.resident_mib,
                w.wal_mib.map_or("–".to_owned(), |mib| format!("{mib:.1}")),
                w.postgres.map_or("–".to_owned(), |work| work.to_string()),
                w.cpu.busy,
                w.cpu.steal
            )?;
        }
        if let Some(error) = &self.first_error {
            writeln!(f, "\nfirst error: {error}")?;
        }
        crate::write_targets(f, &self.targets())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_shares_count_idle_and_steal_apart() {
        let before = CpuTicks::parse("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
        let after = CpuTicks::parse("cpu  250 10 100 1050 50 20 20 100 40 0\ncpu0 1 2 3\n");
        let shares = after.shares_since(&before);
        // 600 ticks in all: 250 busy, 250 idle, 100 stolen; guest time is inside user's.
        assert!((shares.busy - 250.0 * 100.0 / 600.0).abs() < 1e-9);
        assert!((shares.steal - 100.0 * 100.0 / 600.0).abs() < 1e-9);
    }

    #[test]
    fn postgres_work_names_what_happened_in_the_window() {
        let before = PostgresWork {
            checkpoints: 4,
            idea_vacuums: 2,
            idea_analyzes: 7,
        };
        let after = PostgresWork {
            checkpoints: 5,
            idea_vacuums: 2,
            idea_analyzes: 9,
        };
        assert_eq!(
            after.since(&before).to_string(),
            "checkpoint ×1, analyze ×2"
        );
        assert_eq!(after.since(&after).to_string(), "–");
    }

    #[test]
    fn cpu_ticks_of_an_unreadable_stat_are_zero() {
        let shares = CpuTicks::parse("").shares_since(&CpuTicks::parse("cpu 1 2"));
        assert_eq!((shares.busy, shares.steal), (0.0, 0.0));
    }
}
