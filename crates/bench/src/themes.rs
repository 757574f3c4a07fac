//! Themes at scale: one computation over the generated space's newest 50,000 ideas and 50,000
//! comments, timed, with the memory it takes (the process's resident memory sampled every 20 ms,
//! its peak over what it was before), then the themes page and API read under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};

use crate::{Phase, Served, Target, load, p99_under_20_ms, share_of_health};

const PAGE_PHASE: &str = "themes page, staff";
const API_PHASE: &str = "themes (API), staff";

/// One computation of the themes.
pub(crate) struct ThemesComputed {
    pub took: Duration,
    pub texts: i64,
    pub themes: usize,
    /// The most resident memory rose above what it was before, in MiB.
    pub extra_mib: f64,
}

impl ThemesComputed {
    pub(crate) fn targets(&self, phases: &[Phase], health: &Phase) -> Vec<Target> {
        let mut targets = vec![
            (
                "themes computed".into(),
                format!(
                    "{:.1} s ({} texts, {} themes)",
                    self.took.as_secs_f64(),
                    self.texts,
                    self.themes
                ),
                "< 60 s".into(),
                self.took < Duration::from_secs(60),
            ),
            (
                "memory the themes computation takes".into(),
                format!("{:.0} MiB", self.extra_mib),
                "< 1 GiB".into(),
                self.extra_mib < 1024.0,
            ),
        ];
        for name in [PAGE_PHASE, API_PHASE] {
            if let Some(phase) = phases.iter().find(|p| p.name == name) {
                targets.push(share_of_health(name, phase, health));
                targets.push(p99_under_20_ms(name, phase));
            }
        }
        targets
    }
}

/// This process's resident memory in KiB (Linux).
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

pub(crate) async fn themes_phases(
    served: &Served,
    slug: &str,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Vec<Phase>, ThemesComputed)> {
    let app = &served.app;
    let space = app
        .store()
        .space_by_slug(slug)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .context("no generated space")?;
    let before = resident_kib();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (Arc::clone(&peak), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(resident_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let started = Instant::now();
    let run = app.refresh_themes(space.id).await;
    let took = started.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler
        .join()
        .map_err(|_| anyhow!("the memory sampler failed"))?;
    let run = run.map_err(|e| anyhow!("{e}"))?;
    let themes = app
        .store()
        .themes_of_space(space.id)
        .await
        .map_err(|e| anyhow!("{e}"))?
        .len();
    let computed = ThemesComputed {
        took,
        texts: run.texts,
        themes,
        extra_mib: peak.load(Ordering::Relaxed).saturating_sub(before) as f64 / 1024.0,
    };
    eprintln!(
        "  themes: {} texts, {} themes in {:.1} s, {:.0} MiB more at the peak",
        computed.texts,
        computed.themes,
        took.as_secs_f64(),
        computed.extra_mib
    );
    let (_, token) =
        crate::staff_with_token(app, "themes@bench.cocreate.example", "Bench Themes").await?;
    let mut phases = Vec::new();
    for (name, path) in [
        (PAGE_PHASE, format!("/spaces/{slug}/themes")),
        (API_PHASE, format!("/api/v1/spaces/{slug}/themes")),
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
