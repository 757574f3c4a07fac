//! Pairwise ranking: strengths fitted by the Bradley–Terry model to "which of these two?"
//! answers, each with an uncertainty band, and the next pair worth asking about.
//!
//! The fit is Hunter's minorise–maximise iteration (2004). Every item also plays one virtual win
//! and one virtual loss against a reference item of strength 1, a weak prior that keeps an item
//! that never won (or never lost) at a finite strength and anchors the scale: an item's score is
//! the chance it is picked over that typical item. No maintained Rust crate fits this model, so
//! it is written here; it is a few lines of arithmetic over the tallies.

use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::{RngCore, SeedableRng};

use crate::InsightsError;

/// The answers on one pair of items: how often each was picked (skips carry no preference).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairTally {
    pub first: usize,
    pub second: usize,
    pub first_wins: u32,
    pub second_wins: u32,
}

/// An item's fitted strength.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    /// The log-strength: 0 is the reference item; each unit is a factor e in the odds.
    pub log_strength: f64,
    /// The standard error of `log_strength`.
    pub std_error: f64,
    /// Answers that compared it with another item (skips not counted).
    pub comparisons: u32,
}

/// The z of a two-sided 95% band.
const BAND_Z: f64 = 1.96;
/// Virtual games against the reference, won and lost each.
const PRIOR_GAMES: f64 = 1.0;
const MAX_ITERATIONS: usize = 2_000;
/// The fit stops once no log-strength moves by more than this in an iteration.
const TOLERANCE: f64 = 1e-6;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl Strength {
    /// The chance (0–100) it is picked over the reference, typical item.
    pub fn score(&self) -> f64 {
        100.0 * logistic(self.log_strength)
    }

    /// The 95% band of `score`.
    pub fn band(&self) -> (f64, f64) {
        let spread = BAND_Z * self.std_error;
        (
            100.0 * logistic(self.log_strength - spread),
            100.0 * logistic(self.log_strength + spread),
        )
    }
}

/// Fits the strengths of `items` items to the tallies, starting from the log-strengths in
/// `start` (an earlier fit, so that a few more answers cost a few iterations), or from 0 for
/// items it does not hold.
pub fn bradley_terry(
    items: usize,
    tallies: &[PairTally],
    start: &[f64],
) -> Result<Vec<Strength>, InsightsError> {
    // Per item: its wins, and its opponents with the games played against each.
    let mut wins = vec![0.0_f64; items];
    let mut games: Vec<Vec<(usize, f64)>> = vec![Vec::new(); items];
    let mut comparisons = vec![0_u32; items];
    for (at, tally) in tallies.iter().enumerate() {
        let (a, b) = (tally.first, tally.second);
        if a >= items || b >= items || a == b {
            return Err(InsightsError::OutOfRange(at));
        }
        let played = tally.first_wins + tally.second_wins;
        if played == 0 {
            continue;
        }
        wins[a] += f64::from(tally.first_wins);
        wins[b] += f64::from(tally.second_wins);
        games[a].push((b, f64::from(played)));
        games[b].push((a, f64::from(played)));
        comparisons[a] += played;
        comparisons[b] += played;
    }
    let components = connected_components(&games);
    let mut strength: Vec<f64> = (0..items)
        .map(|item| start.get(item).copied().unwrap_or(0.0).exp())
        .collect();
    for _ in 0..MAX_ITERATIONS {
        let mut moved = 0.0_f64;
        for item in 0..items {
            let p = strength[item];
            let against: f64 = games[item]
                .iter()
                .map(|&(other, n)| n / (p + strength[other]))
                .sum::<f64>()
                + 2.0 * PRIOR_GAMES / (p + 1.0);
            let next = (wins[item] + PRIOR_GAMES) / against;
            moved = moved.max((next.ln() - p.ln()).abs());
            strength[item] = next;
        }
        moved = moved.max(rescale_to_prior(&mut strength, &components));
        if moved < TOLERANCE {
            break;
        }
    }
    Ok((0..items)
        .map(|item| {
            let p = strength[item];
            // The Fisher information of the log-strength, its own row only.
            let information: f64 = games[item]
                .iter()
                .map(|&(other, n)| {
                    let q = strength[other];
                    n * p * q / ((p + q) * (p + q))
                })
                .sum::<f64>()
                + 2.0 * PRIOR_GAMES * p / ((p + 1.0) * (p + 1.0));
            Strength {
                log_strength: p.ln(),
                std_error: information.sqrt().recip(),
                comparisons: comparisons[item],
            }
        })
        .collect())
}

