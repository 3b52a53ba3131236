//! Cases: created, looked up (one or many at once), their status changed,
//! and found by a customer they include.

use super::audit::{self, Action, Change};
use super::locks;
use super::{evidence, outbox};
use super::{Page, Write, IN_LIST_CHUNK};
use crate::rows::audit::NewAudit;
use crate::rows::CaseRow;
use crate::schema::{case_customers, cases};
use crate::status;
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::{on_backend, DbConnection, Keyring};
use std::collections::HashMap;

/// Creates a case and records it, in one transaction; `false` when the id
/// is taken.
pub fn insert(conn: &mut DbConnection, row: &CaseRow, change: &Change) -> QueryResult<bool> {
    write_transaction(conn, |conn| insert_in(conn, row, change))
}

/// Creates a case and records it in the caller's transaction; `false` (and
/// nothing written) when the id is taken.
pub fn insert_in(conn: &mut DbConnection, row: &CaseRow, change: &Change) -> QueryResult<bool> {
    if !insert_row(conn, row)? {
        return Ok(false);
    }
    audit::write(conn, &created(row, change))?;
    Ok(true)
}

/// Inserts the row of a new case, not yet recorded; `false` (and nothing
/// written) when the id is taken. `ON CONFLICT DO NOTHING` rather than a
/// caught unique violation: no savepoint is needed to go on after it, which
/// on PostgreSQL is two round trips fewer.
pub fn insert_row(conn: &mut DbConnection, row: &CaseRow) -> QueryResult<bool> {
    let inserted = on_backend!(conn, |c| diesel::insert_into(cases::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted > 0)
}

/// The audit record of the case `row` created.
pub fn created(row: &CaseRow, change: &Change) -> NewAudit {
    let mut record = change.record(&row.case_id, Action::CaseCreated);
    record.to_status = Some(row.case_status_code.clone());
    record
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

/// What became of a status change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusSet {
    /// Set, audited, and for an application's case in the outbox.
    Changed,
    /// The status was no longer `from` (changed concurrently).
    Stale,
    /// `APR` refused: these actions of the application need review and
    /// have no accepted document.
    Unreviewed(Vec<String>),
}

/// Sets the status of `case_id` from `from` to `to` and records it (the
/// case worker's `comment`, if any, as the audit entry's new value, sealed:
/// a case worker may write anything about the customer there), with
/// `case.status_changed` in the outbox when the case has an application.
/// Refused while another user holds the case's lock, and `APR` while an
/// action of its application that needs review has no accepted document.
pub fn set_status(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    from: &str,
    to: &str,
    comment: Option<&str>,
    change: &Change,
) -> QueryResult<Write<StatusSet>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        if to == status::APPROVED.code {
            let missing = evidence::unreviewed(conn, case_id)?;
            if !missing.is_empty() {
                return Ok(Write::Done(StatusSet::Unreviewed(missing)));
            }
        }
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
            return Ok(Write::Done(StatusSet::Stale));
        }
        let mut record = change.record(case_id, Action::StatusChanged);
        record.from_status = Some(from.to_owned());
        record.to_status = Some(to.to_owned());
        audit::write(conn, &record.sealed(keyring, None, comment))?;
        if let Some(application_id) = evidence::application_of(conn, case_id)? {
            outbox::status_changed(conn, &application_id, case_id, from, to, change)?;
        }
        Ok(Write::Done(StatusSet::Changed))
    })
}

/// Sets the description of `case_id` and records it with the old and new
/// values, in one transaction. Refused while another user holds the
/// case's lock.
pub fn set_description(
    conn: &mut DbConnection,
    case_id: &str,
    description: &str,
    change: &Change,
) -> QueryResult<Write<()>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        // The case's row is held until the commit: the old value read is
        // the one replaced.
        let Some(case) = find(conn, case_id)? else {
            return Ok(Write::NoSuchCase);
        };
        diesel::update(cases::table.find(case_id))
            .set(cases::case_description.eq(description))
            .execute(conn)?;
        let mut record = change.record(case_id, Action::DescriptionChanged);
        record.old_value = case.case_description;
        record.new_value = Some(description.to_owned());
        audit::write(conn, &record)?;
        Ok(Write::Done(()))
    })
}

/// Assigns `case_id` to `assignee` (`None`: to no one) and records it with
/// the assignees before and after, in one transaction; an assignment to
/// whoever already has it changes nothing and records nothing (`false`).
/// Refused while another user holds the case's lock.
pub fn assign(
    conn: &mut DbConnection,
    case_id: &str,
    assignee: Option<&str>,
    change: &Change,
) -> QueryResult<Write<bool>> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Write::Locked(locked));
        }
        let Some(case) = find(conn, case_id)? else {
            return Ok(Write::NoSuchCase);
        };
        if case.assignee.as_deref() == assignee {
            return Ok(Write::Done(false));
        }
        diesel::update(cases::table.find(case_id))
            .set((
                cases::assignee.eq(assignee),
                cases::assigned_at.eq(assignee.map(|_| &change.at)),
            ))
            .execute(conn)?;
        let mut record = change.record(case_id, Action::CaseAssigned);
        record.old_value = case.assignee;
        record.new_value = assignee.map(str::to_owned);
        audit::write(conn, &record)?;
        Ok(Write::Done(true))
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
