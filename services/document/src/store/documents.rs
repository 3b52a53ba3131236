//! The queries of the documents resource, on the `documents` table.
//!
//! Each write stands alone and goes through `single_write`, so that on
//! SQLite it takes its turn in the file's writers' queue rather than
//! waiting in SQLite's sleeping busy handler.

use crate::rows::documents::{DocumentRow, State};
use crate::schema::documents;
use diesel::prelude::*;
use domain::document::Owner;
use service_kit::db::{single_write, DbConnection};
use service_kit::Keyring;

/// Records a document whose content is about to be written, its personal
/// values sealed.
pub fn insert_pending(
    conn: &mut DbConnection,
    keyring: &Keyring,
    row: &DocumentRow,
) -> QueryResult<()> {
    let sealed = row.clone().sealed(keyring);
    single_write(conn, |conn| {
        diesel::insert_into(documents::table)
            .values(&sealed)
            .execute(conn)
            .map(drop)
    })
}

/// Makes a pending document visible. False when it is no longer pending
/// (the sweeper gave up on it).
pub fn mark_stored(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    set_state(conn, id, State::Pending, State::Stored)
}

fn set_state(conn: &mut DbConnection, id: &str, from: State, to: State) -> QueryResult<bool> {
    single_write(conn, |conn| {
        diesel::update(
            documents::table
                .find(id)
                .filter(documents::state.eq(from.as_str())),
        )
        .set(documents::state.eq(to.as_str()))
        .execute(conn)
        .map(|n| n == 1)
    })
}

/// A visible document of `owner`, opened.
pub fn find(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &str,
    owner: &Owner,
) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .find(id)
        .filter(documents::owner_system.eq(&owner.system))
        .filter(documents::owner_subject.eq(&owner.subject))
        .filter(documents::state.eq(State::Stored.as_str()))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?
        .map(|row| row.opened(keyring))
        .transpose()
}

/// Up to `limit` visible documents of `owner` (for `reference`, if given)
/// with ids after `after`, by id, opened, and whether more follow.
pub fn list(
    conn: &mut DbConnection,
    keyring: &Keyring,
    owner: &Owner,
    reference: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<(Vec<DocumentRow>, bool)> {
    let mut query = documents::table
        .filter(documents::owner_system.eq(owner.system.clone()))
        .filter(documents::owner_subject.eq(owner.subject.clone()))
        .filter(documents::state.eq(State::Stored.as_str()))
        .select(DocumentRow::as_select())
        .order(documents::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(reference) = reference {
        query = query.filter(documents::reference.eq(reference.to_owned()));
    }
    if let Some(after) = after {
        query = query.filter(documents::id.gt(after.to_owned()));
    }
    let mut rows: Vec<DocumentRow> = query.load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let rows = rows
        .into_iter()
        .map(|row| row.opened(keyring))
        .collect::<QueryResult<_>>()?;
    Ok((rows, more))
}

/// Hides a document of `owner` before its content is removed: a visible
/// one, or one still being uploaded (whose upload then fails, cleanly).
/// False when there is no such document.
pub fn mark_deleting(conn: &mut DbConnection, id: &str, owner: &Owner) -> QueryResult<bool> {
    let hideable = [State::Stored.as_str(), State::Pending.as_str()];
    single_write(conn, |conn| {
        diesel::update(
            documents::table
                .find(id)
                .filter(documents::owner_system.eq(&owner.system))
                .filter(documents::owner_subject.eq(&owner.subject))
                .filter(documents::state.eq_any(hideable)),
        )
        .set(documents::state.eq(State::Deleting.as_str()))
        .execute(conn)
        .map(|n| n == 1)
    })
}

/// Hides a document of any owner for `onboarding erase`: one visible,
/// being uploaded, or already being deleted (an erase cut short). False
/// when there is no such document left.
pub fn mark_erasing(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    let live = [
        State::Stored.as_str(),
        State::Pending.as_str(),
        State::Deleting.as_str(),
    ];
    single_write(conn, |conn| {
        diesel::update(
            documents::table
                .find(id)
                .filter(documents::state.eq_any(live)),
        )
        .set(documents::state.eq(State::Deleting.as_str()))
        .execute(conn)
        .map(|n| n == 1)
    })
}

/// Leaves a tombstone for an id nobody has used yet, so that an upload
/// with it that arrives late (after its caller gave up and deleted it) is
/// refused instead of leaving an orphan. A used id is left alone. Its
/// (empty) values are sealed like any row's, so that rekey treats it alike.
pub fn bury(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &str,
    owner: &Owner,
    now: &str,
) -> QueryResult<()> {
    let tombstone = DocumentRow::tombstone(id, owner, now).sealed(keyring);
    let inserted = single_write(conn, |conn| {
        diesel::insert_into(documents::table)
            .values(&tombstone)
            .execute(conn)
    });
    match inserted {
        Err(e) if !service_kit::db::is_unique_violation(&e) => Err(e),
        _ => Ok(()),
    }
}

/// Forgets a document whose content is gone.
pub fn delete_row(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    single_write(conn, |conn| {
        diesel::delete(documents::table.find(id))
            .execute(conn)
            .map(drop)
    })
}

/// Whether a document is the sweeper's to finish: being deleted, or
/// pending (or a tombstone) since before `pending_before`.
#[diesel::dsl::auto_type(no_type_alias)]
fn unfinished_since(pending_before: String) -> _ {
    let deleting: &'static str = State::Deleting.as_str();
    let left: [&'static str; 2] = [State::Pending.as_str(), State::Deleted.as_str()];
    documents::state.eq(deleting).or(documents::state
        .eq_any(left)
        .and(documents::created_at.lt(pending_before)))
}

/// The documents the sweeper must finish ([`claim_unfinished`] each before
/// removing anything).
pub fn unfinished(
    conn: &mut DbConnection,
    pending_before: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    documents::table
        .filter(unfinished_since(pending_before.to_owned()))
        .select(documents::id)
        .order(documents::created_at.asc())
        .limit(limit)
        .load(conn)
}

/// Marks an unfinished document as being deleted, if it still is
/// unfinished: an upload may have finished (stored it) since the sweeper
/// listed it, and then it stays. False when it is no longer the sweeper's.
pub fn claim_unfinished(
    conn: &mut DbConnection,
    id: &str,
    pending_before: &str,
) -> QueryResult<bool> {
    single_write(conn, |conn| {
        diesel::update(
            documents::table
                .find(id)
                .filter(unfinished_since(pending_before.to_owned())),
        )
        .set(documents::state.eq(State::Deleting.as_str()))
        .execute(conn)
        .map(|n| n == 1)
    })
}

/// Up to `limit` stored documents after `after`, by id, whatever their
/// owner, each with its recorded size and SHA-256: for `onboarding rekey`.
pub fn stored(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<(String, i64, String)>> {
    documents::table
        .filter(documents::state.eq(State::Stored.as_str()))
        .filter(documents::id.gt(after.to_owned()))
        .select((documents::id, documents::size, documents::sha256))
        .order(documents::id.asc())
        .limit(limit)
        .load(conn)
}

/// Whether a row (in any state) still exists for `id`.
pub fn exists(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(documents::table.find(id))).get_result(conn)
}
