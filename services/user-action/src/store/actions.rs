//! User actions and their documents.

use super::applications::insert_actions;
use super::{batched, record};
use crate::rows::{ActionRow, AuditRow, DocumentRow};
use crate::schema::{action_documents, applications, user_actions};
use diesel::prelude::*;
use service_kit::db::write_transaction;
use service_kit::db::DbConnection;
use service_kit::Keyring;

/// An application's actions (only pre-requirements, only the others, or
/// all), in catalog order, their responses opened.
pub fn of_application(
    conn: &mut DbConnection,
    keyring: &Keyring,
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
    let rows: Vec<ActionRow> = query.load(conn)?;
    rows.into_iter().map(|row| row.opened(keyring)).collect()
}

/// An action by its `UserActionIdentifier`, its response opened.
pub fn by_identifier(
    conn: &mut DbConnection,
    keyring: &Keyring,
    identifier: &str,
) -> QueryResult<Option<ActionRow>> {
    let row: Option<ActionRow> = user_actions::table
        .filter(user_actions::identifier.eq(identifier))
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| row.opened(keyring)).transpose()
}

/// Inserts the `candidates` whose identifiers do not exist yet.
pub fn create_missing(
    conn: &mut DbConnection,
    keyring: &Keyring,
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
        insert_actions(conn, keyring, &missing)?;
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
    /// The reviewer's reason to write (`Some(None)` clears it); `None`
    /// leaves it as it is.
    pub review_comment: Option<Option<String>>,
    /// Its audit event.
    pub event: AuditRow,
    /// The request making it: named on the `evidence.added` event a
    /// submission after the application's writes.
    pub request_id: Option<String>,
}

/// Applies every change at once, or none: `Ok(false)` when an action
/// changed since it was read. Responses are sealed. An action submitted
/// after its application's submission writes `evidence.added` in the same
/// transaction ([`super::flow::publish_evidence`]).
pub fn apply(conn: &mut DbConnection, keyring: &Keyring, changes: &[Change]) -> QueryResult<bool> {
    let now = service_kit::db::timestamp(chrono::Utc::now());
    let outcome = write_transaction(conn, |conn| {
        for change in changes {
            let response = ActionRow::seal_response(keyring, &change.action_id, &change.response);
            let updated = diesel::update(
                user_actions::table
                    .find(&change.action_id)
                    .filter(user_actions::version.eq(change.version)),
            )
            .set((
                user_actions::status.eq(&change.status),
                user_actions::response.eq(&response),
                user_actions::sealed.eq(true),
                user_actions::last_update_id.eq(&change.update_id),
                user_actions::version.eq(change.version + 1),
                user_actions::updated_at.eq(&now),
            ))
            .execute(conn)?;
            if updated != 1 {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            if let Some(comment) = &change.review_comment {
                let sealed = comment
                    .as_deref()
                    .map(|c| ActionRow::seal_review_comment(keyring, &change.action_id, c));
                diesel::update(user_actions::table.find(&change.action_id))
                    .set(user_actions::review_comment.eq(sealed))
                    .execute(conn)?;
            }
            record(conn, std::slice::from_ref(&change.event))?;
            if change.status == "Submitted" {
                super::flow::publish_evidence(
                    conn,
                    &change.action_id,
                    change.request_id.as_deref(),
                )?;
            }
        }
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(true),
        Err(diesel::result::Error::RollbackTransaction) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The documents attached to an action, oldest first, opened.
pub fn documents_of(
    conn: &mut DbConnection,
    keyring: &Keyring,
    action_id: &str,
) -> QueryResult<Vec<DocumentRow>> {
    let rows: Vec<DocumentRow> = action_documents::table
        .filter(action_documents::action_id.eq(action_id))
        .order((
            action_documents::created_at.asc(),
            action_documents::document_id.asc(),
        ))
        .select(DocumentRow::as_select())
        .load(conn)?;
    rows.into_iter().map(|row| row.opened(keyring)).collect()
}

/// How many documents are attached to an action.
pub fn document_count(conn: &mut DbConnection, action_id: &str) -> QueryResult<i64> {
    action_documents::table
        .filter(action_documents::action_id.eq(action_id))
        .count()
        .get_result(conn)
}

/// How many documents an action, and how many bytes an application, may
/// hold (`USER_ACTION_MAX_DOCUMENTS_PER_ACTION`,
/// `USER_ACTION_MAX_BYTES_PER_APPLICATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentLimits {
    /// The most documents of one action.
    pub documents_per_action: usize,
    /// The most bytes of documents of one application.
    pub bytes_per_application: u64,
}

/// Which limit a set of documents would pass, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Within both limits.
    Admitted,
    /// The action would hold more documents than it may.
    TooManyDocuments,
    /// The application would hold more bytes than it may.
    TooManyBytes,
}

/// The documents one action holds, and the bytes of every document of its
/// application.
pub fn holdings(
    conn: &mut DbConnection,
    application_id: &str,
    action_id: &str,
) -> QueryResult<(usize, u64)> {
    let documents = document_count(conn, action_id)?;
    let sizes: Vec<i64> = action_documents::table
        .inner_join(user_actions::table.on(user_actions::id.eq(action_documents::action_id)))
        .filter(user_actions::application_id.eq(application_id))
        .select(action_documents::size)
        .load(conn)?;
    let bytes = sizes.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum();
    Ok((usize::try_from(documents).unwrap_or(usize::MAX), bytes))
}

impl DocumentLimits {
    /// Whether `adding` documents of `bytes` fit beside `held` (documents of
    /// the action, bytes of the application).
    pub fn admit(&self, held: (usize, u64), adding: usize, bytes: u64) -> Admission {
        if held.0.saturating_add(adding) > self.documents_per_action {
            Admission::TooManyDocuments
        } else if held.1.saturating_add(bytes) > self.bytes_per_application {
            Admission::TooManyBytes
        } else {
            Admission::Admitted
        }
    }
}

/// Attaches stored documents to action `action_id` of `application_id`,
/// all at once, if they fit the `limits`, taking their intents; nothing is
/// written when they do not.
pub fn attach(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    action_id: &str,
    documents: &[DocumentRow],
    events: &[AuditRow],
    limits: &DocumentLimits,
) -> QueryResult<Admission> {
    write_transaction(conn, |conn| {
        // The application's row is locked first, so that two uploads at
        // once count one after the other (PostgreSQL; SQLite has one
        // writer).
        diesel::update(applications::table.find(application_id))
            .set(applications::updated_at.eq(applications::updated_at))
            .execute(conn)?;
        let held = holdings(conn, application_id, action_id)?;
        let bytes = documents
            .iter()
            .map(|d| u64::try_from(d.size).unwrap_or(0))
            .sum();
        let admission = limits.admit(held, documents.len(), bytes);
        if admission != Admission::Admitted {
            return Ok(admission);
        }
        let ids: Vec<String> = documents.iter().map(|d| d.document_id.clone()).collect();
        super::intents::take(conn, super::intents::DOCUMENT, &ids)?;
        let sealed: Vec<DocumentRow> = documents
            .iter()
            .map(|d| d.clone().sealed(keyring))
            .collect();
        batched!(conn, action_documents::table, &sealed)?;
        record(conn, events)?;
        Ok(Admission::Admitted)
    })
}