/// The items of each group linked by answers, each group as a list of item indices.
fn connected_components(games: &[Vec<(usize, f64)>]) -> Vec<Vec<usize>> {
    let mut component = vec![usize::MAX; games.len()];
    let mut groups = Vec::new();
    for start in 0..games.len() {
        if component[start] != usize::MAX {
            continue;
        }
        let mut members = vec![start];
        component[start] = groups.len();
        let mut next = 0;
        while let Some(&item) = members.get(next) {
            next += 1;
            for &(other, _) in &games[item] {
                if component[other] == usize::MAX {
                    component[other] = groups.len();
                    members.push(other);
                }
            }
        }
        groups.push(members);
    }
    groups
}

/// Moves each linked group's common level to where the prior puts it; returns the largest move
/// of a log-strength.
///
/// Answers within a group only fix strengths relative to each other, so the group's level is set
/// by the weak prior alone; the minorise–maximise step creeps toward it very slowly, a few
/// Newton steps on that one dimension get there at once.
fn rescale_to_prior(strength: &mut [f64], components: &[Vec<usize>]) -> f64 {
    let mut moved = 0.0_f64;
    for members in components {
        let mut shift = 0.0_f64;
        for _ in 0..50 {
            let (mut slope, mut curvature) = (0.0, 0.0);
            for &item in members {
                let p = logistic(shift + strength[item].ln());
                slope += 1.0 - 2.0 * p;
                curvature += 2.0 * p * (1.0 - p);
            }
            let step = slope / curvature;
            shift += step;
            if step.abs() < 1e-12 {
                break;
            }
        }
        let factor = shift.exp();
        for &item in members {
            strength[item] *= factor;
        }
        moved = moved.max(shift.abs());
    }
    moved
}

/// Items whose every partner is weighed when choosing the next pair: the most uncertain ones.
const MOST_UNCERTAIN: usize = 24;

/// The pair the next answer tells most about, leaving out those `answered` (each pair as
/// (lower, higher) index, sorted): close in strength and uncertain, with a random weight so that
/// people answering at once are shown different pairs. `None` when every pair is answered.
pub fn next_pair(
    strengths: &[Strength],
    answered: &[(usize, usize)],
    seed: u64,
) -> Option<(usize, usize)> {
    let mut random = Xoshiro256Plus::seed_from_u64(seed);
    let mut unit = move || (random.next_u64() >> 11) as f64 / (1_u64 << 53) as f64;
    let mut by_uncertainty: Vec<(f64, usize)> = strengths
        .iter()
        .enumerate()
        .map(|(item, s)| (s.std_error * (1.0 + 0.25 * unit()), item))
        .collect();
    by_uncertainty.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut best: Option<(f64, (usize, usize))> = None;
    for &(_, item) in by_uncertainty.iter().take(MOST_UNCERTAIN) {
        for other in 0..strengths.len() {
            let pair = (item.min(other), item.max(other));
            if item == other || answered.binary_search(&pair).is_ok() {
                continue;
            }
            let (a, b) = (&strengths[item], &strengths[other]);
            let p = logistic(a.log_strength - b.log_strength);
            let worth = p
                * (1.0 - p)
                * (a.std_error * a.std_error + b.std_error * b.std_error)
                * (1.0 + 0.5 * unit());
            if best.is_none_or(|(most, _)| worth > most) {
                best = Some((
                    worth,
                    if unit() < 0.5 {
                        (item, other)
                    } else {
                        (other, item)
                    },
                ));
            }
        }
    }
    best.map(|(_, pair)| pair)
        .or_else(|| first_unanswered(strengths.len(), answered))
}

