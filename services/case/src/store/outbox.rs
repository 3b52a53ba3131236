//! case-service's transactional outbox (SPEC §D): each change to an
//! application's case writes an event here in its own transaction, and a
//! dispatcher delivers it to user-action (and webhooks) at least once, in
//! `seq` order per application. Payloads hold ids and statuses only; the
//! [`CaseDecision`] user-action receives is built by [`decision`] when the
//! event is delivered, opening what is sealed where it lives.

use super::audit::Change;
use crate::rows::flow::{NewOutboxRow, ReviewRow, REVIEW_COMMENTS};
use crate::schema::{case_evidence_reviews, outbox};
use diesel::prelude::*;
use domain::flow::{kinds, CaseDecision, CaseDecisionData, EvidenceReview, StatusChange};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::{DbConnection, Failure, Keyring};

/// Writes an event of `kind` about `application_id`, with `payload` (ids
/// and statuses only), in the caller's transaction; its id.
pub fn write(
    conn: &mut DbConnection,
    application_id: &str,
    kind: &'static str,
    payload: &serde_json::Value,
    change: &Change,
) -> QueryResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    diesel::insert_into(outbox::table)
        .values(&NewOutboxRow {
            id: id.clone(),
            aggregate_id: application_id.to_owned(),
            kind,
            payload: payload.to_string(),
            request_id: change.request_id.clone(),
            created_at: change.at.clone(),
        })
        .execute(conn)?;
    Ok(id)
}

/// The payload of `case.status_changed`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusChanged {
    case_id: String,
    old_status: String,
    new_status: String,
    actor: String,
    occurred_at: String,
}

/// Writes `case.status_changed` for `case_id`, of `application_id`.
pub fn status_changed(
    conn: &mut DbConnection,
    application_id: &str,
    case_id: &str,
    from: &str,
    to: &str,
    change: &Change,
) -> QueryResult<String> {
    let payload = StatusChanged {
        case_id: case_id.to_owned(),
        old_status: from.to_owned(),
        new_status: to.to_owned(),
        actor: change.actor.clone(),
        occurred_at: change.at.clone(),
    };
    let payload = serde_json::to_value(&payload).unwrap_or_default();
    write(
        conn,
        application_id,
        kinds::CASE_STATUS_CHANGED,
        &payload,
        change,
    )
}

/// Writes `case.opened` for `case_id`, of `application_id`.
pub fn case_opened(
    conn: &mut DbConnection,
    application_id: &str,
    case_id: &str,
    status: &str,
    change: &Change,
) -> QueryResult<String> {
    let payload = json!({"caseId": case_id, "caseStatusCode": status});
    write(conn, application_id, kinds::CASE_OPENED, &payload, change)
}

/// The [`CaseDecision`] that tells user-action of the outbox event `id` of
/// `kind` with `payload`, built now from where its values live (a
/// review's comments opened); `None` for a kind user-action is not sent
/// (`case.opened`: user-action learns the case from the answer to its
/// submission).
pub fn decision(
    conn: &mut DbConnection,
    keyring: &Keyring,
    id: &str,
    kind: &str,
    payload: &str,
) -> Result<Option<CaseDecision>, Failure> {
    let unreadable =
        |e: serde_json::Error| Failure::internal(anyhow::anyhow!("outbox event {id}: {e}"));
    match kind {
        kinds::CASE_STATUS_CHANGED => {
            let changed: StatusChanged = serde_json::from_str(payload).map_err(unreadable)?;
            Ok(Some(CaseDecision {
                id: id.to_owned(),
                occurred_at: changed.occurred_at,
                actor: changed.actor,
                case_id: changed.case_id,
                data: CaseDecisionData::StatusChanged(StatusChange {
                    old_status: changed.old_status,
                    new_status: changed.new_status,
                }),
            }))
        }
        kinds::EVIDENCE_ACCEPTED | kinds::EVIDENCE_REJECTED => {
            let review: ReviewRow = case_evidence_reviews::table
                .find(id)
                .select(ReviewRow::as_select())
                .first(conn)?;
            let comments = review
                .comments
                .map(|sealed| keyring.open_field(REVIEW_COMMENTS, id, &sealed))
                .transpose()
                .map_err(Failure::internal)?;
            let reviewed = EvidenceReview {
                document_id: review.document_id,
                comments,
            };
            Ok(Some(CaseDecision {
                id: id.to_owned(),
                occurred_at: review.at,
                actor: review.actor,
                case_id: review.case_id,
                data: if kind == kinds::EVIDENCE_ACCEPTED {
                    CaseDecisionData::EvidenceAccepted(reviewed)
                } else {
                    CaseDecisionData::EvidenceRejected(reviewed)
                },
            }))
        }
        _ => Ok(None),
    }
}
