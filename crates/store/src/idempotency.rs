//! Idempotency keys, the part written inside a request's own transaction: the mark that its
//! change was committed, so a retry after a crash (before the answer was recorded) cannot make
//! the change a second time.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{SqlArg, SqlTx, StoreResult};

#[async_trait]
pub trait IdempotencyTx: Send {
    /// Marks the claimed key as applied by this transaction (a no-op once it has an answer).
    async fn mark_idempotency_applied(
        &mut self,
        account_id: i64,
        key: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
}

const MARK_APPLIED: &str = "UPDATE idempotency_keys SET applied_at = $1 \
     WHERE account_id = $2 AND key = $3 AND status IS NULL";

#[async_trait]
impl<T: SqlTx + ?Sized> IdempotencyTx for T {
    async fn mark_idempotency_applied(
        &mut self,
        account_id: i64,
        key: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.execute_with(
            MARK_APPLIED,
            &[
                SqlArg::Int(now.millis()),
                SqlArg::Int(account_id),
                SqlArg::Text(key),
            ],
        )
        .await?;
        Ok(())
    }
}
