//! The embedded search index, kept in step with the database. Every change to indexed text or
//! its visibility is logged in the writing transaction (`search_log`); a task per process
//! applies the log in order and commits, with each batch, how far it got. At start the index is
//! caught up from there, or rebuilt from the tables when it is missing, damaged, of another
//! version, far behind, or was built from another database (an import) or a later state of this
//! one (a restore). Until it has caught up, searches are answered by the database's own
//! full-text search. The same task keeps the duplicate finder (`duplicates.rs`) in step: it
//! fills from the tables once the index has caught up, then takes in each batch's changed ideas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use cocreate_core::Clock;
use cocreate_search::{Position, SCHEMA_VERSION, SearchIndex};
use cocreate_store::{DocKind, Documents, LogEntry, LogHead, SearchDocument, Store};
use tokio::sync::{Notify, watch};

use crate::duplicates::{DuplicateFinder, DuplicatesFilled};
use crate::{App, AppError, AppResult};

/// How often the log is read for new entries when nothing asks sooner.
const POLL: Duration = Duration::from_millis(100);
/// Log entries applied in one index commit at most.
const BATCH: i64 = 1_000;
/// Objects read from a table per statement during a rebuild.
const REBUILD_PAGE: i64 = 1_000;
/// How far behind the log's end a start still catches up; further, rebuilding is quicker.
const CATCH_UP_LIMIT: i64 = 50_000;
/// Entries re-applied after a rebuild: a transaction in flight while the tables were read may
/// have logged one of them.
const REAPPLY_AFTER_REBUILD: i64 = 1_000;
/// How long an entry skipped in the log (written by a transaction not yet committed) is waited
/// for; a rolled-back transaction leaves its seq unused for ever.
const GAP_PATIENCE: Duration = Duration::from_secs(60);
/// How long a search waits for the index to apply what was committed before it began.
const FRESH_WAIT: Duration = Duration::from_secs(1);
/// How long the task waits after a failure (the database down, say) before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Where the index stands, for `/readyz` and for choosing who answers a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchStatus {
    /// Not started in this process: the database answers searches.
    Off,
    Starting,
    Rebuilding {
        done: u64,
        total: u64,
    },
    CatchingUp,
    Ready,
    Failed(String),
}

impl std::fmt::Display for SearchStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Off => write!(f, "database (no index in this process)"),
            Self::Starting => write!(f, "database (index opening)"),
            Self::Rebuilding { done, total } => {
                write!(
                    f,
                    "database (index rebuilding: {done} of {total} documents)"
                )
            }
            Self::CatchingUp => write!(f, "database (index catching up)"),
            Self::Ready => write!(f, "index"),
            Self::Failed(why) => write!(f, "database (index failed: {why})"),
        }
    }
}

/// The index as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchIndexInfo {
    pub status: SearchStatus,
    /// The last change-log entry applied.
    pub applied: i64,
    /// Documents searchable now.
    pub documents: u64,
    pub bytes_on_disk: u64,
}

pub(crate) struct SearchEngine {
    pub(crate) index: SearchIndex,
    status: watch::Sender<SearchStatus>,
    /// The last log entry applied.
    applied: watch::Sender<i64>,
    wake: Arc<Notify>,
    duplicates: DuplicateFinder,
}

