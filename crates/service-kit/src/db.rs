//! The database layer: one connection type over SQLite and PostgreSQL, an
//! r2d2 pool that picks the backend from the URL scheme, and embedded
//! per-backend migrations applied at start.
//!
//! Diesel is synchronous, so every use goes through [`Database::run`], which
//! runs the closure on actix's blocking pool, or, for a read of a row or two
//! on SQLite, [`Database::run_short_read`], or, for work that many requests
//! ask for at once, a batch for all those waiting ([`Batched`]).

use crate::failure::Failure;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use std::path::Path;
use std::time::Duration;

pub use batched::{write_together, Batched};
pub use connection::DbConnection;
/// The backend of a [`DbConnection`]: a service that declares an SQL type
/// of its own maps it for this backend too (diesel's `MultiConnection`).
pub use connection::MultiBackend;
/// Re-exported for [`own_database!`](crate::own_database): the code
/// `embed_migrations!` writes names the crate, which a service then need not
/// depend on.
pub use diesel_migrations;
pub use own::{url_variable, OwnDatabase};

mod batched;
mod checkpoints;
mod own;
mod pool;
mod statistics;
mod writers;

use pool::Manager;

mod connection {
    // The derive generates public items of its own that carry no docs.
    #![allow(missing_docs)]
    use diesel::pg::PgConnection;
    use diesel::sqlite::SqliteConnection;

    /// A connection to either backend. Queries written once run on both.
    #[derive(diesel::MultiConnection)]
    pub enum DbConnection {
        /// A PostgreSQL connection (production).
        Postgres(PgConnection),
        /// An embedded SQLite connection (the default).
        Sqlite(SqliteConnection),
    }
}

/// Which database server a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://`.
    Postgres,
    /// `sqlite://PATH`.
    Sqlite,
}

/// A database URL whose scheme has been checked.
#[derive(Clone)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the backend's driver is given: the whole URL for PostgreSQL, the
    /// file path for SQLite.
    target: String,
}

impl DatabaseUrl {
    /// Parses `postgres://…`, `postgresql://…` or `sqlite://PATH`. In-memory
    /// SQLite is refused: each pooled connection would see its own database.
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() || path.contains(":memory:") || path.contains("mode=memory") {
                return Err(
                    "must name a SQLite file; in-memory databases cannot be pooled".to_owned(),
                );
            }
            return Ok(Self {
                backend: Backend::Sqlite,
                target: path.to_owned(),
            });
        }
        Err("must start with postgres://, postgresql:// or sqlite://".to_owned())
    }

    /// The URL of the SQLite file `path`.
    pub fn sqlite_file(path: &Path) -> Self {
        Self {
            backend: Backend::Sqlite,
            target: path.display().to_string(),
        }
    }

    /// The backend the URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// A service's migrations, one set per backend, with identical names.
pub struct Migrations {
    /// `migrations/sqlite`, embedded.
    pub sqlite: EmbeddedMigrations,
    /// `migrations/postgres`, embedded.
    pub postgres: EmbeddedMigrations,
}

/// A set of migrations lent to diesel, which takes a source by value: a
/// service's migrations are a constant the chassis only borrows.
struct Borrowed<'a>(&'a EmbeddedMigrations);

impl<DB: diesel::backend::Backend> MigrationSource<DB> for Borrowed<'_> {
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}

/// Creates an SQLite database file that does not exist yet, empty (which
/// SQLite reads as an empty database) and readable by the owner only, in a
/// directory that is too. SQLite would create it 0644; its `-wal` and `-shm`
/// files take the database file's mode, so they are the owner's alone too.
fn create_sqlite_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    match crate::files::create_private_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// A service's own database: a pool of connections to it.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
    url: DatabaseUrl,
}

/// How long a request waits for a free pooled connection.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

