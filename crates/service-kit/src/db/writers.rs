//! One writer per SQLite file in this process: a queue, and a connection
//! that every write transaction of the file's pool runs on.
//!
//! The queue. SQLite lets one connection write at a time. A connection that
//! finds the file locked waits in SQLite's busy handler, which sleeps and
//! retries (1, 2, 5, ... up to 100 ms between tries): a writer that arrives
//! while others sleep can take the lock first, again and again, and under
//! load the unlucky ones waited most of a second. Writers of this process
//! queue on a mutex instead, and the lock passes from one to the next
//! without a sleep. The busy handler still covers writers in other
//! processes (an `onboarding import` beside a running server).
//!
//! The connection. Each connection keeps its own page cache, and drops it
//! whenever another connection has written since it last read. When every
//! pooled connection took its turn at writing, almost every write began by
//! reading back the pages the previous writer had changed: `BEGIN
//! IMMEDIATE` alone took 120 µs of the 0.9 ms a promotion held the lock
//! (bench/README.md). The one connection that does all the writes finds its
//! cache current. It is opened at the first write and closed with the last
//! pooled connection of its file.

use super::{DatabaseUrl, DbConnection};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Weak};

/// The writer of each file, by path (`""` for in-memory databases, which
/// then share one: only tests use them). Held by the file's pooled
/// connections, and by a turn while it lasts.
static WRITERS: LazyLock<Mutex<HashMap<String, Weak<Writer>>>> = LazyLock::new(Mutex::default);

/// Opens a connection to a database as its pool does.
pub(super) type Open = fn(&DatabaseUrl) -> Result<DbConnection, diesel::r2d2::Error>;

/// The writer of one file.
pub(super) struct Writer {
    /// The file's URL and how its pool opens connections, when a pool
    /// serves it, so that its writes have a connection of their own;
    /// `None` for a file written through connections of no pool, which
    /// write on their own connection.
    url: Option<(DatabaseUrl, Open)>,
    /// The queue, and the writing connection once opened (again after one
    /// was left unusable).
    slot: Arc<Mutex<Option<DbConnection>>>,
    /// How many write transactions committed through this writer.
    commits: AtomicU64,
}

impl Writer {
    /// A writer with no connection open and no commit counted yet.
    fn new(url: Option<(DatabaseUrl, Open)>) -> Arc<Self> {
        Arc::new(Self {
            url,
            slot: Arc::default(),
            commits: AtomicU64::new(0),
        })
    }
}

#[derive(QueryableByName)]
struct MainFile {
    #[diesel(sql_type = Text)]
    file: String,
}

/// The path SQLite has open for `conn`'s main database: an in-process read
/// of the connection's own schema list, microseconds.
pub(super) fn main_file(conn: &mut SqliteConnection) -> QueryResult<String> {
    Ok(
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .get_result::<MainFile>(conn)?
            .file,
    )
}

/// The writer of the file `conn` has open, which the pool at `url` serves
/// and opens connections to with `open`: the one already there, unless
/// that one writes on its callers' connections, or a new one.
pub(super) fn register(
    url: &DatabaseUrl,
    open: Open,
    conn: &mut SqliteConnection,
) -> QueryResult<Arc<Writer>> {
    let file = main_file(conn)?;
    let mut writers = WRITERS.lock();
    if let Some(writer) = writers.get(&file).and_then(Weak::upgrade) {
        if writer.url.is_some() {
            return Ok(writer);
        }
    }
    let writer = Writer::new((!file.is_empty()).then(|| (url.clone(), open)));
    writers.insert(file, Arc::downgrade(&writer));
    Ok(writer)
}

/// How many write transactions have committed on `file` through the
/// writer of its pool, while one serves it.
pub(super) fn commits(file: &str) -> Option<u64> {
    let writer = WRITERS.lock().get(file).and_then(Weak::upgrade)?;
    Some(writer.commits.load(Ordering::Relaxed))
}

/// Waits for the turn of `conn`'s file: no other writer of this process
/// writes it until the turn is dropped. parking_lot's mutex hands the lock
/// over fairly once a waiter has waited a while, so no writer is passed
/// over indefinitely.
pub fn turn(conn: &mut SqliteConnection) -> QueryResult<WriterTurn> {
    let file = main_file(conn)?;
    let writer = {
        let mut writers = WRITERS.lock();
        match writers.get(&file).and_then(Weak::upgrade) {
            Some(writer) => writer,
            None => {
                let writer = Writer::new(None);
                writers.insert(file, Arc::downgrade(&writer));
                writer
            }
        }
    };
    let slot = writer.slot.lock_arc();
    Ok(WriterTurn { writer, slot })
}

/// A writer's turn on its file: over when dropped.
pub struct WriterTurn {
    writer: Arc<Writer>,
    slot: parking_lot::ArcMutexGuard<parking_lot::RawMutex, Option<DbConnection>>,
}

