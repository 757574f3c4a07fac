//! People's public pages: what a person has proposed, as one viewer may see it.

use async_trait::async_trait;

use crate::ideas::{idea_from, ideas};
use crate::{Idea, Sql, SqlRead, StoreResult};

#[async_trait]
pub trait PeopleRead {
    /// Published, unhidden ideas whose lead author is `author_id`, in the given spaces, newest
    /// first (by id), before `before_id` when given. Reads only that author's ideas.
    async fn ideas_by_author(
        &self,
        author_id: i64,
        space_ids: &[i64],
        before_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<Idea>>;
}

#[async_trait]
impl<S: SqlRead + ?Sized> PeopleRead for S {
    async fn ideas_by_author(
        &self,
        author_id: i64,
        space_ids: &[i64],
        before_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<Idea>> {
        if space_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!("{} WHERE i.author_id = ", idea_from()));
        sql.bind(author_id)
            .push(" AND i.stage <> 'draft' AND i.hidden_at IS NULL AND i.space_id IN (")
            .list(space_ids.iter().copied())
            .push(")");
        if let Some(before_id) = before_id {
            sql.push(" AND i.id < ").bind(before_id);
        }
        sql.push(" ORDER BY i.id DESC LIMIT ").bind(limit);
        ideas(self.fetch_sql(&sql).await?)
    }
}
