//! Search at scale: the embedded index rebuilt from the generated data (documents per second, its
//! size on disk, the process's memory), searches and similar ideas under load, and how far the
//! index falls behind while comments are written as fast as the server takes them.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use cocreate_app::SearchStatus;
use serde_json::json;

use crate::{MakeRequest, Phase, Served, load};

/// The common word searched (about one idea in seven holds it) and the similar-ideas title.
pub(crate) const COMMON_WORD: &str = "tent";
pub(crate) const SIMILAR_TITLE: &str = "waterproof%20jacket%20for%20rain";

/// How the index was rebuilt from the generated data.
pub(crate) struct IndexBuild {
    pub documents: u64,
    pub seconds: f64,
    pub bytes_on_disk: u64,
    pub resident_mib: f64,
}

impl IndexBuild {
    pub(crate) fn per_second(&self) -> f64 {
        self.documents as f64 / self.seconds.max(0.001)
    }
}

/// Waits for the index the server started on its data to be ready; how that went.
pub(crate) async fn built_index(served: &Served) -> anyhow::Result<IndexBuild> {
    let started = served
        .index_started
        .ok_or_else(|| anyhow!("no index was started"))?;
    loop {
        let info = served
            .app
            .search_index_info()
            .ok_or_else(|| anyhow!("no index was started"))?;
        match info.status {
            SearchStatus::Ready => {
                let build = IndexBuild {
                    documents: info.documents,
                    seconds: started.elapsed().as_secs_f64(),
                    bytes_on_disk: info.bytes_on_disk,
                    resident_mib: crate::sustained::resident_mib(),
                };
                eprintln!(
                    "  index rebuilt: {} documents in {:.1} s ({:.0}/s), {:.0} MiB on disk, process {:.0} MiB",
                    build.documents,
                    build.seconds,
                    build.per_second(),
                    build.bytes_on_disk as f64 / 1_048_576.0,
                    build.resident_mib
                );
                return Ok(build);
            }
            SearchStatus::Failed(why) => bail!("the search index failed: {why}"),
            _ if started.elapsed() > Duration::from_secs(900) => {
                bail!("the search index was not ready after 15 minutes")
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Comments written back to back, each connection on ideas of its own, while the index's lag
/// is sampled: the phase, and the longest time a logged change waited to be applied.
pub(crate) async fn comment_writes(
    served: &Served,
    ideas: &[i64],
    tokens: Arc<Vec<String>>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<(Phase, Duration)> {
    let base = served.url("");
    let ideas = Arc::new(ideas.to_vec());
    let request: MakeRequest = Arc::new(move |client, worker, i| {
        let idea = ideas[(worker * 7_919 + i as usize * 104_729) % ideas.len()];
        client
            .post(format!("{base}/api/v1/ideas/{idea}/comments"))
            .bearer_auth(&tokens[worker])
            .json(&json!({ "body": format!("A comment about the tent pegs {worker}-{i}") }))
    });
    let writing = Arc::new(AtomicBool::new(true));
    let sampler = tokio::spawn(longest_lag(served.app.clone(), writing.clone()));
    let phase = load("comment writes", connections, duration, u64::MAX, request).await;
    writing.store(false, Ordering::Release);
    let lag = sampler.await??;
    eprintln!("  index lag while writing: at most {} ms", lag.as_millis());
    Ok((phase?, lag))
}

/// Samples every 10 ms which log entry was written last and which the index applied last, until
/// `writing` ends and the index has caught up; the longest an entry waited between the two.
async fn longest_lag(
    app: Arc<cocreate_app::App>,
    writing: Arc<AtomicBool>,
) -> anyhow::Result<Duration> {
    let mut waiting: VecDeque<(i64, Instant)> = VecDeque::new();
    let mut longest = Duration::ZERO;
    loop {
        let last = app
            .store()
            .search_log_last()
            .await
            .map_err(|e| anyhow!("{e}"))?
            .unwrap_or(0);
        let now = Instant::now();
        if waiting.back().is_none_or(|(seq, _)| *seq < last) {
            waiting.push_back((last, now));
        }
        let applied = app.search_index_info().map_or(0, |info| info.applied);
        while let Some((seq, seen)) = waiting.front().copied()
            && seq <= applied
        {
            longest = longest.max(now - seen);
            waiting.pop_front();
        }
        if !writing.load(Ordering::Acquire) && waiting.is_empty() {
            return Ok(longest);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
