//! Sealing stored personal values again: rows written before sealing (at
//! start), or every row (`onboarding rekey`, after a key rotation). Each
//! table is read a batch at a time in key order and each batch rewritten
//! in one transaction; a row is rewritten only if it still holds what was
//! read, so a write made meanwhile (which sealed its own values under the
//! active key) is kept.

use super::idempotency::{open_answer, seal_answer};
use crate::rows::{ActionRow, ApplicantRow, DocumentRow, RmRequestRow};
use crate::schema::{action_documents, applicants, idempotency_keys, rm_requests, user_actions};
use diesel::prelude::*;
use service_kit::db::{rewrite_in_batches, Batch, DbConnection};
use service_kit::Keyring;

/// How many rows one pass reads at a time.
const BATCH: i64 = 500;

/// Seals again every row written before sealing, or every row with
/// `everything`. Returns how many rows were rewritten.
pub fn reseal(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    Ok(applicants(conn, keyring, everything)?
        + actions(conn, keyring, everything)?
        + documents(conn, keyring, everything)?
        + answers(conn, keyring, everything)?
        + rm_requests(conn, keyring, everything)?)
}

/// Each row of a batch as read, and as it is to be written.
fn pairs<T: Clone>(
    batch: Vec<T>,
    reseal: impl Fn(T) -> QueryResult<T>,
) -> QueryResult<Batch<(T, T)>> {
    batch
        .into_iter()
        .map(|was| Ok((was.clone(), reseal(was)?)))
        .collect::<QueryResult<_>>()
        .map(Batch::Rows)
}

fn applicants(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = applicants::table
            .select(ApplicantRow::as_select())
            .order(applicants::entity_id)
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(applicants::sealed.eq(false));
        }
        if let Some(id) = &after {
            query = query.filter(applicants::entity_id.gt(id.clone()));
        }
        let batch: Vec<ApplicantRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.entity_id.clone());
        pairs(batch, |row| Ok(row.opened(keyring)?.sealed(keyring)))
    };
    rewrite_in_batches(
        conn,
        read,
        |conn, (was, now): &(ApplicantRow, ApplicantRow)| {
            diesel::update(
                applicants::table
                    .find(&was.entity_id)
                    .filter(applicants::sealed.eq(was.sealed))
                    .filter(applicants::first_name.eq(&was.first_name))
                    .filter(applicants::last_name.eq(&was.last_name)),
            )
            .set((
                applicants::first_name.eq(&now.first_name),
                applicants::last_name.eq(&now.last_name),
                applicants::sealed.eq(true),
            ))
            .execute(conn)
        },
    )
}

fn actions(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = user_actions::table
            .select(ActionRow::as_select())
            .order(user_actions::id)
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(user_actions::sealed.eq(false));
        }
        if let Some(id) = &after {
            query = query.filter(user_actions::id.gt(id.clone()));
        }
        let batch: Vec<ActionRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.id.clone());
        pairs(batch, |row| Ok(row.opened(keyring)?.sealed(keyring)))
    };
    rewrite_in_batches(conn, read, |conn, (was, now): &(ActionRow, ActionRow)| {
        // The version is left alone: an update that read the action before
        // keeps its turn, and writes its own sealed response.
        diesel::update(
            user_actions::table
                .find(&was.id)
                .filter(user_actions::sealed.eq(was.sealed))
                .filter(user_actions::response.eq(&was.response)),
        )
        // A review rewrites the response too (sealed afresh), so the
        // response alone tells whether the row changed meanwhile.
        .set((
            user_actions::response.eq(&now.response),
            user_actions::review_comment.eq(&now.review_comment),
            user_actions::sealed.eq(true),
        ))
        .execute(conn)
    })
}

