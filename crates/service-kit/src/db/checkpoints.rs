//! The embedded SQLite's write-ahead log, copied into the database file off
//! the writers' turn.
//!
//! Why: by default the connection whose commit takes the log past 1,000
//! pages copies them into the database file and syncs both, inside that
//! commit. That connection is the file's one writer (`writers`), so every
//! other writer waits for the copy: a promotion dirties about 24 pages,
//! and one in forty or so carried a checkpoint of 4 MB and two syncs. A
//! task of the server's copies the log every 20 ms instead, in passive
//! mode, which never takes the writers' lock: writers go on appending
//! meanwhile. Small and often: copying every 100 ms, each copy larger, the
//! writers' p99 was worse than with no task at all (30–36 ms against
//! 19–28 ms at 16 connections; at 20 ms, 18–20 ms), as the copy's syncs
//! held up the log's writes. A tick when the file's writer has committed
//! nothing since the last copy reads a counter and does nothing else; a
//! write outside the writers' queue (an autocommitted statement not made
//! through `single_write`) is copied with the next transaction's. Writers
//! still checkpoint themselves past 10,000 pages (`pool`'s pragmas:
//! 40 MiB, a quarter of a second of the busiest load measured, 1,800
//! promotions a second), for a process without the task (`onboarding
//! import`) or a task that falls behind.
//!
//! Durability does not change: a commit is durable once in the log
//! (`synchronous = NORMAL` in WAL mode), and a checkpoint only moves
//! committed pages.

use super::{writers, Backend, Database, DbConnection};
use diesel::connection::SimpleConnection;
use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;

/// How often the log is copied (see the module).
const EVERY: Duration = Duration::from_millis(20);

/// The task's connection, and what it saw of the file's writer.
#[derive(Default)]
struct Checkpointer {
    conn: Option<DbConnection>,
    /// The file's path as SQLite names it, once the connection is open.
    file: Option<String>,
    /// The writer's commits when the last copy began.
    copied_at: Option<u64>,
}

impl Checkpointer {
    /// Whether the file's writer has committed since the last copy began
    /// (or may have: no copy yet, or no writer known).
    fn written_since(&self) -> bool {
        let Some(file) = &self.file else {
            return true;
        };
        let now = writers::commits(file);
        now.is_none() || now != self.copied_at
    }

    /// Copies the log, opening the connection first when needed.
    fn copy(&mut self, db: &Database) -> anyhow::Result<()> {
        let conn = match self.conn.as_mut() {
            Some(conn) => conn,
            None => self.conn.insert(db.connect()?),
        };
        if let (None, DbConnection::Sqlite(lite)) = (&self.file, &mut *conn) {
            self.file = Some(writers::main_file(lite)?);
        }
        // Read before copying: a commit meanwhile is copied next time.
        self.copied_at = self.file.as_deref().and_then(writers::commits);
        if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);") {
            self.conn = None; // Opened again at the next tick.
            return Err(e.into());
        }
        Ok(())
    }
}

impl Database {
    /// On SQLite, copies the write-ahead log into the database file every
    /// 20 ms when something was written, on the current Tokio runtime, on
    /// a connection of its own (see the module's documentation); nothing
    /// on PostgreSQL.
    pub(crate) fn keep_checkpointing(&self) -> Option<tokio::task::AbortHandle> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let db = self.clone();
        let state: Arc<Mutex<Checkpointer>> = Arc::default();
        Some(crate::periodic::spawn(
            "SQLite checkpoint",
            EVERY,
            move || {
                let (db, state) = (db.clone(), state.clone());
                async move {
                    // An idle file costs a look at a counter, not a thread.
                    if !state.lock().written_since() {
                        return Ok(());
                    }
                    tokio::task::spawn_blocking(move || state.lock().copy(&db)).await?
                }
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{write_transaction, DatabaseUrl, Migrations};
    use diesel_migrations::EmbeddedMigrations;

    #[test]
    fn a_copy_moves_the_log_into_the_file_and_only_writes_call_for_another() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("test.db");
        let none = Migrations {
            sqlite: EmbeddedMigrations::new(&[]),
            postgres: EmbeddedMigrations::new(&[]),
        };
        let db = Database::open(&DatabaseUrl::sqlite_file(&path), 2, &none).expect("open");
        let write = |db: &Database| {
            db.run_now(|conn| {
                write_transaction(conn, |conn| {
                    conn.batch_execute(
                        "CREATE TABLE IF NOT EXISTS t (v BLOB); \
                         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n \
                         WHERE i < 1000) INSERT INTO t SELECT randomblob(1000) FROM n;",
                    )
                })?;
                Ok(())
            })
            .expect("written")
        };
        let mut task = Checkpointer::default();
        assert!(task.written_since(), "nothing copied yet");
        task.copy(&db).expect("copied");
        write(&db);
        let before = std::fs::metadata(&path).expect("the file").len();
        assert!(task.written_since(), "a write since the copy");
        task.copy(&db).expect("copied");
        let after = std::fs::metadata(&path).expect("the file").len();
        assert!(after >= before + 1_000_000, "{before} -> {after} bytes");
        assert!(!task.written_since(), "nothing written since");
    }
}
