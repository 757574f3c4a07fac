//! The change log the embedded search index follows (migration 25), and the documents it indexes.
//! Entries name an object only; the index reads each object's current row, so applying an entry
//! twice, or late, gives the same index.

use std::collections::HashMap;

use async_trait::async_trait;
use cocreate_core::Stage;

use crate::{Sql, SqlRead, SqlRow, StoreError, StoreResult};

/// What kind of object a search document or log entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocKind {
    Idea,
    Comment,
    Challenge,
}

impl DocKind {
    pub const ALL: [Self; 3] = [Self::Idea, Self::Comment, Self::Challenge];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Idea => "idea",
            Self::Comment => "comment",
            Self::Challenge => "challenge",
        }
    }

    fn parse(text: &str) -> StoreResult<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| StoreError::Corrupt(format!("search_log.kind holds {text:?}")))
    }
}

/// One change: the object named changed (or went) at `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogEntry {
    pub seq: i64,
    pub kind: DocKind,
    pub object_id: i64,
    /// Milliseconds since 1970, by the database's clock.
    pub logged_at: i64,
}

/// Where the log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogHead {
    /// Names this database: another database (a fresh one an export was imported into) has
    /// another.
    pub epoch: String,
    /// The oldest entry kept, if any.
    pub first: Option<i64>,
    /// The newest entry written, if any.
    pub last: Option<i64>,
}

/// An object as the search index holds it, with what permissions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDocument {
    pub kind: DocKind,
    pub id: i64,
    pub space_id: i64,
    /// The challenge the object belongs to (a challenge's own id).
    pub challenge_id: Option<i64>,
    /// Ideas' and challenges' titles; empty for comments.
    pub title: String,
    pub body: String,
    /// An idea's stage, or the stage of a comment's idea.
    pub stage: Option<Stage>,
    /// An idea's tags, a comment's idea's tags, or the tags a challenge offers.
    pub tags: Vec<String>,
    /// Whether anyone may find it: a published, unhidden idea; a live comment on one (or on a
    /// challenge); any challenge.
    pub visible: bool,
    /// A draft's lead author and co-authors (invited ones included), who find it though no one
    /// else does; empty for everything else.
    pub drafters: Vec<i64>,
}

