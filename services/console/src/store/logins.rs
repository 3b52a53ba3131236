//! Sign-ins under way: stored at the redirect to the provider, taken
//! (read and deleted: single use) when the browser comes back, swept once
//! stale. Each write stands alone, and takes SQLite's writers' turn
//! through `single_write`.

use crate::rows::logins::LoginRow;
use crate::schema::console_logins::dsl as l;
use diesel::prelude::*;
use service_kit::db::single_write;
use service_kit::DbConnection;

/// Stores a sign-in under way.
pub fn insert(conn: &mut DbConnection, row: &LoginRow) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::insert_into(l::console_logins)
            .values(row)
            .execute(conn)
            .map(drop)
    })
}

/// The sign-in stored under `state_hash`, deleted as it is read, so that
/// a state is used once at most; `None` when there is none, or when
/// another request deleted it first (only the request whose delete
/// removed the row gets it, so no transaction is needed).
pub fn take(conn: &mut DbConnection, state_hash: &str) -> QueryResult<Option<LoginRow>> {
    let row = l::console_logins
        .find(state_hash)
        .select(LoginRow::as_select())
        .first(conn)
        .optional()?;
    let deleted = single_write(conn, |conn| {
        diesel::delete(l::console_logins.find(state_hash)).execute(conn)
    })?;
    Ok(row.filter(|_| deleted == 1))
}

/// Deletes every sign-in begun before `before`; how many.
pub fn sweep(conn: &mut DbConnection, before: &str) -> QueryResult<usize> {
    single_write(conn, |conn| {
        diesel::delete(l::console_logins.filter(l::created_at.lt(before))).execute(conn)
    })
}
