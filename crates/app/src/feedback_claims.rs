//! Feedback given with an e-mail address before its giver had an account becomes the account's
//! when they show both that they hold the address and that the account is theirs: sign-up mails
//! the address a link, which works only for someone signed in to that account. Either alone is
//! not enough — an account's address is not confirmed at sign-up, and a mailed link can be
//! forwarded — so nobody reads another person's feedback by signing up with their address.

use cocreate_core::Email;
use cocreate_store::{Account, FeedbackFilter, FeedbackItem, TokenPurpose, Tx};

use crate::{Actor, App, AppError, AppResult, FEEDBACK_PER_PAGE};

/// How long a link to claim earlier feedback works.
pub const CLAIM_FEEDBACK_DAYS: i64 = 7;

/// A page of a person's own feedback.
#[derive(Debug, Clone)]
pub struct OwnFeedback {
    pub items: Vec<FeedbackItem>,
    /// Where the next page starts, when there is one.
    pub next: Option<i64>,
    /// The newest feedback they sent in for others (a partner's, for its customers).
    pub sent: Vec<FeedbackItem>,
}

impl App {
    /// Pieces of feedback waiting for an account with this address (none for a malformed one).
    pub(crate) async fn waiting_feedback(&self, email: &str) -> AppResult<i64> {
        match Email::parse(email) {
            Ok(email) => Ok(self.store.contact_feedback_count(email.as_str()).await?),
            Err(_) => Ok(0),
        }
    }

    /// Inside sign-up's transaction: mails the new account's address a link that makes the
    /// `waiting` pieces of feedback given with it the account's.
    pub(crate) async fn offer_feedback_claim(
        &self,
        tx: &mut dyn Tx,
        account: &Account,
        waiting: i64,
    ) -> AppResult<()> {
        if waiting == 0 {
            return Ok(());
        }
        let token = self
            .issue_account_token(
                tx,
                account.id,
                TokenPurpose::ClaimFeedback,
                Some(&account.email),
                CLAIM_FEEDBACK_DAYS * 24 * 60,
            )
            .await?;
        let pieces = if waiting == 1 {
            "one piece of feedback".to_owned()
        } else {
            format!("{waiting} pieces of feedback")
        };
        let body = format!(
            "Hello {},\n\nyou gave us {pieces} with this address before you had an account. \
             To keep it in your account, with our answers, open this link within a week while \
             you are signed in:\n\n{}\n\nIf you gave us no feedback, ignore this mail.\n",
            account.name,
            self.link(&format!("/feedback/claim/{token}"))
        );
        self.enqueue_mail(tx, &account.email, "Your earlier feedback", &body)
            .await
    }

    /// Makes the feedback a claim link was mailed for the signed-in account's; how many pieces
    /// moved. The link works once, and only for the account it was mailed to.
    pub async fn claim_feedback(&self, actor: &Actor, token: &str) -> AppResult<u64> {
        let mut tx = self.store.begin().await?;
        let used = tx
            .consume_account_token(&self.hash(token), TokenPurpose::ClaimFeedback, self.now())
            .await?
            .ok_or(AppError::InvalidToken)?;
        if used.account_id != actor.id {
            // Dropping the transaction keeps the link usable by its account.
            return Err(AppError::InvalidToken);
        }
        let email = used.new_email.ok_or(AppError::InvalidToken)?;
        let moved = tx.claim_contact_feedback(&email, actor.id).await?;
        self.audit(
            &mut *tx,
            Some(actor),
            "feedback.claim",
            &format!("account:{}", actor.id),
            &format!("{moved} pieces of feedback given as {email}"),
        )
        .await?;
        self.commit(tx).await?;
        Ok(moved)
    }

    /// The actor's own feedback in the spaces they may read, newest first, and on the first page
    /// the newest they sent in for others.
    pub async fn own_feedback(&self, actor: &Actor, before: Option<i64>) -> AppResult<OwnFeedback> {
        let space_ids: Vec<i64> = self
            .spaces(Some(actor))
            .await?
            .iter()
            .map(|space| space.space.id)
            .collect();
        let mut items = self
            .store
            .feedback_list(&FeedbackFilter {
                space_ids: &space_ids,
                author_account_id: Some(actor.id),
                before,
                limit: FEEDBACK_PER_PAGE + 1,
                ..FeedbackFilter::default()
            })
            .await?;
        let next = if items.len() > usize::try_from(FEEDBACK_PER_PAGE).unwrap_or(usize::MAX) {
            items.pop();
            items.last().map(|item| item.id)
        } else {
            None
        };
        let sent = if before.is_none() {
            self.store
                .feedback_list(&FeedbackFilter {
                    space_ids: &space_ids,
                    submitted_by: Some(actor.id),
                    limit: FEEDBACK_PER_PAGE,
                    ..FeedbackFilter::default()
                })
                .await?
        } else {
            Vec::new()
        };
        Ok(OwnFeedback { items, next, sent })
    }
}
