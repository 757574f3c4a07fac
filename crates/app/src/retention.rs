//! Retention: records that stopped working or mattering are removed after configurable periods,
//! in short transactions, by the background worker once an hour.

use cocreate_store::{Purged, RetentionCutoffs};
use serde::{Deserialize, Serialize};

use crate::{App, AppResult};

/// Records of each kind removed in one transaction at most.
const BATCH: i64 = 500;

/// How long records are kept after they stop working or mattering (`[retention]` in the
/// configuration). Whole days and hours: nothing here needs finer steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionPeriods {
    /// Days an expired session, reset or address-change link, or unaccepted invitation is kept.
    pub expired_days: u32,
    /// Days a revoked API token is kept (its list entry shows when it was revoked).
    pub revoked_token_days: u32,
    /// Hours an idempotency key (with the response it replays) is kept.
    pub idempotency_hours: u32,
    /// Days a notification is kept after it was read.
    pub read_notification_days: u32,
    /// Days sent, logged or dead mail stays in the outbox.
    pub finished_mail_days: u32,
    /// Days an entry stays in the search change log. A server stopped for longer rebuilds its
    /// search index from the tables when it starts.
    pub search_log_days: u32,
}

impl Default for RetentionPeriods {
    fn default() -> Self {
        Self {
            expired_days: 7,
            revoked_token_days: 30,
            idempotency_hours: 24,
            read_notification_days: 90,
            finished_mail_days: 30,
            search_log_days: 7,
        }
    }
}

impl App {
    /// Removes every record older than its retention period, a batch per transaction; returns
    /// how many of each kind went.
    pub async fn remove_expired(&self) -> AppResult<Purged> {
        let now = self.now();
        let periods = self.config.retention;
        let days_ago = |days: u32| now.plus_minutes(-i64::from(days) * 24 * 60);
        let cutoffs = RetentionCutoffs {
            expired_before: days_ago(periods.expired_days),
            revoked_before: days_ago(periods.revoked_token_days),
            idempotency_before: now.plus_minutes(-i64::from(periods.idempotency_hours) * 60),
            read_before: days_ago(periods.read_notification_days),
            finished_mail_before: days_ago(periods.finished_mail_days),
            search_log_before: days_ago(periods.search_log_days),
        };
        let mut removed = Purged::default();
        loop {
            let mut tx = self.store.begin().await?;
            let purged = tx.purge_expired(&cutoffs, BATCH).await?;
            tx.commit().await?;
            removed += purged;
            if !purged.filled(BATCH) {
                return Ok(removed);
            }
        }
    }
}
