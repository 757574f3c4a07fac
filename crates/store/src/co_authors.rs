//! Co-authors of an idea: invited by its lead author, then accepted.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{CoAuthor, SqlRead, SqlTx, StoreResult};

#[async_trait]
pub trait CoAuthorRead {
    /// The idea's co-authors, invited and accepted, in invitation order.
    async fn co_authors(&self, idea_id: i64) -> StoreResult<Vec<CoAuthor>>;
}

#[async_trait]
pub trait CoAuthorTx {
    /// Invites a co-author; false when already invited.
    async fn invite_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Accepts a pending invitation; false when there is none.
    async fn accept_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Removes a co-author or invitation; false when there is none.
    async fn remove_co_author(&mut self, idea_id: i64, account_id: i64) -> StoreResult<bool>;
}

const LIST: &str = "SELECT c.account_id, a.name, c.accepted_at, c.invited_at FROM idea_authors c \
     JOIN accounts a ON a.id = c.account_id WHERE c.idea_id = $1 \
     ORDER BY c.invited_at, c.account_id";
const INVITE: &str = "INSERT INTO idea_authors (idea_id, account_id, invited_at) \
     VALUES ($1, $2, $3) ON CONFLICT (idea_id, account_id) DO NOTHING";
const ACCEPT: &str = "UPDATE idea_authors SET accepted_at = $1 \
     WHERE idea_id = $2 AND account_id = $3 AND accepted_at IS NULL";
const REMOVE: &str = "DELETE FROM idea_authors WHERE idea_id = $1 AND account_id = $2";

#[async_trait]
impl<S: SqlRead + ?Sized> CoAuthorRead for S {
    async fn co_authors(&self, idea_id: i64) -> StoreResult<Vec<CoAuthor>> {
        let rows = self.fetch(LIST, &[idea_id.into()]).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(CoAuthor {
                    account_id: row.int("account_id")?,
                    name: row.text("name")?,
                    accepted_at: row.maybe_time("accepted_at")?,
                    invited_at: row.time("invited_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> CoAuthorTx for T {
    async fn invite_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let args = [idea_id.into(), account_id.into(), now.into()];
        Ok(self.execute(INVITE, &args).await? == 1)
    }

    async fn accept_co_author(
        &mut self,
        idea_id: i64,
        account_id: i64,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let args = [now.into(), idea_id.into(), account_id.into()];
        Ok(self.execute(ACCEPT, &args).await? == 1)
    }

    async fn remove_co_author(&mut self, idea_id: i64, account_id: i64) -> StoreResult<bool> {
        let args = [idea_id.into(), account_id.into()];
        Ok(self.execute(REMOVE, &args).await? == 1)
    }
}
