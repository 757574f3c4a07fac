//! Notifications: news for one person, read in the app.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{NewNotification, Notification, SqlRead, SqlTx, StoreResult};

#[async_trait]
pub trait NotificationRead {
    /// Newest first, strictly before `before_id`.
    async fn notifications(
        &self,
        account_id: i64,
        before_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<Notification>>;
    async fn unread_notifications(&self, account_id: i64) -> StoreResult<i64>;
}

#[async_trait]
pub trait NotificationTx {
    async fn insert_notification(&mut self, notification: &NewNotification<'_>) -> StoreResult<()>;
    async fn mark_notifications_read(
        &mut self,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<u64>;
}

const PAGE: &str = "SELECT id, account_id, idea_id, challenge_id, comment_id, text, created_at, \
     read_at FROM notifications WHERE account_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
const UNREAD: &str =
    "SELECT COUNT(*) AS n FROM notifications WHERE account_id = $1 AND read_at IS NULL";
const INSERT: &str = "INSERT INTO notifications \
     (account_id, idea_id, challenge_id, comment_id, text, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";
const MARK_READ: &str =
    "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL";

#[async_trait]
impl<S: SqlRead + ?Sized> NotificationRead for S {
    async fn notifications(
        &self,
        account_id: i64,
        before_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<Notification>> {
        let args = [account_id.into(), before_id.into(), limit.into()];
        let rows = self.fetch(PAGE, &args).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(Notification {
                    id: row.int("id")?,
                    account_id: row.int("account_id")?,
                    idea_id: row.maybe_int("idea_id")?,
                    challenge_id: row.maybe_int("challenge_id")?,
                    comment_id: row.maybe_int("comment_id")?,
                    text: row.text("text")?,
                    created_at: row.time("created_at")?,
                    read_at: row.maybe_time("read_at")?,
                })
            })
            .collect()
    }

    async fn unread_notifications(&self, account_id: i64) -> StoreResult<i64> {
        self.fetch_one(UNREAD, &[account_id.into()]).await?.int("n")
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> NotificationTx for T {
    async fn insert_notification(&mut self, new: &NewNotification<'_>) -> StoreResult<()> {
        let args = [
            new.account_id.into(),
            new.idea_id.into(),
            new.challenge_id.into(),
            new.comment_id.into(),
            new.text.into(),
            new.created_at.into(),
        ];
        self.execute(INSERT, &args).await?;
        Ok(())
    }

    async fn mark_notifications_read(
        &mut self,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<u64> {
        self.execute(MARK_READ, &[now.into(), account_id.into()])
            .await
    }
}
