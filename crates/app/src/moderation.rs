//! Moderation: anyone signed in flags an idea or comment with a reason; moderators of its space
//! see the queue, hide or show content again with a reason, or dismiss flags. Every moderator
//! action is written to the audit log.

use cocreate_core::{OrgRole, Rationale, Stage};
use cocreate_store::{ContentKind, Flag, NewFlag, StoreError};

use crate::{Actor, App, AppError, AppResult};

/// A flag with what it is about, for the queue.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub flag: Flag,
    pub idea_title: String,
    /// The flagged comment's text, or the idea's title.
    pub excerpt: String,
    pub hidden: bool,
}

/// What the moderation actions may do to a flagged item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Hide,
    Show,
    Dismiss,
}

impl App {
    /// The idea a piece of content belongs to, its space's moderation right, and whether it is
    /// hidden — if the actor may see it.
    async fn content(
        &self,
        actor: &Actor,
        kind: ContentKind,
        id: i64,
    ) -> AppResult<(cocreate_store::Idea, bool, bool, String)> {
        match kind {
            ContentKind::Idea => {
                let (idea, space) = self.visible_idea(Some(actor), id).await?;
                let hidden = idea.hidden.is_some();
                let excerpt = idea.title.clone();
                Ok((idea, space.can_moderate, hidden, excerpt))
            }
            ContentKind::Comment => {
                let comment = self.store.comment(id).await?.ok_or(AppError::NotFound)?;
                let (idea, space) = self.visible_idea(Some(actor), comment.idea_id).await?;
                if comment.deleted_at.is_some() {
                    return Err(AppError::NotFound);
                }
                Ok((
                    idea,
                    space.can_moderate,
                    comment.hidden.is_some(),
                    comment.body,
                ))
            }
        }
    }

    /// Flags content for the moderators, once per person and item.
    pub async fn flag(
        &self,
        actor: &Actor,
        kind: ContentKind,
        id: i64,
        reason: &str,
    ) -> AppResult<()> {
        let reason =
            Rationale::parse(reason).map_err(|e| AppError::invalid("reason", e.message))?;
        let (idea, _, _, _) = self.content(actor, kind, id).await?;
        if idea.stage == Stage::Draft {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        tx.insert_flag(&NewFlag {
            target_kind: kind,
            target_id: id,
            space_id: idea.space_id,
            idea_id: idea.id,
            reporter_id: actor.id,
            reason: reason.as_str(),
            created_at: self.now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => AppError::conflict("id", "you already flagged this"),
            other => other.into(),
        })?;
        tx.commit().await?;
        Ok(())
    }

    /// The open flags in every space the actor moderates; not found for people who moderate none.
    pub async fn moderation_queue(&self, actor: &Actor) -> AppResult<Vec<FlagView>> {
        let spaces: Vec<i64> = self
            .spaces(Some(actor))
            .await?
            .into_iter()
            .filter(|v| v.can_moderate)
            .map(|v| v.space.id)
            .collect();
        // The queue exists for moderators and admins only.
        if actor.role == OrgRole::Member {
            return Err(AppError::NotFound);
        }
        let flags = self.store.open_flags(&spaces, 200).await?;
        let mut views = Vec::with_capacity(flags.len());
        for flag in flags {
            // Content deleted since it was flagged needs no decision.
            let (idea, _, hidden, excerpt) =
                match self.content(actor, flag.target_kind, flag.target_id).await {
                    Ok(found) => found,
                    Err(AppError::NotFound) => continue,
                    Err(other) => return Err(other),
                };
            views.push(FlagView {
                idea_title: idea.title,
                excerpt,
                hidden,
                flag,
            });
        }
        Ok(views)
    }

    /// Hides or shows content (with a public reason when hiding), or dismisses its flags.
    pub async fn moderate(
        &self,
        actor: &Actor,
        kind: ContentKind,
        id: i64,
        resolution: Resolution,
        reason: &str,
    ) -> AppResult<i64> {
        let (idea, can_moderate, _, _) = self.content(actor, kind, id).await?;
        if !can_moderate {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (action, detail) = match resolution {
            Resolution::Hide => {
                let reason =
                    Rationale::parse(reason).map_err(|e| AppError::invalid("reason", e.message))?;
                tx.set_hidden(kind, id, Some((now, reason.as_str())))
                    .await?;
                ("hide", reason.into_inner())
            }
            Resolution::Show => {
                tx.set_hidden(kind, id, None).await?;
                ("unhide", reason.trim().to_owned())
            }
            Resolution::Dismiss => ("dismiss", reason.trim().to_owned()),
        };
        tx.resolve_flags(kind, id, actor.id, now).await?;
        self.audit(
            &mut *tx,
            Some(actor),
            &format!("{}.{action}", kind.as_str()),
            &format!("{}:{id}", kind.as_str()),
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(idea.id)
    }
}
