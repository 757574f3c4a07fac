//! Personal API tokens for integrations: shown once, stored as a keyed hash, revocable.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cocreate_core::{DisplayName, Timestamp};
use cocreate_store::{ApiToken, NewApiToken, Store};

use crate::secrets::new_token;
use crate::{Actor, App, AppError, AppResult};

/// Every token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "cct_";

/// A token in steady use has its "last used" written at most this often.
const LAST_USED_EVERY_MS: i64 = 60_000;

/// Uses of API tokens whose time is not stored yet. A request that comes with a token does not
/// wait for a write only to note when it came (on SQLite that write queues behind every other
/// writer): the use is noted here, and one task at a time writes all noted uses in one
/// transaction. A crash loses at most the uses of that moment, which are bookkeeping, not
/// anything a user wrote.
#[derive(Default)]
pub(crate) struct TokenUses {
    /// Token id → when it was last used.
    pending: Mutex<HashMap<i64, Timestamp>>,
    /// Whether a task is writing the pending uses.
    writing: AtomicBool,
}

impl TokenUses {
    fn pending(&self) -> MutexGuard<'_, HashMap<i64, Timestamp>> {
        // A map of times stays usable even if a holder panicked.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The uses not stored yet. A use leaves this map only once its write has committed, so
    /// taking this before reading stored tokens misses no use that happens in between.
    fn unstored(&self) -> HashMap<i64, Timestamp> {
        self.pending().clone()
    }

    /// When `token` was last used, counting uses not stored yet.
    fn last_used(&self, token: &ApiToken) -> Option<Timestamp> {
        let pending = self.pending().get(&token.id).copied();
        token.last_used_at.max(pending)
    }

    /// Notes a use, and starts the writing task unless it runs already.
    fn note(self: &Arc<Self>, store: &Arc<dyn Store>, token_id: i64, at: Timestamp) {
        self.pending().insert(token_id, at);
        if !self.writing.swap(true, Ordering::SeqCst) {
            tokio::spawn(self.clone().write(store.clone()));
        }
    }

    /// Writes the uses pending once the transaction holds the write lock (so the batch includes
    /// every use noted while waiting for it), and returns them.
    async fn write_batch(
        &self,
        store: &dyn Store,
    ) -> Result<HashMap<i64, Timestamp>, cocreate_store::StoreError> {
        let mut tx = store.begin().await?;
        let batch = self.pending().clone();
        for (&token_id, &at) in &batch {
            tx.touch_api_token(token_id, at).await?;
        }
        tx.commit().await?;
        Ok(batch)
    }

    /// Writes the pending uses until none is left.
    async fn write(self: Arc<Self>, store: Arc<dyn Store>) {
        loop {
            if self.pending().is_empty() {
                self.writing.store(false, Ordering::SeqCst);
                // A use noted after the check above found `writing` still set: take it on,
                // unless a task started for it meanwhile.
                if self.pending().is_empty() || self.writing.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
            let batch = match self.write_batch(store.as_ref()).await {
                Ok(batch) => batch,
                Err(error) => {
                    // Bookkeeping only: the next use of each token notes it again, so give up
                    // on this batch rather than retry in a loop (on a full disk, say).
                    tracing::warn!(%error, "could not record when API tokens were last used");
                    self.pending().clone()
                }
            };
            // A use noted again while the batch was written stays pending.
            self.pending()
                .retain(|token_id, at| batch.get(token_id) != Some(at));
        }
    }
}

/// A token just made: `secret` is shown this once and never again.
pub struct CreatedApiToken {
    pub token: ApiToken,
    pub secret: String,
}

impl App {
    pub async fn create_api_token(&self, actor: &Actor, name: &str) -> AppResult<CreatedApiToken> {
        let name = DisplayName::parse(name)?;
        let secret = format!("{TOKEN_PREFIX}{}", new_token());
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let mut tx = self.store.begin().await?;
        let token = tx
            .insert_api_token(&NewApiToken {
                account_id: actor.id,
                name: name.as_str(),
                prefix: &prefix,
                token_hash: &self.hash(&secret),
                created_at: self.now(),
            })
            .await?;
        self.commit(tx).await?;
        Ok(CreatedApiToken { token, secret })
    }

    /// The actor's own tokens, revoked ones included.
    pub async fn api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        let unstored = self.token_uses.unstored();
        let mut tokens = self.store.api_tokens(actor.id).await?;
        for token in &mut tokens {
            token.last_used_at = token.last_used_at.max(unstored.get(&token.id).copied());
        }
        Ok(tokens)
    }

    /// Notes that `token` was used now, when its last use is more than a minute old; the time
    /// is written beside the request, which does not wait for it.
    pub(crate) fn note_token_use(&self, token: &ApiToken) {
        let now = self.now();
        let stale = self
            .token_uses
            .last_used(token)
            .is_none_or(|used| now.millis() - used.millis() > LAST_USED_EVERY_MS);
        if stale {
            self.token_uses.note(&self.store, token.id, now);
        }
    }

    /// Revokes one of the actor's own live tokens; anyone else's is "not found".
    pub async fn revoke_api_token(&self, actor: &Actor, token_id: i64) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        if !tx.revoke_api_token(token_id, actor.id, self.now()).await? {
            return Err(AppError::NotFound);
        }
        self.commit(tx).await?;
        Ok(())
    }
}
