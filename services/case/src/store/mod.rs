//! Reading and writing cases, their customers, narratives and locks, and
//! their audit trail. Every
//! function takes a connection and runs on the blocking pool (see
//! `Database::run`). A write runs in one transaction (or savepoint) whose
//! first statement is a write, so SQLite takes its write lock up front instead of failing to
//! upgrade a read lock.

pub mod application_erasure;
pub mod audit;
pub mod cases;
pub mod customers;
pub mod decisions;
pub mod erasure;
pub mod event_erasure;
pub mod events;
pub mod evidence;
pub mod flow;
pub mod inbox;
pub mod locks;
pub mod name_index;
pub mod narratives;
pub mod outbox;
pub mod recommendations;
pub mod records;
pub mod sealing;
pub mod suppression;

use crate::rows::stored::Corrupt;
use service_kit::Failure;

/// A stored value that no longer parses is our own fault.
impl From<Corrupt> for Failure {
    fn from(e: Corrupt) -> Self {
        Failure::internal(e)
    }
}

/// A stored value that no longer opens or parses, as diesel's error for
/// it: for the writes that read a value back inside their transaction (the
/// old value of an audit record), so that it fails and rolls back their
/// write like any other database fault.
pub fn undecodable(e: Corrupt) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(e))
}

/// What became of a change to one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write<T> {
    /// Done, with what it produced.
    Done(T),
    /// The case does not exist; nothing was written.
    NoSuchCase,
    /// Another user holds the case's lock; nothing was written.
    Locked(locks::Locked),
}

/// How many values one `IN (...)` list binds at most: well under SQLite's
/// and PostgreSQL's limits on bound parameters.
pub const IN_LIST_CHUNK: usize = 500;

/// One page of a keyset-paginated list.
#[derive(Debug)]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// Whether more follow.
    pub more: bool,
}

impl<T> Page<T> {
    /// Cuts `found` (fetched with `limit + 1`) to `limit`, noting whether
    /// more followed.
    pub fn of(mut found: Vec<T>, limit: i64) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = found.len() > limit;
        found.truncate(limit);
        Self { items: found, more }
    }

    /// The cursor of the next page (the key of this page's last item), or
    /// `None` on the last page.
    pub fn next_cursor(&self, key: impl Fn(&T) -> String) -> Option<String> {
        if self.more {
            self.items.last().map(key)
        } else {
            None
        }
    }
}
