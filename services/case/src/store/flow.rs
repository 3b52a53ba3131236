//! Applying user-action's events about an application (SPEC §D), each
//! once by its id: the id is recorded in `application_events` first, in
//! the transaction of the event's effect, so a repeat (or a delivery
//! racing it) finds it there and changes nothing.

use super::audit::{self, Action, Change};
use super::events::{self, Saved, Target};
use super::{evidence, outbox};
use crate::realtime::Batch;
use crate::rows::flow::{RmRequestRow, MESSAGE};
use crate::schema::{application_events, application_reviews, application_rm_requests, cases};
use crate::status;
use diesel::prelude::*;
use domain::flow::{Evidence, RmRequest, Submission};
use service_kit::db::write_transaction;
use service_kit::{on_backend, DbConnection, Keyring};
use std::collections::BTreeSet;

/// Who the flow's changes are recorded as: the applicant, through
/// user-action (the audit trail's actor, and a flow case's creator).
pub const ACTOR: &str = "applicant";

/// The event code of the event an application's case is opened with:
/// one per application, so its key refuses a second opening too.
pub fn event_code(application_id: &str) -> String {
    format!("APP-{application_id}")
}

/// An event to apply: its id, its kind and its application.
#[derive(Debug, Clone, Copy)]
pub struct Applying<'a> {
    /// The event's id.
    pub id: &'a str,
    /// Its kind (`domain::flow::kinds`).
    pub kind: &'a str,
    /// The application.
    pub application_id: &'a str,
}

