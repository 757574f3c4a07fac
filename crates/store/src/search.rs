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
    /// The ideas among `ids` that [`Self::search_ideas`] could find for `query` (its words
    /// aside), each with its whole body as an unmarked snippet, in no particular order: what the
    /// search index found, checked against the tables.
    async fn found_ideas(&self, ids: &[i64], query: &SearchQuery) -> StoreResult<Vec<SearchHit>>;
    /// The comments among `ids` that [`Self::search_comments`] could find, as `found_ideas`.
    async fn found_comments(
        &self,
        ids: &[i64],
        query: &SearchQuery,
    ) -> StoreResult<Vec<CommentHit>>;
    /// The challenges among `ids` that [`Self::search_challenges`] could find, as `found_ideas`.
    async fn found_challenges(
        &self,
        ids: &[i64],
        query: &SearchQuery,
    ) -> StoreResult<Vec<ChallengeHit>>;
}

/// How a search picks its rows: by the database's own full-text match, ranked, or by the ids the
/// search index found.
#[derive(Clone, Copy)]
enum Matching<'a> {
    Text,
    Ids(&'a [i64]),
}

impl Matching<'_> {
    fn finds_nothing(self, query: &SearchQuery) -> bool {
        query.space_ids.is_empty()
            || match self {
                Self::Text => query.terms.is_empty(),
                Self::Ids(ids) => ids.is_empty(),
            }
    }

    /// Starts the statement: the columns, a `snippet` and the matched rows of the target.
    fn push_source<'a>(
        self,
        sql: &mut Sql<'a>,
        dialect: &crate::Dialect,
        target: &SearchTarget,
        columns: &str,
        query: &'a SearchQuery,
    ) {
        match self {
            Self::Text => (dialect.search)(sql, target, columns, query),
            Self::Ids(ids) => {
                let SearchTarget {
                    table,
                    alias,
                    joins,
                    snippet_column,
                    ..
                } = *target;
                sql.push(&format!(
                    "SELECT {columns}, {alias}.{snippet_column} AS snippet \
                     FROM {table} {alias}{joins} WHERE {alias}.id IN ("
                ))
                .list(ids.iter().copied())
                .push(")");
            }
        }
    }

    /// Ends the statement: best match first, or as the index ranked them (the caller's order).
    fn push_order(self, sql: &mut Sql<'_>, tie_break: &str, limit: i64) {
        if let Self::Text = self {
            sql.push(&format!(" ORDER BY rank, {tie_break} DESC LIMIT "))
                .bind(limit);
        }
    }
}

/// Which ideas a search may find: published ones, and the drafts of the viewer it names.
#[derive(Clone, Copy)]
enum Readers {
    Everyone,
    AndDrafter(i64),
}

/// The conditions every search applies to ideas (its own results, or the ideas of the comments
/// it finds): published and not hidden (or a draft `readers` admits), in the viewer's spaces,
/// and the filters.
fn push_idea_filters<'a>(sql: &mut Sql<'a>, query: &'a SearchQuery, readers: Readers) {
    sql.push(" AND ((i.stage <> 'draft' AND i.hidden_at IS NULL)");
    if let Readers::AndDrafter(account_id) = readers {
        sql.push(" OR (i.stage = 'draft' AND (i.author_id = ")
            .bind(account_id)
            .push(
                " OR EXISTS (SELECT 1 FROM idea_authors ia WHERE ia.idea_id = i.id \
                 AND ia.account_id = ",
            )
            .bind(account_id)
            .push(")))");
    }
    sql.push(") AND i.space_id IN (")
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
        ideas_matching(self, Matching::Text, query).await
    }

    async fn search_comments(&self, query: &SearchQuery) -> StoreResult<Vec<CommentHit>> {
        comments_matching(self, Matching::Text, query).await
    }

    async fn search_challenges(&self, query: &SearchQuery) -> StoreResult<Vec<ChallengeHit>> {
        challenges_matching(self, Matching::Text, query).await
    }

    async fn found_ideas(&self, ids: &[i64], query: &SearchQuery) -> StoreResult<Vec<SearchHit>> {
        ideas_matching(self, Matching::Ids(ids), query).await
    }

    async fn found_comments(
        &self,
        ids: &[i64],
        query: &SearchQuery,
    ) -> StoreResult<Vec<CommentHit>> {
        comments_matching(self, Matching::Ids(ids), query).await
    }

    async fn found_challenges(
        &self,
        ids: &[i64],
        query: &SearchQuery,
    ) -> StoreResult<Vec<ChallengeHit>> {
        challenges_matching(self, Matching::Ids(ids), query).await
    }
}

async fn ideas_matching<S: SqlRead + ?Sized>(
    store: &S,
    matching: Matching<'_>,
    query: &SearchQuery,
) -> StoreResult<Vec<SearchHit>> {
    if matching.finds_nothing(query) {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    matching.push_source(
        &mut sql,
        store.dialect(),
        &SearchTarget::IDEAS,
        IDEA_COLUMNS,
        query,
    );
    let readers = query.drafter.map_or(Readers::Everyone, Readers::AndDrafter);
    push_idea_filters(&mut sql, query, readers);
    matching.push_order(&mut sql, "i.id", query.limit);
    let rows = store.fetch_sql(&sql).await?;
    rows.into_iter()
        .map(|mut row| {
            Ok(SearchHit {
                idea: idea(&mut row)?,
                snippet: Snippet::from_marked(&row.text("snippet")?),
            })
        })
        .collect()
}

async fn comments_matching<S: SqlRead + ?Sized>(
    store: &S,
    matching: Matching<'_>,
    query: &SearchQuery,
) -> StoreResult<Vec<CommentHit>> {
    if matching.finds_nothing(query) {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    let columns =
        "c.id AS comment_id, c.idea_id, c.challenge_id, COALESCE(i.title, ch.title) AS title";
    matching.push_source(
        &mut sql,
        store.dialect(),
        &SearchTarget::COMMENTS,
        columns,
        query,
    );
    // A comment is found where its idea would be, or on a challenge in the viewer's spaces
    // when no idea-only filter (stage, tag) is set.
    sql.push(" AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND ((c.idea_id IS NOT NULL");
    push_idea_filters(&mut sql, query, Readers::Everyone);
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
    sql.push(")");
    matching.push_order(&mut sql, "c.id", query.limit);
    let rows = store.fetch_sql(&sql).await?;
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

async fn challenges_matching<S: SqlRead + ?Sized>(
    store: &S,
    matching: Matching<'_>,
    query: &SearchQuery,
) -> StoreResult<Vec<ChallengeHit>> {
    if matching.finds_nothing(query) || query.stage.is_some() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    let columns = format!("{CHALLENGE_COLUMNS}, s.slug AS space_slug");
    matching.push_source(
        &mut sql,
        store.dialect(),
        &SearchTarget::CHALLENGES,
        &columns,
        query,
    );
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
    matching.push_order(&mut sql, "ch.id", query.limit);
    let rows = store.fetch_sql(&sql).await?;
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
