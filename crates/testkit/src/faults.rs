//! Faults injected into a service's own database, for tests that show what
//! a service does when its database fails at a given statement.

use crate::Backend;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use service_kit::DbConnection;

/// A plain connection to the database at `url` (a service's own database),
/// for what a test does behind the service's back. On SQLite it waits up
/// to 5 s for the file's write lock, as the services' own connections do:
/// a running service writes on its own (start-up passes, sweeps, the
/// log's checkpoints), and a connection that does not wait fails at once
/// with "database is locked" when it meets one of those writes.
pub fn connect(backend: Backend, url: &str) -> DbConnection {
    match backend {
        Backend::Postgres => {
            DbConnection::Postgres(diesel::PgConnection::establish(url).expect("connect"))
        }
        Backend::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(url.trim_start_matches("sqlite://"))
                .expect("connect");
            conn.batch_execute("PRAGMA busy_timeout = 5000;")
                .expect("a busy timeout");
            DbConnection::Sqlite(conn)
        }
    }
}

/// Runs SQL on the database at `url` (a service's own database).
pub fn execute(backend: Backend, url: &str, sql: &str) {
    connect(backend, url).batch_execute(sql).expect("executed");
}

/// Makes every `event` (`INSERT`, `UPDATE` or `DELETE`) on `table` fail, with
/// a trigger named `fail_<event>`; [`mend`] removes it.
pub fn fail_on(backend: Backend, url: &str, table: &str, event: &str) {
    fail_on_rows(backend, url, table, event, "1 = 1");
}

/// As [`fail_on`], only for the rows `condition` (SQL on `NEW` or `OLD`,
/// the same on both backends) holds for: `UPDATE`s that set a state, say.
pub fn fail_on_rows(backend: Backend, url: &str, table: &str, event: &str, condition: &str) {
    let name = format!("fail_{}", event.to_lowercase());
    let sql = match backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        ),
        Backend::Postgres => format!(
            "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION injected_failure();"
        ),
    };
    execute(backend, url, &sql);
}

/// Removes the fault [`fail_on`] injected for `event` on `table`.
pub fn mend(backend: Backend, url: &str, table: &str, event: &str) {
    let name = format!("fail_{}", event.to_lowercase());
    let sql = match backend {
        Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {name};"),
        Backend::Postgres => format!("DROP TRIGGER IF EXISTS {name} ON {table};"),
    };
    execute(backend, url, &sql);
}

/// Makes the PostgreSQL server end the session of any statement that
/// runs `event` on `table`, as a server restart cuts a connection in the
/// middle of a request: `INSERT`, `UPDATE` or `DELETE` through a trigger,
/// `SELECT` through a view put in the table's place. PostgreSQL only: an
/// SQLite connection is a file handle, which cannot be lost.
pub fn lose_connection_on(url: &str, table: &str, event: &str) {
    let sql = if event == "SELECT" {
        format!(
            "CREATE OR REPLACE FUNCTION session_ended() RETURNS boolean AS $$
                 BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN true; END $$ LANGUAGE plpgsql;
             ALTER TABLE {table} RENAME TO {table}_behind_view;
             CREATE VIEW {table} AS SELECT * FROM {table}_behind_view WHERE session_ended();"
        )
    } else {
        format!(
            "CREATE OR REPLACE FUNCTION end_session() RETURNS trigger AS $$
                 BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER lose_{lower} BEFORE {event} ON {table}
                 FOR EACH ROW EXECUTE FUNCTION end_session();",
            lower = event.to_lowercase()
        )
    };
    execute(Backend::Postgres, url, &sql);
}

/// Removes the fault [`lose_connection_on`] injected for `event` on `table`.
pub fn keep_connection_on(url: &str, table: &str, event: &str) {
    let sql = if event == "SELECT" {
        format!("DROP VIEW {table}; ALTER TABLE {table}_behind_view RENAME TO {table};")
    } else {
        format!("DROP TRIGGER lose_{} ON {table};", event.to_lowercase())
    };
    execute(Backend::Postgres, url, &sql);
}

/// Makes the PostgreSQL database at `url` unavailable, as an outage would
/// look to a service: its open connections are cut and new ones refused,
/// until [`restore`]. `admin_url` is the server's admin URL.
pub fn cut_off(admin_url: &str, url: &str) {
    let name = database_name(url);
    execute(
        Backend::Postgres,
        admin_url,
        &format!(
            "ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ),
    );
}

/// Ends the outage [`cut_off`] began: the database takes connections again.
pub fn restore(admin_url: &str, url: &str) {
    let name = database_name(url);
    execute(
        Backend::Postgres,
        admin_url,
        &format!("ALTER DATABASE {name} WITH ALLOW_CONNECTIONS true;"),
    );
}

/// The database a PostgreSQL URL names (test databases are plain names).
fn database_name(url: &str) -> &str {
    let name = url.rsplit('/').next().unwrap_or_default();
    assert!(
        name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "a plain database name: {name}"
    );
    name
}

/// A PostgreSQL outage for the services on `databases`: the test server is
/// stopped when it is the harness's own (the real thing), and on a shared
/// server (`TEST_DATABASE_URL`) the databases are cut off instead.
pub struct Outage {
    databases: Vec<String>,
    stopped: bool,
}

impl Outage {
    /// Begins the outage.
    pub fn begin(databases: &[String]) -> Self {
        let stopped = crate::postgres::stop_server().is_ok();
        if !stopped {
            let admin = crate::postgres::server_url().expect("a server");
            for url in databases {
                cut_off(admin, url);
            }
        }
        Self {
            databases: databases.to_vec(),
            stopped,
        }
    }

    /// Ends it: the databases take connections again.
    pub fn end(self) {
        if self.stopped {
            crate::postgres::start_server_again().expect("the server starts again");
            return;
        }
        let admin = crate::postgres::server_url().expect("a server");
        for url in &self.databases {
            restore(admin, url);
        }
    }
}