impl Database {
    /// Opens a pool of up to `max_size` connections to `url`, creating the
    /// SQLite file and its directory when needed (the owner's alone), and
    /// applies the pending migrations.
    pub fn open(url: &DatabaseUrl, max_size: u32, migrations: &Migrations) -> anyhow::Result<Self> {
        if url.backend == Backend::Sqlite {
            create_sqlite_file(Path::new(&url.target))?;
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            // A PostgreSQL connection can die with its server, so it is
            // tested as it is checked out, unless just used (`pool`). An
            // SQLite connection is a file handle that cannot, and the test
            // would be one more statement parsed for every request.
            .test_on_check_out(url.backend == Backend::Postgres)
            .connection_timeout(CHECKOUT_TIMEOUT)
            .build(Manager { url: url.clone() })?;
        let db = Self {
            pool,
            backend: url.backend,
            url: url.clone(),
        };
        db.migrate(migrations)?;
        Ok(db)
    }

    /// The backend this database runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies the pending migrations. On PostgreSQL an advisory lock keeps
    /// two replicas starting at once from migrating the same schema twice.
    fn migrate(&self, migrations: &Migrations) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        let applied = match &mut **conn {
            DbConnection::Postgres(pg) => {
                const MIGRATION_LOCK: i64 = 0x006f_6e62_6f61_7264; // "onboard"
                pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let result = pg
                    .run_pending_migrations(Borrowed(&migrations.postgres))
                    .map(|v| v.len());
                pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
                result
            }
            DbConnection::Sqlite(lite) => lite
                .run_pending_migrations(Borrowed(&migrations.sqlite))
                .map(|v| v.len()),
        }
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        Ok(())
    }

    /// Opens a connection of its own, outside the pool, on this thread: for
    /// work that holds one for long and leaves it in a state no request
    /// should inherit (the outbox's `LISTEN`).
    pub fn connect(&self) -> Result<DbConnection, Failure> {
        pool::establish(&self.url)
            .map_err(|e| Failure::Unavailable(anyhow::anyhow!("database connection: {e}")))
    }

    /// Runs `work` with a pooled connection on this thread: for start-up and
    /// commands, never inside a request.
    pub fn run_now<T>(
        &self,
        work: impl FnOnce(&mut DbConnection) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        work(&mut *self.pool.get()?)
    }

    /// Runs `work` with a pooled connection on the blocking thread pool.
    /// No connection to be had is the database unavailable; any other
    /// failure keeps its own error.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Failure> + Send + 'static,
    {
        let pool = self.pool.clone();
        let outcome = actix_web::web::block(move || work(&mut *checkout(&pool)?)).await;
        match outcome {
            Ok(result) => result,
            Err(blocking) => Err(E::from(Failure::Internal(anyhow::anyhow!(
                "blocking pool: {blocking}"
            )))),
        }
    }

    /// Runs `work`, a read of a row or two by index, on this thread when the
    /// backend is the embedded SQLite and a pooled connection is idle;
    /// otherwise as [`Database::run`].
    ///
    /// Why: such a read takes microseconds from SQLite's page cache, less
    /// than handing it to the blocking pool and back (a thread wake-up each
    /// way). It cannot hold up the worker: a WAL-mode reader never waits for
    /// writers, and when every connection is busy the read waits its turn on
    /// the blocking pool instead. A PostgreSQL read is a network round trip,
    /// so it always goes to the pool.
    pub async fn run_short_read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<Failure> + Send + 'static,
    {
        if self.backend == Backend::Sqlite {
            if let Some(mut conn) = self.pool.try_get() {
                return work(&mut conn);
            }
        }
        self.run(work).await
    }

    /// Checks that the database answers, for readiness.
    pub async fn ping(&self) -> Result<(), Failure> {
        self.run(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| Failure::Unavailable(anyhow::anyhow!("database ping: {e}")))
        })
        .await
    }
}

/// Why work written all at once, in one [`write_transaction`], failed: one
/// of its statements (the work can then be written again part by part, each
/// part standing or falling alone), or the transaction itself (its begin,
/// commit or rollback: whether it committed may not be known, so nothing
/// is written again). Its `From` makes `?` on the transaction's own steps a
/// `Transaction`; the work maps its statements' errors to `Statement`.
#[derive(Debug)]
pub enum GroupFailure {
    /// A statement of the work failed; the transaction was rolled back.
    Statement(diesel::result::Error),
    /// The transaction's begin, commit or rollback failed.
    Transaction(diesel::result::Error),
}

impl From<diesel::result::Error> for GroupFailure {
    fn from(e: diesel::result::Error) -> Self {
        Self::Transaction(e)
    }
}

/// A connection from `pool`, on this thread. None to be had is the
/// database unavailable.
fn checkout(pool: &r2d2::Pool<Manager>) -> Result<r2d2::PooledConnection<Manager>, Failure> {
    pool.get()
        .map_err(|e| Failure::Unavailable(anyhow::anyhow!("database pool: {e}")))
}

