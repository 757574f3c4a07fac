//! Records that stopped working or stopped mattering are removed after a while: expired sessions,
//! reset and address-change links, invitations never taken, revoked API tokens, idempotency keys
//! (which keep whole responses), read notifications, finished mail and old search change-log
//! entries.
//!
//! The SQL is plain text with `$n` arguments, which both backends read alike, run through
//! [`SqlTx`], the one thing a backend's transaction provides for it. Each statement removes at
//! most one batch, found through an index on the column it compares, so a write transaction stays
//! short however much has piled up.

use async_trait::async_trait;
use cocreate_core::Timestamp;

use crate::{SqlTx, StoreResult};

/// Before when each kind of record may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Sessions, reset and address-change links, and invitations never accepted, that expired
    /// before this.
    pub expired_before: Timestamp,
    /// API tokens revoked before this.
    pub revoked_before: Timestamp,
    /// Idempotency keys first used before this.
    pub idempotency_before: Timestamp,
    /// Notifications read before this.
    pub read_before: Timestamp,
    /// Mail sent, logged or dead before this.
    pub finished_mail_before: Timestamp,
    /// Search change-log entries written before this.
    pub search_log_before: Timestamp,
}

/// How many records of each kind one pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub account_tokens: u64,
    pub invitations: u64,
    pub api_tokens: u64,
    pub idempotency_keys: u64,
    pub notifications: u64,
    pub mails: u64,
    pub search_log_entries: u64,
}

impl std::ops::AddAssign for Purged {
    fn add_assign(&mut self, other: Self) {
        self.sessions += other.sessions;
        self.account_tokens += other.account_tokens;
        self.invitations += other.invitations;
        self.api_tokens += other.api_tokens;
        self.idempotency_keys += other.idempotency_keys;
        self.notifications += other.notifications;
        self.mails += other.mails;
        self.search_log_entries += other.search_log_entries;
    }
}

impl Purged {
    /// Whether some kind filled its batch, so more may be waiting.
    pub fn filled(&self, batch: i64) -> bool {
        let batch = u64::try_from(batch).unwrap_or(0);
        [
            self.sessions,
            self.account_tokens,
            self.invitations,
            self.api_tokens,
            self.idempotency_keys,
            self.notifications,
            self.mails,
            self.search_log_entries,
        ]
        .into_iter()
        .any(|removed| removed >= batch)
    }
}

/// Removing what may go, inside a write transaction.
#[async_trait]
pub trait RetentionTx: Send {
    /// Removes up to `batch` records of each kind older than its cutoff.
    async fn purge_expired(
        &mut self,
        cutoffs: &RetentionCutoffs,
        batch: i64,
    ) -> StoreResult<Purged>;
}

const SESSIONS: &str = "DELETE FROM sessions WHERE token_hash IN \
     (SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT $2)";
const ACCOUNT_TOKENS: &str = "DELETE FROM account_tokens WHERE token_hash IN \
     (SELECT token_hash FROM account_tokens WHERE expires_at <= $1 LIMIT $2)";
const INVITATIONS: &str = "DELETE FROM invitations WHERE id IN \
     (SELECT id FROM invitations WHERE accepted_at IS NULL AND expires_at <= $1 LIMIT $2)";
const API_TOKENS: &str = "DELETE FROM api_tokens WHERE id IN \
     (SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL AND revoked_at <= $1 LIMIT $2)";
const IDEMPOTENCY_KEYS: &str = "DELETE FROM idempotency_keys WHERE (account_id, key) IN \
     (SELECT account_id, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)";
const NOTIFICATIONS: &str = "DELETE FROM notifications WHERE id IN \
     (SELECT id FROM notifications WHERE read_at IS NOT NULL AND read_at <= $1 LIMIT $2)";
const SEARCH_LOG: &str = "DELETE FROM search_log WHERE seq IN \
     (SELECT seq FROM search_log WHERE logged_at <= $1 LIMIT $2)";
const MAILS: &str = "DELETE FROM outbox WHERE id IN \
     (SELECT id FROM outbox WHERE finished_at IS NOT NULL AND finished_at <= $1 LIMIT $2)";

#[async_trait]
impl<T: SqlTx + ?Sized> RetentionTx for T {
    async fn purge_expired(
        &mut self,
        cutoffs: &RetentionCutoffs,
        batch: i64,
    ) -> StoreResult<Purged> {
        let expired = cutoffs.expired_before.millis();
        Ok(Purged {
            sessions: self
                .execute(SESSIONS, &[expired.into(), batch.into()])
                .await?,
            account_tokens: self
                .execute(ACCOUNT_TOKENS, &[expired.into(), batch.into()])
                .await?,
            invitations: self
                .execute(INVITATIONS, &[expired.into(), batch.into()])
                .await?,
            api_tokens: self
                .execute(
                    API_TOKENS,
                    &[cutoffs.revoked_before.millis().into(), batch.into()],
                )
                .await?,
            idempotency_keys: self
                .execute(
                    IDEMPOTENCY_KEYS,
                    &[cutoffs.idempotency_before.millis().into(), batch.into()],
                )
                .await?,
            notifications: self
                .execute(
                    NOTIFICATIONS,
                    &[cutoffs.read_before.millis().into(), batch.into()],
                )
                .await?,
            mails: self
                .execute(
                    MAILS,
                    &[cutoffs.finished_mail_before.millis().into(), batch.into()],
                )
                .await?,
            search_log_entries: self
                .execute(
                    SEARCH_LOG,
                    &[cutoffs.search_log_before.millis().into(), batch.into()],
                )
                .await?,
        })
    }
}
