//! Faults injected into a service's own database, for tests that show what
//! a service does when its database fails at a given statement.

use crate::Backend;
use diesel::connection::SimpleConnection;
use diesel::Connection;

/// Runs SQL on the database at `url` (a service's own database).
pub fn execute(backend: Backend, url: &str, sql: &str) {
    match backend {
        Backend::Postgres => diesel::PgConnection::establish(url)
            .expect("connect")
            .batch_execute(sql),
        Backend::Sqlite => diesel::SqliteConnection::establish(url.trim_start_matches("sqlite://"))
            .expect("connect")
            .batch_execute(sql),
    }
    .expect("executed");
}

/// Makes every `event` (`INSERT`, `UPDATE` or `DELETE`) on `table` fail, with
/// a trigger named `fail_<event>`; [`mend`] removes it.
pub fn fail_on(backend: Backend, url: &str, table: &str, event: &str) {
    let name = format!("fail_{}", event.to_lowercase());
    let sql = match backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER {name} BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
        ),
        Backend::Postgres => format!(
            "CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION injected_failure();"
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
