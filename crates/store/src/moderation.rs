//! Moderation: flags people raise on ideas and comments, and hiding what breaks the rules.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::dialogue::subject;
use crate::{ContentKind, Flag, NewFlag, Sql, SqlRead, SqlTx, StoreResult};

#[async_trait]
pub trait ModerationRead {
    /// Open flags in the given spaces, oldest first.
    async fn open_flags(&self, space_ids: &[i64], limit: i64) -> StoreResult<Vec<Flag>>;
}

#[async_trait]
pub trait ModerationTx {
    /// Fails with `Conflict { field: "id" }` when this reporter already flagged this content.
    async fn insert_flag(&mut self, flag: &NewFlag<'_>) -> StoreResult<i64>;
    /// Hides (with a reason) or shows again an idea or comment.
    async fn set_hidden(
        &mut self,
        kind: ContentKind,
        id: i64,
        hidden: Option<(Timestamp, &str)>,
    ) -> StoreResult<()>;
    /// Resolves the open flags on this content; returns how many.
    async fn resolve_flags(
        &mut self,
        kind: ContentKind,
        id: i64,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<u64>;
}

const OPEN_FLAGS: &str = "SELECT f.id, f.target_kind, f.target_id, f.space_id, f.idea_id, \
     f.challenge_id, f.reporter_id, a.name AS reporter_name, f.reason, f.created_at \
     FROM flags f JOIN accounts a ON a.id = f.reporter_id \
     WHERE f.resolved_at IS NULL AND f.space_id IN (";
const INSERT: &str = "INSERT INTO flags (target_kind, target_id, space_id, idea_id, \
     challenge_id, reporter_id, reason, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
const RESOLVE: &str = "UPDATE flags SET resolved_at = $1, resolved_by = $2 \
     WHERE target_kind = $3 AND target_id = $4 AND resolved_at IS NULL";

#[async_trait]
impl<S: SqlRead + ?Sized> ModerationRead for S {
    async fn open_flags(&self, space_ids: &[i64], limit: i64) -> StoreResult<Vec<Flag>> {
        if space_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(OPEN_FLAGS);
        sql.list(space_ids.iter().copied())
            .push(") ORDER BY f.id LIMIT ")
            .bind(limit);
        let rows = self.fetch_sql(&sql).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(Flag {
                    id: row.int("id")?,
                    target_kind: row.parse("target_kind")?,
                    target_id: row.int("target_id")?,
                    space_id: row.int("space_id")?,
                    subject: subject(&row)?,
                    reporter_id: row.int("reporter_id")?,
                    reporter_name: row.text("reporter_name")?,
                    reason: row.text("reason")?,
                    created_at: row.time("created_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> ModerationTx for T {
    async fn insert_flag(&mut self, new: &NewFlag<'_>) -> StoreResult<i64> {
        let args = [
            new.target_kind.as_str().into(),
            new.target_id.into(),
            new.space_id.into(),
            new.subject.idea_id().into(),
            new.subject.challenge_id().into(),
            new.reporter_id.into(),
            new.reason.into(),
            new.created_at.into(),
        ];
        self.insert_returning_id(INSERT, &args).await
    }

    async fn set_hidden(
        &mut self,
        kind: ContentKind,
        id: i64,
        hidden: Option<(Timestamp, &str)>,
    ) -> StoreResult<()> {
        let sql = match kind {
            ContentKind::Idea => {
                "UPDATE ideas SET hidden_at = $1, hidden_reason = $2 WHERE id = $3"
            }
            ContentKind::Comment => {
                "UPDATE comments SET hidden_at = $1, hidden_reason = $2 WHERE id = $3"
            }
        };
        let args = [
            hidden.map(|(at, _)| at).into(),
            hidden.map(|(_, reason)| reason).into(),
            id.into(),
        ];
        self.execute(sql, &args).await?;
        Ok(())
    }

    async fn resolve_flags(
        &mut self,
        kind: ContentKind,
        id: i64,
        by: i64,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let args = [now.into(), by.into(), kind.as_str().into(), id.into()];
        self.execute(RESOLVE, &args).await
    }
}
