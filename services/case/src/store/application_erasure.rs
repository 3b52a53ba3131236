//! Erasing what an application brought to case-service (SPEC §D, issue
//! 17's "Retention and erasure" for the flow's data): its documents' file
//! names on the case's evidence, the reviewers' comments on them and in
//! the reviews sent back, and the messages of its requests for help, each
//! becomes the tombstone [`ERASED`], sealed like the value it replaces.
//! The rows stay (ids, types, sizes, SHA-256, decisions, who and when): the
//! case's history is the bank's, the words are the applicant's.
//!
//! The applicants themselves are erased as customers (`store::erasure`).

use super::audit::{self, Action, Change};
use crate::rows::flow::{evidence_row, COMMENTS, FILE_NAME, MESSAGE, REVIEW_COMMENTS};
use crate::schema::{application_rm_requests, case_evidence, case_evidence_reviews, cases};
use diesel::prelude::*;
use domain::erasure::{ApplicationErasure, ERASED};
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Keyring};

/// Erases application `application_id`'s values in one transaction, and
/// records `applicationErased` by `actor` on its case when anything
/// changed. A value that is the tombstone already is left alone, so a
/// second call answers zeros.
pub fn erase(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
    actor: &str,
) -> QueryResult<ApplicationErasure> {
    write_transaction(conn, |conn| {
        let case_id: Option<String> = cases::table
            .filter(cases::application_id.eq(application_id))
            .select(cases::case_id)
            .first(conn)
            .optional()?;
        let requests = erase_requests(conn, keyring, application_id)?;
        let Some(case_id) = case_id else {
            return Ok(ApplicationErasure {
                requests,
                ..ApplicationErasure::default()
            });
        };
        let (file_names, evidence_comments) = erase_evidence(conn, keyring, &case_id)?;
        let review_comments = erase_reviews(conn, keyring, &case_id)?;
        let erased = ApplicationErasure {
            file_names,
            comments: evidence_comments + review_comments,
            requests,
        };
        if erased != ApplicationErasure::default() {
            let record = Change::now(actor).record(&case_id, Action::ApplicationErased);
            audit::write(conn, &record)?;
        }
        Ok(erased)
    })
}

/// Whether `sealed` (of `column`, row `row`) opens to something other
/// than the tombstone. A value that does not open is erased too: it can
/// only be what was there.
fn is_personal(keyring: &Keyring, column: &str, row: &str, sealed: &str) -> bool {
    keyring
        .open_field(column, row, sealed)
        .map_or(true, |value| value != ERASED)
}

/// The application's requests for help: how many messages were erased.
fn erase_requests(
    conn: &mut DbConnection,
    keyring: &Keyring,
    application_id: &str,
) -> QueryResult<usize> {
    let rows: Vec<(String, String)> = application_rm_requests::table
        .filter(application_rm_requests::application_id.eq(application_id))
        .select((
            application_rm_requests::request_id,
            application_rm_requests::message,
        ))
        .load(conn)?;
    tombstone_each(keyring, MESSAGE, rows, |id, tombstone| {
        diesel::update(application_rm_requests::table.find(id))
            .set(application_rm_requests::message.eq(tombstone))
            .execute(conn)
    })
}

/// Writes the sealed tombstone, with `write(row, tombstone)`, over each
/// of `rows` (`(row id, sealed value of column)`) that is still personal;
/// how many it wrote.
fn tombstone_each(
    keyring: &Keyring,
    column: &str,
    rows: Vec<(String, String)>,
    mut write: impl FnMut(&str, String) -> QueryResult<usize>,
) -> QueryResult<usize> {
    let mut erased = 0;
    for (row, sealed) in rows {
        if is_personal(keyring, column, &row, &sealed) {
            write(&row, keyring.seal_field(column, &row, ERASED))?;
            erased += 1;
        }
    }
    Ok(erased)
}

/// The case's evidence: how many file names and comments were erased.
fn erase_evidence(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
) -> QueryResult<(usize, usize)> {
    let rows: Vec<(String, String, Option<String>)> = case_evidence::table
        .filter(case_evidence::case_id.eq(case_id))
        .select((
            case_evidence::document_id,
            case_evidence::file_name,
            case_evidence::comments,
        ))
        .load(conn)?;
    let (mut file_names, mut comments) = (0, 0);
    for (document_id, file_name, comment) in rows {
        let row = evidence_row(case_id, &document_id);
        let name_is_personal = is_personal(keyring, FILE_NAME, &row, &file_name);
        let comment_is_personal = comment
            .as_deref()
            .is_some_and(|c| is_personal(keyring, COMMENTS, &row, c));
        if !name_is_personal && !comment_is_personal {
            continue;
        }
        let tombstone = |column| keyring.seal_field(column, &row, ERASED);
        diesel::update(case_evidence::table.find((case_id, &document_id)))
            .set((
                case_evidence::file_name.eq(tombstone(FILE_NAME)),
                case_evidence::comments.eq(comment.map(|_| tombstone(COMMENTS))),
            ))
            .execute(conn)?;
        file_names += usize::from(name_is_personal);
        comments += usize::from(comment_is_personal);
    }
    Ok((file_names, comments))
}

/// The case's reviews sent back to user-action: how many comments were
/// erased (one not delivered yet reaches the applicant as the tombstone).
fn erase_reviews(conn: &mut DbConnection, keyring: &Keyring, case_id: &str) -> QueryResult<usize> {
    let rows: Vec<(String, String)> = case_evidence_reviews::table
        .filter(case_evidence_reviews::case_id.eq(case_id))
        .filter(case_evidence_reviews::comments.is_not_null())
        .select((
            case_evidence_reviews::event_id,
            case_evidence_reviews::comments.assume_not_null(),
        ))
        .load(conn)?;
    tombstone_each(keyring, REVIEW_COMMENTS, rows, |event_id, tombstone| {
        diesel::update(case_evidence_reviews::table.find(event_id))
            .set(case_evidence_reviews::comments.eq(tombstone))
            .execute(conn)
    })
}
