//! Full-text search over ideas, comments and challenges. Each backend matches and ranks with its
//! own index (see [`crate::Dialect::search`]); the filters, shared, are here.

use async_trait::async_trait;

use crate::challenges::{CHALLENGE_COLUMNS, challenge};
use crate::dialogue::subject;
use crate::ideas::{IDEA_COLUMNS, idea};
use crate::{
    ChallengeHit, CommentHit, SearchHit, SearchQuery, SearchTarget, Snippet, Sql, SqlRead,
    StoreResult,
};

#[async_trait]
pub trait SearchRead {
    /// Published ideas matching the query, best first (drafts are never found).
    async fn search_ideas(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>>;
    /// Comments matching the query, best first: live (not deleted or hidden) comments on
    /// published, visible ideas; the query's filters apply to the idea.
    async fn search_comments(&self, query: &SearchQuery) -> StoreResult<Vec<CommentHit>>;
    /// Challenges matching the query, best first; `challenge_id` narrows to one, `tag` to those
    /// offering it, and a `stage` filter (which challenges do not have) finds none.
    async fn search_challenges(&self, query: &SearchQuery) -> StoreResult<Vec<ChallengeHit>>;
}

/// The conditions every search applies to ideas (its own results, or the ideas of the comments
/// it finds): published, not hidden, in the viewer's spaces, and the filters.
fn push_idea_filters<'a>(sql: &mut Sql<'a>, query: &'a SearchQuery) {
    sql.push(" AND i.stage <> 'draft' AND i.hidden_at IS NULL AND i.space_id IN (")
        .list(query.space_ids.iter().copied())
        .push(")");
    if let Some(challenge_id) = query.challenge_id {
        sql.push(" AND i.challenge_id = ").bind(challenge_id);
    }
    if let Some(stage) = query.stage {
        sql.push(" AND i.stage = ").bind(stage.as_str());
    }
    if let Some(tag) = &query.tag {
        sql.push(" AND i.tags LIKE ").bind(format!("%,{tag},%"));
    }
}

#[async_trait]
impl<S: SqlRead + ?Sized> SearchRead for S {
    async fn search_ideas(&self, query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        if query.terms.is_empty() || query.space_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        (self.dialect().search)(&mut sql, &SearchTarget::IDEAS, IDEA_COLUMNS, query);
        push_idea_filters(&mut sql, query);
        sql.push(" ORDER BY rank, i.id DESC LIMIT ")
            .bind(query.limit);
        let rows = self.fetch_sql(&sql).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(SearchHit {
                    idea: idea(&mut row)?,
                    snippet: Snippet::from_marked(&row.text("snippet")?),
                })
            })
            .collect()
    }

    async fn search_comments(&self, query: &SearchQuery) -> StoreResult<Vec<CommentHit>> {
        if query.terms.is_empty() || query.space_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        let columns =
            "c.id AS comment_id, c.idea_id, c.challenge_id, COALESCE(i.title, ch.title) AS title";
        (self.dialect().search)(&mut sql, &SearchTarget::COMMENTS, columns, query);
        // A comment is found where its idea would be, or on a challenge in the viewer's spaces
        // when no idea-only filter (stage, tag) is set.
        sql.push(" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND ((c.idea_id IS NOT NULL");
        push_idea_filters(&mut sql, query);
        sql.push(")");
        if query.stage.is_none() && query.tag.is_none() {
            sql.push(" OR (c.challenge_id IS NOT NULL AND ch.space_id IN (")
                .list(query.space_ids.iter().copied())
                .push(")");
            if let Some(challenge_id) = query.challenge_id {
                sql.push(" AND ch.id = ").bind(challenge_id);
            }
            sql.push(")");
        }
        sql.push(") ORDER BY rank, c.id DESC LIMIT ")
            .bind(query.limit);
        let rows = self.fetch_sql(&sql).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(CommentHit {
                    comment_id: row.int("comment_id")?,
                    subject: subject(&row)?,
                    title: row.text("title")?,
                    snippet: Snippet::from_marked(&row.text("snippet")?),
                })
            })
            .collect()
    }

    async fn search_challenges(&self, query: &SearchQuery) -> StoreResult<Vec<ChallengeHit>> {
        if query.terms.is_empty() || query.space_ids.is_empty() || query.stage.is_some() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::default();
        let columns = format!("{CHALLENGE_COLUMNS}, s.slug AS space_slug");
        (self.dialect().search)(&mut sql, &SearchTarget::CHALLENGES, &columns, query);
        sql.push(" AND ch.space_id IN (")
            .list(query.space_ids.iter().copied())
            .push(")");
        if let Some(challenge_id) = query.challenge_id {
            sql.push(" AND ch.id = ").bind(challenge_id);
        }
        if let Some(tag) = &query.tag {
            // Offered tags are stored `a,b`.
            sql.push(" AND (',' || ch.tags || ',') LIKE ")
                .bind(format!("%,{tag},%"));
        }
        sql.push(" ORDER BY rank, ch.id DESC LIMIT ")
            .bind(query.limit);
        let rows = self.fetch_sql(&sql).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(ChallengeHit {
                    challenge: challenge(&mut row)?,
                    space_slug: row.text("space_slug")?,
                    snippet: Snippet::from_marked(&row.text("snippet")?),
                })
            })
            .collect()
    }
}
