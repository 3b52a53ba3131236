//! Applications and their applicants.

use super::record;
use crate::rows::{ActionRow, ApplicantRow, ApplicationRow, AuditRow};
use crate::schema::{applicants, applications, user_actions};
use diesel::prelude::*;
use service_kit::db::DbConnection;

/// Everything a new application starts with, written at once.
pub fn create(
    conn: &mut DbConnection,
    application: &ApplicationRow,
    main: &ApplicantRow,
    actions: &[ActionRow],
    events: &[AuditRow],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(applications::table)
            .values(application)
            .execute(conn)?;
        diesel::insert_into(applicants::table)
            .values(main)
            .execute(conn)?;
        insert_actions(conn, actions)?;
        record(conn, events)
    })
}

/// A new co-applicant with its actions, written at once.
pub fn add_applicant(
    conn: &mut DbConnection,
    applicant: &ApplicantRow,
    actions: &[ActionRow],
    events: &[AuditRow],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(applicants::table)
            .values(applicant)
            .execute(conn)?;
        insert_actions(conn, actions)?;
        record(conn, events)
    })
}

/// New names for an applicant.
pub fn rename_applicant(
    conn: &mut DbConnection,
    entity_id: &str,
    first: &str,
    last: &str,
    existent_member: Option<bool>,
    events: &[AuditRow],
) -> QueryResult<()> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    conn.transaction(|conn| {
        diesel::update(applicants::table.find(entity_id))
            .set((
                applicants::first_name.eq(first),
                applicants::last_name.eq(last),
                applicants::is_existent_member.eq(existent_member),
                applicants::updated_at.eq(&now),
            ))
            .execute(conn)?;
        record(conn, events)
    })
}

pub(crate) fn insert_actions(conn: &mut DbConnection, actions: &[ActionRow]) -> QueryResult<()> {
    for action in actions {
        diesel::insert_into(user_actions::table)
            .values(action)
            .execute(conn)?;
    }
    Ok(())
}

/// The caller's application: `id` if given (and the caller's), else the
/// caller's most recent one.
pub fn of_owner(
    conn: &mut DbConnection,
    owner: &str,
    id: Option<&str>,
) -> QueryResult<Option<ApplicationRow>> {
    let mut query = applications::table
        .filter(applications::owner_subject.eq(owner.to_owned()))
        .select(ApplicationRow::as_select())
        .order((applications::created_at.desc(), applications::id.desc()))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(applications::id.eq(id.to_owned()));
    }
    query.first(conn).optional()
}

/// An application by id, whoever owns it.
pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

/// An application's applicants, main applicant first.
pub fn applicants_of(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<ApplicantRow>> {
    applicants::table
        .filter(applicants::application_id.eq(application_id))
        .order((applicants::created_at.asc(), applicants::entity_id.asc()))
        .select(ApplicantRow::as_select())
        .load(conn)
}