fn documents(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = action_documents::table
            .select(DocumentRow::as_select())
            .order(action_documents::document_id)
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(action_documents::sealed.eq(false));
        }
        if let Some(id) = &after {
            query = query.filter(action_documents::document_id.gt(id.clone()));
        }
        let batch: Vec<DocumentRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.document_id.clone());
        pairs(batch, |row| Ok(row.opened(keyring)?.sealed(keyring)))
    };
    rewrite_in_batches(
        conn,
        read,
        |conn, (was, now): &(DocumentRow, DocumentRow)| {
            // An attachment is never updated: what was read is still there
            // unless another pass sealed it.
            diesel::update(
                action_documents::table
                    .find(&was.document_id)
                    .filter(action_documents::sealed.eq(was.sealed))
                    .filter(action_documents::file_name.eq(&was.file_name)),
            )
            .set((
                action_documents::file_name.eq(&now.file_name),
                action_documents::file_info.eq(&now.file_info),
                action_documents::file_client_id.eq(&now.file_client_id),
                action_documents::sealed.eq(true),
            ))
            .execute(conn)
        },
    )
}

/// Requests for help were sealed from the first: only a rekey
/// (`everything`) rewrites them.
fn rm_requests(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    if !everything {
        return Ok(0);
    }
    let mut after: Option<String> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = rm_requests::table
            .select(RmRequestRow::as_select())
            .order(rm_requests::id)
            .limit(BATCH)
            .into_boxed();
        if let Some(id) = &after {
            query = query.filter(rm_requests::id.gt(id.clone()));
        }
        let batch: Vec<RmRequestRow> = query.load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some(last.id.clone());
        pairs(batch, |row| Ok(row.opened(keyring)?.sealed(keyring)))
    };
    rewrite_in_batches(
        conn,
        read,
        |conn, (was, now): &(RmRequestRow, RmRequestRow)| {
            // A request is never updated but by another rekey pass.
            diesel::update(
                rm_requests::table
                    .find(&was.id)
                    .filter(rm_requests::message.eq(&was.message)),
            )
            .set(rm_requests::message.eq(&now.message))
            .execute(conn)
        },
    )
}

/// A stored Idempotency-Key answer: owner, operation, key, answer, sealed.
type Answer = (String, String, String, String, bool);

fn answers(conn: &mut DbConnection, keyring: &Keyring, everything: bool) -> QueryResult<usize> {
    let mut after: Option<(String, String, String)> = None;
    let read = |conn: &mut DbConnection| {
        let mut query = idempotency_keys::table
            .filter(idempotency_keys::response.is_not_null())
            .select((
                idempotency_keys::owner_subject,
                idempotency_keys::operation,
                idempotency_keys::idem_key,
                idempotency_keys::response.assume_not_null(),
                idempotency_keys::sealed,
            ))
            .order((
                idempotency_keys::owner_subject,
                idempotency_keys::operation,
                idempotency_keys::idem_key,
            ))
            .limit(BATCH)
            .into_boxed();
        if !everything {
            query = query.filter(idempotency_keys::sealed.eq(false));
        }
        if let Some((owner, operation, key)) = after.clone() {
            query = query.filter(
                idempotency_keys::owner_subject.gt(owner.clone()).or(
                    idempotency_keys::owner_subject.eq(owner).and(
                        idempotency_keys::operation.gt(operation.clone()).or(
                            idempotency_keys::operation
                                .eq(operation)
                                .and(idempotency_keys::idem_key.gt(key)),
                        ),
                    ),
                ),
            );
        }
        let batch: Vec<Answer> = query.load(conn)?;
        let Some((owner, operation, key, _, _)) = batch.last() else {
            return Ok(Batch::Done);
        };
        after = Some((owner.clone(), operation.clone(), key.clone()));
        pairs(batch, |(owner, operation, key, answer, sealed)| {
            let answer = match sealed {
                true => open_answer(keyring, &owner, &operation, &key, &answer)?,
                false => answer,
            };
            let answer = seal_answer(keyring, &owner, &operation, &key, &answer);
            Ok((owner, operation, key, answer, true))
        })
    };
    rewrite_in_batches(conn, read, |conn, (was, now): &(Answer, Answer)| {
        let (owner, operation, key, answer, sealed) = was;
        diesel::update(
            idempotency_keys::table
                .find((owner, operation, key))
                .filter(idempotency_keys::sealed.eq(sealed))
                .filter(idempotency_keys::response.eq(answer)),
        )
        .set((
            idempotency_keys::response.eq(&now.3),
            idempotency_keys::sealed.eq(true),
        ))
        .execute(conn)
    })
}
