//! Opinion groups: who votes alike on a challenge's statements, what sets each group apart, and
//! where the groups agree.
//!
//! 1. Votes form a participant × statement matrix (agree 1, disagree -1, pass 0). A vote not cast
//!    is filled with the statement's mean vote, so it pulls nobody anywhere.
//! 2. PCA finds the two directions in which the votes differ most; each participant is placed on
//!    them from the votes they cast, scaled by √(statements voted on ÷ their votes), so that a
//!    person who voted on few statements is not drawn to the centre merely for having said little.
//! 3. Participants with fewer than [`MIN_VOTES`] votes (or fewer than every statement, when there
//!    are fewer statements) are placed but left out of the groups. The rest are divided by k-means
//!    (k-means++ from a fixed seed, so the same votes give the same groups), for each k from 2 to
//!    [`MAX_GROUPS`] (fewer when there are few participants: 2 plus one per 12), keeping the k whose
//!    groups are best separated by silhouette.
//! 4. A statement is distinctive of a group when the group agrees (or disagrees) with it more than
//!    the other groups, both tests significant at 90%; a statement is a consensus when a majority
//!    of every group agrees (or disagrees) with it.

use linfa::DatasetBase;
use linfa::metrics::SilhouetteScore;
use linfa::traits::{Fit, Predict};
use linfa_clustering::{KMeans, KMeansInit};
use linfa_reduction::Pca;
use ndarray::{Array1, Array2};
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::SeedableRng;

use crate::{InsightsError, Opinion};

/// Votes a participant casts before joining a group (fewer when there are fewer statements).
pub const MIN_VOTES: usize = 7;
/// The most groups sought.
pub const MAX_GROUPS: usize = 5;
/// Small clusters participants are first gathered into.
const BASE_CLUSTERS: usize = 100;
/// Small clusters needed for each group sought beyond two.
const BASE_CLUSTERS_PER_EXTRA_GROUP: usize = 12;
/// Distinctive statements named per group, and consensus statements per direction.
const STATEMENTS_SHOWN: usize = 5;
/// A one-sided z-score significant at 90%.
const Z_90: f64 = 1.2816;
/// k-means restarts per k; the tightest is kept.
const KMEANS_RUNS: usize = 10;
const KMEANS_SEED: u64 = 0x0C0C_4EA7E;

/// A participant's vote on a statement, both given by their position (0-based) in the counts
/// passed to [`opinion_groups`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ballot {
    pub participant: usize,
    pub statement: usize,
    pub opinion: Opinion,
}

