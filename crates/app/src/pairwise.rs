//! Pairwise ranking in a challenge: people are shown two ideas and pick the better one (or skip),
//! one answer per pair per person; the answers rank the ideas by Bradley–Terry strength (fitted
//! by `cocreate-insights`), each with an uncertainty band. The pair shown next is one the viewer
//! has not answered whose answer tells most: ideas close in score and still uncertain.
//! Reading needs the challenge's space to be readable; answering needs leave to contribute.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cocreate_core::PairPick;
use cocreate_insights::{PairTally, Strength, bradley_terry, next_pair};
use cocreate_store::{COMPARED_STAGES, Challenge, Idea, PairAnswer};

use crate::challenge_cache::ChallengeCache;
use crate::{Actor, App, AppError, AppResult, SpaceView};

/// Ideas listed by pairwise score at most.
pub const RANKING_LIMIT: usize = 100;

/// An idea's place in the pairwise ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedIdea {
    /// 1 for the best.
    pub rank: usize,
    pub idea_id: i64,
    pub title: String,
    /// The chance (0–100) it is picked over a typical idea of the challenge.
    pub score: f64,
    /// The 95% band of `score`.
    pub low: f64,
    pub high: f64,
    /// Answers that compared it with another idea.
    pub comparisons: u32,
}

/// The next pair for the viewer, and how far they have come.
#[derive(Debug, Clone)]
pub struct PairwiseView {
    pub space: SpaceView,
    pub challenge: Challenge,
    /// Ideas being compared: gathering support or further along, and not hidden.
    pub ideas: usize,
    /// The pair to answer next, when the viewer may answer and pairs remain.
    pub pair: Option<IdeaPair>,
    /// Pairs the viewer has answered.
    pub answered: usize,
}

/// Two ideas to choose between, in the order shown.
#[derive(Debug, Clone)]
pub struct IdeaPair {
    pub first: Idea,
    pub second: Idea,
}

/// The challenge's ideas by pairwise score, best first.
#[derive(Debug, Clone)]
pub struct PairwiseRanking {
    pub space: SpaceView,
    pub challenge: Challenge,
    /// Ideas being compared (the list holds the first [`RANKING_LIMIT`]).
    pub ideas: usize,
    /// Answers given, skips included.
    pub answers: i64,
    pub ranked: Vec<RankedIdea>,
}

/// How old the strengths the next pair is chosen from may be. Answers arriving many a second
/// would otherwise have every request fit afresh; the viewer's own answers are read fresh each
/// time, so no pair is asked twice. The ranking is always fitted to every answer.
const PAIR_CHOICE_STALENESS: Duration = Duration::from_secs(1);
/// How long the set of compared ideas a fit was made for is trusted, while this process commits
/// nothing, before it is read again: reading it costs a row per idea, and an idea joins or
/// leaves the comparison only when it changes stage or is hidden (at once when this process
/// made the change, within this time when another did).
const IDEAS_RECHECK: Duration = Duration::from_secs(1);

/// A challenge's fitted strengths and what they were fitted from.
pub(crate) struct Fitted {
    /// The challenge's answers' version the fit counts.
    version: i64,
    /// The compared ideas' ids, ascending; `strengths` is in the same order.
    ideas: Vec<i64>,
    strengths: Vec<Strength>,
    answers: i64,
    made_at: Instant,
    /// When `ideas` was last found to be the compared ideas still, and the process's data
    /// version read just before.
    ideas_checked: Mutex<(Instant, u64)>,
}

impl Fitted {
    fn ideas_checked(&self, data_version: u64) {
        *self
            .ideas_checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = (Instant::now(), data_version);
    }

    /// Whether `ideas` may be taken for the compared ideas without reading them, while the
    /// process's data version is `data_version`.
    fn ideas_fresh(&self, data_version: u64) -> bool {
        let (checked_at, checked_version) = *self
            .ideas_checked
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        checked_version == data_version && checked_at.elapsed() <= IDEAS_RECHECK
    }

    /// Whether the fit may serve a request that accepts fits up to `allowed_age` old, given the
    /// challenge's answers' version when it was read.
    fn serves(&self, allowed_age: Duration, version: Option<i64>) -> bool {
        self.made_at.elapsed() <= allowed_age || Some(self.version) == version
    }
}

