//! Ideas: proposing and editing them (each version kept), the lists of a space, their history
//! of stages, and the row locks that keep concurrent changes of one idea in order.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::spaces::space;
use crate::{
    Idea, IdeaEvent, IdeaOrder, IdeaProgress, IdeaQuery, IdeaRevision, IdeaText, NewIdea,
    NewIdeaEvent, Space, Sql, SqlRead, SqlRow, SqlTx, StoreResult,
};

#[async_trait]
pub trait IdeaRead {
    async fn idea(&self, id: i64) -> StoreResult<Option<Idea>>;
    /// The idea and its space, read together.
    async fn idea_with_space(&self, id: i64) -> StoreResult<Option<(Idea, Space)>>;
    /// One page of ideas: one index range scan in the query's order.
    async fn ideas(&self, query: &IdeaQuery) -> StoreResult<Vec<Idea>>;
    async fn idea_events(&self, idea_id: i64) -> StoreResult<Vec<IdeaEvent>>;
    /// Every version of the idea's text, oldest first.
    async fn idea_revisions(&self, idea_id: i64) -> StoreResult<Vec<IdeaRevision>>;
    /// Ideas gathering support whose deadline passed before `now`.
    async fn ideas_past_deadline(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Idea>>;
}

#[async_trait]
pub trait IdeaTx {
    async fn insert_idea(&mut self, idea: &NewIdea<'_>) -> StoreResult<i64>;
    /// Replaces the idea's text (keeping the search index in step) and records a revision.
    async fn edit_idea(
        &mut self,
        id: i64,
        editor_id: i64,
        text: &IdeaText<'_>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The idea, locked against concurrent changes until the transaction ends.
    async fn lock_idea(&mut self, id: i64) -> StoreResult<Option<Idea>>;
    /// The ideas with these ids, locked in id order (so concurrent batches cannot deadlock).
    async fn lock_ideas(&mut self, ids: &[i64]) -> StoreResult<Vec<Idea>>;
    async fn set_idea_progress(
        &mut self,
        idea_id: i64,
        progress: &IdeaProgress,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Records a stage change; returns its id.
    async fn insert_idea_event(&mut self, event: &NewIdeaEvent<'_>) -> StoreResult<i64>;
}

/// The columns of an idea row `i`, with its author's name from `accounts a`.
pub(crate) const IDEA_COLUMNS: &str = "i.id, i.space_id, i.challenge_id, i.title, i.body, \
     i.body_html, i.tags, i.author_id, a.name AS author_name, i.stage, i.supporters, i.tiers, \
     i.tier, i.tier_deadline, i.merged_into, i.comments, i.hidden_at, i.hidden_reason, i.hot, \
     i.trending, i.created_at, i.updated_at";

pub(crate) fn idea_from() -> String {
    format!("SELECT {IDEA_COLUMNS} FROM ideas i JOIN accounts a ON a.id = i.author_id")
}

/// Why and since when content was hidden, if it was.
pub(crate) fn hidden(row: &mut SqlRow) -> StoreResult<Option<(Timestamp, String)>> {
    let at = row.maybe_time("hidden_at")?;
    let reason = row.maybe_text("hidden_reason")?;
    Ok(at.map(|at| (at, reason.unwrap_or_default())))
}

pub(crate) fn idea(row: &mut SqlRow) -> StoreResult<Idea> {
    Ok(Idea {
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        challenge_id: row.maybe_int("challenge_id")?,
        title: row.text("title")?,
        body: row.text("body")?,
        body_html: row.text("body_html")?,
        tags: row.text("tags")?,
        author_id: row.int("author_id")?,
        author_name: row.text("author_name")?,
        stage: row.parse("stage")?,
        supporters: row.int("supporters")?,
        tiers: row.text("tiers")?,
        tier: row.int("tier")?,
        tier_deadline: row.maybe_time("tier_deadline")?,
        merged_into: row.maybe_int("merged_into")?,
        comments: row.int("comments")?,
        hidden: hidden(row)?,
        hot: row.int("hot")?,
        trending: row.int("trending")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub(crate) fn ideas(rows: Vec<SqlRow>) -> StoreResult<Vec<Idea>> {
    rows.into_iter().map(|mut row| idea(&mut row)).collect()
}

const WITH_SPACE: &str = ", s.slug AS space_slug, s.name AS space_name, \
     s.description AS space_description, s.audience AS space_audience, \
     s.created_by AS space_created_by, s.created_at AS space_created_at \
     FROM ideas i JOIN accounts a ON a.id = i.author_id JOIN spaces s ON s.id = i.space_id \
     WHERE i.id = $1";
const EVENTS: &str = "SELECT e.id, e.idea_id, e.actor_id, a.name AS actor_name, e.from_stage, \
     e.to_stage, e.rationale, e.created_at FROM idea_events e \
     LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.idea_id = $1 ORDER BY e.id";
const REVISIONS: &str = "SELECT r.id, r.idea_id, r.editor_id, a.name AS editor_name, r.title, \
     r.body, r.tags, r.created_at FROM idea_revisions r \
     JOIN accounts a ON a.id = r.editor_id WHERE r.idea_id = $1 ORDER BY r.id";
const INSERT: &str = "INSERT INTO ideas (space_id, challenge_id, title, body, body_html, tags, \
     author_id, stage, supporters, tiers, tier, tier_deadline, hot, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, 0, $10, $11, $12, $12) RETURNING id";
const INSERT_REVISION: &str = "INSERT INTO idea_revisions \
     (idea_id, editor_id, title, body, tags, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
const UPDATE_TEXT: &str = "UPDATE ideas SET title = $1, body = $2, body_html = $3, tags = $4, \
     updated_at = $5 WHERE id = $6";
const UPDATE_PROGRESS: &str = "UPDATE ideas SET stage = $1, tier = $2, tier_deadline = $3, \
     updated_at = $4 WHERE id = $5";
const INSERT_EVENT: &str = "INSERT INTO idea_events \
     (idea_id, actor_id, from_stage, to_stage, rationale, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

#[async_trait]
impl<S: SqlRead + ?Sized> IdeaRead for S {
    async fn idea(&self, id: i64) -> StoreResult<Option<Idea>> {
        let sql = format!("{} WHERE i.id = $1", idea_from());
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(|mut row| idea(&mut row)).transpose()
    }

    async fn idea_with_space(&self, id: i64) -> StoreResult<Option<(Idea, Space)>> {
        let sql = format!("SELECT {IDEA_COLUMNS}{WITH_SPACE}");
        let Some(mut row) = self.fetch_optional(&sql, &[id.into()]).await? else {
            return Ok(None);
        };
        let idea = idea(&mut row)?;
        // The space's id is the idea's `space_id`, read again under the same name.
        let space = space(&mut row, "space_")?;
        Ok(Some((idea, space)))
    }

    async fn ideas(&self, query: &IdeaQuery) -> StoreResult<Vec<Idea>> {
        let mut sql = Sql::new(format!("{} WHERE i.space_id = ", idea_from()));
        sql.bind(query.space_id);
        if let Some(challenge_id) = query.challenge_id {
            sql.push(" AND i.challenge_id = ").bind(challenge_id);
        }
        sql.push(" AND i.hidden_at IS NULL");
        if !query.all_drafts {
            // As the policy has it: a draft is read by everyone it names, its lead author and
            // the co-authors (invited or accepted).
            let viewer = query.viewer_id.unwrap_or(-1);
            sql.push(" AND (i.stage <> 'draft' OR i.author_id = ")
                .bind(viewer)
                .push(" OR EXISTS (SELECT 1 FROM idea_authors ia WHERE ia.idea_id = i.id AND ia.account_id = ")
                .bind(viewer)
                .push("))");
        }
        if let Some(stage) = query.stage {
            sql.push(" AND i.stage = ").bind(stage.as_str());
        }
        if let Some(tag) = &query.tag {
            sql.push(" AND i.tags LIKE ").bind(format!("%,{tag},%"));
        }
        let key = match query.order {
            IdeaOrder::Newest => "i.created_at",
            IdeaOrder::Top => "i.supporters",
            IdeaOrder::Hot => "i.hot",
            IdeaOrder::Trending => "i.trending",
        };
        if let Some((after_key, after_id)) = query.after {
            sql.push(&format!(" AND ({key} < ")).bind(after_key);
            sql.push(&format!(" OR ({key} = ")).bind(after_key);
            sql.push(" AND i.id < ").bind(after_id).push("))");
        }
        sql.push(&format!(" ORDER BY {key} DESC, i.id DESC LIMIT "))
            .bind(query.limit);
        ideas(self.fetch_sql(&sql).await?)
    }

    async fn idea_events(&self, idea_id: i64) -> StoreResult<Vec<IdeaEvent>> {
        let rows = self.fetch(EVENTS, &[idea_id.into()]).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(IdeaEvent {
                    id: row.int("id")?,
                    idea_id: row.int("idea_id")?,
                    actor_id: row.maybe_int("actor_id")?,
                    actor_name: row.maybe_text("actor_name")?,
                    from_stage: row.maybe_parse("from_stage")?,
                    to_stage: row.parse("to_stage")?,
                    rationale: row.text("rationale")?,
                    created_at: row.time("created_at")?,
                })
            })
            .collect()
    }

    async fn idea_revisions(&self, idea_id: i64) -> StoreResult<Vec<IdeaRevision>> {
        let rows = self.fetch(REVISIONS, &[idea_id.into()]).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(IdeaRevision {
                    id: row.int("id")?,
                    idea_id: row.int("idea_id")?,
                    editor_id: row.int("editor_id")?,
                    editor_name: row.text("editor_name")?,
                    title: row.text("title")?,
                    body: row.text("body")?,
                    tags: row.text("tags")?,
                    created_at: row.time("created_at")?,
                })
            })
            .collect()
    }

    async fn ideas_past_deadline(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<Idea>> {
        let sql = format!(
            "{} WHERE i.stage = 'gathering_support' AND i.tier_deadline < $1 \
             ORDER BY i.tier_deadline, i.id LIMIT $2",
            idea_from()
        );
        ideas(self.fetch(&sql, &[now.into(), limit.into()]).await?)
    }
}

/// Records a version of the idea's text.
async fn insert_revision<T: SqlTx + ?Sized>(
    tx: &mut T,
    idea_id: i64,
    editor_id: i64,
    text: (&str, &str, &str),
    at: Timestamp,
) -> StoreResult<()> {
    let (title, body, tags) = text;
    let args = [
        idea_id.into(),
        editor_id.into(),
        title.into(),
        body.into(),
        tags.into(),
        at.into(),
    ];
    tx.execute(INSERT_REVISION, &args).await?;
    Ok(())
}

#[async_trait]
impl<T: SqlTx + ?Sized> IdeaTx for T {
    async fn insert_idea(&mut self, new: &NewIdea<'_>) -> StoreResult<i64> {
        let args = [
            new.space_id.into(),
            new.challenge_id.into(),
            new.title.into(),
            new.body.into(),
            new.body_html.into(),
            new.tags.into(),
            new.author_id.into(),
            new.stage.as_str().into(),
            new.tiers.into(),
            new.tier_deadline.into(),
            new.hot.into(),
            new.created_at.into(),
        ];
        let id = self.insert_returning_id(INSERT, &args).await?;
        if let Some(index) = self.dialect().index_idea {
            self.execute(index, &[id.into(), new.title.into(), new.body.into()])
                .await?;
        }
        let text = (new.title, new.body, new.tags);
        insert_revision(self, id, new.author_id, text, new.created_at).await?;
        Ok(id)
    }

    async fn edit_idea(
        &mut self,
        id: i64,
        editor_id: i64,
        text: &IdeaText<'_>,
        now: Timestamp,
    ) -> StoreResult<()> {
        if let Some(unindex) = self.dialect().unindex_idea {
            let sql = "SELECT title, body FROM ideas WHERE id = $1";
            let mut old = self.fetch_one(sql, &[id.into()]).await?;
            let (title, body) = (old.text("title")?, old.text("body")?);
            self.execute(unindex, &[id.into(), title.into(), body.into()])
                .await?;
        }
        let args = [
            text.title.into(),
            text.body.into(),
            text.body_html.into(),
            text.tags.into(),
            now.into(),
            id.into(),
        ];
        self.execute(UPDATE_TEXT, &args).await?;
        if let Some(index) = self.dialect().index_idea {
            self.execute(index, &[id.into(), text.title.into(), text.body.into()])
                .await?;
        }
        insert_revision(self, id, editor_id, (text.title, text.body, text.tags), now).await
    }

    async fn lock_idea(&mut self, id: i64) -> StoreResult<Option<Idea>> {
        let sql = format!(
            "{} WHERE i.id = $1{}",
            idea_from(),
            self.dialect().lock_ideas
        );
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(|mut row| idea(&mut row)).transpose()
    }

    async fn lock_ideas(&mut self, ids: &[i64]) -> StoreResult<Vec<Idea>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(format!("{} WHERE i.id IN (", idea_from()));
        sql.list(ids.iter().copied())
            .push(") ORDER BY i.id")
            .push(self.dialect().lock_ideas);
        ideas(self.fetch_sql(&sql).await?)
    }

    async fn set_idea_progress(
        &mut self,
        idea_id: i64,
        progress: &IdeaProgress,
        now: Timestamp,
    ) -> StoreResult<()> {
        let args = [
            progress.stage.as_str().into(),
            progress.tier.into(),
            progress.tier_deadline.into(),
            now.into(),
            idea_id.into(),
        ];
        self.execute(UPDATE_PROGRESS, &args).await?;
        Ok(())
    }

    async fn insert_idea_event(&mut self, event: &NewIdeaEvent<'_>) -> StoreResult<i64> {
        let args = [
            event.idea_id.into(),
            event.actor_id.into(),
            event.from_stage.map(|stage| stage.as_str()).into(),
            event.to_stage.as_str().into(),
            event.rationale.into(),
            event.created_at.into(),
        ];
        self.insert_returning_id(INSERT_EVENT, &args).await
    }
}
