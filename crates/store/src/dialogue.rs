//! Dialogue: comment threads on ideas and challenges, and who follows an idea.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::ideas::hidden;
use crate::{Comment, NewComment, SqlRead, SqlRow, SqlTx, StoreError, StoreResult, Subject};

#[async_trait]
pub trait DialogueRead {
    /// The comments on an idea or a challenge, in the order they were written.
    async fn comments(&self, subject: Subject) -> StoreResult<Vec<Comment>>;
    async fn comment(&self, id: i64) -> StoreResult<Option<Comment>>;
    async fn is_following(&self, idea_id: i64, account_id: i64) -> StoreResult<bool>;
}

#[async_trait]
pub trait DialogueTx {
    /// Adds a comment and counts it on its idea.
    async fn insert_comment(&mut self, comment: &NewComment<'_>) -> StoreResult<i64>;
    async fn edit_comment(
        &mut self,
        id: i64,
        body: &str,
        body_html: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Marks the comment deleted (its place in the thread stays) and uncounts it.
    async fn delete_comment(&mut self, id: i64, now: Timestamp) -> StoreResult<bool>;
    /// Starts or stops following; returns whether anything changed.
    async fn set_following(
        &mut self,
        idea_id: i64,
        account_id: i64,
        follow: bool,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

const SELECT: &str = "SELECT c.id, c.idea_id, c.challenge_id, c.parent_id, c.depth, c.author_id, \
     a.name AS author_name, a.handle AS author_handle, c.body, c.body_html, c.official, \
     c.created_at, c.edited_at, c.deleted_at, c.hidden_at, c.hidden_reason \
     FROM comments c JOIN accounts a ON a.id = c.author_id";
/// The columns a comment is inserted with, in the order [`comment_args`] gives them.
pub(crate) const INSERT_COLUMNS: &str = "INSERT INTO comments \
     (idea_id, challenge_id, parent_id, depth, author_id, body, body_html, official, created_at) ";
const EDIT: &str = "UPDATE comments SET body = $1, body_html = $2, edited_at = $3 WHERE id = $4";
const DELETE: &str = "UPDATE comments SET deleted_at = $1 \
     WHERE id = $2 AND deleted_at IS NULL RETURNING idea_id";
const FOLLOW: &str = "INSERT INTO follows (idea_id, account_id, created_at) VALUES ($1, $2, $3) \
     ON CONFLICT (idea_id, account_id) DO NOTHING";
const UNFOLLOW: &str = "DELETE FROM follows WHERE idea_id = $1 AND account_id = $2";

/// The idea or challenge a row belongs to, from its `idea_id` and `challenge_id`.
pub(crate) fn subject(row: &SqlRow) -> StoreResult<Subject> {
    Subject::from_columns(row.maybe_int("idea_id")?, row.maybe_int("challenge_id")?).ok_or_else(
        || StoreError::Corrupt("a row belongs to neither an idea nor a challenge".into()),
    )
}

pub(crate) fn comment_args<'a>(new: &'a NewComment<'_>) -> [crate::SqlArg<'a>; 9] {
    [
        new.subject.idea_id().into(),
        new.subject.challenge_id().into(),
        new.parent_id.into(),
        new.depth.into(),
        new.author_id.into(),
        new.body.into(),
        new.body_html.into(),
        new.official.into(),
        new.created_at.into(),
    ]
}

fn comment(mut row: SqlRow) -> StoreResult<Comment> {
    Ok(Comment {
        id: row.int("id")?,
        subject: subject(&row)?,
        parent_id: row.maybe_int("parent_id")?,
        depth: row.int("depth")?,
        author_id: row.int("author_id")?,
        author_name: row.text("author_name")?,
        author_handle: row.text("author_handle")?,
        body: row.text("body")?,
        body_html: row.text("body_html")?,
        official: row.flag("official")?,
        created_at: row.time("created_at")?,
        edited_at: row.maybe_time("edited_at")?,
        deleted_at: row.maybe_time("deleted_at")?,
        hidden: hidden(&mut row)?,
    })
}

#[async_trait]
impl<S: SqlRead + ?Sized> DialogueRead for S {
    async fn comments(&self, subject: Subject) -> StoreResult<Vec<Comment>> {
        let (column, id) = match subject {
            Subject::Idea(id) => ("idea_id", id),
            Subject::Challenge(id) => ("challenge_id", id),
        };
        let sql = format!("{SELECT} WHERE c.{column} = $1 ORDER BY c.id");
        let rows = self.fetch(&sql, &[id.into()]).await?;
        rows.into_iter().map(comment).collect()
    }

    async fn comment(&self, id: i64) -> StoreResult<Option<Comment>> {
        let sql = format!("{SELECT} WHERE c.id = $1");
        let row = self.fetch_optional(&sql, &[id.into()]).await?;
        row.map(comment).transpose()
    }

    async fn is_following(&self, idea_id: i64, account_id: i64) -> StoreResult<bool> {
        let sql = "SELECT 1 AS one FROM follows WHERE idea_id = $1 AND account_id = $2";
        let row = self
            .fetch_optional(sql, &[idea_id.into(), account_id.into()])
            .await?;
        Ok(row.is_some())
    }
}

/// Moves the idea's comment count by `change`.
async fn count_comments<T: SqlTx + ?Sized>(
    tx: &mut T,
    idea_id: i64,
    change: i64,
) -> StoreResult<()> {
    let sql = "UPDATE ideas SET comments = comments + $1 WHERE id = $2";
    tx.execute(sql, &[change.into(), idea_id.into()]).await?;
    Ok(())
}

#[async_trait]
impl<T: SqlTx + ?Sized> DialogueTx for T {
    async fn insert_comment(&mut self, new: &NewComment<'_>) -> StoreResult<i64> {
        let sql =
            format!("{INSERT_COLUMNS}VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id");
        let id = self.insert_returning_id(&sql, &comment_args(new)).await?;
        if let Subject::Idea(idea_id) = new.subject {
            count_comments(self, idea_id, 1).await?;
        }
        Ok(id)
    }

    async fn edit_comment(
        &mut self,
        id: i64,
        body: &str,
        body_html: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let args = [body.into(), body_html.into(), now.into(), id.into()];
        self.execute(EDIT, &args).await?;
        Ok(())
    }

    async fn delete_comment(&mut self, id: i64, now: Timestamp) -> StoreResult<bool> {
        let Some(row) = self
            .fetch_optional(DELETE, &[now.into(), id.into()])
            .await?
        else {
            return Ok(false);
        };
        if let Some(idea_id) = row.maybe_int("idea_id")? {
            count_comments(self, idea_id, -1).await?;
        }
        Ok(true)
    }

    async fn set_following(
        &mut self,
        idea_id: i64,
        account_id: i64,
        follow: bool,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let changed = if follow {
            let args = [idea_id.into(), account_id.into(), now.into()];
            self.execute(FOLLOW, &args).await?
        } else {
            self.execute(UNFOLLOW, &[idea_id.into(), account_id.into()])
                .await?
        };
        Ok(changed == 1)
    }
}
