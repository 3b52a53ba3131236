//! What a delivery reads to build an event from its outbox row: the
//! values live here, sealed, and the row names them by id.

use crate::rows::{DocumentRow, RmRequestRow};
use crate::schema::{action_documents, rm_requests, user_actions};
use diesel::prelude::*;
use service_kit::db::DbConnection;
use service_kit::Keyring;

/// The documents attached to application `application_id`'s actions (only
/// those of `only`, when given), opened, each with the
/// `UserActionIdentifier` it answers: in listing order of the actions,
/// then oldest first.
pub fn evidence(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    only: Option<&[String]>,
) -> QueryResult<Vec<(DocumentRow, String)>> {
    let mut query = action_documents::table
        .inner_join(user_actions::table.on(user_actions::id.eq(action_documents::action_id)))
        .filter(user_actions::application_id.eq(application_id))
        .order((
            user_actions::position.asc(),
            user_actions::identifier.asc(),
            action_documents::created_at.asc(),
            action_documents::document_id.asc(),
        ))
        .select((DocumentRow::as_select(), user_actions::identifier))
        .into_boxed();
    if let Some(ids) = only {
        query = query.filter(action_documents::document_id.eq_any(ids));
    }
    let rows: Vec<(DocumentRow, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(row, identifier)| Ok((row.opened(keyring)?, identifier)))
        .collect()
}

/// The `UserActionIdentifier` and `UserActionName` of each of the
/// application's actions, in listing order.
pub fn action_names(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    user_actions::table
        .filter(user_actions::application_id.eq(application_id))
        .order((user_actions::position.asc(), user_actions::identifier.asc()))
        .select((user_actions::identifier, user_actions::name))
        .load(conn)
}

/// Request for help `id`, its message opened.
pub fn rm_request(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &str,
) -> QueryResult<Option<RmRequestRow>> {
    let row: Option<RmRequestRow> = rm_requests::table
        .find(id)
        .select(RmRequestRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| row.opened(keyring)).transpose()
}