/// The groups found, and where each participant stands.
#[derive(Debug, Clone, PartialEq)]
pub struct OpinionGroups {
    /// Largest first.
    pub groups: Vec<OpinionGroup>,
    /// Each participant's place on the opinion map; `None` for one who has not voted.
    pub positions: Vec<Option<[f64; 2]>>,
    /// Each participant's group (an index into `groups`); `None` for one left out.
    pub group_of: Vec<Option<usize>>,
    /// Statements a majority of every group agrees with, then those every group rejects.
    pub consensus: Vec<Consensus>,
    /// The votes a participant needed to be grouped.
    pub min_votes: usize,
    /// How well separated the groups are, from -1 to 1.
    pub silhouette: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpinionGroup {
    /// Participants, ascending.
    pub members: Vec<usize>,
    /// The mean of the members' positions.
    pub centre: [f64; 2],
    /// The statements that most set the group apart, most telling first.
    pub distinctive: Vec<Distinctive>,
}

/// A statement on which a group votes unlike the others.
#[derive(Debug, Clone, PartialEq)]
pub struct Distinctive {
    pub statement: usize,
    /// Agree or disagree: how the group leans.
    pub opinion: Opinion,
    /// Share of the group's votes on it that lean that way.
    pub share_in_group: f64,
    /// The same share among the other groups.
    pub share_elsewhere: f64,
}

/// A statement on which every group leans the same way.
#[derive(Debug, Clone, PartialEq)]
pub struct Consensus {
    pub statement: usize,
    pub opinion: Opinion,
    /// The smallest share, over the groups, of votes leaning that way.
    pub least_share: f64,
}

/// Divides the participants into opinion groups by their votes (see the module documentation).
pub fn opinion_groups(
    participants: usize,
    statements: usize,
    ballots: &[Ballot],
) -> Result<OpinionGroups, InsightsError> {
    let votes = VoteMatrix::new(participants, statements, ballots)?;
    let voted_statements = votes.voted_statements();
    if voted_statements < 2 {
        return Err(InsightsError::NotEnoughData(
            "fewer than two statements have votes".into(),
        ));
    }
    let min_votes = MIN_VOTES.min(voted_statements);
    let positions = votes.positions()?;
    let grouped: Vec<usize> = (0..participants)
        .filter(|&p| votes.cast[p] >= min_votes)
        .collect();
    let points = Array2::from_shape_fn((grouped.len(), 2), |(row, axis)| {
        positions[grouped[row]].map_or(0.0, |at| at[axis])
    });
    let (labels, silhouette) = best_clustering(&points)?;
    let groups_found = labels.iter().max().map_or(0, |most| most + 1);
    // Largest group first; equal sizes keep the order k-means gave.
    let mut sizes: Vec<(usize, usize)> = (0..groups_found)
        .map(|g| (labels.iter().filter(|&&l| l == g).count(), g))
        .collect();
    sizes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut renumber = vec![0; groups_found];
    for (new, (_, old)) in sizes.iter().enumerate() {
        renumber[*old] = new;
    }
    let mut group_of = vec![None; participants];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); groups_found];
    for (&participant, &label) in grouped.iter().zip(&labels) {
        group_of[participant] = Some(renumber[label]);
        members[renumber[label]].push(participant);
    }
    let tallies: Vec<Tally> = members.iter().map(|members| votes.tally(members)).collect();
    let groups = members
        .into_iter()
        .enumerate()
        .map(|(g, members)| OpinionGroup {
            centre: centre(&members, &positions),
            distinctive: distinctive(g, &tallies),
            members,
        })
        .collect();
    Ok(OpinionGroups {
        groups,
        positions,
        group_of,
        consensus: consensus(&tallies),
        min_votes,
        silhouette,
    })
}

/// The votes, dense: `f64::NAN` where none was cast.
struct VoteMatrix {
    values: Array2<f64>,
    /// Votes cast by each participant.
    cast: Vec<usize>,
}

impl VoteMatrix {
    fn new(
        participants: usize,
        statements: usize,
        ballots: &[Ballot],
    ) -> Result<Self, InsightsError> {
        let mut values = Array2::from_elem((participants, statements), f64::NAN);
        for (at, ballot) in ballots.iter().enumerate() {
            let cell = values
                .get_mut((ballot.participant, ballot.statement))
                .ok_or(InsightsError::OutOfRange(at))?;
            // Agree 1, disagree -1, pass 0: the coordinates a vote gives in opinion space.
            *cell = ballot.opinion.value() as f64;
        }
        let cast = values
            .rows()
            .into_iter()
            .map(|row| row.iter().filter(|v| !v.is_nan()).count())
            .collect();
        Ok(Self { values, cast })
    }

    fn voted_statements(&self) -> usize {
        self.values
            .columns()
            .into_iter()
            .filter(|column| column.iter().any(|v| !v.is_nan()))
            .count()
    }

    /// Each participant's place on the two principal components of the votes.
    fn positions(&self) -> Result<Vec<Option<[f64; 2]>>, InsightsError> {
        let voters: Vec<usize> = (0..self.cast.len()).filter(|&p| self.cast[p] > 0).collect();
        if voters.len() < 2 {
            return Err(InsightsError::NotEnoughData(
                "fewer than two people have voted".into(),
            ));
        }
        let statements = self.values.ncols();
        let means: Array1<f64> = Array1::from_shape_fn(statements, |s| {
            let column = self.values.column(s);
            let (sum, count) = column
                .iter()
                .filter(|v| !v.is_nan())
                .fold((0.0, 0.0), |(sum, count), v| (sum + v, count + 1.0));
            if count > 0.0 { sum / count } else { 0.0 }
        });
        let filled = Array2::from_shape_fn((voters.len(), statements), |(row, s)| {
            let value = self.values[(voters[row], s)];
            if value.is_nan() { means[s] } else { value }
        });
        let pca = Pca::params(2)
            .fit(&DatasetBase::from(filled.clone()))
            .map_err(|e| InsightsError::NotEnoughData(format!("the votes have no spread: {e}")))?;
        let components = pca.components();
        if components.nrows() < 2 {
            return Err(InsightsError::NotEnoughData(
                "the votes differ in fewer than two ways".into(),
            ));
        }
        let centre = pca.mean();
        let voted_statements = self.voted_statements() as f64;
        let mut positions = vec![None; self.cast.len()];
        for (row, &participant) in voters.iter().enumerate() {
            let scale = (voted_statements / self.cast[participant] as f64).sqrt();
            let centred = &filled.row(row) - centre;
            let along = |axis: usize| components.row(axis).dot(&centred) * scale;
            positions[participant] = Some([along(0), along(1)]);
        }
        Ok(positions)
    }

