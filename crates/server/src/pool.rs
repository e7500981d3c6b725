//! A fixed set of read connections to the store, lent one at a time to blocking tasks.

use std::path::Path;
use std::sync::Mutex;

use storyline_store::{Store, StoreError};
use tokio::sync::Semaphore;

use crate::ApiError;

/// Read connections to one data directory.
pub struct Pool {
    stores: Mutex<Vec<Store>>,
    available: Semaphore,
}

impl Pool {
    /// Opens `connections` connections to the data directory (at least one).
    pub fn open(data_dir: &Path, connections: usize) -> Result<Pool, StoreError> {
        let n = connections.max(1);
        let stores = (0..n).map(|_| Store::open(data_dir)).collect::<Result<Vec<_>, _>>()?;
        Ok(Pool { stores: Mutex::new(stores), available: Semaphore::new(n) })
    }

    /// Runs `f` with a connection on a blocking thread.
    pub async fn with<T: Send + 'static>(
        self: &std::sync::Arc<Self>,
        f: impl FnOnce(&Store) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit =
            self.available.acquire().await.map_err(|_| ApiError::internal("pool closed"))?;
        let store = self
            .stores
            .lock()
            .map_err(|_| ApiError::internal("pool poisoned"))?
            .pop()
            .ok_or_else(|| ApiError::internal("no connection free"))?;
        let pool = self.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let result = f(&store);
            if let Ok(mut stores) = pool.stores.lock() {
                stores.push(store);
            }
            result
        })
        .await;
        joined.map_err(|e| ApiError::internal(&format!("task failed: {e}")))?
    }
}
