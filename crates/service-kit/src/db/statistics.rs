//! The embedded SQLite's planner statistics, kept current off the request
//! path.
//!
//! Why: without statistics (`sqlite_stat1`) SQLite's planner takes every
//! equality filter for a selective one. The inbox filtered by a type that a
//! quarter of 100,000 cases have read all of them through the type's index
//! and sorted them (436 ms), where the sort's index, read in order, finds
//! its page in a hundred rows. PostgreSQL's autovacuum gathers its
//! statistics; SQLite leaves it to the application and asks it to run
//! `PRAGMA optimize` now and then. That analyzes only the tables whose size
//! changed tenfold since they were last analyzed, and costs microseconds
//! when none did.
//!
//! It runs on a connection of its own in the blocking pool, never on a
//! pooled connection on its way back: analyzing 100,000 cases takes
//! seconds, which a request must not wait for (measured: the case page's
//! p95 went from 16 ms to 1.9 s when a returning connection ran it). A
//! WAL-mode reader never waits for it; a writer may, once per tenfold
//! growth, within its busy timeout. No `analysis_limit`: it samples the
//! first rows of each index, and an index led by a column most rows share
//! (status, type, priority) then looks as selective as any other, the very
//! misestimate this is for.

use super::{Backend, Database};
use diesel::connection::SimpleConnection;
use std::time::Duration;

/// How often the statistics are looked at.
const EVERY: Duration = Duration::from_secs(60);

/// `0x10002`: analyze every table that needs it, not only those this
/// connection has queried (a fresh connection has queried none).
const OPTIMIZE: &str = "PRAGMA optimize = 0x10002;";

impl Database {
    /// On SQLite, refreshes the planner's statistics now and every minute
    /// on the current Tokio runtime (see the module's documentation);
    /// nothing on PostgreSQL.
    pub(crate) fn keep_statistics(&self) -> Option<tokio::task::AbortHandle> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let db = self.clone();
        Some(crate::periodic::spawn(
            "SQLite statistics",
            EVERY,
            move || {
                let db = db.clone();
                async move {
                    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                        db.connect()?.batch_execute(OPTIMIZE)?;
                        Ok(())
                    })
                    .await?
                }
            },
        ))
    }
}
