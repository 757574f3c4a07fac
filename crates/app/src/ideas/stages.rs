//! Stage changes with their public rationale, merges of duplicates, and expiry at the deadline.

use super::*;
use cocreate_core::text::quoted;

impl App {
    pub(super) async fn record_stage(
        &self,
        tx: &mut dyn Tx,
        idea_id: i64,
        actor: Option<&Actor>,
        from: Option<Stage>,
        to: Stage,
        rationale: &str,
    ) -> AppResult<i64> {
        Ok(tx
            .insert_idea_event(&NewIdeaEvent {
                idea_id,
                actor_id: actor.map(|a| a.id),
                from_stage: from,
                to_stage: to,
                rationale,
                created_at: self.now(),
            })
            .await?)
    }

    /// Staff move an idea to another stage with a public rationale; its author and supporters
    /// are told by mail.
    pub async fn move_idea(
        &self,
        actor: &Actor,
        id: i64,
        to: Stage,
        rationale: &str,
    ) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let rationale = Rationale::parse(rationale)?;
        if to == Stage::Merged {
            return Err(AppError::invalid(
                "stage",
                "merge an idea into another with the merge action",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(to, Mover::Staff) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "an idea cannot go from {} to {}",
                    idea.stage.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            ));
        }
        // Only a draft moves to gathering support: its tiers start now.
        let (tier, deadline) = if to == Stage::Gathering {
            (0, Some(rules_of(&idea)?.start(now).deadline))
        } else {
            (idea.tier, None)
        };
        tx.set_idea_progress(
            id,
            &IdeaProgress {
                stage: to,
                tier,
                tier_deadline: deadline,
            },
            now,
        )
        .await?;
        let event_id = self
            .record_stage(
                &mut *tx,
                id,
                Some(actor),
                Some(idea.stage),
                to,
                rationale.as_str(),
            )
            .await?;
        let subject = format!(
            "{} is now {}",
            quoted(&idea.title),
            to.label().to_lowercase()
        );
        let body = format!(
            "{} moved “{}” to {}:\n\n{}\n\n{}\n",
            actor.name,
            idea.title,
            to.label().to_lowercase(),
            rationale.as_str(),
            self.link(&format!("/ideas/{id}"))
        );
        let news = News {
            kind: FanoutKind::Decision,
            subject: &subject,
            body: &body,
            event_id: Some(event_id),
        };
        self.tell_supporters(&mut *tx, &idea, &news).await?;
        self.commit(tx).await?;
        self.wake_news_worker();
        self.store.idea(id).await?.ok_or(AppError::NotFound)
    }

    /// Tells the idea's supporters and author (in the app, and by mail for a decision, as well as
    /// everyone whose feedback is linked to it), through the news job: one event here (two for a
    /// decision), however many people there are.
    pub(super) async fn tell_supporters(
        &self,
        tx: &mut dyn Tx,
        idea: &Idea,
        news: &News<'_>,
    ) -> AppResult<()> {
        let asked = (news.kind == FanoutKind::Decision).then_some(FanoutKind::Asked);
        for kind in std::iter::once(news.kind).chain(asked) {
            tx.insert_fanout(&NewFanout {
                kind,
                idea_id: idea.id,
                comment_id: None,
                skip_account_id: None,
                subject: news.subject,
                body: news.body,
                created_at: self.now(),
                event_id: news.event_id,
            })
            .await?;
        }
        Ok(())
    }

    /// Staff merge a duplicate into another idea of the same space: supporters move over (each
    /// counted once) and the duplicate links to the idea it joined.
    pub async fn merge_idea(
        &self,
        actor: &Actor,
        id: i64,
        into: i64,
        rationale: &str,
    ) -> AppResult<Idea> {
        let (_, view) = self.visible_idea(Some(actor), id).await?;
        Self::require_curator(&view)?;
        let rationale = Rationale::parse(rationale)?;
        if id == into {
            return Err(AppError::invalid(
                "into",
                "an idea cannot be merged into itself",
            ));
        }
        let (target, _) = self
            .visible_idea(Some(actor), into)
            .await
            .map_err(|_| AppError::invalid("into", "no such idea"))?;
        if target.space_id != view.space.id
            || target.stage.is_final()
            || target.stage == Stage::Draft
        {
            return Err(AppError::invalid(
                "into",
                "must be an open idea in the same space",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let idea = tx.lock_idea(id).await?.ok_or(AppError::NotFound)?;
        if !idea.stage.may_move(Stage::Merged, Mover::Staff) {
            return Err(AppError::conflict(
                "stage",
                format!(
                    "a {} idea cannot be merged",
                    idea.stage.label().to_lowercase()
                ),
            ));
        }
        let target = tx.lock_idea(into).await?.ok_or(AppError::NotFound)?;
        let count = tx.merge_idea(id, into, now).await?;
        tx.close_duplicates_of(id, actor.id, now).await?;
        // The supporters that moved count toward the target's tiers at once.
        self.apply_supporter_count(&mut *tx, &target, count, now)
            .await?;
        crate::ranks::rerank(&mut *tx, &[id, into], now).await?;
        let note = format!("Merged into #{into}: {}", rationale.as_str());
        self.record_stage(
            &mut *tx,
            id,
            Some(actor),
            Some(idea.stage),
            Stage::Merged,
            &note,
        )
        .await?;
        self.commit(tx).await?;
        self.wake_news_worker();
        self.store.idea(into).await?.ok_or(AppError::NotFound)
    }

    /// Expires every idea whose tier deadline has passed, telling authors and supporters.
    /// Returns how many expired.
    pub async fn expire_overdue_ideas(&self) -> AppResult<usize> {
        let now = self.now();
        let due = self.store.ideas_past_deadline(now, 100).await?;
        let mut expired = 0;
        for candidate in due {
            let mut tx = self.store.begin().await?;
            let Some(idea) = tx.lock_idea(candidate.id).await? else {
                continue;
            };
            if idea.stage != Stage::Gathering || !SupportRules::has_expired(tier_state(&idea), now)
            {
                continue;
            }
            tx.set_idea_progress(
                idea.id,
                &IdeaProgress {
                    stage: Stage::Expired,
                    tier: idea.tier,
                    tier_deadline: None,
                },
                now,
            )
            .await?;
            let target = rules_of(&idea)?
                .target(tier_state(&idea))
                .map_or(0, |t| t.supporters);
            let reason = format!(
                "It had {} of the {target} supporters it needed by its deadline.",
                idea.supporters
            );
            let event_id = self
                .record_stage(
                    &mut *tx,
                    idea.id,
                    None,
                    Some(Stage::Gathering),
                    Stage::Expired,
                    &reason,
                )
                .await?;
            let body = format!(
                "“{}” has expired. {reason}\n\n{}\n",
                idea.title,
                self.link(&format!("/ideas/{}", idea.id))
            );
            let news = News {
                kind: FanoutKind::Decision,
                subject: &format!("{} has expired", quoted(&idea.title)),
                body: &body,
                event_id: Some(event_id),
            };
            self.tell_supporters(&mut *tx, &idea, &news).await?;
            self.commit(tx).await?;
            expired += 1;
        }
        if expired > 0 {
            self.wake_news_worker();
        }
        Ok(expired)
    }
}