impl From<cocreate_search::SearchError> for AppError {
    fn from(error: cocreate_search::SearchError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl SearchEngine {
    pub(crate) fn ready(&self) -> bool {
        *self.status.borrow() == SearchStatus::Ready
    }

    /// Waits (a moment at most) until the index holds every entry up to `seq`.
    pub(crate) async fn applied_through(&self, seq: i64) {
        if *self.applied.borrow() >= seq {
            return;
        }
        self.wake.notify_one();
        let mut applied = self.applied.subscribe();
        let _ = tokio::time::timeout(FRESH_WAIT, applied.wait_for(|at| *at >= seq)).await;
    }
}

impl App {
    /// Opens (or starts) the search index in `dir` and keeps it in step with the database from
    /// now on, in a task of its own. Searches use it once it has caught up.
    pub fn start_search_index(&self, dir: &Path) -> AppResult<()> {
        let (index, fresh) = SearchIndex::open(dir)?;
        if let Some(why) = fresh {
            tracing::info!(dir = %dir.display(), ?why, "search index started empty");
        }
        let engine = Arc::new(SearchEngine {
            index,
            status: watch::Sender::new(SearchStatus::Starting),
            applied: watch::Sender::new(0),
            wake: Arc::default(),
            duplicates: DuplicateFinder::default(),
        });
        if self.search.set(engine.clone()).is_err() {
            return Err(AppError::Internal(
                "the search index is already started".into(),
            ));
        }
        tokio::spawn(follow_log(
            Arc::downgrade(&engine),
            self.store.clone(),
            self.clock.clone(),
        ));
        Ok(())
    }

    /// How the duplicate finder last filled, once it has (it starts with the search index).
    pub fn duplicates_filled(&self) -> Option<DuplicatesFilled> {
        self.search
            .get()
            .and_then(|engine| engine.duplicates.filled())
    }

    /// The index as it stands, if this process started one: for operators and benchmarks.
    pub fn search_index_info(&self) -> Option<SearchIndexInfo> {
        self.search.get().map(|engine| SearchIndexInfo {
            status: engine.status.borrow().clone(),
            applied: *engine.applied.borrow(),
            documents: engine.index.documents(),
            bytes_on_disk: engine.index.size_on_disk(),
        })
    }

    /// Who answers searches now, and why.
    pub fn search_status(&self) -> SearchStatus {
        self.search
            .get()
            .map_or(SearchStatus::Off, |engine| engine.status.borrow().clone())
    }

    /// Rebuilds the search index in `dir` from the tables, by hand (no server may be using it),
    /// telling `progress` how many documents are done of how many.
    pub async fn rebuild_search_index(
        &self,
        dir: &Path,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> AppResult<u64> {
        let (index, _) = SearchIndex::open(dir)?;
        rebuild(&index, &*self.store, progress).await?;
        Ok(index.documents())
    }
}

/// The task: keeps the index in step for as long as the app holds it, starting again after a
/// failure. It holds the index only while it works, so that the index (and its directory's
/// lock) goes with the app.
async fn follow_log(engine: Weak<SearchEngine>, store: Arc<dyn Store>, clock: Arc<dyn Clock>) {
    loop {
        let Err(error) = follow(&engine, &*store, &*clock).await else {
            return;
        };
        let Some(engine) = engine.upgrade() else {
            return;
        };
        tracing::warn!(%error, "search index stopped following the log; retrying");
        engine
            .status
            .send_replace(SearchStatus::Failed(error.to_string()));
        let _ = engine.index.rollback();
        drop(engine);
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// Follows the log until the app lets the index go (`Ok`) or something fails.
async fn follow(
    engine: &Weak<SearchEngine>,
    store: &dyn Store,
    clock: &dyn Clock,
) -> AppResult<()> {
    let Some(mut position) = start(engine, store).await? else {
        return Ok(());
    };
    let mut gaps = Gaps::from(&position);
    let mut duplicates_filled = false;
    loop {
        let Some(held) = engine.upgrade() else {
            return Ok(());
        };
        let applied = apply_batch(&held, store, clock, &mut position, &mut gaps).await?;
        held.applied.send_replace(position.seq);
        if applied < BATCH {
            held.status.send_if_modified(|status| {
                let changed = *status != SearchStatus::Ready;
                *status = SearchStatus::Ready;
                changed
            });
            // Once searches are served: the finder reads every idea as it is now, and each
            // change after that is in a batch still to come.
            if !duplicates_filled {
                held.duplicates.fill(store, clock).await?;
                duplicates_filled = true;
                continue;
            }
            // A wake-up sent meanwhile is kept as a permit, so none is lost.
            let wake = held.wake.clone();
            drop(held);
            let _ = tokio::time::timeout(POLL, wake.notified()).await;
        }
    }
}

/// Opens the way: the index's position if it may catch up, else a rebuild's.
async fn start(engine: &Weak<SearchEngine>, store: &dyn Store) -> AppResult<Option<Position>> {
    let Some(engine) = engine.upgrade() else {
        return Ok(None);
    };
    let head = store.search_log_head().await?;
    let position = match engine.index.position()? {
        Some(position) if can_catch_up(store, &position, &head).await? => position,
        _ => {
            let status = &engine.status;
            rebuild(&engine.index, store, &|done, total| {
                status.send_replace(SearchStatus::Rebuilding { done, total });
            })
            .await?
        }
    };
    engine.status.send_replace(SearchStatus::CatchingUp);
    Ok(Some(position))
}

/// Whether the index, left at `position`, may catch up with this database's log rather than be
/// rebuilt.
async fn can_catch_up(store: &dyn Store, position: &Position, head: &LogHead) -> AppResult<bool> {
    let last = head.last.unwrap_or(0);
    if position.schema != SCHEMA_VERSION
        || position.epoch != head.epoch
        || position.seq > last
        || last - position.seq > CATCH_UP_LIMIT
        || head.first.is_some_and(|first| first > position.seq + 1)
    {
        return Ok(false);
    }
    // A restored database may have logged other changes under the same seq since.
    Ok(match position.stamp {
        Some(stamp) => store.search_log_stamp(position.seq).await? == Some(stamp),
        None => true,
    })
}

/// Fills the index from the tables and commits it at the log's end (less a margin re-applied
/// later); returns that position.
async fn rebuild(
    index: &SearchIndex,
    store: &dyn Store,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> AppResult<Position> {
    let head = store.search_log_head().await?;
    let total = store.search_document_count().await?;
    index.rollback()?;
    index.clear()?;
    let mut done = 0;
    progress(done, total);
    for kind in DocKind::ALL {
        let mut after = 0;
        loop {
            let docs = store
                .search_documents(Documents::After {
                    kind,
                    after,
                    limit: REBUILD_PAGE,
                })
                .await?;
            let Some(last) = docs.last() else {
                break;
            };
            after = last.id;
            index.add(&docs)?;
            done += docs.len() as u64;
            progress(done, total.max(done));
        }
    }
    let seq = head
        .last
        .unwrap_or(0)
        .saturating_sub(REAPPLY_AFTER_REBUILD)
        .max(0);
    let position = Position {
        schema: SCHEMA_VERSION,
        epoch: head.epoch,
        seq,
        stamp: store.search_log_stamp(seq).await?,
        gaps: Vec::new(),
    };
    index.commit(&position)?;
    Ok(position)
}

/// Seqs skipped in the log, with when they were first missed.
struct Gaps(BTreeMap<i64, Instant>);

impl From<&Position> for Gaps {
    fn from(position: &Position) -> Self {
        let now = Instant::now();
        Self(position.gaps.iter().map(|seq| (*seq, now)).collect())
    }
}

impl Gaps {
    fn seqs(&self) -> Vec<i64> {
        self.0.keys().copied().collect()
    }

    /// Takes in a batch read after `from`: seqs it skipped become gaps, and gaps it holds (or
    /// waited for too long) are closed.
    fn update(&mut self, from: i64, entries: &[LogEntry]) {
        let now = Instant::now();
        let mut expected = from + 1;
        for entry in entries {
            self.0.remove(&entry.seq);
            if entry.seq >= expected {
                for skipped in expected..entry.seq {
                    self.0.insert(skipped, now);
                }
                expected = entry.seq + 1;
            }
        }
        self.0
            .retain(|_, since| now.duration_since(*since) < GAP_PATIENCE);
    }
}

/// Applies the next entries of the log (and any that filled gaps) and commits; returns how many
/// entries there were.
async fn apply_batch(
    engine: &SearchEngine,
    store: &dyn Store,
    clock: &dyn Clock,
    position: &mut Position,
    gaps: &mut Gaps,
) -> AppResult<i64> {
    let entries = store
        .search_log_after(position.seq, &gaps.seqs(), BATCH)
        .await?;
    if entries.is_empty() {
        return Ok(0);
    }
    gaps.update(position.seq, &entries);
    let mut changed: BTreeMap<DocKind, BTreeSet<i64>> = BTreeMap::new();
    for entry in &entries {
        changed
            .entry(entry.kind)
            .or_default()
            .insert(entry.object_id);
    }
    let ids = |kind| -> Vec<i64> {
        changed
            .get(&kind)
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    };
    let (ideas, comments, challenges) = (
        ids(DocKind::Idea),
        ids(DocKind::Comment),
        ids(DocKind::Challenge),
    );
    let mut docs: Vec<SearchDocument> = Vec::new();
    docs.extend(
        store
            .search_documents(Documents::Ids(DocKind::Idea, &ideas))
            .await?,
    );
    docs.extend(
        store
            .search_documents(Documents::Ids(DocKind::Comment, &comments))
            .await?,
    );
    // A comment can be found only while its idea can.
    docs.extend(
        store
            .search_documents(Documents::CommentsOnIdeas(&ideas))
            .await?,
    );
    docs.extend(
        store
            .search_documents(Documents::Ids(DocKind::Challenge, &challenges))
            .await?,
    );
    let gone: Vec<(DocKind, i64)> = changed
        .iter()
        .flat_map(|(kind, ids)| ids.iter().map(|id| (*kind, *id)))
        .collect();
    let index = &engine.index;
    index.replace(&gone, &docs)?;
    engine
        .duplicates
        .observe(store, clock, &ideas, &docs)
        .await?;
    if let Some(last) = entries.iter().rev().find(|e| e.seq > position.seq) {
        position.seq = last.seq;
        position.stamp = Some(last.logged_at);
    }
    position.gaps = gaps.seqs();
    index.commit(position)?;
    Ok(entries.len() as i64)
}
