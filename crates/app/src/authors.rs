//! Co-drafting: the lead author invites co-authors, who accept and may then edit the idea with
//! them. Invitations arrive as notifications.

use cocreate_core::text::{isolate, quoted};
use cocreate_core::{Action, Authorship, Email, IdeaAction, SpaceAccess, allows};
use cocreate_store::{CoAuthor, NewNotification};

use crate::{Actor, App, AppError, AppResult};

impl App {
    /// How the account stands to the idea.
    pub(crate) async fn authorship(
        &self,
        account_id: i64,
        idea: &cocreate_store::Idea,
    ) -> AppResult<Authorship> {
        if idea.author_id == account_id {
            return Ok(Authorship::Lead);
        }
        let co_authors = self.store.co_authors(idea.id).await?;
        Ok(authorship_among(Some(account_id), idea, &co_authors))
    }

    pub async fn co_authors(
        &self,
        actor: Option<&Actor>,
        idea_id: i64,
    ) -> AppResult<Vec<CoAuthor>> {
        self.visible_idea(actor, idea_id).await?;
        Ok(self.store.co_authors(idea_id).await?)
    }

    /// The lead author invites someone, by e-mail, who can see the idea's space.
    pub async fn invite_co_author(
        &self,
        actor: &Actor,
        idea_id: i64,
        email: &str,
    ) -> AppResult<CoAuthor> {
        let (idea, view) = self.visible_idea(Some(actor), idea_id).await?;
        let authorship = self.authorship(actor.id, &idea).await?;
        if !view.may_on_idea(&idea, authorship, IdeaAction::ManageCoAuthors) {
            return Err(AppError::Forbidden);
        }
        if idea.stage.is_final() {
            return Err(AppError::conflict(
                "stage",
                "a decided idea takes no new co-authors",
            ));
        }
        let email = Email::parse(email)?;
        let invitee = self
            .store
            .account_by_email(email.as_str())
            .await?
            .ok_or_else(|| AppError::invalid("email", "no account has this e-mail address"))?;
        if invitee.id == actor.id {
            return Err(AppError::invalid("email", "you are already its author"));
        }
        let access = SpaceAccess {
            audience: view.space.audience,
            viewer_is_member: self
                .store
                .is_space_member(view.space.id, invitee.id)
                .await?,
        };
        let invitee_viewer = cocreate_core::Viewer::Account {
            kind: invitee.kind,
            role: invitee.role,
        };
        if !allows(invitee_viewer, Action::Contribute(access)) {
            return Err(AppError::invalid(
                "email",
                "this person cannot take part in this space",
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.invite_co_author(idea_id, invitee.id, now).await? {
            return Err(AppError::conflict(
                "email",
                "this person is already invited",
            ));
        }
        let text = format!(
            "{} invites you to co-author {}",
            isolate(&actor.name),
            quoted(&idea.title)
        );
        tx.insert_notification(&NewNotification {
            account_id: invitee.id,
            idea_id: Some(idea_id),
            challenge_id: None,
            comment_id: None,
            text: &text,
            created_at: now,
        })
        .await?;
        self.commit(tx).await?;
        Ok(CoAuthor {
            account_id: invitee.id,
            name: invitee.name,
            accepted_at: None,
            invited_at: now,
        })
    }

    /// Accepts an invitation to co-author; the co-author follows the idea from then on.
    pub async fn accept_co_author(&self, actor: &Actor, idea_id: i64) -> AppResult<()> {
        self.visible_idea(Some(actor), idea_id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !tx.accept_co_author(idea_id, actor.id, now).await? {
            return Err(AppError::conflict(
                "invitation",
                "there is no open invitation for you on this idea",
            ));
        }
        tx.set_following(idea_id, actor.id, true, now).await?;
        self.commit(tx).await?;
        Ok(())
    }

    /// The lead author removes a co-author (or invitation); a co-author may leave.
    pub async fn remove_co_author(
        &self,
        actor: &Actor,
        idea_id: i64,
        account_id: i64,
    ) -> AppResult<()> {
        let (idea, view) = self.visible_idea(Some(actor), idea_id).await?;
        // A co-author may always leave; removing someone else is the policy's call.
        if actor.id != account_id {
            let authorship = self.authorship(actor.id, &idea).await?;
            if !view.may_on_idea(&idea, authorship, IdeaAction::ManageCoAuthors) {
                return Err(AppError::Forbidden);
            }
        }
        let mut tx = self.store.begin().await?;
        if !tx.remove_co_author(idea_id, account_id).await? {
            return Err(AppError::NotFound);
        }
        self.commit(tx).await?;
        Ok(())
    }
}

/// How `account_id` stands to the idea, given its co-authors (invited and accepted).
pub(crate) fn authorship_among(
    account_id: Option<i64>,
    idea: &cocreate_store::Idea,
    co_authors: &[CoAuthor],
) -> Authorship {
    let Some(account_id) = account_id else {
        return Authorship::None;
    };
    if idea.author_id == account_id {
        return Authorship::Lead;
    }
    match co_authors.iter().find(|c| c.account_id == account_id) {
        Some(c) if c.accepted_at.is_some() => Authorship::CoAuthor,
        Some(_) => Authorship::Invited,
        None => Authorship::None,
    }
}
