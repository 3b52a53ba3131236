//! Cases: created, looked up (one or many at once), their status changed,
//! and found by a customer they include.

use super::audit::{self, Action, Change};
use super::{Page, IN_LIST_CHUNK};
use crate::rows::CaseRow;
use crate::schema::{case_customers, cases};
use diesel::prelude::*;
use service_kit::db::is_unique_violation;
use service_kit::db::write_transaction;
use service_kit::DbConnection;
use std::collections::HashMap;

/// Creates a case and records it; `false` when the id is taken.
pub fn insert(conn: &mut DbConnection, row: &CaseRow, change: &Change) -> QueryResult<bool> {
    let written = write_transaction(conn, |conn| {
        diesel::insert_into(cases::table)
            .values(row)
            .execute(conn)?;
        let mut record = change.record(&row.case_id, Action::CaseCreated);
        record.to_status = Some(row.case_status_code.clone());
        audit::write(conn, &record)
    });
    match written {
        Ok(()) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The case `id`, if it exists.
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<CaseRow>> {
    cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// The cases among `ids` that exist, by id: one query per few hundred ids.
pub fn find_many(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<HashMap<String, CaseRow>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(IN_LIST_CHUNK) {
        let rows = cases::table
            .filter(cases::case_id.eq_any(chunk))
            .select(CaseRow::as_select())
            .load(conn)?;
        found.extend(rows.into_iter().map(|r| (r.case_id.clone(), r)));
    }
    Ok(found)
}

/// Sets the status of `case_id` from `from` to `to` and records it; `false`
/// when the status was no longer `from` (changed concurrently).
pub fn set_status(
    conn: &mut DbConnection,
    case_id: &str,
    from: &str,
    to: &str,
    change: &Change,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let changed = diesel::update(
            cases::table
                .find(case_id)
                .filter(cases::case_status_code.eq(from)),
        )
        .set((
            cases::case_status_code.eq(to),
            cases::status_changed_at.eq(&change.at),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Ok(false);
        }
        let mut record = change.record(case_id, Action::StatusChanged);
        record.from_status = Some(from.to_owned());
        record.to_status = Some(to.to_owned());
        audit::write(conn, &record)?;
        Ok(true)
    })
}

/// Up to `limit` cases that include `customer_id`, by case id, after
/// `after` (served by the `(customer_id, case_id)` index).
pub fn of_customer(
    conn: &mut DbConnection,
    customer_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Page<CaseRow>> {
    let mut query = case_customers::table
        .inner_join(cases::table)
        .filter(case_customers::customer_id.eq(customer_id))
        .order(case_customers::case_id.asc())
        .limit(limit + 1)
        .select(CaseRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(case_customers::case_id.gt(after.to_owned()));
    }
    Ok(Page::of(query.load(conn)?, limit))
}