/// Runs `work` in a write transaction: on SQLite it begins with
/// `BEGIN IMMEDIATE`, taking the write lock before the first read; on
/// PostgreSQL, and inside a transaction already open (a savepoint), it is
/// an ordinary transaction. Commits when `work` succeeds, rolls back when it
/// fails.
///
/// Why: SQLite's plain `BEGIN` takes the write lock at the first write. If
/// another connection commits after this transaction's first read, that
/// upgrade fails at once with `SQLITE_BUSY_SNAPSHOT` (no busy timeout
/// applies), so any read-then-write transaction failed under concurrent
/// writers. Taking the lock up front makes writers wait their turn, and
/// they wait it in this process's queue for the file (`writers`), not in
/// SQLite's sleeping busy handler.
///
/// On SQLite, `work` is given the file's writing connection rather than
/// `conn` (the same database; `writers` says why), so what it reads it
/// reads there, and what it writes `conn` sees once this returns.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConnection::Sqlite(lite) = conn else {
        return conn.transaction(work);
    };
    if AnsiTransactionManager::transaction_manager_status_mut(lite)
        .transaction_depth()
        .map_err(E::from)?
        .is_some()
    {
        return conn.transaction(work);
    }
    writers::in_turn(conn, work)
}

/// Runs `work`, writes that need no transaction around them (one
/// statement, or several each of which stands alone), as a writer of this
/// process: on SQLite in its file's writers' queue, like
/// [`write_transaction`]; on PostgreSQL as it is, autocommitted.
///
/// Why: an autocommitted write on a pooled SQLite connection bypasses the
/// queue, and meets the file locked by the writing connection whenever
/// another request writes; it then waits in SQLite's busy handler, which
/// sleeps a millisecond and more between tries. On PostgreSQL a
/// transaction would only add its `BEGIN` and `COMMIT` round trips.
pub fn single_write<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Postgres(_) => work(conn),
        DbConnection::Sqlite(_) => write_transaction(conn, work),
    }
}

/// What one pass of [`rewrite_in_batches`] read.
pub enum Batch<T> {
    /// Nothing was left to read: the rewrite is done.
    Done,
    /// The rows read that need rewriting (perhaps none of them).
    Rows(Vec<T>),
}

/// Rewrites stored rows a batch at a time, each batch in one write
/// transaction: the one routine behind sealing stored values again (at
/// start for legacy plaintext, and for `onboarding rekey`). `read` returns
/// the next batch, keeping its own place (a cursor, or a filter the
/// rewritten rows leave); `write` rewrites one row and says how many rows
/// it changed. Returns how many were changed in all.
///
/// Why `write` must compare: rows are read outside the transaction that
/// rewrites them, so `write` must only change a row still holding what
/// `read` saw (`UPDATE ... WHERE value = <as read>`); a request that wrote
/// the row meanwhile sealed its own value, which must not be undone.
pub fn rewrite_in_batches<T, E>(
    conn: &mut DbConnection,
    mut read: impl FnMut(&mut DbConnection) -> Result<Batch<T>, E>,
    mut write: impl FnMut(&mut DbConnection, &T) -> diesel::QueryResult<usize>,
) -> Result<usize, E>
where
    E: From<diesel::result::Error>,
{
    let mut rewritten = 0;
    loop {
        let Batch::Rows(rows) = read(conn)? else {
            return Ok(rewritten);
        };
        rewritten += write_transaction(conn, |conn| {
            rows.iter()
                .try_fold(0, |written, row| Ok(written + write(conn, row)?))
        })
        .map_err(|e: diesel::result::Error| E::from(e))?;
    }
}

