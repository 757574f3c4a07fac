//! Possible duplicates at scale: the duplicate index filled from every generated idea when the
//! search index starts, the staff queue read under load, and how soon the pair of a newly
//! proposed duplicate reaches the queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use cocreate_app::{DuplicatesFilled, IdeaInput};

use crate::{Phase, Served, Target, load, p99_under_20_ms, share_of_health};

/// How long the fill may take before the run gives up on it.
const FILL_PATIENCE: Duration = Duration::from_secs(600);
/// Pages of the queue the load phase spreads over.
const QUEUE_PAGES: usize = 20;
/// Duplicates proposed one after another, each timed until its pair is in the queue.
const ARRIVALS: usize = 20;
/// How long one arrival is waited for.
const ARRIVAL_PATIENCE: Duration = Duration::from_secs(10);

/// How the finder filled, and how soon new duplicates were queued.
pub(crate) struct DuplicatesFound {
    pub filled: DuplicatesFilled,
    /// From proposing a duplicate to its pair being in the queue, one per arrival, sorted.
    pub arrivals: Vec<Duration>,
}

impl DuplicatesFound {
    pub(crate) fn targets(&self, phases: &[Phase], health: &Phase) -> Vec<Target> {
        let mut targets = vec![(
            "possible duplicates found for every idea".into(),
            format!(
                "{:.1} s ({} ideas held, {} pairs)",
                self.filled.took.as_secs_f64(),
                self.filled.ideas,
                self.filled.pairs
            ),
            "< 60 s".into(),
            self.filled.took < Duration::from_secs(60),
        )];
        if let Some(slowest) = self.arrivals.last() {
            let median = self.arrivals[self.arrivals.len() / 2];
            targets.push((
                "a new duplicate in the queue, after it is proposed".into(),
                format!(
                    "median {} ms, slowest {} ms of {}",
                    median.as_millis(),
                    slowest.as_millis(),
                    self.arrivals.len()
                ),
                "≤ 1 s".into(),
                *slowest <= Duration::from_secs(1),
            ));
        }
        if let Some(queue) = phases.iter().find(|p| p.name == QUEUE_PHASE) {
            targets.push(share_of_health(QUEUE_PHASE, queue, health));
            targets.push(p99_under_20_ms(QUEUE_PHASE, queue));
        }
        targets
    }
}

const QUEUE_PHASE: &str = "duplicates queue, staff";

pub(crate) async fn duplicate_phases(
    served: &Served,
    slug: &str,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Phase, DuplicatesFound)> {
    let app = &served.app;
    let waited = Instant::now();
    let filled = loop {
        if let Some(filled) = app.duplicates_filled() {
            break filled;
        }
        if waited.elapsed() > FILL_PATIENCE {
            bail!("the duplicate index did not fill within {FILL_PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "  duplicates: {} ideas held, {} pairs found in {:.1} s",
        filled.ideas,
        filled.pairs,
        filled.took.as_secs_f64()
    );
    let (curator, token) =
        crate::staff_with_token(app, "curator@bench.cocreate.example", "Bench Curator").await?;
    let mut pages = vec![served.url(&format!("/api/v1/spaces/{slug}/duplicates"))];
    let mut after = None;
    let mut first_pairs = Vec::new();
    while pages.len() < QUEUE_PAGES {
        let queue = app
            .duplicate_queue(&curator, slug, after.as_deref())
            .await
            .map_err(|e| anyhow!("{e}"))?;
        first_pairs.extend(queue.pairs.iter().map(|pair| pair.first.idea_id));
        let Some(next) = queue.next else {
            break;
        };
        pages.push(served.url(&format!("/api/v1/spaces/{slug}/duplicates?after={next}")));
        after = Some(next);
    }
    let pages = Arc::new(pages);
    let phase = load(
        QUEUE_PHASE,
        connections,
        seconds,
        u64::MAX,
        Arc::new(move |client, worker, i| {
            client
                .get(&pages[(worker + i as usize) % pages.len()])
                .bearer_auth(token.as_str())
        }),
    )
    .await?;
    let mut arrivals = Vec::with_capacity(ARRIVALS);
    for original in first_pairs.iter().take(ARRIVALS) {
        let original = app
            .store()
            .idea(*original)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .context("idea vanished")?;
        let proposed = Instant::now();
        let copy = app
            .propose_idea(
                &curator,
                slug,
                &IdeaInput {
                    title: &original.title,
                    body: &original.body,
                    tags: "",
                    challenge_id: None,
                    publish: true,
                },
            )
            .await
            .map_err(|e| anyhow!("{e}"))?;
        loop {
            let found = app
                .store()
                .duplicates_of_idea(copy.id)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            if !found.is_empty() {
                arrivals.push(proposed.elapsed());
                break;
            }
            if proposed.elapsed() > ARRIVAL_PATIENCE {
                bail!("the duplicate idea {} reached no pair", copy.id);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    arrivals.sort();
    Ok((phase, DuplicatesFound { filled, arrivals }))
}
