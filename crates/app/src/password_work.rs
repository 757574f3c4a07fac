//! Argon2 is made to be slow: without a bound, a burst of sign-ins from many addresses (each
//! within its own rate limit) could hold every core. Hashes run at most one per core; a few more
//! may wait their turn; beyond that the request is answered "busy" at once.

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::{AppError, AppResult, secrets};

/// Requests that may wait for a turn, per core, beyond those hashing.
const WAITING_PER_CORE: usize = 4;

pub struct PasswordWork {
    /// One permit per hash allowed to run at once.
    running: std::sync::Arc<Semaphore>,
    /// One permit per request admitted (running or waiting).
    admitted: std::sync::Arc<Semaphore>,
}

/// A request's place among those admitted to hash; dropping it frees the place.
pub struct PasswordTurn {
    _admitted: OwnedSemaphorePermit,
}

impl PasswordWork {
    /// Room for `at_once` hashes at a time and `at_once × WAITING_PER_CORE` more waiting.
    pub fn new(at_once: usize) -> Self {
        let at_once = at_once.max(1);
        Self {
            running: std::sync::Arc::new(Semaphore::new(at_once)),
            admitted: std::sync::Arc::new(Semaphore::new(at_once * (1 + WAITING_PER_CORE))),
        }
    }

    /// As many hashes at once as the machine has cores.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// A place among the admitted, or [`AppError::Busy`] when every place is taken.
    pub fn admit(&self) -> AppResult<PasswordTurn> {
        match self.admitted.clone().try_acquire_owned() {
            Ok(permit) => Ok(PasswordTurn { _admitted: permit }),
            Err(TryAcquireError::NoPermits) => Err(AppError::Busy),
            Err(TryAcquireError::Closed) => Err(AppError::Internal(
                "the password work queue is closed".into(),
            )),
        }
    }

    /// Runs `work` on a blocking thread once a hash may run. The request's place and its turn
    /// are held by that thread until the work ends, so a request abandoned meanwhile (the client
    /// went away) still counts until its hash is done.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let turn = self.admit()?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal("the password work queue is closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _held = (turn, running);
            work()
        })
        .await
        .map_err(|e| AppError::Internal(format!("password work failed: {e}")))
    }

    /// [`secrets::hash_password`], within the bound.
    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || secrets::hash_password_now(&password))
            .await?
    }

    /// [`secrets::verify_password`], within the bound.
    pub async fn verify(&self, password: String, hash: String) -> AppResult<bool> {
        self.run(move || secrets::verify_password_now(&password, &hash))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_admitted_the_answer_is_busy_until_a_place_frees() {
        let work = PasswordWork::new(1);
        let held: Vec<PasswordTurn> = (0..1 + WAITING_PER_CORE)
            .map(|_| work.admit().unwrap())
            .collect();
        assert!(matches!(
            work.hash("correct horse battery".into()).await,
            Err(AppError::Busy)
        ));
        assert!(matches!(work.admit(), Err(AppError::Busy)));
        drop(held);
        let hash = work.hash("correct horse battery".into()).await.unwrap();
        assert!(
            work.verify("correct horse battery".into(), hash)
                .await
                .unwrap()
        );
    }
}