/// True when `err` is a unique-constraint violation (on either backend).
pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Formats a timestamp the way every service stores and returns it:
/// RFC 3339 in UTC with microseconds, so that text order is time order.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Runs `$body` with `$c` bound to the backend's own connection
/// (`&mut PgConnection` or `&mut SqliteConnection`).
///
/// Why: diesel's connection over both backends cannot write some
/// statements both backends can, `ON CONFLICT` among them (its backend
/// declares no support for it). Hot paths were once moved here on the
/// belief that the two-backend connection prepares every statement afresh;
/// it caches them as each backend's own does (docs/decisions.md,
/// "Statements prepared once"). `$body` is compiled once per backend, so
/// it must be a query written with diesel's DSL that both accept.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgres($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Inserts the rows of the slice `$rows` into `$table` on a backend's own
/// connection (see [`on_backend!`]) in statements of fixed numbers of rows,
/// the largest of `[$size, ...]` (constants, largest first, ending with 1)
/// that still fits each time. A multi-row statement's SQL changes with its
/// row count, so fixed sizes let the connection prepare each statement once
/// and cache it; each is one round trip on PostgreSQL. Evaluates to a
/// `QueryResult<()>`; the first failure stops it.
#[macro_export]
macro_rules! insert_rows {
    ($c:expr, $table:expr, $rows:expr, [$($size:expr),+]) => {{
        let mut rest = &$rows[..];
        let mut inserted = ::diesel::QueryResult::Ok(());
        while inserted.is_ok() && !rest.is_empty() {
            $(
                if let Some((chunk, tail)) = rest.split_first_chunk::<{ $size }>() {
                    rest = tail;
                    inserted = ::diesel::insert_into($table)
                        .values(chunk)
                        .execute($c)
                        .map(drop);
                    continue;
                }
            )+
            unreachable!("insert_rows!: the last size must be 1");
        }
        inserted
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::{self, ThreadId};

    const NO_MIGRATIONS: Migrations = Migrations {
        sqlite: EmbeddedMigrations::new(&[]),
        postgres: EmbeddedMigrations::new(&[]),
    };

    fn sqlite(dir: &tempfile::TempDir, max_size: u32) -> Database {
        let url = DatabaseUrl::sqlite_file(&dir.path().join("test.db"));
        Database::open(&url, max_size, &NO_MIGRATIONS).unwrap()
    }

    fn current_thread(_: &mut DbConnection) -> Result<ThreadId, Failure> {
        Ok(thread::current().id())
    }

    #[test]
    fn a_single_write_on_sqlite_waits_its_turn_in_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 2);
        db.run_now(|conn| Ok(conn.batch_execute("CREATE TABLE t (x INTEGER)")?))
            .unwrap();
        let mut holder = db.pool.get().unwrap();
        let DbConnection::Sqlite(lite) = &mut **holder else {
            unreachable!("an SQLite pool")
        };
        // A turn alone takes no SQLite lock: an autocommitted insert on a
        // pooled connection would go ahead of it.
        let turn = writers::turn(lite).unwrap();
        let (done, written) = std::sync::mpsc::channel();
        let writer = db.clone();
        thread::spawn(move || {
            let wrote = writer.run_now(|conn| {
                Ok(single_write(conn, |conn| {
                    conn.batch_execute("INSERT INTO t VALUES (1)")
                })?)
            });
            done.send(wrote.is_ok()).unwrap();
        });
        let wait = Duration::from_millis(300);
        assert!(written.recv_timeout(wait).is_err(), "it waits for the turn");
        drop(turn);
        assert_eq!(written.recv_timeout(wait), Ok(true), "then it writes");
    }

    #[test]
    fn a_new_connection_waits_while_another_holds_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("test.db");
        let url = DatabaseUrl::sqlite_file(&path);
        drop(Database::open(&url, 1, &NO_MIGRATIONS).unwrap());
        // Holds the file exclusively, as a connection closing does while it
        // checkpoints, until it is dropped.
        let mut holder = diesel::SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        holder
            .batch_execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
            .unwrap();
        let release = thread::spawn(move || {
            thread::sleep(Duration::from_millis(200));
            drop(holder);
        });
        let connected = r2d2::ManageConnection::connect(&Manager { url });
        release.join().unwrap();
        assert!(connected.is_ok(), "{:?}", connected.err());
    }

    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_reused() {
        use diesel::connection::TransactionManager;
        type Manager = <DbConnection as Connection>::TransactionManager;
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 1);
        // As a unit of work that panicked half-way through would leave it.
        db.run(|conn| Manager::begin_transaction(conn).map_err(Failure::from))
            .await
            .unwrap();
        db.run(|conn| {
            conn.transaction(|c| c.batch_execute("CREATE TABLE written (x INTEGER)"))
                .map_err(Failure::from)
        })
        .await
        .unwrap();
        // Committed, not a savepoint inside the transaction left open.
        let mut other =
            diesel::SqliteConnection::establish(dir.path().join("test.db").to_str().unwrap())
                .unwrap();
        other.batch_execute("SELECT x FROM written").unwrap();
    }

    #[tokio::test]
    async fn a_short_read_runs_on_the_calling_thread_when_a_connection_is_idle() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 2);
        let ran_on = db.run_short_read(current_thread).await.unwrap();
        assert_eq!(ran_on, thread::current().id());
    }

    #[tokio::test]
    async fn a_short_read_waits_on_the_blocking_pool_when_every_connection_is_busy() {
        let dir = tempfile::tempdir().unwrap();
        let db = sqlite(&dir, 1);
        let held = db.pool.get().unwrap();
        let release = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        let ran_on = db.run_short_read(current_thread).await.unwrap();
        release.join().unwrap();
        assert_ne!(ran_on, thread::current().id());
    }
}
