//! The dialogue on an idea: threaded comments (official when staff answer), editing within a
//! window, deleting without breaking the thread, following, and in-app notifications.

use cocreate_core::dialogue::{
    EDIT_WINDOW_MINUTES, MAX_COMMENT_CHARS, reply_placement, thread_order,
};
use cocreate_core::{Markdown, Stage};
use cocreate_store::{Comment, NewComment, NewNotification, Notification};

use crate::{Actor, App, AppError, AppResult};

/// A comment as a thread shows it.
#[derive(Debug, Clone)]
pub struct CommentView {
    pub comment: Comment,
    /// The viewer wrote it and the edit window is still open.
    pub can_edit: bool,
    /// The viewer wrote it or moderates the space.
    pub can_delete: bool,
    /// The viewer may hide it or show it again.
    pub can_moderate: bool,
}

/// An idea's thread in reading order, and what the viewer may do there.
#[derive(Debug, Clone)]
pub struct Thread {
    pub comments: Vec<CommentView>,
    pub can_comment: bool,
    /// The viewer moderates this space.
    pub can_moderate: bool,
    pub following: bool,
}

impl App {
    pub async fn thread(&self, actor: Option<&Actor>, idea_id: i64) -> AppResult<Thread> {
        let (idea, space) = self.visible_idea(actor, idea_id).await?;
        let comments = self.store.comments(idea_id).await?;
        let pairs: Vec<(i64, Option<i64>)> = comments.iter().map(|c| (c.id, c.parent_id)).collect();
        let now = self.now();
        let views = thread_order(&pairs)
            .into_iter()
            .map(|index| {
                let mut comment = comments[index].clone();
                if comment.hidden.is_some() && !space.can_moderate {
                    comment.body.clear();
                    comment.body_html.clear();
                }
                let own = actor.is_some_and(|a| a.id == comment.author_id);
                let live = comment.deleted_at.is_none();
                CommentView {
                    can_edit: own
                        && live
                        && comment.hidden.is_none()
                        && now <= comment.created_at.plus_minutes(EDIT_WINDOW_MINUTES),
                    can_delete: live && (own || space.can_moderate),
                    can_moderate: live && space.can_moderate,
                    comment,
                }
            })
            .collect();
        let following = match actor {
            Some(actor) => self.store.is_following(idea_id, actor.id).await?,
            None => false,
        };
        Ok(Thread {
            comments: views,
            can_comment: space.can_contribute
                && idea.stage != Stage::Draft
                && idea.hidden.is_none(),
            can_moderate: space.can_moderate,
            following,
        })
    }

