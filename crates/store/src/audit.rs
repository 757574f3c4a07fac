//! The audit log: who changed what in the organisation's settings, spaces and roles.

use async_trait::async_trait;

use crate::{AuditEntry, NewAudit, SqlRead, SqlTx, StoreResult};

#[async_trait]
pub trait AuditRead {
    /// Newest first, strictly before `before_id` (use `i64::MAX` for the first page).
    async fn audit_log(&self, before_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

#[async_trait]
pub trait AuditTx {
    async fn insert_audit(&mut self, entry: &NewAudit<'_>) -> StoreResult<()>;
}

const PAGE: &str = "SELECT l.id, l.actor_id, a.name AS actor_name, l.action, l.target, l.detail, \
     l.created_at FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id \
     WHERE l.id < $1 ORDER BY l.id DESC LIMIT $2";
const INSERT: &str = "INSERT INTO audit_log (actor_id, action, target, detail, created_at) \
     VALUES ($1, $2, $3, $4, $5)";

#[async_trait]
impl<S: SqlRead + ?Sized> AuditRead for S {
    async fn audit_log(&self, before_id: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows = self.fetch(PAGE, &[before_id.into(), limit.into()]).await?;
        rows.into_iter()
            .map(|mut row| {
                Ok(AuditEntry {
                    id: row.int("id")?,
                    actor_id: row.maybe_int("actor_id")?,
                    actor_name: row.maybe_text("actor_name")?,
                    action: row.text("action")?,
                    target: row.text("target")?,
                    detail: row.text("detail")?,
                    created_at: row.time("created_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl<T: SqlTx + ?Sized> AuditTx for T {
    async fn insert_audit(&mut self, entry: &NewAudit<'_>) -> StoreResult<()> {
        let args = [
            entry.actor_id.into(),
            entry.action.into(),
            entry.target.into(),
            entry.detail.into(),
            entry.created_at.into(),
        ];
        self.execute(INSERT, &args).await?;
        Ok(())
    }
}