/// Whether the event `id` was applied.
pub fn applied(conn: &mut DbConnection, id: &str) -> QueryResult<bool> {
    Ok(application_events::table
        .find(id)
        .select(application_events::event_id)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// The case opened for `application_id`, if any, with its status.
pub fn case_of(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Option<(String, String)>> {
    cases::table
        .filter(cases::application_id.eq(application_id))
        .select((cases::case_id, cases::case_status_code))
        .first(conn)
        .optional()
}

/// Records `event` as applied, first thing in its transaction; `false`
/// when it was before (on PostgreSQL a delivery racing it waits here for
/// the other's commit).
fn record(conn: &mut DbConnection, event: Applying<'_>, at: &str) -> QueryResult<bool> {
    let row = (
        application_events::event_id.eq(event.id),
        application_events::application_id.eq(event.application_id),
        application_events::kind.eq(event.kind),
        application_events::applied_at.eq(at),
    );
    let inserted = on_backend!(conn, |c| diesel::insert_into(application_events::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Why an event's transaction is rolled back.
enum Abort {
    /// Applied before: nothing to do.
    Repeat,
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e)
    }
}

/// Runs `apply` once for `event`, in one transaction with its record;
/// the application's case after it (or after the earlier delivery).
fn once(
    conn: &mut DbConnection,
    event: Applying<'_>,
    change: &Change,
    apply: impl FnOnce(&mut DbConnection) -> QueryResult<()>,
) -> QueryResult<Option<String>> {
    let done = write_transaction(conn, |conn| {
        if !record(conn, event, &change.at)? {
            return Err(Abort::Repeat);
        }
        apply(conn).map_err(Abort::Database)
    });
    match done {
        Ok(()) | Err(Abort::Repeat) => Ok(case_of(conn, event.application_id)?.map(|(id, _)| id)),
        Err(Abort::Database(e)) => Err(e),
    }
}

/// `application.submitted`: opens the application's KYC case through the
/// promote path (`batch`: one event, of code [`event_code`], naming the
/// applicants, the primary one its focus), due on `due_date`; records the
/// application on it, its actions that need review, its documents as
/// evidence, and `case.opened` in the outbox. A case already opened for
/// the application (by another event racing this one) is kept.
pub fn submit(
    conn: &mut DbConnection,
    keyring: &Keyring,
    event: Applying<'_>,
    submission: &Submission,
    batch: &Batch,
    due_date: &str,
    change: &Change,
) -> QueryResult<Option<String>> {
    once(conn, event, change, |conn| {
        if case_of(conn, event.application_id)?.is_some() {
            return Ok(());
        }
        let target = Target::NewCases {
            due_date: due_date.to_owned(),
            today: change.at.get(..10).unwrap_or_default().to_owned(),
        };
        let case_id = match events::save(conn, keyring, batch, &target, change)? {
            Saved::Done { cases, .. } => match cases.into_iter().next() {
                Some((case_id, _)) => case_id,
                None => return Err(unexpected("no case was opened")),
            },
            // The event code is the application's: opened concurrently
            // (committed now), or taken by a real-time event of an ECM
            // client, which opens no case of it: an operator's matter.
            Saved::EventExists if case_of(conn, event.application_id)?.is_some() => return Ok(()),
            Saved::EventExists => {
                return Err(unexpected(&format!(
                    "the event code {} is taken by an event that is not the application's",
                    event_code(event.application_id)
                )))
            }
            other => return Err(unexpected(&format!("the promotion answered {other:?}"))),
        };
        diesel::update(cases::table.find(&case_id))
            .set(cases::application_id.eq(event.application_id))
            .execute(conn)?;
        let needed: BTreeSet<&str> = submission.needs_review.iter().map(String::as_str).collect();
        for action in needed {
            diesel::insert_into(application_reviews::table)
                .values((
                    application_reviews::application_id.eq(event.application_id),
                    application_reviews::user_action_identifier.eq(action),
                ))
                .execute(conn)?;
        }
        evidence::add(
            conn,
            keyring,
            &case_id,
            &distinct(&submission.documents),
            change,
        )?;
        outbox::case_opened(
            conn,
            event.application_id,
            &case_id,
            status::INITIAL.code,
            change,
        )?;
        Ok(())
    })
}

/// `application.withdrawn`: the application's open case is closed `WDN`,
/// audited, with `case.status_changed` in the outbox. A case worker's lock
/// does not hold the applicant's withdrawal back. Without an open case
/// the event is only recorded.
pub fn withdraw(
    conn: &mut DbConnection,
    event: Applying<'_>,
    change: &Change,
) -> QueryResult<Option<String>> {
    once(conn, event, change, |conn| {
        let Some((case_id, from)) = case_of(conn, event.application_id)? else {
            return Ok(());
        };
        if status::by_code(&from).is_some_and(|s| s.closed) {
            return Ok(());
        }
        let to = status::WITHDRAWN.code;
        diesel::update(cases::table.find(&case_id))
            .set((
                cases::case_status_code.eq(to),
                cases::status_changed_at.eq(&change.at),
            ))
            .execute(conn)?;
        let mut record = change.record(&case_id, Action::StatusChanged);
        record.from_status = Some(from.clone());
        record.to_status = Some(to.to_owned());
        audit::write(conn, &record)?;
        outbox::status_changed(conn, event.application_id, &case_id, &from, to, change)?;
        Ok(())
    })
}

/// `rm.notified`: the request is kept by application, its message sealed;
/// the application's case shows it, whenever it is opened.
pub fn notify_rm(
    conn: &mut DbConnection,
    keyring: &Keyring,
    event: Applying<'_>,
    request: &RmRequest,
    change: &Change,
) -> QueryResult<Option<String>> {
    once(conn, event, change, |conn| {
        let row = RmRequestRow {
            message: keyring.seal_field(MESSAGE, &request.request_id, &request.message),
            request_id: request.request_id.clone(),
            application_id: event.application_id.to_owned(),
            requested_at: change.at.clone(),
        };
        on_backend!(conn, |c| diesel::insert_into(
            application_rm_requests::table
        )
        .values(&row)
        .on_conflict_do_nothing()
        .execute(c))?;
        Ok(())
    })
}

/// `evidence.added`: the documents join the application's case evidence
/// (one already there is to be reviewed again). Without a case the event
/// is only recorded: user-action sends it only after a case worker's
/// rejection, so there always is one.
pub fn add_evidence(
    conn: &mut DbConnection,
    keyring: &Keyring,
    event: Applying<'_>,
    documents: &[Evidence],
    change: &Change,
) -> QueryResult<Option<String>> {
    once(conn, event, change, |conn| {
        let Some((case_id, _)) = case_of(conn, event.application_id)? else {
            tracing::warn!(
                application_id = event.application_id,
                "evidence added to an application without a case: recorded only"
            );
            return Ok(());
        };
        evidence::add(conn, keyring, &case_id, &distinct(documents), change)
    })
}

/// The documents, each once (the last sent of a document id wins).
fn distinct(documents: &[Evidence]) -> Vec<Evidence> {
    let mut seen = BTreeSet::new();
    let mut kept: Vec<Evidence> = documents
        .iter()
        .rev()
        .filter(|d| seen.insert(d.document_id.as_str()))
        .cloned()
        .collect();
    kept.reverse();
    kept
}

/// A state the promote path should never answer here: our fault.
fn unexpected(what: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("opening an application's case: {what}").into(),
    )
}
