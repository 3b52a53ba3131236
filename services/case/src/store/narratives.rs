//! A case's narratives: added one at a time, each in its own transaction,
//! never changed; read back a page at a time, oldest first.

use super::audit::{self, Action, Change};
use super::{cases, locks, Page, Write};
use crate::rows::narrative::{NarrativeRow, NewNarrativeRow};
use crate::schema::case_narratives;
use crate::wire::narratives::Narrative;
use diesel::dsl::max;
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Failure, Keyring};

/// Adds `text` to `case_id`, sealed, with its audit record (the
/// narrative's id as its record, its text as the new value, sealed), in
/// one transaction; `Done` with the narrative's id.
pub fn add(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    text: &str,
    change: &Change,
) -> QueryResult<Write<i64>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        if cases::find(conn, case_id)?.is_none() {
            return Ok(Write::NoSuchCase);
        }
        let row = NewNarrativeRow::sealed(keyring, case_id, text, &change.at, &change.actor);
        diesel::insert_into(case_narratives::table)
            .values(&row)
            .execute(conn)?;
        // The case's row is held (`ensure_writable`), so the newest
        // narrative of the case is this one.
        let id = case_narratives::table
            .filter(case_narratives::case_id.eq(case_id))
            .select(max(case_narratives::id))
            .first::<Option<i64>>(conn)?
            .ok_or(diesel::result::Error::NotFound)?;
        let mut record = change.record(case_id, Action::NarrativeAdded);
        record.record_id = Some(id.to_string());
        audit::write(conn, &record.sealed(keyring, None, Some(text)))?;
        Ok(Write::Done(id))
    })
}

/// Up to `limit` narratives of `case_id` after the id `after`, oldest
/// first (newest last), opened.
pub fn page(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    after: Option<i64>,
    limit: i64,
) -> Result<Page<Narrative>, Failure> {
    let mut query = case_narratives::table
        .filter(case_narratives::case_id.eq(case_id))
        .order(case_narratives::id.asc())
        .limit(limit + 1)
        .select(NarrativeRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(case_narratives::id.gt(after));
    }
    let page = Page::of(query.load(conn)?, limit);
    let items = page
        .items
        .into_iter()
        .map(|row| row.open(keyring).map_err(Failure::from))
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(Page {
        items,
        more: page.more,
    })
}
