//! Group commit for supports: supports that arrive together share one transaction, so a burst
//! costs one commit (one fsync on SQLite) instead of one each. Every caller is answered only
//! after the transaction holding its support has committed, so an acknowledged support is stored.

use std::sync::Mutex;

use tokio::sync::oneshot;
use tokio::sync::oneshot::error::TryRecvError;

use cocreate_store::Idea;

use crate::{App, AppError, AppResult};

/// Supports taken into one transaction at most.
const MAX_BATCH: usize = 256;

/// A support waiting for its transaction.
struct PendingSupport {
    account_id: i64,
    idea_id: i64,
    answer: oneshot::Sender<AppResult<Idea>>,
}

#[derive(Default)]
pub(crate) struct SupportQueue {
    pending: Mutex<Vec<PendingSupport>>,
    /// Held by the caller that is committing a batch; the others wait for it, then either find
    /// their answer or commit the next batch themselves.
    leader: tokio::sync::Mutex<()>,
}

impl SupportQueue {
    /// Adds the support in a shared transaction and returns once that transaction committed.
    pub(crate) async fn add(&self, app: &App, account_id: i64, idea_id: i64) -> AppResult<Idea> {
        let (answer, mut answered) = oneshot::channel();
        self.pending()?.push(PendingSupport {
            account_id,
            idea_id,
            answer,
        });
        loop {
            let _leader = self.leader.lock().await;
            match answered.try_recv() {
                Ok(result) => return result,
                Err(TryRecvError::Closed) => {
                    // The caller committing our batch went away before it could answer.
                    return Err(AppError::Unavailable(
                        "the support was interrupted; try again".into(),
                    ));
                }
                Err(TryRecvError::Empty) => {}
            }
            let batch: Vec<PendingSupport> = {
                let mut pending = self.pending()?;
                let take = pending.len().min(MAX_BATCH);
                pending.drain(..take).collect()
            };
            let (items, answers): (Vec<(i64, i64)>, Vec<_>) = batch
                .into_iter()
                .map(|p| ((p.account_id, p.idea_id), p.answer))
                .unzip();
            // A batch that failed as a whole stored nothing: one retry absorbs a transient
            // failure (such as PostgreSQL ending a lock wait) before every caller hears of it.
            let mut outcome = app.commit_supports(&items).await;
            if outcome.is_err() {
                outcome = app.commit_supports(&items).await;
            }
            match outcome {
                Ok(results) => {
                    for (answer, result) in answers.into_iter().zip(results) {
                        let _ = answer.send(result);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "a batch of supports failed");
                    for answer in answers {
                        let _ = answer.send(Err(AppError::Unavailable(
                            "the support could not be stored; try again".into(),
                        )));
                    }
                }
            }
        }
    }

    fn pending(&self) -> AppResult<std::sync::MutexGuard<'_, Vec<PendingSupport>>> {
        self.pending
            .lock()
            .map_err(|_| AppError::Internal("the support queue is poisoned".into()))
    }
}