/// The latest fit by challenge, and a turn to fit in, so that the requests that find a fit out
/// of date wait for one of them to make the next rather than each making its own.
#[derive(Default)]
pub(crate) struct PairwiseFits {
    latest: ChallengeCache<i64, Fitted>,
    fitting: tokio::sync::Mutex<()>,
}

impl App {
    /// The pair the viewer should answer next in the challenge (none when signed out, when they
    /// may not contribute, or when they have answered every pair).
    pub async fn pairwise(
        &self,
        actor: Option<&Actor>,
        challenge_id: i64,
    ) -> AppResult<PairwiseView> {
        let (space, challenge) = self.challenge(actor, challenge_id).await?;
        let fitted = self
            .pairwise_fit(challenge_id, PAIR_CHOICE_STALENESS)
            .await?;
        let mut view = PairwiseView {
            space,
            challenge,
            ideas: fitted.ideas.len(),
            pair: None,
            answered: 0,
        };
        let Some(actor) = actor.filter(|_| view.space.can_contribute) else {
            return Ok(view);
        };
        let answered = self.store.answered_pairs(challenge_id, actor.id).await?;
        view.answered = answered.len();
        let index = |id: i64| fitted.ideas.binary_search(&id).ok();
        let mut answered: Vec<(usize, usize)> = answered
            .into_iter()
            .filter_map(|(low, high)| Some((index(low)?, index(high)?)))
            .collect();
        answered.sort_unstable();
        if let Some((first, second)) = next_pair(&fitted.strengths, &answered, rand::random()) {
            let idea = |at: usize| self.store.idea(fitted.ideas[at]);
            if let (Some(first), Some(second)) = (idea(first).await?, idea(second).await?) {
                view.pair = Some(IdeaPair { first, second });
            }
        }
        Ok(view)
    }

    /// Records the actor's answer on a pair of the challenge's compared ideas, replacing an
    /// earlier answer on the same pair.
    pub async fn answer_pair(
        &self,
        actor: &Actor,
        challenge_id: i64,
        first_idea_id: i64,
        second_idea_id: i64,
        pick: PairPick,
    ) -> AppResult<()> {
        let (space, _) = self.challenge(Some(actor), challenge_id).await?;
        if !space.can_contribute {
            return Err(AppError::Forbidden);
        }
        if first_idea_id == second_idea_id {
            return Err(AppError::invalid(
                "second_idea_id",
                "must be a different idea from the first",
            ));
        }
        for (field, id) in [
            ("first_idea_id", first_idea_id),
            ("second_idea_id", second_idea_id),
        ] {
            let compared = self.store.idea(id).await?.is_some_and(|idea| {
                idea.challenge_id == Some(challenge_id)
                    && idea.hidden.is_none()
                    && COMPARED_STAGES.contains(&idea.stage)
            });
            if !compared {
                return Err(AppError::invalid(
                    field,
                    "is not an idea being compared in this challenge",
                ));
            }
        }
        let answer = PairAnswer {
            low_idea_id: first_idea_id.min(second_idea_id),
            high_idea_id: first_idea_id.max(second_idea_id),
            picked: match pick {
                PairPick::First => Some(first_idea_id),
                PairPick::Second => Some(second_idea_id),
                PairPick::Skip => None,
            },
        };
        let mut tx = self.store.begin().await?;
        tx.answer_pair(challenge_id, actor.id, answer, self.now())
            .await?;
        self.commit(tx).await
    }

