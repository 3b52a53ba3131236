//! Sessions: begun at sign-in, read on every page, ended at sign-out or by
//! the sweep once expired. Each write stands alone, and takes SQLite's
//! writers' turn through `single_write`.

use crate::rows::sessions::SessionRow;
use crate::schema::console_sessions::dsl as s;
use diesel::prelude::*;
use service_kit::db::single_write;
use service_kit::DbConnection;

/// Stores a new session.
pub fn insert(conn: &mut DbConnection, row: &SessionRow) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::insert_into(s::console_sessions)
            .values(row)
            .execute(conn)
            .map(drop)
    })
}

/// The session whose token hashes to `id_hash`, expired or not.
pub fn find(conn: &mut DbConnection, id_hash: &str) -> QueryResult<Option<SessionRow>> {
    s::console_sessions
        .find(id_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

/// Records that the session was seen at `now`, and that it now lasts until
/// `idle_expires_at` unless seen again.
pub fn touch(
    conn: &mut DbConnection,
    id_hash: &str,
    now: &str,
    idle_expires_at: &str,
) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::update(s::console_sessions.find(id_hash))
            .set((
                s::last_seen_at.eq(now),
                s::idle_expires_at.eq(idle_expires_at),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// Ends the session; whether it existed.
pub fn delete(conn: &mut DbConnection, id_hash: &str) -> QueryResult<bool> {
    single_write(conn, |conn| {
        diesel::delete(s::console_sessions.find(id_hash))
            .execute(conn)
            .map(|n| n > 0)
    })
}

/// Deletes every session expired at `now` (idle or absolute); how many.
pub fn sweep(conn: &mut DbConnection, now: &str) -> QueryResult<usize> {
    let expired = s::idle_expires_at
        .le(now)
        .or(s::absolute_expires_at.le(now));
    single_write(conn, |conn| {
        diesel::delete(s::console_sessions.filter(expired)).execute(conn)
    })
}
