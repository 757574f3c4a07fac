//! Idempotency keys, the part written inside a request's own transaction: the mark that its
//! change was committed, so a retry after a crash (before the answer was recorded) cannot make
//! the change a second time.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{SqlArg, SqlTx, StoreError, StoreResult};

#[async_trait]
pub trait IdempotencyTx: Send {
    /// Marks the key claimed at `claimed_at` as applied by this transaction. Fails with
    /// `Conflict` when the claim is no longer this request's (another request took it over, or
    /// it was answered), so the change rolls back instead of being made twice.
    async fn mark_idempotency_applied(
        &mut self,
        account_id: i64,
        key: &str,
        claimed_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()>;
}

/// The claim's time is its holder's token: a takeover moves it.
const MARK_APPLIED: &str = "UPDATE idempotency_keys SET applied_at = $1 \
     WHERE account_id = $2 AND key = $3 AND created_at = $4 AND status IS NULL";

#[async_trait]
impl<T: SqlTx + ?Sized> IdempotencyTx for T {
    async fn mark_idempotency_applied(
        &mut self,
        account_id: i64,
        key: &str,
        claimed_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        let args = [
            SqlArg::Int(now.millis()),
            SqlArg::Int(account_id),
            SqlArg::Text(key),
            SqlArg::Int(claimed_at.millis()),
        ];
        match self.execute_with(MARK_APPLIED, &args).await? {
            1 => Ok(()),
            _ => Err(StoreError::Conflict {
                field: "Idempotency-Key",
            }),
        }
    }
}
