//! Idempotency keys: a request's key is claimed before its change is made, marked applied inside
//! the change's own transaction, and answered afterwards, so a retry (even after a crash before
//! the answer was recorded) cannot make the change a second time.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{IdempotencyClaim, SqlTx, StoreError, StoreResult};

#[async_trait]
pub trait IdempotencyTx: Send {
    /// Claims an idempotency key for a request with this fingerprint (method, path and body);
    /// a claim left in progress since before `stale_before` is taken over.
    async fn claim_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> StoreResult<IdempotencyClaim>;
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
    /// Records the response to a claimed key (`None` forgets the claim, so it can be retried).
    async fn finish_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        response: Option<(i64, &str)>,
    ) -> StoreResult<()>;
}

const CLAIMED: &str = "SELECT fingerprint, status, body, created_at, applied_at \
     FROM idempotency_keys WHERE account_id = $1 AND key = $2";
/// Taken over only if nobody took it over first: the claim's time is its holder's token.
const TAKE_OVER: &str = "UPDATE idempotency_keys SET created_at = $1 \
     WHERE account_id = $2 AND key = $3 AND created_at = $4 AND status IS NULL \
     AND applied_at IS NULL";
const CLAIM: &str = "INSERT INTO idempotency_keys (account_id, key, fingerprint, created_at) \
     VALUES ($1, $2, $3, $4)";
/// The claim's time is its holder's token: a takeover moves it.
const MARK_APPLIED: &str = "UPDATE idempotency_keys SET applied_at = $1 \
     WHERE account_id = $2 AND key = $3 AND created_at = $4 AND status IS NULL";
const ANSWER: &str =
    "UPDATE idempotency_keys SET status = $1, body = $2 WHERE account_id = $3 AND key = $4";
/// A claim whose change was committed stays, so a retry cannot make it twice.
const FORGET: &str =
    "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND applied_at IS NULL";

#[async_trait]
impl<T: SqlTx + ?Sized> IdempotencyTx for T {
    async fn claim_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        fingerprint: &str,
        now: Timestamp,
        stale_before: Timestamp,
    ) -> StoreResult<IdempotencyClaim> {
        let existing = self
            .fetch_optional(CLAIMED, &[account_id.into(), key.into()])
            .await?;
        let Some(mut row) = existing else {
            let args = [
                account_id.into(),
                key.into(),
                fingerprint.into(),
                now.into(),
            ];
            self.execute(CLAIM, &args).await?;
            return Ok(IdempotencyClaim::New);
        };
        if row.text("fingerprint")? != fingerprint {
            return Ok(IdempotencyClaim::Mismatch);
        }
        let since = row.time("created_at")?;
        match row.maybe_int("status")? {
            Some(status) => Ok(IdempotencyClaim::Done {
                status,
                body: row.maybe_text("body")?.unwrap_or_default(),
            }),
            None if row.maybe_int("applied_at")?.is_some() => {
                Ok(IdempotencyClaim::AppliedWithoutAnswer)
            }
            None if since >= stale_before => Ok(IdempotencyClaim::InProgress { since }),
            None => {
                let args = [now.into(), account_id.into(), key.into(), since.into()];
                Ok(if self.execute(TAKE_OVER, &args).await? == 1 {
                    IdempotencyClaim::New
                } else {
                    IdempotencyClaim::InProgress { since: now }
                })
            }
        }
    }

    async fn mark_idempotency_applied(
        &mut self,
        account_id: i64,
        key: &str,
        claimed_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        let args = [now.into(), account_id.into(), key.into(), claimed_at.into()];
        match self.execute(MARK_APPLIED, &args).await? {
            1 => Ok(()),
            _ => Err(StoreError::Conflict {
                field: "Idempotency-Key",
            }),
        }
    }

    async fn finish_idempotency_key(
        &mut self,
        account_id: i64,
        key: &str,
        response: Option<(i64, &str)>,
    ) -> StoreResult<()> {
        match response {
            Some((status, body)) => {
                let args = [status.into(), body.into(), account_id.into(), key.into()];
                self.execute(ANSWER, &args).await?;
            }
            None => {
                self.execute(FORGET, &[account_id.into(), key.into()])
                    .await?;
            }
        }
        Ok(())
    }
}
