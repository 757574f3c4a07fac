//! The dialogue on ideas and challenges: threaded comments (official when staff answer),
//! editing within a window, deleting without breaking the thread, following ideas, and in-app
//! notifications.

use cocreate_core::dialogue::{
    EDIT_WINDOW_MINUTES, MAX_COMMENT_CHARS, MAX_MENTIONS, mentions, reply_placement, thread_order,
};
use cocreate_core::text::{isolate, quoted};
use cocreate_core::{CommentAction, Markdown, Stage};
use cocreate_store::{
    Account, Comment, FanoutKind, NewComment, NewFanout, NewNotification, Notification, Subject,
};

use crate::{Actor, App, AppError, AppResult, SpaceView};

/// Where a discussion takes place, as the actor sees it.
pub(crate) struct Discussion {
    pub space: SpaceView,
    /// The idea's or challenge's title.
    pub title: String,
    /// Why nobody may add to it now (the field and the message), when so.
    pub closed: Option<(&'static str, &'static str)>,
}

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
    /// The viewer is signed in and did not write it (nobody reports their own words).
    pub can_report: bool,
}

/// The thread on an idea or a challenge in reading order, and what the viewer may do there.
#[derive(Debug, Clone)]
pub struct Thread {
    pub subject: Subject,
    pub comments: Vec<CommentView>,
    pub can_comment: bool,
    /// The viewer moderates this space.
    pub can_moderate: bool,
    /// The viewer follows the idea (challenges are not followed).
    pub following: bool,
    /// The viewer is the space's staff, who may mark a comment an official answer.
    pub can_answer_officially: bool,
}

impl App {
    /// The idea or challenge a thread belongs to, if the actor may see it.
    pub(crate) async fn discussion(
        &self,
        actor: Option<&Actor>,
        subject: Subject,
    ) -> AppResult<Discussion> {
        match subject {
            Subject::Idea(id) => {
                let (idea, space) = self.visible_idea(actor, id).await?;
                let closed = if idea.stage == Stage::Draft {
                    Some((
                        "idea",
                        "drafts cannot be discussed until they are published",
                    ))
                } else if idea.hidden.is_some() {
                    Some(("idea", "this idea is hidden by a moderator"))
                } else {
                    None
                };
                Ok(Discussion {
                    space,
                    title: idea.title,
                    closed,
                })
            }
            Subject::Challenge(id) => {
                let (space, challenge) = self.challenge(actor, id).await?;
                let closed = challenge.has_closed(self.now()).then_some((
                    "challenge",
                    "this challenge has closed; its discussion can still be read",
                ));
                Ok(Discussion {
                    space,
                    title: challenge.title,
                    closed,
                })
            }
        }
    }

    pub async fn thread(&self, actor: Option<&Actor>, subject: Subject) -> AppResult<Thread> {
        let Discussion { space, closed, .. } = self.discussion(actor, subject).await?;
        let comments = self.store.comments(subject).await?;
        let pairs: Vec<(i64, Option<i64>)> = comments.iter().map(|c| (c.id, c.parent_id)).collect();
        let now = self.now();
        let views = thread_order(&pairs)
            .into_iter()
            .map(|index| {
                let mut comment = comments[index].clone();
                let own = actor.is_some_and(|a| a.id == comment.author_id);
                if comment.hidden.is_some() && !space.may_on_comment(own, CommentAction::ReadHidden)
                {
                    comment.body.clear();
                    comment.body_html.clear();
                }
                let live = comment.deleted_at.is_none();
                CommentView {
                    can_edit: space.may_on_comment(own, CommentAction::Edit)
                        && live
                        && comment.hidden.is_none()
                        && now <= comment.created_at.plus_minutes(EDIT_WINDOW_MINUTES),
                    can_delete: live && space.may_on_comment(own, CommentAction::Delete),
                    can_moderate: live && space.can_moderate,
                    can_report: live && actor.is_some() && !own,
                    comment,
                }
            })
            .collect();
        let following = match (actor, subject) {
            (Some(actor), Subject::Idea(idea_id)) => {
                self.store.is_following(idea_id, actor.id).await?
            }
            _ => false,
        };
        Ok(Thread {
            subject,
            comments: views,
            can_comment: space.can_contribute && closed.is_none(),
            can_moderate: space.can_moderate,
            following,
            can_answer_officially: space.can_curate && closed.is_none(),
        })
    }