    /// How the given participants voted on each statement.
    fn tally(&self, members: &[usize]) -> Tally {
        let mut tally = Tally {
            agree: vec![0.0; self.values.ncols()],
            disagree: vec![0.0; self.values.ncols()],
            votes: vec![0.0; self.values.ncols()],
        };
        for &participant in members {
            for (s, &value) in self.values.row(participant).iter().enumerate() {
                if value.is_nan() {
                    continue;
                }
                tally.votes[s] += 1.0;
                if value > 0.0 {
                    tally.agree[s] += 1.0;
                } else if value < 0.0 {
                    tally.disagree[s] += 1.0;
                }
            }
        }
        tally
    }
}

/// The labels of the best-separated division of `points`, and its silhouette.
///
/// Points are first gathered into up to [`BASE_CLUSTERS`] small clusters, so that the choice of
/// k weighs every region of opinion space alike, not only its crowded middle; each k is then
/// tried on the small clusters' centres, weighted by their members.
fn best_clustering(points: &Array2<f64>) -> Result<(Vec<usize>, f64), InsightsError> {
    let distinct = {
        let mut seen: Vec<[u64; 2]> = points
            .rows()
            .into_iter()
            .map(|row| [row[0].to_bits(), row[1].to_bits()])
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    if distinct < 2 || points.nrows() < 4 {
        return Err(InsightsError::NotEnoughData(
            "too few participants with enough votes, or all voted alike".into(),
        ));
    }
    let no_grouping = |e: linfa_clustering::KMeansError| {
        InsightsError::NotEnoughData(format!("no grouping: {e}"))
    };
    let base = kmeans(BASE_CLUSTERS.min(distinct), points).map_err(no_grouping)?;
    let base_labels: Array1<usize> = base.predict(points);
    let centres = base.centroids();
    let sizes: Vec<usize> = (0..centres.nrows())
        .map(|c| base_labels.iter().filter(|&&l| l == c).count())
        .collect();
    let used: Vec<usize> = (0..centres.nrows()).filter(|&c| sizes[c] > 0).collect();
    let used_centres = centres.select(ndarray::Axis(0), &used);
    // Each centre as many times as it has members: k-means on these is k-means weighted by size.
    let weighted_rows: Vec<usize> = used
        .iter()
        .enumerate()
        .flat_map(|(row, &c)| std::iter::repeat_n(row, sizes[c]))
        .collect();
    let weighted = used_centres.select(ndarray::Axis(0), &weighted_rows);
    let most = MAX_GROUPS
        .min(2 + used.len() / BASE_CLUSTERS_PER_EXTRA_GROUP)
        .min(used.len());
    let mut best: Option<(Vec<usize>, f64)> = None;
    for k in 2..=most {
        let model = kmeans(k, &weighted).map_err(no_grouping)?;
        let centre_labels: Array1<usize> = model.predict(&used_centres);
        if (0..k).any(|g| !centre_labels.iter().any(|&l| l == g)) {
            continue;
        }
        let score = DatasetBase::new(used_centres.clone(), centre_labels.clone())
            .silhouette_score()
            .map_err(|e| InsightsError::NotEnoughData(format!("no grouping: {e}")))?;
        if best.as_ref().is_none_or(|(_, kept)| score > *kept) {
            let of_base: Vec<Option<usize>> = {
                let mut of = vec![None; centres.nrows()];
                for (row, &c) in used.iter().enumerate() {
                    of[c] = Some(centre_labels[row]);
                }
                of
            };
            let labels = base_labels
                .iter()
                .map(|&c| of_base[c].unwrap_or(0))
                .collect();
            best = Some((labels, score));
        }
    }
    best.ok_or_else(|| InsightsError::NotEnoughData("no two groups could be told apart".into()))
}

fn kmeans(
    k: usize,
    points: &Array2<f64>,
) -> Result<KMeans<f64, linfa_nn::distance::L2Dist>, linfa_clustering::KMeansError> {
    KMeans::params_with_rng(k, Xoshiro256Plus::seed_from_u64(KMEANS_SEED))
        .n_runs(KMEANS_RUNS)
        .init_method(KMeansInit::KMeansPlusPlus)
        .fit(&DatasetBase::from(points.clone()))
}

fn centre(members: &[usize], positions: &[Option<[f64; 2]>]) -> [f64; 2] {
    let placed: Vec<[f64; 2]> = members.iter().filter_map(|&p| positions[p]).collect();
    let n = placed.len().max(1) as f64;
    [
        placed.iter().map(|at| at[0]).sum::<f64>() / n,
        placed.iter().map(|at| at[1]).sum::<f64>() / n,
    ]
}

/// Votes per statement among some participants.
struct Tally {
    agree: Vec<f64>,
    disagree: Vec<f64>,
    votes: Vec<f64>,
}

/// The share of `leaning` among `votes`, with one imagined vote each way so that few votes
/// make a cautious share.
fn share(leaning: f64, votes: f64) -> f64 {
    (leaning + 1.0) / (votes + 2.0)
}

/// How far `leaning` of `votes` is above half, as a z-score.
fn above_half(leaning: f64, votes: f64) -> f64 {
    2.0 * (votes + 1.0).sqrt() * ((leaning + 1.0) / (votes + 1.0) - 0.5)
}

/// How far the share `a` of `votes_a` is above the share `b` of `votes_b`, as a z-score.
fn above_other(a: f64, votes_a: f64, b: f64, votes_b: f64) -> f64 {
    let (a, votes_a, b, votes_b) = (a + 1.0, votes_a + 1.0, b + 1.0, votes_b + 1.0);
    let pooled = (a + b) / (votes_a + votes_b);
    let spread = (pooled * (1.0 - pooled) * (1.0 / votes_a + 1.0 / votes_b)).sqrt();
    if spread > 0.0 {
        (a / votes_a - b / votes_b) / spread
    } else {
        0.0
    }
}

fn distinctive(group: usize, tallies: &[Tally]) -> Vec<Distinctive> {
    let own = &tallies[group];
    let others = |pick: fn(&Tally) -> &Vec<f64>, s: usize| -> f64 {
        tallies
            .iter()
            .enumerate()
            .filter(|(g, _)| *g != group)
            .map(|(_, t)| pick(t)[s])
            .sum()
    };
    let mut found: Vec<(f64, Distinctive)> = Vec::new();
    for s in 0..own.votes.len() {
        let votes = own.votes[s];
        let votes_elsewhere = others(|t| &t.votes, s);
        for (opinion, leaning) in [
            (
                Opinion::Agree,
                (|t: &Tally| &t.agree) as fn(&Tally) -> &Vec<f64>,
            ),
            (Opinion::Disagree, |t: &Tally| &t.disagree),
        ] {
            let here = leaning(own)[s];
            let there = others(leaning, s);
            let within = above_half(here, votes);
            let against = above_other(here, votes, there, votes_elsewhere);
            if within <= Z_90 || against <= Z_90 {
                continue;
            }
            let share_in_group = share(here, votes);
            let share_elsewhere = share(there, votes_elsewhere);
            let weight = share_in_group / share_elsewhere * against * share_in_group * within;
            found.push((
                weight,
                Distinctive {
                    statement: s,
                    opinion,
                    share_in_group,
                    share_elsewhere,
                },
            ));
        }
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.statement.cmp(&b.1.statement)));
    found
        .into_iter()
        .take(STATEMENTS_SHOWN)
        .map(|(_, d)| d)
        .collect()
}

