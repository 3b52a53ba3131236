//! The pool's connections: how they are opened on either backend, and when
//! one is tested before it is handed out.

use super::writers::{self, Writer};
use super::{Backend, DatabaseUrl, DbConnection};
use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The SQLite settings applied to every new connection: wait for a busy
/// database instead of failing, enforce foreign keys, write-ahead logging so
/// readers never block the writer, the durability level WAL makes safe, and
/// reads through a shared memory map (256 MiB) with a 16 MiB page cache,
/// so that large tables' indexes stay in memory. A writer copies the log
/// into the database itself only past 10,000 pages (40 MiB): a server's
/// task does it sooner, off the writers' turn (`checkpoints`).
///
/// The wait comes first: `journal_mode` needs a lock on the file, and the
/// last connection of a pool to close (r2d2 retires idle ones) holds the
/// file exclusively while it checkpoints. A connection opened meanwhile
/// failed at once with "database is locked" before it had a timeout.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16000; \
     PRAGMA wal_autocheckpoint = 10000;";

/// The PostgreSQL settings of every new connection: no JIT compilation.
///
/// Why: every query here is a short transaction's, and PostgreSQL compiles
/// one with LLVM once its estimated cost passes `jit_above_cost`, which
/// only a misestimate does; the outbox's claim over a backlog whose
/// statistics lagged was compiled on every call, tens of milliseconds each
/// (bench/flow.py). The server's other settings are the operator's.
const POSTGRES_SETTINGS: &str = "SET jit = off;";

/// How long after it was handed back, every statement on it having
/// succeeded, a PostgreSQL connection is handed out again untested.
///
/// Why: testing every checkout (`SELECT 1`) was a round trip per request,
/// a quarter or more of a short read's time under load. A connection just
/// used without a failure is as good as tested; one idle for longer (its
/// server may have restarted meanwhile) or whose last use saw a statement
/// fail (the connection may be what failed) is tested as before, and
/// dropped when the test fails. HikariCP trusts a connection for the same
/// 500 ms.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// A pooled connection, and what the pool knows of its health.
pub(super) struct Pooled {
    conn: DbConnection,
    /// When the pool last had it back.
    returned: Instant,
    /// Set when a statement on it failed since it was last tested.
    failed: Arc<AtomicBool>,
    /// The writer of its SQLite file, kept while the pool has connections
    /// to it (`writers`).
    _writer: Option<Arc<Writer>>,
}

impl Deref for Pooled {
    type Target = DbConnection;

    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// Marks its connection failed when a statement on it fails.
struct FailureWatch(Arc<AtomicBool>);

impl Instrumentation for FailureWatch {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error: Some(_), .. } = event {
            self.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Opens a connection to `url`, choosing the driver by its scheme, with
/// the settings of its backend.
pub(super) fn establish(url: &DatabaseUrl) -> Result<DbConnection, diesel::r2d2::Error> {
    use diesel::r2d2::Error::ConnectionError;
    let (mut conn, settings) = match url.backend {
        Backend::Postgres => (
            DbConnection::Postgres({
                // libpq's OpenSSL initialized by us first, without the
                // clean-up OpenSSL otherwise registers with `atexit`: that
                // frees its locks as the process exits while a pool's
                // worker thread may still be opening a connection, which
                // then crashes (seen: `onboarding erase` segfaulting in an
                // r2d2 worker after its work was done and printed).
                openssl_sys::init();
                PgConnection::establish(&url.target).map_err(ConnectionError)?
            }),
            POSTGRES_SETTINGS,
        ),
        Backend::Sqlite => (
            DbConnection::Sqlite(
                SqliteConnection::establish(&url.target).map_err(ConnectionError)?,
            ),
            SQLITE_PRAGMAS,
        ),
    };
    conn.batch_execute(settings)
        .map_err(diesel::r2d2::Error::QueryError)?;
    Ok(conn)
}

/// Opens connections for the pool, choosing the driver by the URL's scheme.
pub(super) struct Manager {
    pub(super) url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let failed = Arc::new(AtomicBool::new(false));
        let mut conn = establish(&self.url)?;
        let writer = match &mut conn {
            DbConnection::Postgres(pg) => {
                pg.set_instrumentation(FailureWatch(failed.clone()));
                None
            }
            DbConnection::Sqlite(lite) => Some(
                writers::register(&self.url, establish, lite)
                    .map_err(diesel::r2d2::Error::QueryError)?,
            ),
        };
        Ok(Pooled {
            conn,
            returned: Instant::now(),
            failed,
            _writer: writer,
        })
    }

    /// Called on checkout for PostgreSQL only (an SQLite connection is a
    /// file handle that cannot die with a server).
    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), Self::Error> {
        if pooled.returned.elapsed() < TRUSTED_FOR && !pooled.failed.load(Ordering::Relaxed) {
            return Ok(());
        }
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)?;
        pooled.failed.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// A connection left inside a transaction, or whose transaction could
    /// not be rolled back (its server connection lost), is not reused.
    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        pooled.returned = Instant::now();
        diesel::r2d2::R2D2Connection::is_broken(&mut pooled.conn)
    }
}
