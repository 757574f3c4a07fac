//! Support: adding and withdrawing it (grouped into shared commits), and the tiers it reaches.

use super::*;
use cocreate_core::text::{counted, quoted};

impl App {
    /// Supports an idea that is gathering support; a second support by the same account is a
    /// no-op. Reaching the last tier sends the idea to review.
    pub async fn support(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        if !view.can_contribute {
            return Err(AppError::Forbidden);
        }
        self.supports.add(self, actor.id, id).await
    }

    /// Adds a batch of (account, idea) supports in one transaction, with a few statements
    /// whatever its size. The outer error fails the whole batch (nothing is stored); the inner
    /// results answer each support, in the order given, with the idea as it stands after the batch.
    pub(crate) async fn commit_supports(
        &self,
        supports: &[(i64, i64)],
    ) -> AppResult<Vec<AppResult<Idea>>> {
        let now = self.now();
        let mut ids: Vec<i64> = supports.iter().map(|&(_, idea_id)| idea_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.store.begin().await?;
        let mut ideas: HashMap<i64, Idea> = tx
            .lock_ideas(&ids)
            .await?
            .into_iter()
            .map(|idea| (idea.id, idea))
            .collect();
        let mut results: Vec<AppResult<()>> = Vec::with_capacity(supports.len());
        let mut accepted = Vec::new();
        for &(account_id, idea_id) in supports {
            let checked = match ideas.get(&idea_id) {
                None => Err(AppError::NotFound),
                Some(idea) => Self::ensure_gathering(idea, now),
            };
            if checked.is_ok() {
                accepted.push((idea_id, account_id));
            }
            results.push(checked);
        }
        // The same account may support the same idea twice in one batch (two tabs, a retry).
        accepted.sort_unstable();
        accepted.dedup();
        let mut counts = Vec::new();
        let mut climbed = false;
        for (idea_id, gained) in tx.add_supports(&accepted, now).await? {
            if let Some(idea) = ideas.get(&idea_id) {
                // The rows are locked, so the count is the stored one plus the supports just
                // recorded. The ranks move with it, in the same write, so the refresh is left
                // with what time alone changes.
                let supporters = idea.supporters + gained;
                let count = SupporterCount {
                    idea_id,
                    supporters,
                    hot: cocreate_core::ranks::hot(supporters, idea.comments, idea.created_at),
                    trending: idea.trending + gained,
                };
                let updated = self
                    .apply_supporter_count(&mut *tx, idea, count.supporters, now)
                    .await?;
                climbed |= (updated.stage, updated.tier) != (idea.stage, idea.tier);
                ideas.insert(
                    idea_id,
                    Idea {
                        hot: count.hot,
                        trending: count.trending,
                        ..updated
                    },
                );
                counts.push(count);
            }
        }
        tx.set_supporters(&counts, now).await?;
        // Not `App::commit`: the batch holds many requests' supports, and whichever request
        // commits it must not mark its own idempotency key by it. A support needs no mark: made
        // twice, it counts once.
        tx.commit().await?;
        if climbed {
            self.wake_news_worker();
        }
        Ok(results
            .into_iter()
            .zip(supports)
            .map(|(checked, (_, idea_id))| {
                checked.and_then(|()| ideas.get(idea_id).cloned().ok_or(AppError::NotFound))
            })
            .collect())
    }

    /// Moves a gathering idea up its tiers for a new supporter count, sending it to review
    /// (with a history entry) when the last tier is reached; its supporters and author are told
    /// of each tier climbed (the caller wakes the news job after its commit).
    pub(super) async fn apply_supporter_count(
        &self,
        tx: &mut dyn Tx,
        idea: &Idea,
        count: i64,
        now: Timestamp,
    ) -> AppResult<Idea> {
        let mut updated = Idea {
            supporters: count,
            updated_at: now,
            ..idea.clone()
        };
        if idea.stage != Stage::Gathering {
            return Ok(updated);
        }
        let rules = rules_of(idea)?;
        let progress = match rules.advance(tier_state(idea), count, now) {
            TierOutcome::Gathering(state) if state != tier_state(idea) => IdeaProgress {
                stage: Stage::Gathering,
                tier: state.tier,
                tier_deadline: Some(state.deadline),
            },
            TierOutcome::Gathering(_) => return Ok(updated),
            TierOutcome::ReachedReview => IdeaProgress {
                stage: Stage::Review,
                tier: rules.tiers().len() as i64,
                tier_deadline: None,
            },
        };
        tx.set_idea_progress(idea.id, &progress, now).await?;
        let tiers = rules.tiers().len();
        let mut event_id = None;
        let news = if progress.stage == Stage::Review {
            event_id = Some(self.record_reached_review(tx, idea.id, count).await?);
            format!(
                "{} reached its last tier with {} and goes to review",
                quoted(&idea.title),
                counted(count, "supporter")
            )
        } else {
            format!(
                "{} reached tier {} of {tiers} with {}",
                quoted(&idea.title),
                progress.tier,
                counted(count, "supporter")
            )
        };
        let news = News {
            kind: FanoutKind::Milestone,
            subject: &news,
            body: "",
            event_id,
        };
        self.tell_supporters(tx, idea, &news).await?;
        updated.stage = progress.stage;
        updated.tier = progress.tier;
        updated.tier_deadline = progress.tier_deadline;
        Ok(updated)
    }

    /// Writes to an idea's history that its supporters took it to review.
    pub(crate) async fn record_reached_review(
        &self,
        tx: &mut dyn Tx,
        idea_id: i64,
        supporters: i64,
    ) -> AppResult<i64> {
        let reason = format!(
            "It reached {}, the last tier.",
            counted(supporters, "supporter")
        );
        self.record_stage(
            tx,
            idea_id,
            None,
            Some(Stage::Gathering),
            Stage::Review,
            &reason,
        )
        .await
    }

    pub(super) fn ensure_gathering(idea: &Idea, now: Timestamp) -> AppResult<()> {
        if idea.hidden.is_some() {
            return Err(AppError::conflict(
                "idea",
                "this idea is hidden by a moderator",
            ));
        }
        if idea.stage != Stage::Gathering || SupportRules::has_expired(tier_state(idea), now) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "this idea is not gathering support (it is {})",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        Ok(())
    }

    /// Withdraws the actor's support while the idea is still gathering support.
    pub async fn withdraw_support(&self, actor: &Actor, id: i64) -> AppResult<Idea> {
        self.visible_idea(Some(actor), id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        Self::ensure_gathering(&idea, now)?;
        tx.remove_support(id, actor.id).await?;
        crate::ranks::rerank(&mut *tx, &[id], now).await?;
        self.commit(tx).await?;
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }
}
