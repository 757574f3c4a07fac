//! The mail outbox: mails are queued in the change's transaction, then sent by the worker, each
//! leased while it is being sent and retried until it goes or is given up.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{MailOutcome, MailStatus, NewMail, OutboxMail, SqlRead, SqlRow, SqlTx, StoreResult};

#[async_trait]
pub trait OutboxRead {
    /// Newest first, strictly before `before_id`.
    async fn outbox(&self, before_id: i64, limit: i64) -> StoreResult<Vec<OutboxMail>>;
}

#[async_trait]
pub trait OutboxTx {
    async fn enqueue_mail(&mut self, mail: &NewMail<'_>) -> StoreResult<i64>;
    /// Leases up to `limit` pending mails whose time has come until `lease_until`.
    async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMail>>;
    async fn finish_mail(
        &mut self,
        mail_id: i64,
        outcome: &MailOutcome,
        now: Timestamp,
    ) -> StoreResult<()>;
}

const COLUMNS: &str =
    "id, to_address, subject, body, status, attempts, next_attempt_at, last_error, created_at";
const ENQUEUE: &str = "INSERT INTO outbox \
     (to_address, subject, body, status, attempts, next_attempt_at, created_at) \
     VALUES ($1, $2, $3, 'pending', 0, $4, $4) RETURNING id";
const LEASE: &str = "UPDATE outbox SET locked_until = $1, attempts = attempts + 1 WHERE id = $2";
const FINISH: &str = "UPDATE outbox SET status = $1, last_error = $2, next_attempt_at = $3, \
     locked_until = NULL, finished_at = CASE WHEN $1 = 'pending' THEN NULL ELSE $4 END \
     WHERE id = $5";

fn mail(mut row: SqlRow) -> StoreResult<OutboxMail> {
    Ok(OutboxMail {
        id: row.int("id")?,
        to_address: row.text("to_address")?,
        subject: row.text("subject")?,
        body: row.text("body")?,
        status: row.parse("status")?,
        attempts: row.int("attempts")?,
        next_attempt_at: row.time("next_attempt_at")?,
        last_error: row.maybe_text("last_error")?,
        created_at: row.time("created_at")?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> OutboxRead for S {
    async fn outbox(&self, before_id: i64, limit: i64) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id < $1 ORDER BY id DESC LIMIT $2");
        let rows = self.fetch(&sql, &[before_id.into(), limit.into()]).await?;
        rows.into_iter().map(mail).collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> OutboxTx for T {
    async fn enqueue_mail(&mut self, new: &NewMail<'_>) -> StoreResult<i64> {
        let args = [
            new.to_address.into(),
            new.subject.into(),
            new.body.into(),
            new.created_at.into(),
        ];
        self.insert_returning_id(ENQUEUE, &args).await
    }

    async fn claim_mail(
        &mut self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
             AND (locked_until IS NULL OR locked_until <= $1) ORDER BY id LIMIT $2{}",
            self.dialect().skip_locked
        );
        let rows = self.fetch(&sql, &[now.into(), limit.into()]).await?;
        let mut mails = rows
            .into_iter()
            .map(mail)
            .collect::<StoreResult<Vec<_>>>()?;
        for claimed in &mut mails {
            self.execute(LEASE, &[lease_until.into(), claimed.id.into()])
                .await?;
            claimed.attempts += 1;
        }
        Ok(mails)
    }

    async fn finish_mail(
        &mut self,
        mail_id: i64,
        outcome: &MailOutcome,
        now: Timestamp,
    ) -> StoreResult<()> {
        let (status, error, next) = match outcome {
            MailOutcome::Sent => (MailStatus::Sent, None, now),
            MailOutcome::Logged => (MailStatus::Logged, None, now),
            MailOutcome::Retry { error, retry_at } => {
                (MailStatus::Pending, Some(error.as_str()), *retry_at)
            }
            MailOutcome::Dead { error } => (MailStatus::Dead, Some(error.as_str()), now),
        };
        let args = [
            status.as_str().into(),
            error.into(),
            next.into(),
            now.into(),
            mail_id.into(),
        ];
        self.execute(FINISH, &args).await?;
        Ok(())
    }
}
