//! Triage beyond closing: staff link feedback to the idea it is evidence for, answer its
//! author (who reads the answer with their feedback and by mail), or turn it into a new idea
//! whose author is the customer. An idea's evidence — how many people asked for it, and, for
//! staff, each request with who and where it came from — shows on its page.

use cocreate_core::FeedbackAnswer;
use cocreate_core::text::quoted;
use cocreate_store::{FeedbackAuthor, FeedbackItem, Idea, NewNotification};

use crate::{Actor, App, AppError, AppResult, IdeaInput};

/// Requests an idea's page lists.
pub const EVIDENCE_SHOWN: i64 = 50;

/// The feedback an idea is evidence of.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// People who asked for it (accounts and contacts, each once).
    pub people: i64,
    /// For staff who curate its space: the newest requests (empty for everyone else).
    pub requests: Vec<FeedbackItem>,
}

impl App {
    /// Staff link feedback (up to 200 pieces at once) to an idea of a space they curate: it is
    /// then evidence for the idea, and its authors hear of the idea's decisions. Feedback
    /// outside the spaces they triage is left alone; the count linked is returned.
    pub async fn link_feedback(&self, actor: &Actor, ids: &[i64], idea_id: i64) -> AppResult<u64> {
        crate::feedback::check_bulk(ids)?;
        let space_ids = self.triaged_space_ids(actor).await?;
        let (idea, space) = self
            .visible_idea(Some(actor), idea_id)
            .await
            .map_err(|_| AppError::invalid("idea_id", "matches no idea you may see"))?;
        if !space.can_curate {
            return Err(AppError::invalid(
                "idea_id",
                "must be an idea of a space you look after",
            ));
        }
        if idea.stage == cocreate_core::Stage::Draft || idea.merged_into.is_some() {
            return Err(AppError::invalid(
                "idea_id",
                "must be a published idea that was not merged",
            ));
        }
        let mut tx = self.store.begin().await?;
        let linked = tx
            .link_feedback(ids, &space_ids, idea.id, actor.id, self.now())
            .await?;
        self.commit(tx).await?;
        Ok(linked)
    }

    /// Staff answer a piece of feedback: its author reads the answer with it, and by mail.
    pub async fn answer_feedback(
        &self,
        actor: &Actor,
        id: i64,
        answer: &str,
    ) -> AppResult<FeedbackItem> {
        let view = self.feedback_item(actor, id).await?;
        if !view.can_triage {
            return Err(AppError::Forbidden);
        }
        let answer = FeedbackAnswer::parse(answer)?;
        let item = view.item;
        let subject = format!("An answer to your feedback on {}", item.product_name);
        let body = format!(
            "You wrote:\n\n{}\n\n{} answered:\n\n{}\n\nRead it online: {}\n",
            item.body,
            actor.name,
            answer.as_str(),
            self.link(&format!("/feedback/{id}"))
        );
        let mut tx = self.store.begin().await?;
        tx.answer_feedback(id, answer.as_str(), actor.id, self.now())
            .await?;
        self.tell_author(&mut *tx, &item, item.idea_id, &subject, &body)
            .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        self.store
            .feedback_item(id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Staff turn a piece of feedback into a new idea in its product's space, written in the
    /// customer's name (they must have an account there), linked to it and told.
    pub async fn idea_from_feedback(
        &self,
        actor: &Actor,
        id: i64,
        title: &str,
        body: &str,
    ) -> AppResult<Idea> {
        let view = self.feedback_item(actor, id).await?;
        if !view.can_triage {
            return Err(AppError::Forbidden);
        }
        let item = view.item;
        let FeedbackAuthor::Account { id: author_id, .. } = &item.author else {
            return Err(AppError::invalid(
                "author",
                "has no account, and only someone with an account can be an idea's author: link the feedback to an idea instead",
            ));
        };
        let account = self
            .store
            .account_by_id(*author_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let customer = Actor::from_account(&account, None);
        let space = self.space_by_id(Some(&customer), item.space_id).await?;
        if !space.can_contribute {
            return Err(AppError::invalid(
                "author",
                "may not propose ideas in this product's space",
            ));
        }
        let body = if body.trim().is_empty() {
            item.body.as_str()
        } else {
            body
        };
        let input = IdeaInput {
            title,
            body,
            tags: "",
            challenge_id: None,
            publish: true,
        };
        let proposal = self.prepare_proposal(&space, &input).await?;
        let space_ids = self.triaged_space_ids(actor).await?;
        let mut tx = self.store.begin().await?;
        let idea_id = self
            .insert_proposal(&mut *tx, &customer, &space, &proposal)
            .await?;
        tx.set_idea_product(idea_id, Some(item.product_id)).await?;
        tx.link_feedback(&[item.id], &space_ids, idea_id, actor.id, self.now())
            .await?;
        let subject = format!(
            "Your feedback on {} is now an idea: {}",
            item.product_name,
            quoted(title.trim())
        );
        let body = format!(
            "You wrote:\n\n{}\n\n{} made it an idea in your name, for others to support: {}\n",
            item.body,
            actor.name,
            self.link(&format!("/ideas/{idea_id}"))
        );
        self.tell_author(&mut *tx, &item, Some(idea_id), &subject, &body)
            .await?;
        self.commit(tx).await?;
        self.wake_mail_worker();
        self.store.idea(idea_id).await?.ok_or(AppError::NotFound)
    }

    /// How many people asked for an idea, and for staff who curate its space, their requests.
    pub async fn idea_evidence(&self, actor: Option<&Actor>, idea_id: i64) -> AppResult<Evidence> {
        let (_, space) = self.visible_idea(actor, idea_id).await?;
        let (people, requests) = self.store.idea_evidence(idea_id, EVIDENCE_SHOWN).await?;
        Ok(Evidence {
            people,
            requests: if space.can_curate {
                requests
            } else {
                Vec::new()
            },
        })
    }

    /// Tells a piece of feedback's author by mail (and in the app, when they have an account).
    async fn tell_author(
        &self,
        tx: &mut dyn cocreate_store::Tx,
        item: &FeedbackItem,
        idea_id: Option<i64>,
        subject: &str,
        body: &str,
    ) -> AppResult<()> {
        let email = match &item.author {
            FeedbackAuthor::Account { id, .. } => {
                tx.insert_notification(&NewNotification {
                    account_id: *id,
                    idea_id,
                    challenge_id: None,
                    comment_id: None,
                    text: subject,
                    created_at: self.now(),
                })
                .await?;
                tx.account_by_id(*id).await?.map(|account| account.email)
            }
            FeedbackAuthor::Contact { email, .. } => Some(email.clone()),
            FeedbackAuthor::Gone => None,
        };
        if let Some(email) = email {
            self.enqueue_mail(tx, &email, subject, body).await?;
        }
        Ok(())
    }
}
