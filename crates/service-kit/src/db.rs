//! The database layer: one connection type over SQLite and PostgreSQL, an
//! r2d2 pool that picks the backend from the URL scheme, and embedded
//! per-backend migrations applied at start.
//!
//! Diesel is synchronous, so every use goes through [`Database::run`], which
//! runs the closure on actix's blocking pool.

use crate::error::ProblemError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use std::path::Path;
use std::time::Duration;

pub use connection::DbConnection;

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

/// The SQLite settings applied to every new connection: enforce foreign keys,
/// write-ahead logging so readers never block the writer, wait for a busy
/// writer instead of failing, the durability level WAL makes safe, and
/// reads through a shared memory map (256 MiB) with a 16 MiB page cache,
/// so that large tables' indexes stay in memory.
const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
     PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16000;";

/// Opens connections for the pool, choosing the driver by the URL's scheme.
struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match self.url.backend {
            Backend::Postgres => PgConnection::establish(&self.url.target)
                .map(DbConnection::Postgres)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(diesel::r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A service's migrations, one set per backend, with identical names.
pub struct Migrations {
    /// `migrations/sqlite`, embedded.
    pub sqlite: EmbeddedMigrations,
    /// `migrations/postgres`, embedded.
    pub postgres: EmbeddedMigrations,
}

/// A service's own database: a pool of connections to it.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<Manager>,
    backend: Backend,
}

/// How long a request waits for a free pooled connection.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

impl Database {
    /// Opens a pool of up to `max_size` connections to `url`, creating the
    /// SQLite file's directory when needed, and applies the pending
    /// migrations.
    pub fn open(url: &DatabaseUrl, max_size: u32, migrations: Migrations) -> anyhow::Result<Self> {
        if url.backend == Backend::Sqlite {
            if let Some(dir) = Path::new(&url.target)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(1))
            .connection_timeout(CHECKOUT_TIMEOUT)
            .build(Manager { url: url.clone() })?;
        let db = Self {
            pool,
            backend: url.backend,
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
    fn migrate(&self, migrations: Migrations) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConnection::Postgres(pg) => {
                const MIGRATION_LOCK: i64 = 0x006f_6e62_6f61_7264; // "onboard"
                pg.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let result = pg
                    .run_pending_migrations(migrations.postgres)
                    .map(|v| v.len());
                pg.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
                result
            }
            DbConnection::Sqlite(lite) => lite
                .run_pending_migrations(migrations.sqlite)
                .map(|v| v.len()),
        }
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
        if applied > 0 {
            tracing::info!(applied, "database migrations applied");
        }
        Ok(())
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
    /// Pool exhaustion becomes a 503; any other failure keeps its own error.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<ProblemError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let outcome = actix_web::web::block(move || match pool.get() {
            Ok(mut conn) => work(&mut conn),
            Err(e) => Err(E::from(ProblemError::Unavailable(anyhow::anyhow!(
                "database pool: {e}"
            )))),
        })
        .await;
        match outcome {
            Ok(result) => result,
            Err(blocking) => Err(E::from(ProblemError::Internal(anyhow::anyhow!(
                "blocking pool: {blocking}"
            )))),
        }
    }

    /// Checks that the database answers, for readiness.
    pub async fn ping(&self) -> Result<(), ProblemError> {
        self.run(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|e| ProblemError::Unavailable(anyhow::anyhow!("database ping: {e}")))
        })
        .await
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
