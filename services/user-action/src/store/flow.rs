//! The application's flow to the bank (SPEC §D): its status, changed only
//! here, with its audit event and outbox event in the same transaction,
//! and the applicant's requests for help (notifyRM).

use super::record;
use crate::rows::{ActionRow, AuditRow, OutboxRow, RmRequestRow};
use crate::schema::{applications, outbox, rm_requests, user_actions};
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
    /// The statuses in which it counts as made already: a repeat is
    /// answered with the status as it is, and changes nothing.
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
    /// Made before: the application's status, unchanged.
    Already(String),
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
        // once decide one after the other (PostgreSQL; SQLite has one
        // writer).
        diesel::update(applications::table.find(application_id))
            .set(applications::updated_at.eq(applications::updated_at))
            .execute(conn)?;
        let Some(status) = applications::table
            .find(application_id)
            .select(applications::status)
            .first::<String>(conn)
            .optional()?
        else {
            return Ok(Stepped::Missing);
        };
        if status == step.to || step.made.contains(&status.as_str()) {
            return Ok(Stepped::Already(status));
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
        diesel::update(applications::table.find(application_id))
            .set((
                applications::status.eq(step.to),
                applications::updated_at.eq(&now),
            ))
            .execute(conn)?;
        let audit = AuditRow::now(
            application_id,
            subject,
            "application-status",
            application_id,
            Some(&status),
            Some(step.to),
        );
        record(conn, std::slice::from_ref(&audit))?;
        publish(conn, event)?;
        Ok(Stepped::Made { from: status })
    })
}

/// Writes an outbox event (inside the caller's transaction).
fn publish(conn: &mut DbConnection, event: &OutboxRow) -> QueryResult<()> {
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