/// Any pair not yet answered: the most uncertain items' pairs may all be answered while others
/// are not.
fn first_unanswered(items: usize, answered: &[(usize, usize)]) -> Option<(usize, usize)> {
    (0..items)
        .flat_map(|a| (a + 1..items).map(move |b| (a, b)))
        .find(|pair| answered.binary_search(pair).is_err())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(first: usize, second: usize, first_wins: u32, second_wins: u32) -> PairTally {
        PairTally {
            first,
            second,
            first_wins,
            second_wins,
        }
    }

    #[test]
    fn strengths_follow_who_wins() {
        // 0 beats 1 beats 2 most of the time, and 0 beats 2 nearly always.
        let tallies = [tally(0, 1, 8, 2), tally(1, 2, 7, 3), tally(0, 2, 9, 1)];
        let s = bradley_terry(3, &tallies, &[]).unwrap();
        assert!(s[0].log_strength > s[1].log_strength);
        assert!(s[1].log_strength > s[2].log_strength);
        assert_eq!(
            s.iter().map(|s| s.comparisons).collect::<Vec<_>>(),
            [20, 20, 20]
        );
        let (low, high) = s[0].band();
        assert!(low < s[0].score() && s[0].score() < high);
    }

    #[test]
    fn the_fit_recovers_known_strengths() {
        // Expected tallies from strengths e^1, 1, e^-1: the fit returns (nearly) those, shrunk
        // a little toward the reference by the prior.
        let truth = [1.0_f64, 0.0, -1.0];
        let mut tallies = Vec::new();
        for a in 0..3 {
            for b in a + 1..3 {
                let p = logistic(truth[a] - truth[b]);
                let wins = (1_000.0 * p).round() as u32;
                tallies.push(tally(a, b, wins, 1_000 - wins));
            }
        }
        let s = bradley_terry(3, &tallies, &[]).unwrap();
        for (fitted, truth) in s.iter().zip(truth) {
            assert!(
                (fitted.log_strength - truth).abs() < 0.02,
                "{fitted:?} vs {truth}"
            );
        }
        // The middle item played 1,000 games against each neighbour at odds e:1.
        let information = 2_000.0 * logistic(1.0) * logistic(-1.0);
        assert!(
            (s[1].std_error - information.sqrt().recip()).abs() < 1e-3,
            "{:?}",
            s[1]
        );
    }

    #[test]
    fn a_fit_started_from_an_earlier_one_lands_where_a_fresh_one_does() {
        // A chain of 20 items, each pair answered a few times, the earlier item mostly winning.
        let mut tallies: Vec<PairTally> = (0..19)
            .map(|a| tally(a, a + 1, 3 + (a % 4) as u32, 1 + (a % 3) as u32))
            .collect();
        let earlier = bradley_terry(20, &tallies, &[]).unwrap();
        tallies.push(tally(0, 19, 0, 1));
        let fresh = bradley_terry(20, &tallies, &[]).unwrap();
        let start: Vec<f64> = earlier.iter().map(|s| s.log_strength).collect();
        let resumed = bradley_terry(20, &tallies, &start).unwrap();
        for (fresh, resumed) in fresh.iter().zip(&resumed) {
            assert!((fresh.log_strength - resumed.log_strength).abs() < 1e-4);
        }
        assert!(fresh[19].log_strength > earlier[19].log_strength);
    }

    #[test]
    fn an_item_that_never_wins_stays_finite_and_an_unseen_one_is_uncertain() {
        let s = bradley_terry(3, &[tally(0, 1, 5, 0), tally(0, 1, 0, 0)], &[]).unwrap();
        assert!(s[1].log_strength.is_finite() && s[1].log_strength < 0.0);
        assert!((s[2].log_strength).abs() < 1e-9);
        assert!(s[2].std_error > s[0].std_error);
        assert_eq!(s[2].comparisons, 0);
        assert!((s[2].score() - 50.0).abs() < 1e-6);
    }

    #[test]
    fn a_tally_out_of_range_is_refused() {
        assert_eq!(
            bradley_terry(2, &[tally(0, 2, 1, 0)], &[]),
            Err(InsightsError::OutOfRange(0))
        );
        assert_eq!(
            bradley_terry(2, &[tally(1, 1, 1, 0)], &[]),
            Err(InsightsError::OutOfRange(0))
        );
    }

    #[test]
    fn the_next_pair_is_unanswered_close_and_uncertain() {
        // 0 and 1 are settled far apart; 2 and 3 are unseen.
        let tallies = [tally(0, 1, 40, 0)];
        let s = bradley_terry(4, &tallies, &[]).unwrap();
        for seed in 0..20 {
            let (a, b) = next_pair(&s, &[], seed).unwrap();
            assert!(a != b);
            assert!(a >= 2 || b >= 2, "seed {seed}: ({a}, {b})");
        }
        let all_but_one: Vec<(usize, usize)> = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3)].into();
        let (a, b) = next_pair(&s, &all_but_one, 7).unwrap();
        assert_eq!((a.min(b), a.max(b)), (2, 3));
        let every: Vec<(usize, usize)> = [all_but_one, vec![(2, 3)]].concat();
        assert_eq!(next_pair(&s, &every, 7), None);
        assert_eq!(next_pair(&s[..1], &[], 7), None);
    }

    #[test]
    fn people_answering_at_once_see_different_pairs() {
        let s = bradley_terry(30, &[], &[]).unwrap();
        let shown: std::collections::HashSet<(usize, usize)> = (0..20)
            .filter_map(|seed| next_pair(&s, &[], seed))
            .collect();
        assert!(shown.len() > 10, "{shown:?}");
    }
}
