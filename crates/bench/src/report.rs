//! The run's report: what each phase measured, the targets of docs/BENCHMARKS.md it was held to,
//! and both as Markdown tables.

use std::time::Duration;

use crate::{BackendChoice, Phase, dashboard, duplicates, feedback, search, themes, timeline};

pub(crate) struct Report {
    pub(crate) backend: BackendChoice,
    pub(crate) ideas: usize,
    pub(crate) baseline_ideas: usize,
    pub(crate) phases: Vec<Phase>,
    pub(crate) checked_ideas: usize,
    pub(crate) miscounted: i64,
    pub(crate) wrong_counts: usize,
    pub(crate) index: Option<search::IndexBuild>,
    /// The longest a logged change waited to be applied to the index while comments were written.
    pub(crate) index_lag: Duration,
    /// Pairwise answers acknowledged, and those the ranking counted afterwards.
    pub(crate) pairwise_sent: u64,
    pub(crate) pairwise_counted: i64,
    pub(crate) duplicates: duplicates::DuplicatesFound,
    pub(crate) dashboard: dashboard::DashboardComputed,
    pub(crate) themes: themes::ThemesComputed,
    pub(crate) feedback: feedback::FeedbackWritten,
    pub(crate) timeline: timeline::TimelineSizes,
}

impl Report {
    pub(crate) fn phase(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }

    /// (what, measured, target, met) for each target of docs/BENCHMARKS.md.
    pub(crate) fn targets(&self) -> Vec<Target> {
        let (Some(health), Some(hot), Some(large), Some(small), Some(writes)) = (
            self.phase("/healthz"),
            self.phase("hot list"),
            self.phase("hot list, signed in"),
            self.phase("hot list, signed in, small"),
            self.phase("support writes"),
        ) else {
            return Vec::new();
        };
        let (Some(search), Some(signed_in_search), Some(similar), Some(index)) = (
            self.phase("search, common word"),
            self.phase("search, common word, signed in"),
            self.phase("similar ideas while typing"),
            self.index.as_ref(),
        ) else {
            return Vec::new();
        };
        let (Some(pair), Some(ranking)) = (
            self.phase("pair to compare, signed in"),
            self.phase("pairwise ranking, signed in"),
        ) else {
            return Vec::new();
        };
        let duplicates = self.duplicates.targets(&self.phases, health);
        let dashboard = self.dashboard.targets(&self.phases, health);
        let themes = self.themes.targets(&self.phases, health);
        let feedback = self.feedback.targets(&self.phases, health);
        let timeline = self.timeline.targets(&self.phases, health);
        let share = hot.per_second() / health.per_second();
        let growth = large.millis(0.5) / small.millis(0.5);
        let writes_per_second = writes.per_second();
        let exact = self.miscounted == 0 && self.wrong_counts == 0 && writes.errors == 0;
        vec![
            (
                "hot list throughput / `/healthz` throughput".into(),
                format!("{:.1}%", share * 100.0),
                "≥ 10%".into(),
                share >= 0.10,
            ),
            (
                "hot list p99".into(),
                format!("{:.1} ms", hot.millis(0.99)),
                "< 50 ms".into(),
                hot.millis(0.99) < 50.0,
            ),
            (
                format!(
                    "hot list median signed in, {} ideas / {} ideas",
                    self.ideas, self.baseline_ideas
                ),
                format!("{growth:.2}×"),
                "≤ 1.5×".into(),
                growth <= 1.5,
            ),
            (
                "support writes per second".into(),
                format!("{writes_per_second:.0}"),
                "≥ 2,000".into(),
                writes_per_second >= 2_000.0,
            ),
            (
                "counts exact after the writes".into(),
                format!(
                    "{} wrong of {} checked, {} miscounted ideas, {} failed writes",
                    self.wrong_counts, self.checked_ideas, self.miscounted, writes.errors
                ),
                "all exact".into(),
                exact,
            ),
            share_of_health("search for a common word", search, health),
            p99_under_20_ms("search for a common word", search),
            share_of_health(
                "search for a common word, signed in",
                signed_in_search,
                health,
            ),
            p99_under_20_ms("search for a common word, signed in", signed_in_search),
            share_of_health("similar ideas while typing", similar, health),
            p99_under_20_ms("similar ideas while typing", similar),
            (
                "index rebuild, documents per second".into(),
                format!(
                    "{:.0} ({} documents, {:.0} MiB on disk, process {:.0} MiB)",
                    index.per_second(),
                    index.documents,
                    index.bytes_on_disk as f64 / 1_048_576.0,
                    index.resident_mib
                ),
                "≥ 20,000".into(),
                index.per_second() >= 20_000.0,
            ),
            (
                "index behind the log while comments are written, at most".into(),
                format!("{} ms", self.index_lag.as_millis()),
                "≤ 1 s".into(),
                self.index_lag <= Duration::from_secs(1),
            ),
            share_of_health("pair to compare, signed in", pair, health),
            p99_under_20_ms("pair to compare, signed in", pair),
            share_of_health("pairwise ranking, signed in", ranking, health),
            p99_under_20_ms("pairwise ranking, signed in", ranking),
            (
                "pairwise answers counted after the writes".into(),
                format!(
                    "{} counted of {} acknowledged",
                    self.pairwise_counted, self.pairwise_sent
                ),
                "all".into(),
                u64::try_from(self.pairwise_counted).ok() == Some(self.pairwise_sent),
            ),
        ]
        .into_iter()
        .chain(duplicates)
        .chain(dashboard)
        .chain(themes)
        .chain(feedback)
        .chain(timeline)
        .collect()
    }