fn consensus(tallies: &[Tally]) -> Vec<Consensus> {
    let statements = tallies.first().map_or(0, |t| t.votes.len());
    let mut found = Vec::new();
    for (opinion, leaning) in [
        (
            Opinion::Agree,
            (|t: &Tally| &t.agree) as fn(&Tally) -> &Vec<f64>,
        ),
        (Opinion::Disagree, |t: &Tally| &t.disagree),
    ] {
        let mut these: Vec<(f64, Consensus)> = (0..statements)
            .filter_map(|s| {
                let shares = tallies.iter().map(|t| share(leaning(t)[s], t.votes[s]));
                let least = shares.clone().fold(f64::INFINITY, f64::min);
                let product: f64 = shares.product();
                (least > 0.5).then_some((
                    product,
                    Consensus {
                        statement: s,
                        opinion,
                        least_share: least,
                    },
                ))
            })
            .collect();
        these.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.statement.cmp(&b.1.statement)));
        found.extend(these.into_iter().take(STATEMENTS_SHOWN).map(|(_, c)| c));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two camps of `size` people each: the first agrees with statements 0–4 and rejects 5–9, the
    /// second the opposite; everyone agrees with statement 10.
    fn two_camps(size: usize) -> Vec<Ballot> {
        let mut ballots = Vec::new();
        for participant in 0..2 * size {
            let camp = participant < size;
            for statement in 0..11 {
                let agree = statement == 10 || (statement < 5) == camp;
                // Everyone skips one statement of their own, so no two rows are the same.
                if statement == participant % 10 && participant % 3 == 0 {
                    continue;
                }
                ballots.push(Ballot {
                    participant,
                    statement,
                    opinion: if agree {
                        Opinion::Agree
                    } else {
                        Opinion::Disagree
                    },
                });
            }
        }
        ballots
    }

    #[test]
    fn two_camps_are_found_with_what_sets_them_apart_and_what_unites_them() {
        let found = opinion_groups(40, 11, &two_camps(20)).unwrap();
        assert_eq!(found.groups.len(), 2);
        let first = found.group_of[0].unwrap();
        assert!((0..20).all(|p| found.group_of[p] == Some(first)));
        assert!((20..40).all(|p| found.group_of[p] == Some(1 - first)));
        let camp = &found.groups[first];
        assert!(
            camp.distinctive
                .iter()
                .all(|d| (d.statement < 5) == (d.opinion == Opinion::Agree) && d.statement != 10)
        );
        assert!(!camp.distinctive.is_empty());
        assert_eq!(
            found
                .consensus
                .iter()
                .map(|c| (c.statement, c.opinion))
                .collect::<Vec<_>>(),
            [(10, Opinion::Agree)]
        );
    }

    #[test]
    fn the_same_votes_give_the_same_groups() {
        let ballots = two_camps(30);
        assert_eq!(
            opinion_groups(60, 11, &ballots),
            opinion_groups(60, 11, &ballots)
        );
    }

    #[test]
    fn few_votes_place_a_person_but_leave_them_out_of_the_groups() {
        let mut ballots = two_camps(10);
        ballots.push(Ballot {
            participant: 20,
            statement: 0,
            opinion: Opinion::Agree,
        });
        let found = opinion_groups(22, 11, &ballots).unwrap();
        assert_eq!(found.min_votes, MIN_VOTES);
        assert!(found.positions[20].is_some());
        assert_eq!(found.group_of[20], None);
        assert_eq!(found.positions[21], None, "never voted");
    }

    #[test]
    fn too_little_data_is_said_not_guessed() {
        let agree = |participant, statement| Ballot {
            participant,
            statement,
            opinion: Opinion::Agree,
        };
        let no_data = |r: Result<OpinionGroups, InsightsError>| {
            matches!(r, Err(InsightsError::NotEnoughData(_)))
        };
        assert!(no_data(opinion_groups(0, 0, &[])));
        assert!(no_data(opinion_groups(3, 5, &[])));
        assert!(no_data(opinion_groups(1, 3, &[agree(0, 0), agree(0, 1)])));
        let alike: Vec<Ballot> = (0..10)
            .flat_map(|p| (0..8).map(move |s| agree(p, s)))
            .collect();
        assert!(no_data(opinion_groups(10, 8, &alike)));
        assert_eq!(
            opinion_groups(2, 2, &[agree(2, 0)]),
            Err(InsightsError::OutOfRange(0))
        );
    }
}
