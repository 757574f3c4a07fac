//! Moderation: anyone signed in flags an idea or comment with a reason; moderators of its space
//! see the queue, hide or show content again with a reason, or dismiss flags. Every moderator
//! action is written to the audit log.

use cocreate_core::{OrgRole, Rationale, Stage};
use cocreate_store::{ContentKind, Flag, NewFlag, StoreError, Subject};

use crate::{Actor, App, AppError, AppResult};

/// A flag with what it is about, for the queue.
#[derive(Debug, Clone)]
pub struct FlagView {
    pub flag: Flag,
    /// The title of the idea flagged, or of the idea or challenge whose discussion holds it.
    pub title: String,
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

/// A flagged or moderated item as the actor sees it.
struct Content {
    space_id: i64,
    subject: Subject,
    title: String,
    can_moderate: bool,
    hidden: bool,
    /// The comment's text, or the idea's title.
    excerpt: String,
    /// An unpublished idea, which only its authors and staff see.
    draft: bool,
}

impl App {
    /// The item and where it belongs, if the actor may see it.
    async fn content(&self, actor: &Actor, kind: ContentKind, id: i64) -> AppResult<Content> {
        match kind {
            ContentKind::Idea => {
                let (idea, space) = self.visible_idea(Some(actor), id).await?;
                Ok(Content {
                    space_id: idea.space_id,
                    subject: Subject::Idea(idea.id),
                    excerpt: idea.title.clone(),
                    title: idea.title,
                    can_moderate: space.can_moderate,
                    hidden: idea.hidden.is_some(),
                    draft: idea.stage == Stage::Draft,
                })
            }
            ContentKind::Comment => {
                let comment = self.store.comment(id).await?.ok_or(AppError::NotFound)?;
                let discussion = self.discussion(Some(actor), comment.subject).await?;
                if comment.deleted_at.is_some() {
                    return Err(AppError::NotFound);
                }
                Ok(Content {
                    space_id: discussion.space.space.id,
                    subject: comment.subject,
                    title: discussion.title,
                    can_moderate: discussion.space.can_moderate,
                    hidden: comment.hidden.is_some(),
                    excerpt: comment.body,
                    draft: false,
                })
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
        let content = self.content(actor, kind, id).await?;
        if content.draft {
            return Err(AppError::NotFound);
        }
        let mut tx = self.store.begin().await?;
        tx.insert_flag(&NewFlag {
            target_kind: kind,
            target_id: id,
            space_id: content.space_id,
            subject: content.subject,
            reporter_id: actor.id,
            reason: reason.as_str(),
            created_at: self.now(),
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict { .. } => AppError::conflict("id", "you already flagged this"),
            other => other.into(),
        })?;
        self.commit(tx).await?;
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
            let content = match self.content(actor, flag.target_kind, flag.target_id).await {
                Ok(found) => found,
                Err(AppError::NotFound) => continue,
                Err(other) => return Err(other),
            };
            views.push(FlagView {
                title: content.title,
                excerpt: content.excerpt,
                hidden: content.hidden,
                flag,
            });
        }
        Ok(views)
    }

    /// Hides or shows content (with a public reason when hiding), or dismisses its flags.
    /// Returns the idea or challenge it belongs to.
    pub async fn moderate(
        &self,
        actor: &Actor,
        kind: ContentKind,
        id: i64,
        resolution: Resolution,
        reason: &str,
    ) -> AppResult<Subject> {
        let content = self.content(actor, kind, id).await?;
        if !content.can_moderate {
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
        self.commit(tx).await?;
        Ok(content.subject)
    }
}
