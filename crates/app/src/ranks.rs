//! Keeping the stored hot and trending ranks true.
//!
//! A write that changes an idea's supporters or comments moves its ranks in the same transaction.
//! The hot rank does not move with time alone (see [`cocreate_core::ranks::hot`]), so all that
//! time changes is trending, as supports leave the week: once a minute only the ideas with a
//! support that left it are recounted, instead of reading every recent idea.

use std::collections::HashMap;
use std::time::Instant;

use cocreate_core::Timestamp;
use cocreate_core::ranks::{hot, trending_since};
use cocreate_store::Tx;

use crate::{App, AppResult};

/// Ideas read, or recounted in one transaction, at a time.
const BATCH: i64 = 500;

/// What a refresh of the ranks did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RanksRefreshed {
    /// Ideas whose ranks were checked.
    pub ideas: usize,
    /// Of those, the ideas whose stored ranks were wrong and were rewritten.
    pub moved: u64,
    /// The moment the ranks are now true for; the next trending refresh starts from it.
    pub as_of: Timestamp,
}

/// Recomputes the ranks of these ideas inside `tx`. Locking them first makes the trending count
/// exact: every support committed before is counted, and every later one waits and adds to it.
pub(crate) async fn rerank(tx: &mut dyn Tx, ids: &[i64], now: Timestamp) -> AppResult<u64> {
    let ideas = tx.lock_ideas(ids).await?;
    let recent: HashMap<i64, i64> = tx
        .recent_supporters(ids, trending_since(now))
        .await?
        .into_iter()
        .collect();
    let ranks: Vec<(i64, i64, i64)> = ideas
        .iter()
        .map(|i| {
            (
                i.id,
                hot(i.supporters, i.comments, i.created_at),
                recent.get(&i.id).copied().unwrap_or(0),
            )
        })
        .collect();
    Ok(tx.set_ranks(&ranks).await?)
}

/// Rests `rest` times as long as the batch begun at `started` took, so that beside live traffic
/// a refresh takes at most `1 / (rest + 1)` of the time it runs instead of a burst every request
/// waits behind.
async fn rest_after(started: Instant, rest: u32) {
    if rest > 0 {
        tokio::time::sleep(started.elapsed() * rest).await;
    }
}

impl App {
    /// Checks the ranks of every idea and rewrites the wrong ones: at start, when supports may
    /// have left the week while the process was down, or ranks were loaded from an older formula.
    pub async fn refresh_ranks(&self) -> AppResult<RanksRefreshed> {
        self.refresh_ranks_resting(0).await
    }

    /// [`App::refresh_ranks`], resting after each batch (see [`rest_after`]).
    pub async fn refresh_ranks_resting(&self, rest: u32) -> AppResult<RanksRefreshed> {
        let now = self.now();
        let since = trending_since(now);
        let mut after = 0;
        let mut checked = 0;
        let mut moved = 0;
        loop {
            let started = Instant::now();
            let batch = self.store.ideas_to_rank(since, after, BATCH).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            checked += batch.len();
            // Read without locks; only the ideas found wrong are locked and recounted.
            let wrong: Vec<i64> = batch
                .iter()
                .filter(|i| {
                    (i.hot, i.trending)
                        != (
                            hot(i.supporters, i.comments, i.created_at),
                            i.recent_supporters,
                        )
                })
                .map(|i| i.id)
                .collect();
            moved += self.rerank_alone(&wrong, now).await?;
            rest_after(started, rest).await;
        }
        Ok(RanksRefreshed {
            ideas: checked,
            moved,
            as_of: now,
        })
    }

    /// Recounts the trending ranks of the ideas with a support that has left the week since
    /// `as_of` (the moment the last refresh made the ranks true for), resting after each batch.
    pub async fn refresh_trending_resting(
        &self,
        as_of: Timestamp,
        rest: u32,
    ) -> AppResult<RanksRefreshed> {
        let now = self.now();
        let (from, to) = (trending_since(as_of), trending_since(now));
        let mut after = 0;
        let mut checked = 0;
        let mut moved = 0;
        loop {
            let started = Instant::now();
            let ids = self
                .store
                .ideas_supported_between(from, to, after, BATCH)
                .await?;
            let Some(&last) = ids.last() else { break };
            after = last;
            checked += ids.len();
            moved += self.rerank_alone(&ids, now).await?;
            rest_after(started, rest).await;
        }
        Ok(RanksRefreshed {
            ideas: checked,
            moved,
            as_of: now,
        })
    }

    /// [`rerank`] in a transaction of its own.
    async fn rerank_alone(&self, ids: &[i64], now: Timestamp) -> AppResult<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        let moved = rerank(&mut *tx, ids, now).await?;
        tx.commit().await?;
        Ok(moved)
    }
}
