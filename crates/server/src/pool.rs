//! A fixed set of read connections to the store, lent one at a time to blocking tasks.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use storyline_store::{Interrupter, Location, Store, StoreError};
use tokio::sync::Semaphore;

use crate::ApiError;

/// Read connections to one data directory.
pub struct Pool {
    stores: Mutex<Vec<Store>>,
    available: Arc<Semaphore>,
}

/// Interrupts the lent connection's running statement when dropped before the work finished:
/// the request's future was dropped because its client went away (issue 17, row 2).
struct StopWhenAbandoned {
    interrupter: Interrupter,
    finished: Arc<AtomicBool>,
}

impl Drop for StopWhenAbandoned {
    fn drop(&mut self) {
        if !self.finished.load(Ordering::Acquire) {
            self.interrupter.interrupt();
        }
    }
}

impl Pool {
    /// Opens `connections` connections to the data directory (at least one).
    pub fn open(data_dir: &Path, connections: usize) -> Result<Pool, StoreError> {
        Pool::open_at(&Location::Dir(data_dir.to_owned()), connections)
    }

    /// Opens `connections` connections to the store at `location` (at least one).
    pub fn open_at(location: &Location, connections: usize) -> Result<Pool, StoreError> {
        let n = connections.max(1);
        let stores = (0..n).map(|_| Store::open_at(location)).collect::<Result<Vec<_>, _>>()?;
        Ok(Pool { stores: Mutex::new(stores), available: Arc::new(Semaphore::new(n)) })
    }

    /// Runs `f` with a connection on a blocking thread.
    ///
    /// The connection goes back to the pool whatever `f` does: a panic in it becomes a 500, and
    /// the permit to take a connection is held until the connection is back, even when the
    /// request is dropped meanwhile. A dropped request interrupts the statement `f` is running,
    /// so a long query does not hold its connection for a client that has gone.
    pub async fn with<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = self
            .available
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("pool closed"))?;
        let store = self
            .stores
            .lock()
            .map_err(|_| ApiError::internal("pool poisoned"))?
            .pop()
            .ok_or_else(|| ApiError::internal("no connection free"))?;
        let finished = Arc::new(AtomicBool::new(false));
        let _stop =
            StopWhenAbandoned { interrupter: store.interrupter(), finished: finished.clone() };
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&store)));
            finished.store(true, Ordering::Release);
            if let Ok(mut stores) = pool.stores.lock() {
                stores.push(store);
            }
            drop(permit);
            result.unwrap_or_else(|_| {
                tracing::error!("a request handler panicked");
                Err(ApiError::internal("the request failed inside the server"))
            })
        })
        .await;
        joined.map_err(|e| ApiError::internal(&format!("task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(connections: usize) -> (tempfile::TempDir, Arc<Pool>) {
        let dir = tempfile::tempdir().unwrap();
        let pool = Arc::new(Pool::open(dir.path(), connections).unwrap());
        (dir, pool)
    }

    #[tokio::test]
    async fn a_panicking_handler_gives_its_connection_back() {
        let (_dir, pool) = pool(1);
        for _ in 0..3 {
            let err = pool.with(|_| -> Result<(), ApiError> { panic!("handler bug") }).await;
            assert_eq!(err.unwrap_err().status, axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        }
        assert_eq!(pool.with(|s| Ok(s.count()?)).await.unwrap(), 0, "the one connection is back");
    }

    #[tokio::test]
    async fn a_dropped_request_keeps_its_connection_until_the_work_is_done() {
        let (_dir, pool) = pool(1);
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let first = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.with(move |_| {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                    Ok(())
                })
                .await
            }
        });
        started_rx.await.unwrap();
        first.abort();
        let _ = first.await;
        // The first request is gone but its work still holds the connection: the next one
        // waits for it instead of finding the pool empty.
        let second = tokio::spawn({
            let pool = pool.clone();
            async move { pool.with(|s| Ok(s.count()?)).await }
        });
        tokio::task::yield_now().await;
        release_tx.send(()).unwrap();
        assert_eq!(second.await.unwrap().unwrap(), 0);
    }
}