    /// Comments on an idea or a challenge, or replies to one of its comments; staff may mark it
    /// an official answer. People mentioned as `@handle` are told at once; on an idea the writer
    /// follows it from then on and every other follower is told by the news job; on a challenge
    /// the author of the comment replied to is told at once. Nobody is told twice, nor about a
    /// space they may not read.
    pub async fn add_comment(
        &self,
        actor: &Actor,
        subject: Subject,
        parent_id: Option<i64>,
        body: &str,
        official: bool,
    ) -> AppResult<Comment> {
        let discussion = self.discussion(Some(actor), subject).await?;
        let space = &discussion.space;
        if !space.can_contribute {
            return Err(AppError::Forbidden);
        }
        if official && !space.can_curate {
            return Err(AppError::invalid(
                "official",
                "only the space's staff answer officially",
            ));
        }
        if let Some((field, message)) = discussion.closed {
            return Err(AppError::conflict(field, message));
        }
        let body = Markdown::parse("body", body, true, MAX_COMMENT_CHARS)?;
        let mentioned = self.mentioned_people(&body).await?;
        let body = body.linking_mentions(&handles_of(&mentioned));
        let parent = match parent_id {
            None => None,
            Some(parent_id) => {
                let parent = self
                    .store
                    .comment(parent_id)
                    .await?
                    .filter(|c| c.subject == subject)
                    .ok_or_else(|| {
                        AppError::invalid("parent_id", "is not a comment in this discussion")
                    })?;
                if parent.deleted_at.is_some() || parent.hidden.is_some() {
                    return Err(AppError::invalid(
                        "parent_id",
                        "that comment was deleted or hidden",
                    ));
                }
                Some(parent)
            }
        };
        let (parent_id, depth) = parent.as_ref().map_or((None, 0), |parent| {
            reply_placement(parent.id, parent.depth, parent.parent_id)
        });
        let (name, title) = (isolate(&actor.name), quoted(&discussion.title));
        let mention = format!("{name} mentioned you on {title}");
        let news = if official {
            format!("{name} answered officially on {title}")
        } else {
            format!("{name} commented on {title}")
        };
        // The few told at once (those mentioned, and on a challenge the author of the comment
        // replied to) are read before the transaction: a read through the pool while the
        // transaction holds a connection can, under load, leave every connection of the pool
        // held by a transaction waiting for another. An idea's followers, however many, are
        // told after it by the news job.
        let mut told: Vec<(i64, &str)> =
            mentioned.iter().map(|a| (a.id, mention.as_str())).collect();
        if let Subject::Challenge(_) = subject {
            for account_id in parent.iter().map(|p| p.author_id) {
                if !told.iter().any(|(id, _)| *id == account_id) {
                    told.push((account_id, news.as_str()));
                }
            }
        }
        let mut readers = Vec::with_capacity(told.len());
        for (account_id, text) in told {
            if account_id != actor.id && self.account_can_read(account_id, &space.space).await? {
                readers.push((account_id, text));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_comment(&NewComment {
                subject,
                parent_id,
                depth,
                author_id: actor.id,
                body: &body.source,
                body_html: &body.html,
                official,
                created_at: now,
            })
            .await?;
        if let Subject::Idea(idea_id) = subject {
            tx.set_following(idea_id, actor.id, true, now).await?;
            crate::ranks::rerank(&mut *tx, &[idea_id], now).await?;
            tx.insert_fanout(&NewFanout {
                kind: FanoutKind::Comment,
                idea_id,
                comment_id: Some(id),
                skip_account_id: Some(actor.id),
                subject: &news,
                body: "",
                created_at: now,
                event_id: None,
            })
            .await?;
        }
        for (account_id, text) in readers {
            tx.insert_notification(&NewNotification {
                account_id,
                idea_id: subject.idea_id(),
                challenge_id: subject.challenge_id(),
                comment_id: Some(id),
                text,
                created_at: now,
            })
            .await?;
        }
        self.commit(tx).await?;
        self.wake_news_worker();
        self.store.comment(id).await?.ok_or(AppError::NotFound)
    }

    /// A live comment the actor may see, whether the actor wrote it, and the policy's answer for
    /// `action` on it.
    async fn comment_for(
        &self,
        actor: &Actor,
        id: i64,
        action: CommentAction,
    ) -> AppResult<(Comment, bool, bool)> {
        let comment = self.store.comment(id).await?.ok_or(AppError::NotFound)?;
        let discussion = self.discussion(Some(actor), comment.subject).await?;
        if comment.deleted_at.is_some() {
            return Err(AppError::NotFound);
        }
        let own = comment.author_id == actor.id;
        let allowed = discussion.space.may_on_comment(own, action);
        Ok((comment, own, allowed))
    }

    /// The idea or challenge a comment belongs to, when the actor may see that discussion.
    pub async fn comment_subject(&self, actor: &Actor, id: i64) -> AppResult<Subject> {
        let comment = self.store.comment(id).await?.ok_or(AppError::NotFound)?;
        self.discussion(Some(actor), comment.subject).await?;
        Ok(comment.subject)
    }

    /// The author edits a comment within the edit window; the comment shows it was edited.
    pub async fn edit_comment(&self, actor: &Actor, id: i64, body: &str) -> AppResult<Comment> {
        let (comment, _, allowed) = self.comment_for(actor, id, CommentAction::Edit).await?;
        if !allowed {
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
        let mentioned = self.mentioned_people(&body).await?;
        let body = body.linking_mentions(&handles_of(&mentioned));
        let mut tx = self.store.begin().await?;
        tx.edit_comment(id, &body.source, &body.html, now).await?;
        self.commit(tx).await?;
        self.store.comment(id).await?.ok_or(AppError::NotFound)
    }

    /// The people a comment mentions who have an account; at most [`MAX_MENTIONS`] may be named.
    async fn mentioned_people(&self, body: &Markdown) -> AppResult<Vec<Account>> {
        let handles = mentions(&body.source);
        if handles.len() > MAX_MENTIONS {
            return Err(AppError::invalid(
                "body",
                format!("mention at most {MAX_MENTIONS} people in one comment"),
            ));
        }
        Ok(self.store.accounts_by_handles(&handles).await?)
    }

    /// The comment, when the actor may delete it: for the page that asks them to confirm.
    pub async fn deletable_comment(&self, actor: &Actor, id: i64) -> AppResult<Comment> {
        let (comment, _, allowed) = self.comment_for(actor, id, CommentAction::Delete).await?;
        if !allowed || comment.deleted_at.is_some() {
            return Err(AppError::Forbidden);
        }
        Ok(comment)
    }

    /// Deletes a comment (its author or a moderator); its replies stay in the thread. Returns
    /// what the thread belongs to.
    pub async fn delete_comment(&self, actor: &Actor, id: i64) -> AppResult<Subject> {
        let (comment, own, allowed) = self.comment_for(actor, id, CommentAction::Delete).await?;
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if tx.delete_comment(id, now).await?
            && let Subject::Idea(idea_id) = comment.subject
        {
            crate::ranks::rerank(&mut *tx, &[idea_id], now).await?;
        }
        // Its flags need no more attention.
        tx.resolve_flags(cocreate_store::ContentKind::Comment, id, actor.id, now)
            .await?;
        if !own {
            self.audit(
                &mut *tx,
                Some(actor),
                "comment.delete",
                &format!("comment:{id}"),
                &subject_label(comment.subject),
            )
            .await?;
        }
        self.commit(tx).await?;
        Ok(comment.subject)
    }

    /// Follows or unfollows an idea the actor may see.
    pub async fn set_following(&self, actor: &Actor, idea_id: i64, follow: bool) -> AppResult<()> {
        self.visible_idea(Some(actor), idea_id).await?;
        let mut tx = self.store.begin().await?;
        tx.set_following(idea_id, actor.id, follow, self.now())
            .await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The actor's notifications, newest first, before `before_id`. One about an idea or a
    /// challenge the actor can no longer see (left the space, or the idea was hidden) keeps its
    /// place in the list but says nothing of what it was about.
    pub async fn notifications(
        &self,
        actor: &Actor,
        before_id: i64,
        limit: i64,
    ) -> AppResult<Vec<Notification>> {
        let mut notifications = self
            .store
            .notifications(actor.id, before_id, limit.clamp(1, 100))
            .await?;
        let mut seen = std::collections::HashMap::new();
        for notification in &mut notifications {
            let Some(subject) = notification.subject() else {
                continue;
            };
            let visible = match seen.get(&subject) {
                Some(&visible) => visible,
                None => {
                    let visible = self.can_see(actor, subject).await?;
                    seen.insert(subject, visible);
                    visible
                }
            };
            if !visible {
                notification.text = NO_LONGER_VISIBLE.to_owned();
                notification.idea_id = None;
                notification.challenge_id = None;
                notification.comment_id = None;
            }
        }
        Ok(notifications)
    }

    /// Whether the actor may see the idea or challenge now.
    async fn can_see(&self, actor: &Actor, subject: Subject) -> AppResult<bool> {
        let seen = match subject {
            Subject::Idea(id) => self.visible_idea(Some(actor), id).await.map(|_| ()),
            Subject::Challenge(id) => self.challenge(Some(actor), id).await.map(|_| ()),
        };
        match seen {
            Ok(()) => Ok(true),
            Err(AppError::NotFound) => Ok(false),
            Err(other) => Err(other),
        }
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        Ok(self.store.unread_notifications(actor.id).await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        tx.mark_notifications_read(actor.id, self.now()).await?;
        self.commit(tx).await?;
        Ok(())
    }
}

/// What a notification says once its subject is out of the reader's sight.
pub const NO_LONGER_VISIBLE: &str = "About something you can no longer see.";

/// How the audit log names an idea or a challenge.
pub(crate) fn subject_label(subject: Subject) -> String {
    match subject {
        Subject::Idea(id) => format!("idea:{id}"),
        Subject::Challenge(id) => format!("challenge:{id}"),
    }
}

/// The handles of people found by their mentions, to link them in the text.
fn handles_of(people: &[Account]) -> Vec<String> {
    people.iter().map(|person| person.handle.clone()).collect()
}
