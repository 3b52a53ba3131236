//! What a service keeps at rest, as text, for tests that check that no
//! plaintext secret or personal value is stored.

use crate::Backend;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Everything the database at `url` holds. SQLite: the database file and
/// its write-ahead log byte for byte (lossily as UTF-8), free pages
/// included; PostgreSQL: every row of every table, in its text form.
pub fn database_text(backend: Backend, url: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://");
            [path.to_owned(), format!("{path}-wal")]
                .iter()
                .filter_map(|file| std::fs::read(file).ok())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .collect()
        }
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url).expect("connect");
            let tables: Vec<Line> = diesel::sql_query(
                "SELECT table_name::text AS line FROM information_schema.tables \
                 WHERE table_schema = 'public'",
            )
            .load(&mut conn)
            .expect("list tables");
            tables
                .iter()
                .flat_map(|table| {
                    let sql = format!("SELECT t::text AS line FROM \"{}\" t", table.line);
                    let rows: Vec<Line> = diesel::sql_query(sql).load(&mut conn).expect("rows");
                    rows
                })
                .map(|row| row.line + "\n")
                .collect()
        }
    }
}
