//! Possible duplicates. Each process holds every comparable idea's words in a duplicate index
//! (`cocreate_insights::DuplicateIndex`): filled from the tables when the search index starts
//! following the change log, then fed each changed idea the log names, so the queue keeps up as
//! ideas arrive. The pairs it finds are stored; staff work through them in a queue, merging one
//! idea into the other (the merge keeps every supporter) or marking them distinct, and a decided
//! pair stays decided when it is found again.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use cocreate_core::Clock;
use cocreate_insights::DuplicateIndex;
use cocreate_store::{
    DUPLICATE_STAGES, DocKind, Documents, DuplicateCursor, DuplicatePair, DuplicateStatus,
    FoundDuplicate, Idea, SearchDocument, Store,
};
use tokio::sync::watch;

use crate::{Actor, App, AppError, AppResult, SpaceView};

/// Pairs on a page of the queue.
pub const DUPLICATES_PER_PAGE: i64 = 20;
/// Ideas read from the tables at once while the index fills.
const FILL_PAGE: i64 = 2_000;

/// The last fill of this process's duplicate index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicatesFilled {
    /// Ideas held (those with enough words to compare).
    pub ideas: usize,
    /// Pairs found.
    pub pairs: usize,
    pub took: Duration,
}

#[derive(Default)]
pub(crate) struct DuplicateFinder {
    index: Mutex<DuplicateIndex>,
    filled: watch::Sender<Option<DuplicatesFilled>>,
}

impl DuplicateFinder {
    /// Takes in every comparable idea afresh from the tables and stores the pairs found.
    pub(crate) async fn fill(&self, store: &dyn Store, clock: &dyn Clock) -> AppResult<()> {
        let started = Instant::now();
        *self.index() = DuplicateIndex::new();
        let (mut after, mut pairs) = (0, 0);
        loop {
            let docs = store
                .search_documents(Documents::After {
                    kind: DocKind::Idea,
                    after,
                    limit: FILL_PAGE,
                })
                .await?;
            let Some(last) = docs.last() else {
                break;
            };
            after = last.id;
            let found = self.take_in(&[], &docs);
            pairs += found.len();
            record(store, clock, &found).await?;
        }
        if pairs > 0 {
            let mut tx = store.begin().await?;
            tx.analyze_duplicates().await?;
            tx.commit().await?;
        }
        let ideas = self.index().len();
        self.filled.send_replace(Some(DuplicatesFilled {
            ideas,
            pairs,
            took: started.elapsed(),
        }));
        tracing::info!(ideas, pairs, took = ?started.elapsed(), "duplicate index filled");
        Ok(())
    }

    /// Takes in the ideas the log named as changed (`docs` holds those still there), once the
    /// index has filled: until then the fill reads them.
    pub(crate) async fn observe(
        &self,
        store: &dyn Store,
        clock: &dyn Clock,
        changed: &[i64],
        docs: &[SearchDocument],
    ) -> AppResult<()> {
        if self.filled().is_none() {
            return Ok(());
        }
        let found = self.take_in(changed, docs);
        record(store, clock, &found).await
    }

    pub(crate) fn filled(&self) -> Option<DuplicatesFilled> {
        *self.filled.borrow()
    }

    fn index(&self) -> std::sync::MutexGuard<'_, DuplicateIndex> {
        // The index holds no invariant a panic elsewhere could have broken halfway.
        self.index.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Forgets the `gone` ideas, then takes in the comparable ideas among `docs`; returns the
    /// pairs found.
    fn take_in(&self, gone: &[i64], docs: &[SearchDocument]) -> Vec<FoundDuplicate> {
        let mut index = self.index();
        for id in gone {
            index.remove(*id);
        }
        let mut found = Vec::new();
        for doc in docs.iter().filter(|doc| doc.kind == DocKind::Idea) {
            if !comparable(doc) {
                index.remove(doc.id);
                continue;
            }
            let text = format!("{}\n{}", doc.title, doc.body);
            for alike in index.insert(doc.id, doc.space_id, &text) {
                found.push(FoundDuplicate {
                    space_id: doc.space_id,
                    first_idea_id: alike.key.min(doc.id),
                    second_idea_id: alike.key.max(doc.id),
                    similarity: (alike.similarity * 1000.0).round() as i64,
                });
            }
        }
        found
    }
}

fn comparable(doc: &SearchDocument) -> bool {
    doc.visible
        && doc
            .stage
            .is_some_and(|stage| DUPLICATE_STAGES.contains(&stage))
}

