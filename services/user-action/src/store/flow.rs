//! The application's flow to the bank (SPEC §D): its status, changed only
//! here, with its audit event and outbox event in the same transaction,
//! and the applicant's requests for help (notifyRM).

use super::record;
use crate::rows::{ActionRow, AuditRow, OutboxRow, RmRequestRow};
use crate::schema::{
    action_documents, applications, audit_events, outbox, rm_requests, user_actions,
};
use diesel::prelude::*;
use service_kit::db::{write_transaction, DbConnection};
use service_kit::{on_backend, Keyring};

/// A change of an application's status an applicant asks for.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// The status it makes.
    pub to: &'static str,
    /// The statuses it may be made from.
    pub from: &'static [&'static str],
    /// The statuses in which it counts as made already: a repeat changes
    /// nothing.
    pub made: &'static [&'static str],
}

/// What became of a [`Step`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stepped {
    /// Made, from this status.
    Made {
        /// The status before.
        from: String,
    },
    /// Made before: nothing changed.
    Already,
    /// Not allowed from the application's status (this one).
    Refused(String),
    /// The gate named these actions as pending: nothing changed.
    Pending(Vec<String>),
    /// No such application.
    Missing,
}

/// Makes `step` on application `application_id` for `subject`, if its
/// status allows it and `pending` (given the application's actions) names
/// none; the change's audit event and `event` (its outbox event) are
/// written in the same transaction.
pub fn step(
    conn: &mut DbConnection,
    application_id: &str,
    subject: &str,
    step: &Step,
    pending: impl FnOnce(&[ActionRow]) -> Vec<String>,
    event: &OutboxRow,
) -> QueryResult<Stepped> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    write_transaction(conn, |conn| {
        // The application's row is locked first, so that two signals at
        // once decide one after the other.
        let Some(status) = lock(conn, application_id)? else {
            return Ok(Stepped::Missing);
        };
        if status == step.to || step.made.contains(&status.as_str()) {
            return Ok(Stepped::Already);
        }
        if !step.from.contains(&status.as_str()) {
            return Ok(Stepped::Refused(status));
        }
        // Statuses and names only: the responses stay sealed, unread.
        let actions: Vec<ActionRow> = user_actions::table
            .filter(user_actions::application_id.eq(application_id))
            .select(ActionRow::as_select())
            .load(conn)?;
        let pending = pending(&actions);
        if !pending.is_empty() {
            return Ok(Stepped::Pending(pending));
        }
        change_status(conn, application_id, subject, &status, step.to, &now)?;
        publish(conn, event)?;
        Ok(Stepped::Made { from: status })
    })
}

/// Writes an outbox event (inside the caller's transaction).
pub(super) fn publish(conn: &mut DbConnection, event: &OutboxRow) -> QueryResult<()> {
    on_backend!(conn, |c| diesel::insert_into(outbox::table)
        .values(event)
        .execute(c))
    .map(drop)
}

/// Keeps an applicant's request for help, its message sealed, with its
/// audit event and its outbox event, at once.
pub fn notify_rm(
    conn: &mut DbConnection,
    keyring: &Keyring,
    request: &RmRequestRow,
    audit: &AuditRow,
    event: &OutboxRow,
) -> QueryResult<()> {
    let sealed = request.clone().sealed(keyring);
    write_transaction(conn, |conn| {
        on_backend!(conn, |c| diesel::insert_into(rm_requests::table)
            .values(&sealed)
            .execute(c))?;
        record(conn, std::slice::from_ref(audit))?;
        publish(conn, event)
    })
}

/// The subject case-service's changes are audited under.
pub const CASE_SERVICE: &str = "case-service";

/// The statuses an application is submitted in, before a decision: those in
/// which the case hears of what the applicant does.
pub const SUBMITTED: [&str; 2] = ["Submitted", "UnderReview"];

/// The statuses after which nothing of the application changes at the
/// applicant's hand: withdrawn, or decided.
pub const CLOSED: [&str; 3] = ["Withdrawn", "Approved", "Rejected"];

/// What became of case-service's answer naming the application's case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOpened {
    /// The application moved from `Submitted` to `UnderReview`.
    UnderReview,
    /// The case was recorded; the status (this one) stays as it is: under
    /// review already, withdrawn or decided.
    Unchanged(String),
    /// No such application.
    Missing,
}

