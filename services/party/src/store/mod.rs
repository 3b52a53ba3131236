//! Reading and writing parties. Every function takes a connection and runs
//! on the blocking pool (see `Database::run`); writes run in one transaction
//! each, whose first statement is a write, so SQLite takes its write lock up
//! front instead of failing to upgrade a read lock.

pub mod parties;

use crate::rows::Corrupt;
use service_kit::{Failure, ProblemError};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed, or a stored value no longer parses.
    #[error(transparent)]
    Failed(#[from] Failure),
    /// The party changed since it was read (optimistic concurrency).
    #[error("the party was changed concurrently")]
    Stale,
    /// The id chosen for a new party was given out before, or deleted.
    #[error("the id is taken, or was deleted")]
    IdTaken,
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl From<Corrupt> for StoreError {
    fn from(e: Corrupt) -> Self {
        Self::Failed(Failure::internal(e))
    }
}

/// How a store failure answers: a lost race is the caller's to retry (409),
/// any other failure answers as the chassis renders it (503 or 500).
impl From<StoreError> for ProblemError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => ProblemError::Conflict(
                "the party was changed concurrently; read it and try again".into(),
            ),
            StoreError::IdTaken => ProblemError::Conflict(e.to_string()),
            StoreError::Failed(failure) => failure.into(),
        }
    }
}