async fn record(store: &dyn Store, clock: &dyn Clock, found: &[FoundDuplicate]) -> AppResult<()> {
    if found.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    tx.record_duplicates(found, clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A page of a space's possible duplicates.
#[derive(Debug, Clone)]
pub struct DuplicateQueue {
    pub space: SpaceView,
    pub pairs: Vec<DuplicatePair>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
}

/// A pair side by side, with both ideas whole.
#[derive(Debug, Clone)]
pub struct DuplicateComparison {
    pub space: SpaceView,
    pub pair: DuplicatePair,
    pub first: Idea,
    pub second: Idea,
}

impl DuplicateComparison {
    /// Whether `from` may be merged into `into` (only ideas still open to a decision are
    /// merged, and only into an open idea).
    pub fn may_merge(from: &Idea, into: &Idea) -> bool {
        from.stage
            .may_move(cocreate_core::Stage::Merged, cocreate_core::Mover::Staff)
            && !into.stage.is_final()
            && into.stage != cocreate_core::Stage::Draft
    }
}

fn parse_cursor(after: &str) -> AppResult<DuplicateCursor> {
    let invalid = || AppError::invalid("after", "not a page of this queue");
    let (similarity, id) = after.split_once('.').ok_or_else(invalid)?;
    Ok(DuplicateCursor {
        similarity: similarity.parse().map_err(|_| invalid())?,
        id: id.parse().map_err(|_| invalid())?,
    })
}

impl App {
    /// The space's possible duplicates, most alike first (staff only).
    pub async fn duplicate_queue(
        &self,
        actor: &Actor,
        slug: &str,
        after: Option<&str>,
    ) -> AppResult<DuplicateQueue> {
        let space = self.space(Some(actor), slug).await?;
        Self::require_curator(&space)?;
        let after = after.map(parse_cursor).transpose()?;
        let mut pairs = self
            .store
            .duplicate_queue(space.space.id, after, DUPLICATES_PER_PAGE + 1)
            .await?;
        let next = if pairs.len() as i64 > DUPLICATES_PER_PAGE {
            pairs.truncate(DUPLICATES_PER_PAGE as usize);
            pairs
                .last()
                .map(|last| format!("{}.{}", last.similarity, last.id))
        } else {
            None
        };
        Ok(DuplicateQueue { space, pairs, next })
    }

    /// A pair of possible duplicates side by side (staff only).
    pub async fn duplicate_comparison(
        &self,
        actor: &Actor,
        id: i64,
    ) -> AppResult<DuplicateComparison> {
        let pair = self
            .store
            .duplicate_pair(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let space = self.space_by_id(Some(actor), pair.space_id).await?;
        Self::require_curator(&space)?;
        let (first, _) = self.visible_idea(Some(actor), pair.first.idea_id).await?;
        let (second, _) = self.visible_idea(Some(actor), pair.second.idea_id).await?;
        Ok(DuplicateComparison {
            space,
            pair,
            first,
            second,
        })
    }

    /// Staff mark a pair as distinct ideas: it leaves the queue and stays out of it.
    pub async fn dismiss_duplicate(&self, actor: &Actor, id: i64) -> AppResult<DuplicatePair> {
        let comparison = self.duplicate_comparison(actor, id).await?;
        let mut tx = self.store.begin().await?;
        if !tx
            .decide_duplicate(id, DuplicateStatus::Dismissed, actor.id, self.now())
            .await?
        {
            return Err(already_decided());
        }
        tx.commit().await?;
        Ok(DuplicatePair {
            status: DuplicateStatus::Dismissed,
            ..comparison.pair
        })
    }

    /// Staff merge one idea of an open pair into the other, `keep`: the merge moves every
    /// supporter over and closes the pair (see [`App::merge_idea`]).
    pub async fn merge_duplicate(
        &self,
        actor: &Actor,
        id: i64,
        keep: i64,
        rationale: &str,
    ) -> AppResult<Idea> {
        let comparison = self.duplicate_comparison(actor, id).await?;
        let pair = &comparison.pair;
        if pair.status != DuplicateStatus::Open {
            return Err(already_decided());
        }
        let merged = if keep == pair.first.idea_id {
            pair.second.idea_id
        } else if keep == pair.second.idea_id {
            pair.first.idea_id
        } else {
            return Err(AppError::invalid(
                "keep_idea_id",
                "must be one of the pair's two ideas",
            ));
        };
        self.merge_idea(actor, merged, keep, rationale).await
    }
}

fn already_decided() -> AppError {
    AppError::conflict("status", "this pair has already been decided")
}
