//! User actions and their documents.

use super::applications::insert_actions;
use super::{batched, record};
use crate::rows::{ActionRow, AuditRow, DocumentRow};
use crate::schema::{action_documents, user_actions};
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::db::DbConnection;

/// An application's actions (only pre-requirements, only the others, or
/// all), in catalog order.
pub fn of_application(
    conn: &mut DbConnection,
    application_id: &str,
    pre: Option<bool>,
) -> QueryResult<Vec<ActionRow>> {
    let mut query = user_actions::table
        .filter(user_actions::application_id.eq(application_id.to_owned()))
        .order((
            user_actions::position.asc(),
            user_actions::created_at.asc(),
            user_actions::identifier.asc(),
        ))
        .select(ActionRow::as_select())
        .into_boxed();
    if let Some(pre) = pre {
        query = query.filter(user_actions::is_pre_requirement.eq(pre));
    }
    query.load(conn)
}

/// An action by its `UserActionIdentifier`.
pub fn by_identifier(conn: &mut DbConnection, identifier: &str) -> QueryResult<Option<ActionRow>> {
    user_actions::table
        .filter(user_actions::identifier.eq(identifier))
        .select(ActionRow::as_select())
        .first(conn)
        .optional()
}

/// Inserts the `candidates` whose identifiers do not exist yet.
pub fn create_missing(
    conn: &mut DbConnection,
    application_id: &str,
    candidates: &[ActionRow],
) -> QueryResult<usize> {
    write_transaction(conn, |conn| {
        let existing: Vec<String> = user_actions::table
            .filter(user_actions::application_id.eq(application_id))
            .select(user_actions::identifier)
            .load(conn)?;
        let missing: Vec<ActionRow> = candidates
            .iter()
            .filter(|c| !existing.contains(&c.identifier))
            .cloned()
            .collect();
        insert_actions(conn, &missing)?;
        Ok(missing.len())
    })
}

/// A status change to apply.
#[derive(Debug, Clone)]
pub struct Change {
    /// The action's id.
    pub action_id: String,
    /// The version it was read at.
    pub version: i64,
    /// The new status.
    pub status: String,
    /// The new response.
    pub response: String,
    /// The id the update answers.
    pub update_id: String,
    /// Its audit event.
    pub event: AuditRow,
}

/// Applies every change at once, or none: `Ok(false)` when an action
/// changed since it was read.
pub fn apply(conn: &mut DbConnection, changes: &[Change]) -> QueryResult<bool> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let outcome = write_transaction(conn, |conn| {
        for change in changes {
            let updated = diesel::update(
                user_actions::table
                    .find(&change.action_id)
                    .filter(user_actions::version.eq(change.version)),
            )
            .set((
                user_actions::status.eq(&change.status),
                user_actions::response.eq(&change.response),
                user_actions::last_update_id.eq(&change.update_id),
                user_actions::version.eq(change.version + 1),
                user_actions::updated_at.eq(&now),
            ))
            .execute(conn)?;
            if updated != 1 {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            record(conn, std::slice::from_ref(&change.event))?;
        }
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::RollbackTransaction) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The documents attached to an action, oldest first.
pub fn documents_of(conn: &mut DbConnection, action_id: &str) -> QueryResult<Vec<DocumentRow>> {
    action_documents::table
        .filter(action_documents::action_id.eq(action_id))
        .order((
            action_documents::created_at.asc(),
            action_documents::document_id.asc(),
        ))
        .select(DocumentRow::as_select())
        .load(conn)
}

/// How many documents are attached to an action.
pub fn document_count(conn: &mut DbConnection, action_id: &str) -> QueryResult<i64> {
    action_documents::table
        .filter(action_documents::action_id.eq(action_id))
        .count()
        .get_result(conn)
}

/// Attaches stored documents to an action, all at once, taking their
/// intents.
pub fn attach(
    conn: &mut DbConnection,
    documents: &[DocumentRow],
    events: &[AuditRow],
) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let ids: Vec<String> = documents.iter().map(|d| d.document_id.clone()).collect();
        super::intents::take(conn, super::intents::DOCUMENT, &ids)?;
        batched!(conn, action_documents::table, documents)?;
        record(conn, events)
    })
}
