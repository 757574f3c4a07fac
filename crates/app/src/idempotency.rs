//! Idempotency keys on creating requests: a client that retries with the same key gets the first
//! answer again instead of creating twice.

use std::sync::atomic::{AtomicBool, Ordering};

use cocreate_core::Timestamp;
use cocreate_store::{IdempotencyClaim, StoreError, Tx};
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, AppResult};

/// A claim left unfinished this long (a crash mid-request) may be taken over by a retry.
const STALE_CLAIM_MINUTES: i64 = 1;
/// The longest key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// What identifies "the same request": method, path and body.
pub fn request_fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

tokio::task_local! {
    /// The idempotency key of the request this task answers, while its handler runs.
    static CLAIMED: ClaimedKey;
}

struct ClaimedKey {
    account_id: i64,
    key: String,
    /// When this request claimed it: the claim's token.
    claimed_at: Timestamp,
    /// Whether a committed transaction has marked the key applied already.
    marked: AtomicBool,
}

/// What a claim of an idempotency key found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is this request's, claimed at this time: go ahead, holding it
    /// ([`with_claimed_key`]), then record the answer ([`App::finish_idempotent`]).
    Fresh { claimed_at: Timestamp },
    /// Answered before: replay this status and body.
    Answered { status: u16, body: String },
}

/// Runs `work` (a request's handler) as the holder of the `key` it claimed at `claimed_at`: the
/// first transaction it commits also marks the key applied, so the change and that mark land
/// together, and only while the claim is still this request's.
pub async fn with_claimed_key<F: Future>(
    account_id: i64,
    key: String,
    claimed_at: Timestamp,
    work: F,
) -> F::Output {
    let claimed = ClaimedKey {
        account_id,
        key,
        claimed_at,
        marked: AtomicBool::new(false),
    };
    CLAIMED.scope(claimed, work).await
}

impl App {
    /// Commits a use case's transaction; inside a request that holds an idempotency key, the
    /// first commit also marks the key applied in the same transaction.
    pub(crate) async fn commit(&self, mut tx: Box<dyn Tx>) -> AppResult<()> {
        let unmarked = CLAIMED
            .try_with(|claimed| {
                (!claimed.marked.load(Ordering::Acquire))
                    .then(|| (claimed.account_id, claimed.key.clone(), claimed.claimed_at))
            })
            .ok()
            .flatten();
        if let Some((account_id, key, claimed_at)) = &unmarked {
            tx.mark_idempotency_applied(*account_id, key, *claimed_at, self.now())
                .await
                .map_err(|error| match error {
                    StoreError::Conflict { .. } => AppError::conflict(
                        "Idempotency-Key",
                        "another request with this key took over; nothing was changed",
                    ),
                    other => other.into(),
                })?;
        }
        tx.commit().await?;
        if unmarked.is_some() {
            let _ = CLAIMED.try_with(|claimed| claimed.marked.store(true, Ordering::Release));
        }
        Ok(())
    }

    /// Claims `key` for this request.
    pub async fn claim_idempotent(
        &self,
        actor: &Actor,
        key: &str,
        fingerprint: &str,
    ) -> AppResult<Claim> {
        let valid = !key.is_empty()
            && key.len() <= MAX_IDEMPOTENCY_KEY
            && key.bytes().all(|b| b.is_ascii_graphic());
        if !valid {
            return Err(AppError::invalid(
                "Idempotency-Key",
                format!("must be 1–{MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
            ));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let claim = tx
            .claim_idempotency_key(
                actor.id,
                key,
                fingerprint,
                now,
                now.plus_minutes(-STALE_CLAIM_MINUTES),
            )
            .await;
        let in_progress = || {
            AppError::conflict(
                "Idempotency-Key",
                "a request with this key is still being answered; retry shortly",
            )
        };
        let outcome = match claim {
            Ok(IdempotencyClaim::New) => Claim::Fresh { claimed_at: now },
            Ok(IdempotencyClaim::Done { status, body }) => Claim::Answered {
                status: u16::try_from(status).unwrap_or(200),
                body: self.sealer.open(&body).map_err(|_| {
                    AppError::conflict(
                        "Idempotency-Key",
                        "this key was answered, but the answer cannot be read with this \
                         server's secret key; use a new key",
                    )
                })?,
            },
            Ok(IdempotencyClaim::InProgress { .. }) | Err(StoreError::Conflict { .. }) => {
                return Err(in_progress());
            }
            Ok(IdempotencyClaim::AppliedWithoutAnswer) => {
                return Err(AppError::conflict(
                    "Idempotency-Key",
                    "this request was already carried out, but the server stopped before it \
                     could answer; look up the result instead of sending it again",
                ));
            }
            Ok(IdempotencyClaim::Mismatch) => {
                return Err(AppError::conflict(
                    "Idempotency-Key",
                    "this key was already used for a different request",
                ));
            }
            Err(other) => return Err(other.into()),
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records the answer to a claimed key; `None` (a failed request) frees the key for a retry.
    pub async fn finish_idempotent(
        &self,
        actor: &Actor,
        key: &str,
        response: Option<(u16, &str)>,
    ) -> AppResult<()> {
        // An answer may hold a secret shown once (a new API token), so it is kept sealed.
        let sealed = response
            .map(|(status, body)| Ok::<_, AppError>((i64::from(status), self.sealer.seal(body)?)))
            .transpose()?;
        let mut tx = self.store.begin().await?;
        tx.finish_idempotency_key(
            actor.id,
            key,
            sealed
                .as_ref()
                .map(|(status, body)| (*status, body.as_str())),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