/// Records that application `application_id` has case `case_id` (on the
/// application, unless it has one already, and on its requests for help
/// not on a case yet) and moves it from `Submitted` to `UnderReview`,
/// audited as case-service's change: all in one transaction. Idempotent: a
/// repeat changes nothing, and a withdrawn or decided application keeps
/// its status.
pub fn case_opened(
    conn: &mut DbConnection,
    application_id: &str,
    case_id: &str,
) -> QueryResult<CaseOpened> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    write_transaction(conn, |conn| {
        let Some(status) = lock(conn, application_id)? else {
            return Ok(CaseOpened::Missing);
        };
        record_case(conn, application_id, case_id)?;
        diesel::update(
            rm_requests::table
                .filter(rm_requests::application_id.eq(application_id))
                .filter(rm_requests::case_id.is_null()),
        )
        .set(rm_requests::case_id.eq(case_id))
        .execute(conn)?;
        if status != "Submitted" {
            return Ok(CaseOpened::Unchanged(status));
        }
        change_status(
            conn,
            application_id,
            CASE_SERVICE,
            &status,
            "UnderReview",
            &now,
        )?;
        Ok(CaseOpened::UnderReview)
    })
}

/// Locks application `application_id`'s row (PostgreSQL; SQLite has one
/// writer), so that changes to it decide one after the other, and reads
/// its status; `None` when there is no such application.
pub(super) fn lock(conn: &mut DbConnection, application_id: &str) -> QueryResult<Option<String>> {
    diesel::update(applications::table.find(application_id))
        .set(applications::updated_at.eq(applications::updated_at))
        .execute(conn)?;
    applications::table
        .find(application_id)
        .select(applications::status)
        .first::<String>(conn)
        .optional()
}

/// Records the application's case, unless it has one already.
pub(super) fn record_case(
    conn: &mut DbConnection,
    application_id: &str,
    case_id: &str,
) -> QueryResult<()> {
    diesel::update(
        applications::table
            .find(application_id)
            .filter(applications::case_id.is_null()),
    )
    .set(applications::case_id.eq(case_id))
    .execute(conn)
    .map(drop)
}

/// Changes the application's status from `from` to `to`, audited as
/// `subject`'s change (inside the caller's transaction).
pub(super) fn change_status(
    conn: &mut DbConnection,
    application_id: &str,
    subject: &str,
    from: &str,
    to: &str,
    now: &str,
) -> QueryResult<()> {
    diesel::update(applications::table.find(application_id))
        .set((
            applications::status.eq(to),
            applications::updated_at.eq(now),
        ))
        .execute(conn)?;
    let audit = AuditRow::now(
        application_id,
        subject,
        "application-status",
        application_id,
        Some(from),
        Some(to),
    );
    record(conn, std::slice::from_ref(&audit))
}

/// After the application's submission, an action submitted again (one the
/// bank sent back, or one the applicant had left) brings its documents to
/// the case: writes `evidence.added` with the ids of the documents attached
/// to action `action_id` since the bank last rejected it (all of them, if
/// it never did), inside the caller's transaction. Nothing is written
/// before submission (the submission carries every document), after a
/// decision, or for an action without new documents.
pub fn publish_evidence(
    conn: &mut DbConnection,
    action_id: &str,
    request_id: Option<&str>,
) -> QueryResult<()> {
    let (application_id, identifier): (String, String) = user_actions::table
        .find(action_id)
        .select((user_actions::application_id, user_actions::identifier))
        .first(conn)?;
    let status: String = applications::table
        .find(&application_id)
        .select(applications::status)
        .first(conn)?;
    if !SUBMITTED.contains(&status.as_str()) {
        return Ok(());
    }
    let rejected: Option<String> = audit_events::table
        .filter(audit_events::application_id.eq(&application_id))
        .filter(audit_events::target.eq(&identifier))
        .filter(audit_events::kind.eq("status-change"))
        .filter(audit_events::new_value.eq("Rejected"))
        .select(diesel::dsl::max(audit_events::at))
        .first(conn)?;
    let mut query = action_documents::table
        .filter(action_documents::action_id.eq(action_id))
        .order((
            action_documents::created_at.asc(),
            action_documents::document_id.asc(),
        ))
        .select(action_documents::document_id)
        .into_boxed();
    if let Some(at) = rejected {
        query = query.filter(action_documents::created_at.gt(at));
    }
    let documents: Vec<String> = query.load(conn)?;
    if documents.is_empty() {
        return Ok(());
    }
    let mut event = OutboxRow::new(
        &application_id,
        domain::flow::kinds::EVIDENCE_ADDED,
        &serde_json::json!({
            "Application_id": application_id,
            "UserActionIdentifier": identifier,
            "documentIds": documents,
        }),
    );
    event.request_id = request_id.map(str::to_owned);
    publish(conn, &event)
}