/// Which documents to read.
#[derive(Debug, Clone, Copy)]
pub enum Documents<'a> {
    /// These objects of one kind; ids with no row are left out.
    Ids(DocKind, &'a [i64]),
    /// Every comment on these ideas (their visibility follows the idea's).
    CommentsOnIdeas(&'a [i64]),
    /// Up to `limit` objects of one kind with ids above `after`, by id: a rebuild's pages.
    After {
        kind: DocKind,
        after: i64,
        limit: i64,
    },
}

#[async_trait]
pub trait SearchLogRead {
    async fn search_log_head(&self) -> StoreResult<LogHead>;
    /// The newest entry written, if any: what a search waits for the index to have applied.
    async fn search_log_last(&self) -> StoreResult<Option<i64>>;
    /// When the entry `seq` was written, if it is there.
    async fn search_log_stamp(&self, seq: i64) -> StoreResult<Option<i64>>;
    /// Up to `limit` entries after `after`, and any of `also` (seqs skipped earlier, whose
    /// transactions may have committed since), in seq order.
    async fn search_log_after(
        &self,
        after: i64,
        also: &[i64],
        limit: i64,
    ) -> StoreResult<Vec<LogEntry>>;
    async fn search_documents(&self, which: Documents<'_>) -> StoreResult<Vec<SearchDocument>>;
    /// Ideas, comments and challenges in all: what a rebuild reads.
    async fn search_document_count(&self) -> StoreResult<u64>;
}

const IDEA_DOCUMENTS: &str = "SELECT i.id, i.space_id, i.challenge_id, i.title, i.body, i.stage, \
     i.tags, CASE WHEN i.stage <> 'draft' AND i.hidden_at IS NULL THEN 1 ELSE 0 END AS visible, \
     CASE WHEN i.stage = 'draft' THEN i.author_id END AS drafter FROM ideas i WHERE ";
const COMMENT_DOCUMENTS: &str = "SELECT c.id, COALESCE(i.space_id, ch.space_id) AS space_id, \
     COALESCE(i.challenge_id, c.challenge_id) AS challenge_id, '' AS title, c.body, i.stage, \
     COALESCE(i.tags, '') AS tags, CASE WHEN c.deleted_at IS NULL AND c.hidden_at IS NULL \
     AND (c.idea_id IS NULL OR (i.stage <> 'draft' AND i.hidden_at IS NULL)) THEN 1 ELSE 0 END \
     AS visible, NULL AS drafter FROM comments c LEFT JOIN ideas i ON i.id = c.idea_id \
     LEFT JOIN challenges ch ON ch.id = c.challenge_id WHERE ";
const CHALLENGE_DOCUMENTS: &str = "SELECT ch.id, ch.space_id, ch.id AS challenge_id, ch.title, \
     ch.problem AS body, NULL AS stage, ch.tags, 1 AS visible, NULL AS drafter FROM challenges ch WHERE ";

fn documents_of(kind: DocKind) -> (&'static str, &'static str) {
    match kind {
        DocKind::Idea => (IDEA_DOCUMENTS, "i.id"),
        DocKind::Comment => (COMMENT_DOCUMENTS, "c.id"),
        DocKind::Challenge => (CHALLENGE_DOCUMENTS, "ch.id"),
    }
}

fn document(kind: DocKind, row: &mut SqlRow) -> StoreResult<SearchDocument> {
    Ok(SearchDocument {
        kind,
        id: row.int("id")?,
        space_id: row.int("space_id")?,
        challenge_id: row.maybe_int("challenge_id")?,
        title: row.text("title")?,
        body: row.text("body")?,
        stage: row.maybe_parse("stage")?,
        // Ideas keep tags as `,a,b,`, challenges as `a,b`.
        tags: row
            .text("tags")?
            .split(',')
            .filter(|tag| !tag.is_empty())
            .map(str::to_owned)
            .collect(),
        visible: row.flag("visible")?,
        drafters: row.maybe_int("drafter")?.into_iter().collect(),
    })
}

/// Adds the co-authors of the drafts among `docs` to their drafters.
async fn add_co_drafters<S: SqlRead + ?Sized>(
    store: &S,
    docs: &mut [SearchDocument],
) -> StoreResult<()> {
    // Each draft's place among `docs`, to add its co-authors to without a search per row.
    let drafts: HashMap<i64, usize> = docs
        .iter()
        .enumerate()
        .filter(|(_, doc)| !doc.drafters.is_empty())
        .map(|(at, doc)| (doc.id, at))
        .collect();
    if drafts.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT idea_id, account_id FROM idea_authors WHERE idea_id IN (");
    sql.list(drafts.keys().copied()).push(")");
    for row in store.fetch_sql(&sql).await? {
        if let Some(at) = drafts.get(&row.int("idea_id")?) {
            docs[*at].drafters.push(row.int("account_id")?);
        }
    }
    Ok(())
}

#[async_trait]
impl<S: SqlRead + ?Sized> SearchLogRead for S {
    async fn search_log_head(&self) -> StoreResult<LogHead> {
        let mut row = self
            .fetch_one(
                "SELECT s.epoch, (SELECT MIN(seq) FROM search_log) AS first, \
                 (SELECT MAX(seq) FROM search_log) AS last FROM search_state s",
                &[],
            )
            .await?;
        Ok(LogHead {
            epoch: row.text("epoch")?,
            first: row.maybe_int("first")?,
            last: row.maybe_int("last")?,
        })
    }

    async fn search_log_last(&self) -> StoreResult<Option<i64>> {
        self.fetch_one("SELECT MAX(seq) AS last FROM search_log", &[])
            .await?
            .maybe_int("last")
    }

    async fn search_document_count(&self) -> StoreResult<u64> {
        let row = self
            .fetch_one(
                "SELECT (SELECT COUNT(*) FROM ideas) + (SELECT COUNT(*) FROM comments) \
                 + (SELECT COUNT(*) FROM challenges) AS n",
                &[],
            )
            .await?;
        Ok(u64::try_from(row.int("n")?).unwrap_or(0))
    }

    async fn search_log_stamp(&self, seq: i64) -> StoreResult<Option<i64>> {
        let row = self
            .fetch_optional(
                "SELECT logged_at FROM search_log WHERE seq = $1",
                &[seq.into()],
            )
            .await?;
        row.map(|row| row.int("logged_at")).transpose()
    }

    async fn search_log_after(
        &self,
        after: i64,
        also: &[i64],
        limit: i64,
    ) -> StoreResult<Vec<LogEntry>> {
        let mut sql =
            Sql::new("SELECT seq, kind, object_id, logged_at FROM search_log WHERE seq > ");
        sql.bind(after);
        if !also.is_empty() {
            sql.push(" OR seq IN (")
                .list(also.iter().copied())
                .push(")");
        }
        sql.push(" ORDER BY seq LIMIT ").bind(limit);
        self.fetch_sql(&sql)
            .await?
            .into_iter()
            .map(|mut row| {
                Ok(LogEntry {
                    seq: row.int("seq")?,
                    kind: DocKind::parse(&row.text("kind")?)?,
                    object_id: row.int("object_id")?,
                    logged_at: row.int("logged_at")?,
                })
            })
            .collect()
    }

    async fn search_documents(&self, which: Documents<'_>) -> StoreResult<Vec<SearchDocument>> {
        let (kind, sql) = match which {
            Documents::Ids(_, []) | Documents::CommentsOnIdeas([]) => return Ok(Vec::new()),
            Documents::Ids(kind, ids) => {
                let (select, id) = documents_of(kind);
                let mut sql = Sql::new(format!("{select}{id} IN ("));
                sql.list(ids.iter().copied()).push(")");
                (kind, sql)
            }
            Documents::CommentsOnIdeas(idea_ids) => {
                let mut sql = Sql::new(format!("{COMMENT_DOCUMENTS}c.idea_id IN ("));
                sql.list(idea_ids.iter().copied()).push(")");
                (DocKind::Comment, sql)
            }
            Documents::After { kind, after, limit } => {
                let (select, id) = documents_of(kind);
                let mut sql = Sql::new(format!("{select}{id} > "));
                sql.bind(after)
                    .push(&format!(" ORDER BY {id} LIMIT "))
                    .bind(limit);
                (kind, sql)
            }
        };
        let mut docs = self
            .fetch_sql(&sql)
            .await?
            .iter_mut()
            .map(|row| document(kind, row))
            .collect::<StoreResult<Vec<_>>>()?;
        if kind == DocKind::Idea {
            add_co_drafters(self, &mut docs).await?;
        }
        Ok(docs)
    }
}
