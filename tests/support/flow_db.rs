//! Reading a service's own database behind its back, on either backend,
//! for the flow fault suite's accounting: plain SQL that both SQLite and
//! PostgreSQL take, each row as two text columns `a` and `b`.

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use service_kit::DbConnection;
use testkit::Backend;

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A service's database: its backend and URL (`sqlite://PATH` or
/// `postgres://...`).
#[derive(Clone, Debug)]
pub struct Db {
    /// The backend.
    pub backend: Backend,
    /// Its URL.
    pub url: String,
}

impl Db {
    fn connect(&self) -> Result<DbConnection, String> {
        match self.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(|e| e.to_string()),
            Backend::Sqlite => {
                let mut conn =
                    diesel::SqliteConnection::establish(self.url.trim_start_matches("sqlite://"))
                        .map_err(|e| e.to_string())?;
                // The service writes meanwhile (WAL): a read waits for a
                // moment of its lock rather than failing.
                conn.batch_execute("PRAGMA busy_timeout = 10000;")
                    .map_err(|e| e.to_string())?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    /// The rows of `sql`, which selects two text columns `a` and `b`.
    pub fn pairs(&self, sql: &str) -> Vec<(String, String)> {
        let rows: Vec<Pair> = match self.connect().expect("connect") {
            DbConnection::Postgres(mut c) => diesel::sql_query(sql).load(&mut c),
            DbConnection::Sqlite(mut c) => diesel::sql_query(sql).load(&mut c),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|r| (r.a, r.b)).collect()
    }

    /// The count `sql` selects as `n`; `None` while the database is away.
    pub fn count(&self, sql: &str) -> Option<i64> {
        let rows: Vec<Count> = match self.connect().ok()? {
            DbConnection::Postgres(mut c) => diesel::sql_query(sql).load(&mut c),
            DbConnection::Sqlite(mut c) => diesel::sql_query(sql).load(&mut c),
        }
        .ok()?;
        rows.first().map(|r| r.n)
    }
}
