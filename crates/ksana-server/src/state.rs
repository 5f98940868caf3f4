//! What every handler shares: the store (behind a mutex, used from blocking threads), the
//! write policy and the upload settings.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ksana_store::{LapStore, StoreSpec};

use crate::ApiError;

/// Who may write (`POST /api/v1/recordings`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WritePolicy {
    /// Requests bearing `Authorization: Bearer <token>` with this token; others get 401.
    Token(String),
    /// No token configured: every write is refused with 403 (start the server with a token
    /// to accept uploads).
    Refuse,
}

/// How the server runs.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The lap database.
    pub store: StoreSpec,
    /// Who may write.
    pub writes: WritePolicy,
    /// Where uploaded recordings are kept (created when missing).
    pub upload_dir: PathBuf,
    /// Largest upload accepted, bytes.
    pub max_upload_bytes: u64,
}

/// The state handlers share (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Box<dyn LapStore + Send>>>,
    /// How the server runs.
    pub config: Arc<ServerConfig>,
}

impl AppState {
    /// Opens the store of `config` (creating and migrating it as needed) and the upload dir.
    /// Call it outside an async runtime (or in `spawn_blocking`): the PostgreSQL client
    /// blocks on a runtime of its own.
    pub fn open(config: ServerConfig) -> Result<Self, ApiError> {
        let store = ksana_store::open_store(&config.store)?;
        std::fs::create_dir_all(&config.upload_dir).map_err(|e| {
            ApiError::internal(format!(
                "creating the upload directory {}: {e}",
                config.upload_dir.display()
            ))
        })?;
        Ok(Self {
            store: Arc::new(Mutex::new(store)),
            config: Arc::new(config),
        })
    }

    /// Runs `f` with the store on tokio's blocking pool (store calls block), one call at a
    /// time: the async runtime never waits on the database.
    pub async fn store<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn LapStore) -> Result<T, ApiError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|e| e.into_inner());
            f(guard.as_mut())
        })
        .await
        .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
    }
}