impl WriterTurn {
    /// The connection this turn writes on, when its file's pool has one
    /// (opened now if it is not yet, or again if it was left inside a
    /// transaction); `None` when the caller writes on its own.
    pub fn connection(&mut self) -> QueryResult<Option<&mut DbConnection>> {
        let Some((url, open)) = &self.writer.url else {
            return Ok(None);
        };
        if let Some(DbConnection::Sqlite(lite)) = self.slot.as_mut() {
            let status = AnsiTransactionManager::transaction_manager_status_mut(lite);
            if !matches!(status.transaction_depth(), Ok(None)) {
                *self.slot = None;
            }
        }
        if self.slot.is_none() {
            let opened = open(url).map_err(|e| {
                Error::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(e.to_string()))
            })?;
            *self.slot = Some(opened);
        }
        Ok(self.slot.as_mut())
    }

    /// Closes this turn's connection, which a failed rollback left in a
    /// state no later writer should inherit.
    pub fn discard(&mut self) {
        *self.slot = None;
    }
}

/// Runs `work` on `conn`'s writing connection (see the module), inside
/// `BEGIN IMMEDIATE` and its commit or rollback.
pub(super) fn in_turn<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<Error>,
{
    type Manager = <DbConnection as diesel::Connection>::TransactionManager;
    let DbConnection::Sqlite(lite) = conn else {
        unreachable!("SQLite connections only");
    };
    let mut turn = turn(lite)?;
    let conn = match turn.connection()? {
        Some(own) => own,
        None => conn,
    };
    let DbConnection::Sqlite(lite) = conn else {
        unreachable!("an SQLite file's writer is an SQLite connection");
    };
    AnsiTransactionManager::begin_transaction_sql(lite, "BEGIN IMMEDIATE")?;
    // The rest as diesel's own `transaction`: the connection's manager
    // tracks the transaction begun on the backend's connection.
    match work(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => {
                turn.writer.commits.fetch_add(1, Ordering::Relaxed);
                Ok(value)
            }
            Err(e) => {
                turn.discard();
                Err(e.into())
            }
        },
        Err(failure) => match Manager::rollback_transaction(conn) {
            Ok(()) => Err(failure),
            Err(Error::BrokenTransactionManager) => {
                turn.discard();
                Err(failure)
            }
            Err(rollback) => {
                turn.discard();
                Err(rollback.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::pool;
    use diesel::Connection;
    use std::sync::mpsc;
    use std::time::Duration;

    fn open(dir: &tempfile::TempDir, name: &str) -> SqliteConnection {
        let path = dir.path().join(name);
        SqliteConnection::establish(path.to_str().expect("utf-8")).expect("open")
    }

    #[test]
    fn writers_of_one_file_take_turns_and_other_files_do_not_wait() {
        let dir = tempfile::tempdir().expect("a directory");
        let mut first = open(&dir, "a.db");
        let held = turn(&mut first).expect("a turn");
        let (done, finished) = mpsc::channel();
        for name in ["b.db", "a.db"] {
            let (mut conn, done) = (open(&dir, name), done.clone());
            std::thread::spawn(move || {
                let _turn = turn(&mut conn).expect("a turn");
                done.send(name).expect("sent");
            });
        }
        let wait = Duration::from_millis(300);
        assert_eq!(finished.recv_timeout(wait), Ok("b.db"), "another file");
        assert!(finished.recv_timeout(wait).is_err(), "the same file waits");
        drop(held);
        assert_eq!(finished.recv_timeout(wait), Ok("a.db"), "then it writes");
    }

    #[test]
    fn a_registered_file_is_written_on_one_connection_of_its_own() {
        let dir = tempfile::tempdir().expect("a directory");
        let url = DatabaseUrl::sqlite_file(&dir.path().join("c.db"));
        let (mut one, mut two) = (open(&dir, "c.db"), open(&dir, "c.db"));
        let writer = register(&url, pool::establish, &mut one).expect("registered");
        let again = register(&url, pool::establish, &mut two).expect("again");
        assert!(Arc::ptr_eq(&writer, &again));
        drop(again);
        let mut first = turn(&mut one).expect("a turn");
        let own: *const DbConnection = first.connection().expect("opened").expect("its own");
        drop(first);
        let mut second = turn(&mut two).expect("a turn");
        let again: *const DbConnection = second.connection().expect("open").expect("its own");
        assert_eq!(own, again, "the same connection, whoever asks");
        drop(second);
        // Once no pooled connection holds it, the file's writer is gone and
        // a caller writes on its own connection.
        drop(writer);
        assert!(turn(&mut one)
            .expect("a turn")
            .connection()
            .expect("none")
            .is_none());
    }
}
