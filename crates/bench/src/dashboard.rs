//! The staff dashboard at scale: how long the figures of the generated space take to compute
//! (twelve weeks, which hold all its generated activity), then the page and the API read under
//! load while those figures are kept, and the page of one of its challenges.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::anyhow;

use crate::{Phase, Served, Target, load, p99_under_20_ms, share_of_health};

const PAGE_PHASE: &str = "dashboard page, staff";
const API_PHASE: &str = "dashboard figures (API), staff";
const CHALLENGE_PHASE: &str = "challenge dashboard page, staff";

/// How long the figures took to compute.
pub(crate) struct DashboardComputed(pub Duration);

impl DashboardComputed {
    pub(crate) fn targets(&self, phases: &[Phase], health: &Phase) -> Vec<Target> {
        let mut targets = vec![(
            "dashboard figures computed (every five minutes at most)".into(),
            format!("{:.2} s", self.0.as_secs_f64()),
            "< 10 s".into(),
            self.0 < Duration::from_secs(10),
        )];
        for name in [PAGE_PHASE, API_PHASE, CHALLENGE_PHASE] {
            if let Some(phase) = phases.iter().find(|p| p.name == name) {
                targets.push(share_of_health(name, phase, health));
                targets.push(p99_under_20_ms(name, phase));
            }
        }
        targets
    }
}

pub(crate) async fn dashboard_phases(
    served: &Served,
    slug: &str,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Vec<Phase>, DashboardComputed)> {
    let app = &served.app;
    let (analyst, token) =
        crate::staff_with_token(app, "dashboard@bench.cocreate.example", "Bench Analyst").await?;
    let started = Instant::now();
    let view = app
        .space_dashboard(&analyst, slug)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let computed = DashboardComputed(started.elapsed());
    let weeks = &view.dashboard.weeks;
    eprintln!(
        "  dashboard: computed in {:.2} s ({} ideas, {} comments, {} supports in {} weeks)",
        computed.0.as_secs_f64(),
        weeks.iter().map(|week| week.ideas).sum::<i64>(),
        weeks.iter().map(|week| week.comments).sum::<i64>(),
        weeks.iter().map(|week| week.supports).sum::<i64>(),
        weeks.len()
    );
    // A challenge's dashboard: the generated space's first challenge, with its opinion map.
    let space = view.space.space.id;
    let challenge = app
        .store()
        .challenges(space)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .first()
        .map(|challenge| challenge.id)
        .ok_or_else(|| anyhow!("the generated space has no challenge"))?;
    let mut phases = Vec::new();
    for (name, path) in [
        (PAGE_PHASE, format!("/spaces/{slug}/dashboard")),
        (API_PHASE, format!("/api/v1/spaces/{slug}/dashboard")),
        (
            CHALLENGE_PHASE,
            format!("/challenges/{challenge}/dashboard"),
        ),
    ] {
        let url = served.url(&path);
        let token = Arc::clone(&token);
        phases.push(
            load(
                name,
                connections,
                seconds,
                u64::MAX,
                Arc::new(move |client, _, _| client.get(&url).bearer_auth(token.as_str())),
            )
            .await?,
        );
    }
    Ok((phases, computed))
}
