//! Applications and their applicants.

use super::{batched, intents, record};
use crate::rows::{ActionRow, ApplicantRow, ApplicationRow, AuditRow};
use crate::schema::{applicants, applications, user_actions};
use diesel::prelude::*;
use service_kit::db::DbConnection;
use service_kit::db::{write_together, write_transaction};
use service_kit::{Failure, Keyring};

/// A new application with everything it starts with: its row, its main
/// applicant's, its actions and its audit events, sealed before its turn
/// to be written.
pub struct NewApplication {
    application: ApplicationRow,
    main: ApplicantRow,
    actions: Vec<ActionRow>,
    events: Vec<AuditRow>,
}

impl NewApplication {
    /// The rows of a new application, sealed.
    pub fn of(
        keyring: &Keyring,
        application: ApplicationRow,
        main: ApplicantRow,
        actions: Vec<ActionRow>,
        events: Vec<AuditRow>,
    ) -> Self {
        Self {
            application,
            main: main.sealed(keyring),
            actions: actions.into_iter().map(|a| a.sealed(keyring)).collect(),
            events,
        }
    }
}

/// Creates the applications of `batch` (the creates waiting, see
/// `service_kit::db::write_together`): all in one transaction, taking the
/// intents of their main applicants' parties, a multi-row statement per
/// table; should a statement fail (an intent the sweep took), each alone.
/// Whether each was created, in order.
pub fn create_all(
    conn: &mut DbConnection,
    batch: Vec<NewApplication>,
) -> Result<Vec<Result<(), Failure>>, Failure> {
    write_together(
        conn,
        batch,
        write_new,
        |conn, new| {
            write_transaction(conn, |conn| write_new(conn, std::slice::from_ref(&new)))
                .map_err(Failure::from)
        },
        |_| Ok(()),
    )
}

/// Writes the rows of `batch`, taking the intents of their main
/// applicants' parties (which fails should the sweep have taken one).
fn write_new(conn: &mut DbConnection, batch: &[NewApplication]) -> QueryResult<()> {
    let parties: Vec<String> = batch.iter().map(|new| new.main.party_id.clone()).collect();
    intents::take(conn, intents::PARTY, &parties)?;
    let applications: Vec<ApplicationRow> =
        batch.iter().map(|new| new.application.clone()).collect();
    let mains: Vec<ApplicantRow> = batch.iter().map(|new| new.main.clone()).collect();
    let actions: Vec<ActionRow> = batch.iter().flat_map(|new| new.actions.clone()).collect();
    let events: Vec<AuditRow> = batch.iter().flat_map(|new| new.events.clone()).collect();
    batched!(conn, applications::table, &applications)?;
    batched!(conn, applicants::table, &mains)?;
    batched!(conn, user_actions::table, &actions)?;
    record(conn, &events)
}

/// A new co-applicant with its actions, written at once, taking the intent
/// of its party; `false`, and nothing written, when the application has
/// `max_co_applicants` already.
pub fn add_applicant(
    conn: &mut DbConnection,
    keyring: &Keyring,
    applicant: &ApplicantRow,
    actions: &[ActionRow],
    events: &[AuditRow],
    max_co_applicants: usize,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        // The application's row is locked first, so that two additions at
        // once count one after the other (PostgreSQL; SQLite has one
        // writer).
        diesel::update(applications::table.find(&applicant.application_id))
            .set(applications::updated_at.eq(applications::updated_at))
            .execute(conn)?;
        let co_applicants: i64 = applicants::table
            .filter(applicants::application_id.eq(&applicant.application_id))
            .filter(applicants::applicant_type.ne(crate::prescribe::MAIN))
            .count()
            .get_result(conn)?;
        if usize::try_from(co_applicants).unwrap_or(usize::MAX) >= max_co_applicants {
            return Ok(false);
        }
        intents::take(
            conn,
            intents::PARTY,
            std::slice::from_ref(&applicant.party_id),
        )?;
        diesel::insert_into(applicants::table)
            .values(applicant.clone().sealed(keyring))
            .execute(conn)?;
        insert_actions(conn, keyring, actions)?;
        record(conn, events)?;
        Ok(true)
    })
}

/// New names for an applicant.
pub fn rename_applicant(
    conn: &mut DbConnection,
    keyring: &Keyring,
    entity_id: &str,
    first: &str,
    last: &str,
    existent_member: Option<bool>,
    events: &[AuditRow],
) -> QueryResult<()> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let (first, last) = ApplicantRow::seal_names(keyring, entity_id, first, last);
    write_transaction(conn, |conn| {
        diesel::update(applicants::table.find(entity_id))
            .set((
                applicants::first_name.eq(first),
                applicants::last_name.eq(last),
                applicants::sealed.eq(true),
                applicants::is_existent_member.eq(existent_member),
                applicants::updated_at.eq(&now),
            ))
            .execute(conn)?;
        record(conn, events)
    })
}

/// Inserts `actions`, their responses sealed.
pub(crate) fn insert_actions(
    conn: &mut DbConnection,
    keyring: &Keyring,
    actions: &[ActionRow],
) -> QueryResult<()> {
    let sealed: Vec<ActionRow> = actions.iter().map(|a| a.clone().sealed(keyring)).collect();
    batched!(conn, user_actions::table, &sealed)
}

/// The order that makes an owner's most recent application the first
/// (matching the index `applications_by_owner`).
pub(super) fn latest_first() -> (
    diesel::dsl::Desc<applications::created_at>,
    diesel::dsl::Desc<applications::id>,
) {
    (applications::created_at.desc(), applications::id.desc())
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
        .order(latest_first())
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

/// An application's status, and whether its case waits on the customer
/// (the case's last status is `RFI` while the application is submitted).
pub fn standing(conn: &mut DbConnection, id: &str) -> QueryResult<Option<(String, bool)>> {
    let found: Option<(String, Option<String>)> = applications::table
        .find(id)
        .select((applications::status, applications::case_status))
        .first(conn)
        .optional()?;
    Ok(found.map(|(status, case_status)| {
        let pending = case_status.as_deref() == Some("RFI")
            && super::flow::SUBMITTED.contains(&status.as_str());
        (status, pending)
    }))
}

/// An application's applicants, main applicant first, their names opened.
pub fn applicants_of(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
) -> QueryResult<Vec<ApplicantRow>> {
    let rows: Vec<ApplicantRow> = applicants::table
        .filter(applicants::application_id.eq(application_id))
        .order((applicants::created_at.asc(), applicants::entity_id.asc()))
        .select(ApplicantRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| row.opened(keyring)).collect()
}
