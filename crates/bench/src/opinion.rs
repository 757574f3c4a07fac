//! Opinion groups on real conversations: every Polis export in a folder (as `fixtures/polis/`),
//! each timed and compared with the groups Polis found, by adjusted Rand index.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use cocreate_insights::opinion_groups;
use cocreate_insights::polis::PolisConversation;

/// The conversation the time target is set on, and the target.
const TIMED: &str = "american-assembly.bowling-green";
const TIMED_TARGET_SECONDS: f64 = 1.0;
/// The median agreement with Polis aimed at.
const ARI_TARGET: f64 = 0.85;

struct Measured {
    name: String,
    participants: usize,
    statements: usize,
    votes: usize,
    seconds: f64,
    groups: usize,
    polis_groups: usize,
    /// The adjusted Rand index, and the participants both grouped.
    agreement: Option<(f64, usize)>,
}

pub(crate) struct OpinionReport {
    measured: Vec<Measured>,
}

/// Groups every conversation under `dir` that has votes.
pub(crate) fn opinion_groups_of(dir: &Path) -> anyhow::Result<OpinionReport> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.join("comments.csv").is_file())
        .collect();
    folders.sort();
    let mut measured = Vec::new();
    for folder in folders {
        let open = |file: &str| File::open(folder.join(file)).ok();
        let conversation = PolisConversation::read(
            File::open(folder.join("comments.csv"))?,
            open("votes.csv"),
            open("participants-votes.csv"),
        )
        .with_context(|| format!("reading {}", folder.display()))?;
        if conversation.votes.is_empty() {
            continue;
        }
        let numbered = conversation.numbered_votes();
        let started = Instant::now();
        let found = opinion_groups(
            numbered.voters.len(),
            numbered.statements.len(),
            &numbered.ballots,
        )?;
        let seconds = started.elapsed().as_secs_f64();
        let (ari, compared) = conversation.agreement(&numbered, &found);
        let mut polis_groups: Vec<u64> = conversation.groups.iter().map(|(_, g)| *g).collect();
        polis_groups.sort_unstable();
        polis_groups.dedup();
        measured.push(Measured {
            name: folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            participants: numbered.voters.len(),
            statements: numbered.statements.len(),
            votes: numbered.ballots.len(),
            seconds,
            groups: found.groups.len(),
            polis_groups: polis_groups.len(),
            agreement: ari.map(|ari| (ari, compared)),
        });
    }
    Ok(OpinionReport { measured })
}

impl OpinionReport {
    fn median_agreement(&self) -> Option<f64> {
        let mut figures: Vec<f64> = self
            .measured
            .iter()
            .filter_map(|m| m.agreement.map(|(ari, _)| ari))
            .collect();
        figures.sort_by(f64::total_cmp);
        let n = figures.len();
        (n > 0).then(|| (figures[(n - 1) / 2] + figures[n / 2]) / 2.0)
    }

    fn timed(&self) -> Option<&Measured> {
        self.measured.iter().find(|m| m.name == TIMED)
    }

    pub(crate) fn meets_targets(&self) -> bool {
        self.timed()
            .is_some_and(|m| m.seconds < TIMED_TARGET_SECONDS)
            && self.median_agreement().is_some_and(|ari| ari >= ARI_TARGET)
    }
}

impl fmt::Display for OpinionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "| conversation | participants | statements | votes | seconds | groups (Polis) | ARI with Polis (participants compared) |"
        )?;
        writeln!(f, "|---|---:|---:|---:|---:|---:|---:|")?;
        for m in &self.measured {
            let agreement = m
                .agreement
                .map_or("—".to_owned(), |(ari, n)| format!("{ari:.3} ({n})"));
            writeln!(
                f,
                "| {} | {} | {} | {} | {:.3} | {} ({}) | {agreement} |",
                m.name, m.participants, m.statements, m.votes, m.seconds, m.groups, m.polis_groups
            )?;
        }
        let yes = |met: bool| if met { "yes" } else { "**no**" };
        writeln!(f)?;
        writeln!(f, "| target | measured | wanted | met |")?;
        writeln!(f, "|---|---:|---:|:---:|")?;
        if let Some(m) = self.timed() {
            writeln!(
                f,
                "| opinion groups for {TIMED} | {:.3} s | < {TIMED_TARGET_SECONDS} s | {} |",
                m.seconds,
                yes(m.seconds < TIMED_TARGET_SECONDS)
            )?;
        }
        if let Some(ari) = self.median_agreement() {
            writeln!(
                f,
                "| median ARI with Polis's groups | {ari:.3} | ≥ {ARI_TARGET} | {} |",
                yes(ari >= ARI_TARGET)
            )?;
        }
        Ok(())
    }
}
