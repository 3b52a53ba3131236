//! Case locks: one writer at a time per case. A lock is held by a subject
//! until it expires (or the holder releases it); meanwhile every write by
//! anyone else is refused.
//!
//! Every write path calls [`ensure_writable`] first thing inside the
//! transaction of its write, so that the check and the write stand
//! together: on PostgreSQL it locks the case's row (`FOR NO KEY UPDATE`)
//! until the transaction ends, and taking or releasing a lock locks the same
//! row first, so a lock taken concurrently waits for the write to commit
//! (or the write waits for the lock, and then sees it). On SQLite every
//! write transaction holds the database's write lock from its start
//! (`write_transaction`), which serialises them the same way.

use super::audit::{self, Action, Change};
use super::Write;
use crate::rows::LockRow;
use crate::schema::{case_locks, cases};
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::DbConnection;

/// The case is held by another subject: the write is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// Who holds the lock (the token's subject).
    pub holder: String,
}

/// Checks, inside the caller's write transaction, that `change.actor` may
/// write `case_id` at `change.at`: `Err(Locked)` when another subject holds
/// an unexpired lock on it. The case's row stays locked (PostgreSQL) until
/// the caller's transaction ends, so no lock can be taken between this
/// check and the caller's write. A case that does not exist is writable as
/// far as locks go (the caller finds out it does not exist).
///
/// Every operation that changes a case calls it before its first write:
/// `if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
/// ... refuse with "Case is locked by another user {holder}." ... }`.
pub fn ensure_writable(
    conn: &mut DbConnection,
    case_id: &str,
    change: &Change,
) -> QueryResult<Result<(), Locked>> {
    hold_case(conn, case_id)?;
    let holder = case_locks::table
        .find(case_id)
        .filter(case_locks::expires_at.gt(&change.at))
        .filter(case_locks::holder.ne(&change.actor))
        .select(case_locks::holder)
        .first::<String>(conn)
        .optional()?;
    Ok(match holder {
        Some(holder) => Err(Locked { holder }),
        None => Ok(()),
    })
}

/// Locks the row of `case_id` until the transaction ends (PostgreSQL; on
/// SQLite the transaction already holds the write lock); `false` when the
/// case does not exist.
fn hold_case(conn: &mut DbConnection, case_id: &str) -> QueryResult<bool> {
    let query = cases::table.find(case_id).select(cases::case_id);
    let found = match conn {
        DbConnection::Postgres(pg) => query.for_no_key_update().first::<String>(pg),
        DbConnection::Sqlite(lite) => query.first::<String>(lite),
    };
    Ok(found.optional()?.is_some())
}

/// The unexpired lock of `case_id` at `now`, if any.
pub fn current(conn: &mut DbConnection, case_id: &str, now: &str) -> QueryResult<Option<LockRow>> {
    case_locks::table
        .find(case_id)
        .filter(case_locks::expires_at.gt(now))
        .select(LockRow::as_select())
        .first(conn)
        .optional()
}

/// When a lock taken by `change` for `seconds` expires (RFC 3339, UTC, as
/// every stored time, so that times compare as text).
pub fn expiry(change: &Change, seconds: u32) -> String {
    let from = chrono::DateTime::parse_from_rfc3339(&change.at)
        .map_or_else(|_| chrono::Utc::now(), |at| at.to_utc());
    service_kit::db::timestamp(from + chrono::Duration::seconds(i64::from(seconds)))
}

/// Takes the lock of `case_id` for `change.actor` until `expires_at`, or
/// renews the caller's own, and records it; refused while another subject
/// holds an unexpired lock. An expired lock is simply replaced. `Done`
/// with the lock the caller holds now.
pub fn take(
    conn: &mut DbConnection,
    case_id: &str,
    expires_at: &str,
    change: &Change,
) -> QueryResult<Write<LockRow>> {
    write_transaction(conn, |conn| {
        if !hold_case(conn, case_id)? {
            return Ok(Write::NoSuchCase);
        }
        let before = current(conn, case_id, &change.at)?;
        if let Some(other) = before.as_ref().filter(|l| l.holder != change.actor) {
            return Ok(Write::Locked(Locked {
                holder: other.holder.clone(),
            }));
        }
        // A renewal keeps when the lock was first taken.
        let taken_at = before
            .as_ref()
            .map_or_else(|| change.at.clone(), |l| l.taken_at.clone());
        let row = LockRow {
            case_id: case_id.to_owned(),
            holder: change.actor.clone(),
            taken_at,
            expires_at: expires_at.to_owned(),
        };
        diesel::delete(case_locks::table.find(case_id)).execute(conn)?;
        diesel::insert_into(case_locks::table)
            .values(&row)
            .execute(conn)?;
        let mut record = change.record(case_id, Action::LockTaken);
        record.old_value = before.map(|l| l.expires_at);
        record.new_value = Some(row.expires_at.clone());
        audit::write(conn, &record)?;
        Ok(Write::Done(row))
    })
}

/// Releases the caller's lock of `case_id`, and records it. Only the holder
/// releases a lock; anyone else's waits for it to expire. `Done(false)`
/// when the case is not locked (never, released, or expired).
pub fn release(
    conn: &mut DbConnection,
    case_id: &str,
    change: &Change,
) -> QueryResult<Write<bool>> {
    write_transaction(conn, |conn| {
        if !hold_case(conn, case_id)? {
            return Ok(Write::NoSuchCase);
        }
        let Some(lock) = current(conn, case_id, &change.at)? else {
            return Ok(Write::Done(false));
        };
        if lock.holder != change.actor {
            return Ok(Write::Locked(Locked {
                holder: lock.holder,
            }));
        }
        diesel::delete(case_locks::table.find(case_id)).execute(conn)?;
        let mut record = change.record(case_id, Action::LockReleased);
        record.old_value = Some(lock.expires_at);
        audit::write(conn, &record)?;
        Ok(Write::Done(true))
    })
}