    pub(crate) fn meets_targets(&self) -> bool {
        all_met(&self.targets())
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "\n### {:?}\n", self.backend)?;
        write_phases(f, self.phases.iter())?;
        write_targets(f, &self.targets())
    }
}

/// A phase's throughput as a share of `/healthz`'s, wanted at 20% or more.
pub(crate) fn share_of_health(what: &str, phase: &Phase, health: &Phase) -> Target {
    let share = phase.per_second() / health.per_second();
    (
        format!("{what} throughput / `/healthz` throughput"),
        format!("{:.2}%", share * 100.0),
        "≥ 20%".into(),
        share >= 0.20,
    )
}

/// A phase's 99th percentile latency, wanted under 20 ms.
pub(crate) fn p99_under_20_ms(what: &str, phase: &Phase) -> Target {
    let p99 = phase.millis(0.99);
    (
        format!("{what} p99"),
        format!("{p99:.1} ms"),
        "< 20 ms".into(),
        p99 < 20.0,
    )
}

/// A benchmark's target: what, measured, wanted, whether met.
pub(crate) type Target = (String, String, String, bool);

/// Whether there are targets and every one was met.
pub(crate) fn all_met(targets: &[Target]) -> bool {
    !targets.is_empty() && targets.iter().all(|target| target.3)
}

/// The phases as a Markdown table.
pub(crate) fn write_phases<'p>(
    f: &mut std::fmt::Formatter<'_>,
    phases: impl Iterator<Item = &'p Phase>,
) -> std::fmt::Result {
    writeln!(
        f,
        "| phase | connections | requests | errors | req/s | p50 ms | p99 ms |"
    )?;
    writeln!(f, "|---|---:|---:|---:|---:|---:|---:|")?;
    for p in phases {
        writeln!(
            f,
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} |",
            p.name,
            p.connections,
            p.requests,
            p.errors,
            p.per_second(),
            p.millis(0.5),
            p.millis(0.99)
        )?;
    }
    Ok(())
}

/// The targets as a Markdown table.
pub(crate) fn write_targets(
    f: &mut std::fmt::Formatter<'_>,
    targets: &[Target],
) -> std::fmt::Result {
    writeln!(f, "\n| target | measured | wanted | met |")?;
    writeln!(f, "|---|---:|---:|:---:|")?;
    for (what, measured, wanted, met) in targets {
        let mark = if *met { "yes" } else { "**no**" };
        writeln!(f, "| {what} | {measured} | {wanted} | {mark} |")?;
    }
    Ok(())
}