    /// The challenge's compared ideas by pairwise score, best first, at most [`RANKING_LIMIT`].
    pub async fn pairwise_ranking(
        &self,
        actor: Option<&Actor>,
        challenge_id: i64,
    ) -> AppResult<PairwiseRanking> {
        let (space, challenge) = self.challenge(actor, challenge_id).await?;
        let fitted = self.pairwise_fit(challenge_id, Duration::ZERO).await?;
        let mut order: Vec<usize> = (0..fitted.ideas.len()).collect();
        // Best first; between equals, the more compared, then the older.
        order.sort_by(|&a, &b| {
            let (sa, sb) = (&fitted.strengths[a], &fitted.strengths[b]);
            sb.log_strength
                .total_cmp(&sa.log_strength)
                .then(sb.comparisons.cmp(&sa.comparisons))
                .then(a.cmp(&b))
        });
        order.truncate(RANKING_LIMIT);
        let ids: Vec<i64> = order.iter().map(|&at| fitted.ideas[at]).collect();
        let titles: std::collections::HashMap<i64, String> =
            self.store.idea_titles(&ids).await?.into_iter().collect();
        let ranked = order
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(place, (&at, id))| {
                let strength = &fitted.strengths[at];
                let (low, high) = strength.band();
                RankedIdea {
                    rank: place + 1,
                    idea_id: *id,
                    title: titles.get(id).cloned().unwrap_or_default(),
                    score: strength.score(),
                    low,
                    high,
                    comparisons: strength.comparisons,
                }
            })
            .collect();
        Ok(PairwiseRanking {
            space,
            challenge,
            ideas: fitted.ideas.len(),
            answers: fitted.answers,
            ranked,
        })
    }

    /// The challenge's strengths, fitted afresh only when an answer was given since the last fit
    /// (or the compared ideas changed), and then only if that fit is older than `allowed_age`.
    /// A fresh fit starts from the last one's strengths.
    async fn pairwise_fit(
        &self,
        challenge_id: i64,
        allowed_age: Duration,
    ) -> AppResult<Arc<Fitted>> {
        let fits = &self.pairwise_fits;
        // Both versions are read before what they stand for: a fit is never older than they.
        let data_version = self.data_version();
        let usable = |version: Option<i64>| {
            fits.latest.latest(challenge_id).filter(|fitted| {
                fitted.ideas_fresh(data_version) && fitted.serves(allowed_age, version)
            })
        };
        if let Some(recent) = usable(None) {
            return Ok(recent);
        }
        let version = self.store.pairwise_version(challenge_id).await?;
        if let Some(current) = usable(Some(version)) {
            return Ok(current);
        }
        let _turn = fits.fitting.lock().await;
        // Made while this request waited for its turn?
        if let Some(current) = usable(Some(version)) {
            return Ok(current);
        }
        let ideas = self.store.compared_ideas(challenge_id).await?;
        let earlier = fits.latest.latest(challenge_id);
        if let Some(same) = earlier
            .as_ref()
            .filter(|earlier| earlier.ideas == ideas && earlier.serves(allowed_age, Some(version)))
        {
            same.ideas_checked(data_version);
            return Ok(Arc::clone(same));
        }
        let start: Vec<f64> = earlier.map_or_else(Vec::new, |earlier| {
            ideas
                .iter()
                .map(|id| {
                    earlier
                        .ideas
                        .binary_search(id)
                        .map_or(0.0, |at| earlier.strengths[at].log_strength)
                })
                .collect()
        });
        let index = |id: i64| ideas.binary_search(&id).ok();
        let mut answers = 0;
        let mut tallies = Vec::new();
        for tally in self.store.pairwise_tallies(challenge_id).await? {
            answers += tally.low_wins + tally.high_wins + tally.skips;
            if let (Some(first), Some(second)) =
                (index(tally.low_idea_id), index(tally.high_idea_id))
            {
                tallies.push(PairTally {
                    first,
                    second,
                    first_wins: u32::try_from(tally.low_wins.max(0)).unwrap_or(u32::MAX),
                    second_wins: u32::try_from(tally.high_wins.max(0)).unwrap_or(u32::MAX),
                });
            }
        }
        let items = ideas.len();
        // The fit is CPU work of up to tens of milliseconds: off the async threads.
        let strengths = tokio::task::spawn_blocking(move || bradley_terry(items, &tallies, &start))
            .await
            .map_err(|e| AppError::Internal(format!("pairwise fit: {e}")))?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let now = Instant::now();
        let fitted = Arc::new(Fitted {
            version,
            ideas,
            strengths,
            answers,
            made_at: now,
            ideas_checked: Mutex::new((now, data_version)),
        });
        fits.latest.keep(challenge_id, version, Arc::clone(&fitted));
        Ok(fitted)
    }
}