    /// Comments on an idea, or replies to one of its comments. Staff answers are marked
    /// official; the writer follows the idea from then on, and every other follower is told.
    pub async fn add_comment(
        &self,
        actor: &Actor,
        idea_id: i64,
        parent_id: Option<i64>,
        body: &str,
    ) -> AppResult<Comment> {
        let (idea, space) = self.visible_idea(Some(actor), idea_id).await?;
        if !space.can_contribute {
            return Err(AppError::Forbidden);
        }
        if idea.stage == Stage::Draft {
            return Err(AppError::conflict(
                "idea",
                "drafts cannot be discussed until they are published",
            ));
        }
        if idea.hidden.is_some() {
            return Err(AppError::conflict(
                "idea",
                "this idea is hidden by a moderator",
            ));
        }
        let body = Markdown::parse("body", body, true, MAX_COMMENT_CHARS)?;
        let (parent_id, depth) = match parent_id {
            None => (None, 0),
            Some(parent_id) => {
                let parent = self
                    .store
                    .comment(parent_id)
                    .await?
                    .filter(|c| c.idea_id == idea_id)
                    .ok_or_else(|| {
                        AppError::invalid("parent_id", "is not a comment on this idea")
                    })?;
                if parent.deleted_at.is_some() || parent.hidden.is_some() {
                    return Err(AppError::invalid(
                        "parent_id",
                        "that comment was deleted or hidden",
                    ));
                }
                reply_placement(parent.id, parent.depth, parent.parent_id)
            }
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_comment(&NewComment {
                idea_id,
                parent_id,
                depth,
                author_id: actor.id,
                body: &body.source,
                body_html: &body.html,
                official: space.can_curate,
                created_at: now,
            })
            .await?;
        tx.set_following(idea_id, actor.id, true, now).await?;
        let text = if space.can_curate {
            format!("{} answered officially on “{}”", actor.name, idea.title)
        } else {
            format!("{} commented on “{}”", actor.name, idea.title)
        };
        for follower in self.store.follower_ids(idea_id).await? {
            // Followers who lost access to the space are not told about it any more.
            if follower != actor.id && self.account_can_read(follower, &space.space).await? {
                tx.insert_notification(&NewNotification {
                    account_id: follower,
                    idea_id: Some(idea_id),
                    comment_id: Some(id),
                    text: &text,
                    created_at: now,
                })
                .await?;
            }
        }
        tx.commit().await?;
        self.store.comment(id).await?.ok_or(AppError::NotFound)
    }

    async fn own_comment(&self, actor: &Actor, id: i64) -> AppResult<(Comment, bool)> {
        let comment = self.store.comment(id).await?.ok_or(AppError::NotFound)?;
        let (_, space) = self.visible_idea(Some(actor), comment.idea_id).await?;
        if comment.deleted_at.is_some() {
            return Err(AppError::NotFound);
        }
        Ok((comment, space.can_moderate))
    }

    /// The author edits a comment within the edit window; the comment shows it was edited.
    pub async fn edit_comment(&self, actor: &Actor, id: i64, body: &str) -> AppResult<Comment> {
        let (comment, _) = self.own_comment(actor, id).await?;
        if comment.author_id != actor.id {
            return Err(AppError::Forbidden);
        }
        if comment.hidden.is_some() {
            return Err(AppError::conflict(
                "body",
                "a hidden comment cannot be edited",
            ));
        }
        let now = self.now();
        if now > comment.created_at.plus_minutes(EDIT_WINDOW_MINUTES) {
            return Err(AppError::conflict(
                "body",
                format!("comments can be edited for {EDIT_WINDOW_MINUTES} minutes after writing"),
            ));
        }
        let body = Markdown::parse("body", body, true, MAX_COMMENT_CHARS)?;
        let mut tx = self.store.begin().await?;
        tx.edit_comment(id, &body.source, &body.html, now).await?;
        tx.commit().await?;
        self.store.comment(id).await?.ok_or(AppError::NotFound)
    }

    /// Deletes a comment (its author or a moderator); its replies stay in the thread.
    pub async fn delete_comment(&self, actor: &Actor, id: i64) -> AppResult<i64> {
        let (comment, can_moderate) = self.own_comment(actor, id).await?;
        let by_moderator = comment.author_id != actor.id;
        if by_moderator && !can_moderate {
            return Err(AppError::Forbidden);
        }
        let mut tx = self.store.begin().await?;
        tx.delete_comment(id, self.now()).await?;
        // Its flags need no more attention.
        tx.resolve_flags(
            cocreate_store::ContentKind::Comment,
            id,
            actor.id,
            self.now(),
        )
        .await?;
        if by_moderator {
            self.audit(
                &mut *tx,
                Some(actor),
                "comment.delete",
                &format!("comment:{id}"),
                &format!("idea:{}", comment.idea_id),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(comment.idea_id)
    }

    /// Follows or unfollows an idea the actor may see.
    pub async fn set_following(&self, actor: &Actor, idea_id: i64, follow: bool) -> AppResult<()> {
        self.visible_idea(Some(actor), idea_id).await?;
        let mut tx = self.store.begin().await?;
        tx.set_following(idea_id, actor.id, follow, self.now())
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's notifications, newest first, before `before_id`.
    pub async fn notifications(
        &self,
        actor: &Actor,
        before_id: i64,
        limit: i64,
    ) -> AppResult<Vec<Notification>> {
        Ok(self
            .store
            .notifications(actor.id, before_id, limit.clamp(1, 100))
            .await?)
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        Ok(self.store.unread_notifications(actor.id).await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        tx.mark_notifications_read(actor.id, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
