//! A case's evidence (SPEC §D): the documents of its application, added
//! when the case is opened or sent again, reviewed by case workers
//! (`reviewEvidence`), and what the case's application shows in
//! `getCaseDetails`.

use super::audit::{self, Action, Change};
use super::locks::{self, Locked};
use super::outbox;
use crate::rows::flow::ReviewRow;
use crate::rows::flow::{EvidenceRow, RmRequestRow, REVIEW_COMMENTS};
use crate::schema::{
    application_reviews, application_rm_requests, case_evidence, case_evidence_reviews, cases,
};
use crate::wire::flow::{CaseApplication, EvidenceDecision, ACCEPT};
use diesel::prelude::*;
use domain::flow::{kinds, Evidence};
use serde_json::json;
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Failure, Keyring};
use std::collections::BTreeSet;

/// Adds `documents` to `case_id`'s evidence in the caller's transaction: a
/// document already there is replaced, its decision cleared (sent again
/// after a rejection, it is to be reviewed again). Each is audited.
pub fn add(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    documents: &[Evidence],
    change: &Change,
) -> QueryResult<()> {
    for document in documents {
        let row = EvidenceRow::of(keyring, case_id, document, &change.at);
        let replaced = diesel::update(case_evidence::table.find((case_id, &document.document_id)))
            .set((
                case_evidence::file_name.eq(&row.file_name),
                case_evidence::file_type.eq(&row.file_type),
                case_evidence::size.eq(row.size),
                case_evidence::sha256.eq(&row.sha256),
                case_evidence::user_action_identifier.eq(&row.user_action_identifier),
                case_evidence::added_at.eq(&row.added_at),
                case_evidence::decision.eq(None::<String>),
                case_evidence::comments.eq(None::<String>),
                case_evidence::decided_by.eq(None::<String>),
                case_evidence::decided_at.eq(None::<String>),
            ))
            .execute(conn)?;
        if replaced == 0 {
            diesel::insert_into(case_evidence::table)
                .values(&row)
                .execute(conn)?;
        }
        let mut record = change.record(case_id, Action::EvidenceAdded);
        record.record_id = Some(document.document_id.clone());
        audit::write(conn, &record)?;
    }
    Ok(())
}

/// What became of a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewed {
    /// Recorded.
    Done,
    /// The document is not evidence on the case; nothing was written.
    NotOnCase,
    /// Another user holds the case's lock; nothing was written.
    Locked(Locked),
}

/// Records `decision` on its document of `case_id`, in one transaction
/// with its audit record (the decision before and after) and, when the
/// case has an application, the `evidence.accepted` or
/// `evidence.rejected` outbox event (its comments kept, sealed, in the
/// review's row, by the event's id).
pub fn review(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    decision: &EvidenceDecision,
    change: &Change,
) -> QueryResult<Reviewed> {
    write_transaction(conn, |conn| {
        if let Err(locked) = locks::ensure_writable(conn, case_id, change)? {
            return Ok(Reviewed::Locked(locked));
        }
        let document_id = decision.document_id.as_str();
        let found: Option<(Option<String>, String)> = case_evidence::table
            .find((case_id, document_id))
            .select((
                case_evidence::decision,
                case_evidence::user_action_identifier,
            ))
            .first(conn)
            .optional()?;
        let Some((before, action)) = found else {
            return Ok(Reviewed::NotOnCase);
        };
        let after = decision.decision.as_str();
        let comments = decision.comments.as_ref().map(|c| c.as_str());
        diesel::update(case_evidence::table.find((case_id, document_id)))
            .set((
                case_evidence::decision.eq(after),
                case_evidence::comments
                    .eq(comments
                        .map(|c| EvidenceRow::seal_comments(keyring, case_id, document_id, c))),
                case_evidence::decided_by.eq(&change.actor),
                case_evidence::decided_at.eq(&change.at),
            ))
            .execute(conn)?;
        let mut record = change.record(case_id, Action::EvidenceReviewed);
        record.record_id = Some(document_id.to_owned());
        record.old_value = before;
        record.new_value = Some(after.to_owned());
        audit::write(conn, &record)?;
        if let Some(application_id) = application_of(conn, case_id)? {
            let kind = if after == ACCEPT {
                kinds::EVIDENCE_ACCEPTED
            } else {
                kinds::EVIDENCE_REJECTED
            };
            let payload = json!({"caseId": case_id, "documentId": document_id,
                                 "userActionIdentifier": action, "decision": after});
            let event_id = outbox::write(conn, &application_id, kind, &payload, change)?;
            diesel::insert_into(case_evidence_reviews::table)
                .values(&ReviewRow {
                    comments: comments.map(|c| keyring.seal_field(REVIEW_COMMENTS, &event_id, c)),
                    event_id,
                    case_id: case_id.to_owned(),
                    document_id: document_id.to_owned(),
                    decision: after.to_owned(),
                    actor: change.actor.clone(),
                    at: change.at.clone(),
                })
                .execute(conn)?;
        }
        Ok(Reviewed::Done)
    })
}

/// The application `case_id` was opened for, if any.
pub fn application_of(conn: &mut DbConnection, case_id: &str) -> QueryResult<Option<String>> {
    Ok(cases::table
        .find(case_id)
        .select(cases::application_id)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The actions of `case_id`'s application that need review and have no
/// accepted document, in order: `APR` waits for none to be left.
pub fn unreviewed(conn: &mut DbConnection, case_id: &str) -> QueryResult<Vec<String>> {
    let Some(application_id) = application_of(conn, case_id)? else {
        return Ok(Vec::new());
    };
    let needed: Vec<String> = application_reviews::table
        .filter(application_reviews::application_id.eq(&application_id))
        .order(application_reviews::user_action_identifier.asc())
        .select(application_reviews::user_action_identifier)
        .load(conn)?;
    let accepted: BTreeSet<String> = case_evidence::table
        .filter(case_evidence::case_id.eq(case_id))
        .filter(case_evidence::decision.eq(ACCEPT))
        .select(case_evidence::user_action_identifier)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(needed
        .into_iter()
        .filter(|a| !accepted.contains(a))
        .collect())
}

/// What `getCaseDetails` shows of the application `case_id` was opened
/// for: its actions that need review, its evidence by document id and its
/// requests for help, oldest first. An application's documents and
/// requests are few (bounded by what user-action takes), so they are not
/// paged.
pub fn application(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    application_id: &str,
) -> Result<CaseApplication, Failure> {
    let needs_review = application_reviews::table
        .filter(application_reviews::application_id.eq(application_id))
        .order(application_reviews::user_action_identifier.asc())
        .select(application_reviews::user_action_identifier)
        .load(conn)?;
    let evidence = case_evidence::table
        .filter(case_evidence::case_id.eq(case_id))
        .order(case_evidence::document_id.asc())
        .select(EvidenceRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| row.open(keyring))
        .collect::<Result<Vec<_>, _>>()?;
    let rm_requests = application_rm_requests::table
        .filter(application_rm_requests::application_id.eq(application_id))
        .order((
            application_rm_requests::requested_at.asc(),
            application_rm_requests::request_id.asc(),
        ))
        .select(RmRequestRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| row.open(keyring))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseApplication {
        application_id: application_id.to_owned(),
        needs_review,
        evidence,
        rm_requests,
    })
}
