//! News for many people leaves the writer's transaction: a comment or a decision records one
//! event there, and the background worker delivers it to the idea's followers (a notification)
//! or supporters and author (a mail), a batch per transaction, each recipient checked against
//! the policy as they are at delivery time.

use cocreate_store::{Fanout, FanoutKind, NewNotification, Recipient, Tx};

use crate::spaces::reads_space;
use crate::{App, AppResult};

/// Recipients told in one transaction at most.
const RECIPIENTS_PER_BATCH: i64 = 200;

impl App {
    /// Delivers waiting news, at most `max_batches` batches of recipients; returns how many
    /// batches it delivered (fewer when nothing more waits).
    pub async fn deliver_news(&self, max_batches: usize) -> AppResult<usize> {
        let mut delivered = 0;
        while delivered < max_batches {
            let mut tx = self.store.begin().await?;
            let Some(fanout) = tx.next_fanout().await? else {
                return Ok(delivered);
            };
            let recipients = tx.fanout_recipients(&fanout, RECIPIENTS_PER_BATCH).await?;
            let mut mailed = false;
            for recipient in &recipients {
                mailed |= self.tell(&mut *tx, &fanout, recipient).await?;
            }
            let full = i64::try_from(recipients.len()).unwrap_or(i64::MAX) >= RECIPIENTS_PER_BATCH;
            match recipients.last() {
                Some(last) if full => tx.advance_fanout(fanout.id, last.account_id).await?,
                _ => {
                    if fanout.kind == FanoutKind::Decision
                        && let Some(author) = tx.fanout_author(&fanout).await?
                    {
                        mailed |= self.tell(&mut *tx, &fanout, &author).await?;
                    }
                    tx.finish_fanout(fanout.id).await?;
                }
            }
            tx.commit().await?;
            if mailed {
                self.wake_mail_worker();
            }
            delivered += 1;
        }
        Ok(delivered)
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
        match fanout.kind {
            FanoutKind::Comment => {
                tx.insert_notification(&NewNotification {
                    account_id: recipient.account_id,
                    idea_id: Some(fanout.idea_id),
                    challenge_id: None,
                    comment_id: fanout.comment_id,
                    text: &fanout.subject,
                    created_at: self.now(),
                })
                .await?;
                Ok(false)
            }
            FanoutKind::Decision => {
                self.enqueue_mail(tx, &recipient.email, &fanout.subject, &fanout.body)
                    .await?;
                Ok(true)
            }
        }
    }
}
