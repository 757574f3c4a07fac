//! News for many people leaves the writer's transaction: a comment, a decision or a tier climbed
//! records one event there, and the background worker delivers it to the idea's followers (a
//! notification) or supporters and author (a notification, and a mail for a decision; those whose
//! feedback is linked to the idea are told of a decision too), a batch
//! per transaction, each recipient checked against the policy as they are at delivery time.

use cocreate_store::{Fanout, FanoutKind, NewNotification, Recipient, Tx};

use crate::spaces::reads_space;
use crate::{App, AppError, AppResult};

/// Recipients told in one transaction at most.
const RECIPIENTS_PER_BATCH: i64 = 200;

impl App {
    /// Delivers waiting news, at most `max_batches` batches of recipients; returns how many
    /// batches it took (fewer when nothing more waits).
    pub async fn deliver_news(&self, max_batches: usize) -> AppResult<usize> {
        let mut delivered = 0;
        while delivered < max_batches {
            let mut tx = self.store.begin().await?;
            let Some(fanout) = tx.next_fanout().await? else {
                return Ok(delivered);
            };
            match self.deliver_batch(&mut *tx, &fanout).await {
                Ok(mailed) => {
                    tx.commit().await?;
                    if mailed {
                        self.wake_mail_worker();
                    }
                }
                Err(error @ (AppError::Unavailable(_) | AppError::StorageFull)) => {
                    return Err(error);
                }
                Err(error) => {
                    // Anything else would fail again the same way: counted, the event is set
                    // aside after a few, so that it holds up no other news.
                    drop(tx);
                    tracing::warn!(%error, fanout = fanout.id, "could not deliver news");
                    let mut tx = self.store.begin().await?;
                    tx.fanout_failed(fanout.id).await?;
                    tx.commit().await?;
                }
            }
            delivered += 1;
        }
        Ok(delivered)
    }

    /// Tells the event's next batch of recipients, inside `tx`; returns whether mail was
    /// enqueued. An event whose idea or comment was withdrawn since tells nobody more.
    async fn deliver_batch(&self, tx: &mut dyn Tx, fanout: &Fanout) -> AppResult<bool> {
        if fanout.withdrawn {
            tx.finish_fanout(fanout.id).await?;
            return Ok(false);
        }
        let recipients = tx.fanout_recipients(fanout, RECIPIENTS_PER_BATCH).await?;
        let mut mailed = false;
        for recipient in &recipients {
            mailed |= self.tell(tx, fanout, recipient).await?;
        }
        let full = i64::try_from(recipients.len()).unwrap_or(i64::MAX) >= RECIPIENTS_PER_BATCH;
        match recipients.last() {
            Some(last) if full => tx.advance_fanout(fanout.id, last.account_id).await?,
            _ => {
                if matches!(fanout.kind, FanoutKind::Decision | FanoutKind::Milestone)
                    && let Some(author) = tx.fanout_author(fanout).await?
                {
                    mailed |= self.tell(tx, fanout, &author).await?;
                }
                tx.finish_fanout(fanout.id).await?;
            }
        }
        Ok(mailed)
    }

    /// Tells one recipient, when the policy lets them read the idea's space now and they were
    /// not told already; returns whether a mail was enqueued.
    async fn tell(
        &self,
        tx: &mut dyn Tx,
        fanout: &Fanout,
        recipient: &Recipient,
    ) -> AppResult<bool> {
        let may_read = reads_space(
            recipient.kind,
            recipient.role,
            fanout.audience,
            recipient.member,
        );
        if !may_read || recipient.told || Some(recipient.account_id) == fanout.skip_account_id {
            return Ok(false);
        }
        tx.insert_notification(&NewNotification {
            account_id: recipient.account_id,
            idea_id: Some(fanout.idea_id),
            challenge_id: None,
            comment_id: fanout.comment_id,
            text: &fanout.subject,
            created_at: self.now(),
        })
        .await?;
        if let Some(event_id) = fanout.event_id {
            tx.insert_stage_news(recipient.account_id, event_id).await?;
        }
        if !matches!(fanout.kind, FanoutKind::Decision | FanoutKind::Asked) {
            return Ok(false);
        }
        self.enqueue_mail(tx, &recipient.email, &fanout.subject, &fanout.body)
            .await?;
        Ok(true)
    }
}
