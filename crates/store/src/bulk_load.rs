//! Bulk loading of generated data (`cocreate generate`): many rows per statement, with the
//! counters the generator computed; search indexes them once, in [`crate::Store::finish_load`].

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::dialogue::{INSERT_COLUMNS, comment_args, subject};
use crate::sql::ints;
use crate::{LoadedIdea, NewAccount, NewComment, Sql, SqlTx, StoreResult, Subject};

#[async_trait]
pub trait BulkLoadTx {
    /// Returns the new ids in order.
    async fn load_accounts(&mut self, accounts: &[NewAccount<'_>]) -> StoreResult<Vec<i64>>;
    /// Loads published ideas with the counters the caller computed, each with its first revision
    /// and its publication in the history. Search finds them after [`crate::Store::finish_load`].
    async fn load_ideas(&mut self, ideas: &[LoadedIdea<'_>]) -> StoreResult<Vec<i64>>;
    /// Loads (idea, account, when) supports; the ideas' counters are the caller's to keep exact.
    async fn load_supports(&mut self, supports: &[(i64, i64, Timestamp)]) -> StoreResult<()>;
    /// Loads comments without touching the ideas' counters; returns (id, subject) pairs.
    async fn load_comments(
        &mut self,
        comments: &[NewComment<'_>],
    ) -> StoreResult<Vec<(i64, Subject)>>;
}

const ACCOUNTS: &str =
    "INSERT INTO accounts (email, name, handle, password_hash, kind, role, created_at) ";
const IDEAS: &str = "INSERT INTO ideas (space_id, challenge_id, title, body, body_html, tags, \
     author_id, stage, supporters, comments, tiers, tier, tier_deadline, hot, trending, \
     created_at, updated_at) ";
/// What each loaded idea gets beside its row: its first revision and its publication.
const IDEA_HISTORY: [&str; 2] = [
    "INSERT INTO idea_revisions (idea_id, editor_id, title, body, tags, created_at) \
     SELECT id, author_id, title, body, tags, created_at FROM ideas WHERE id IN (",
    "INSERT INTO idea_events (idea_id, actor_id, from_stage, to_stage, rationale, created_at) \
     SELECT id, author_id, 'draft', 'gathering_support', '', created_at FROM ideas WHERE id IN (",
];

#[async_trait]
impl<T: SqlTx + ?Sized> BulkLoadTx for T {
    async fn load_accounts(&mut self, accounts: &[NewAccount<'_>]) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(accounts.len());
        for chunk in accounts.chunks(2000) {
            let mut sql = Sql::new(ACCOUNTS);
            sql.values(chunk, |a| {
                [
                    a.email.into(),
                    a.name.into(),
                    a.handle.into(),
                    a.password_hash.into(),
                    a.kind.as_str().into(),
                    a.role.as_str().into(),
                    a.created_at.into(),
                ]
            })
            .push(" RETURNING id");
            ids.extend(ints(&self.fetch_sql(&sql).await?, "id")?);
        }
        Ok(ids)
    }

    async fn load_ideas(&mut self, ideas: &[LoadedIdea<'_>]) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(ideas.len());
        for chunk in ideas.chunks(500) {
            let mut sql = Sql::new(IDEAS);
            sql.values(chunk, |loaded| {
                let i = &loaded.idea;
                [
                    i.space_id.into(),
                    i.challenge_id.into(),
                    i.title.into(),
                    i.body.into(),
                    i.body_html.into(),
                    i.tags.into(),
                    i.author_id.into(),
                    i.stage.as_str().into(),
                    loaded.supporters.into(),
                    loaded.comments.into(),
                    i.tiers.into(),
                    loaded.tier.into(),
                    i.tier_deadline.into(),
                    i.hot.into(),
                    loaded.trending.into(),
                    i.created_at.into(),
                    i.created_at.into(),
                ]
            })
            .push(" RETURNING id");
            let chunk_ids = ints(&self.fetch_sql(&sql).await?, "id")?;
            for history in IDEA_HISTORY {
                let mut sql = Sql::new(history);
                sql.list(chunk_ids.iter().copied()).push(")");
                self.execute_sql(&sql).await?;
            }
            ids.extend(chunk_ids);
        }
        Ok(ids)
    }

    async fn load_supports(&mut self, supports: &[(i64, i64, Timestamp)]) -> StoreResult<()> {
        for chunk in supports.chunks(5000) {
            let mut sql = Sql::new("INSERT INTO supports (idea_id, account_id, created_at) ");
            sql.values(chunk, |(idea_id, account_id, at)| {
                [(*idea_id).into(), (*account_id).into(), (*at).into()]
            });
            self.execute_sql(&sql).await?;
        }
        Ok(())
    }

    async fn load_comments(
        &mut self,
        comments: &[NewComment<'_>],
    ) -> StoreResult<Vec<(i64, Subject)>> {
        let mut ids = Vec::with_capacity(comments.len());
        for chunk in comments.chunks(2000) {
            let mut sql = Sql::new(INSERT_COLUMNS);
            sql.values(chunk, comment_args)
                .push(" RETURNING id, idea_id, challenge_id");
            for row in self.fetch_sql(&sql).await? {
                ids.push((row.int("id")?, subject(&row)?));
            }
        }
        Ok(ids)
    }
}
