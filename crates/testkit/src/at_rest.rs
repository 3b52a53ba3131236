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

/// Every column of every table the database at `url` holds, each as
/// `("table.column", its values' text, one a line)`: the tables and columns
/// are listed by the database itself (`sqlite_master` and
/// `pragma_table_info`, `information_schema.columns`), so a table added
/// later is dumped too. Binary values are read as text, lossily.
pub fn database_columns(backend: Backend, url: &str) -> Vec<(String, String)> {
    let (listing, as_text): (&str, fn(&str) -> String) = match backend {
        Backend::Sqlite => (
            "SELECT m.name AS table_name, c.name AS column_name \
             FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table'",
            |column| format!("CAST(\"{column}\" AS TEXT)"),
        ),
        Backend::Postgres => (
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns WHERE table_schema = 'public'",
            |column| format!("\"{column}\"::text"),
        ),
    };
    let mut conn = crate::faults::connect(backend, url);
    let columns: Vec<Column> = diesel::sql_query(listing)
        .load(&mut conn)
        .expect("list columns");
    columns
        .into_iter()
        .map(|c| {
            let sql = format!(
                "SELECT {} AS line FROM \"{}\" WHERE \"{}\" IS NOT NULL",
                as_text(&c.column_name),
                c.table_name,
                c.column_name
            );
            let rows: Vec<Line> = diesel::sql_query(sql).load(&mut conn).expect("rows");
            let text: String = rows.into_iter().map(|row| row.line + "\n").collect();
            (format!("{}.{}", c.table_name, c.column_name), text)
        })
        .collect()
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}
