//! The flow from application to decision (SPEC §D, issue 14): the events
//! user-action and case-service send each other over internal HTTP, from
//! their outboxes, and the names of every event kind.
//!
//! Each event has an `id` (a UUID) its receiver applies once, and is
//! delivered at least once, in order per application. A receiver answers
//! 200 when it has applied the event, now or before; anything else is
//! retried.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The event kinds, as SPEC §D names them for webhooks, and the internal
/// ones that only services exchange.
pub mod kinds {
    /// The applicant submitted the application (user-action).
    pub const APPLICATION_SUBMITTED: &str = "application.submitted";
    /// The applicant withdrew the application (user-action).
    pub const APPLICATION_WITHDRAWN: &str = "application.withdrawn";
    /// The bank approved the application: its case closed `APR` (user-action).
    pub const APPLICATION_APPROVED: &str = "application.approved";
    /// The bank rejected the application: its case closed `REJ` (user-action).
    pub const APPLICATION_REJECTED: &str = "application.rejected";
    /// The applicant asked the bank for help, `notifyRM` (user-action).
    pub const RM_NOTIFIED: &str = "rm.notified";
    /// Documents the applicant attached after submission, answering an
    /// action the bank sent back (user-action; internal, no webhook).
    pub const EVIDENCE_ADDED: &str = "evidence.added";
    /// A case was opened (case-service).
    pub const CASE_OPENED: &str = "case.opened";
    /// A case's status changed (case-service).
    pub const CASE_STATUS_CHANGED: &str = "case.status_changed";
    /// A case worker accepted a document (case-service; internal, no webhook).
    pub const EVIDENCE_ACCEPTED: &str = "evidence.accepted";
    /// A case worker rejected a document (case-service).
    pub const EVIDENCE_REJECTED: &str = "evidence.rejected";

    /// The kinds an operator may subscribe a webhook to (SPEC §D).
    pub const WEBHOOK: [&str; 8] = [
        APPLICATION_SUBMITTED,
        APPLICATION_APPROVED,
        APPLICATION_REJECTED,
        APPLICATION_WITHDRAWN,
        CASE_OPENED,
        CASE_STATUS_CHANGED,
        EVIDENCE_REJECTED,
        RM_NOTIFIED,
    ];
}

/// An event user-action sends case-service about an application:
/// `POST /case/v1/applications/{applicationId}/events` (internal
/// credential). Its `data` is built when it is delivered, from where the
/// values live (sealed), so the outbox row itself holds no personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationEvent {
    /// The event's id (a UUID): applied once.
    pub id: String,
    /// When the applicant's change was made (RFC 3339, UTC).
    pub occurred_at: String,
    /// What happened, and what the case needs of it.
    #[serde(flatten)]
    pub data: ApplicationEventData,
}

/// What an [`ApplicationEvent`] says, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "data")]
pub enum ApplicationEventData {
    /// `application.submitted`: open the application's KYC case.
    #[serde(rename = "application.submitted")]
    Submitted(Submission),
    /// `application.withdrawn`: the applicant withdrew before a decision.
    #[serde(rename = "application.withdrawn")]
    Withdrawn {},
    /// `rm.notified`: the applicant's request for help.
    #[serde(rename = "rm.notified")]
    RmNotified(RmRequest),
    /// `evidence.added`: documents uploaded again after a rejection.
    #[serde(rename = "evidence.added")]
    EvidenceAdded {
        /// The documents, as they reach the case's evidence.
        documents: Vec<Evidence>,
    },
}

/// A submitted application, as its case is opened on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Submission {
    /// The applicants' party ids, the primary applicant first: the case's
    /// customers, read from party-service (`businessAdd: "Y"`).
    pub applicants: Vec<String>,
    /// Every document attached to the application's actions.
    pub documents: Vec<Evidence>,
    /// The `UserActionIdentifier`s of the actions whose definition says
    /// `NeedsReview: "true"`: the case cannot close `APR` until each is
    /// reviewed (a document answering it accepted).
    pub needs_review: Vec<String>,
}

/// A document attached to an application, as the case keeps it as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// document-service's id of the document.
    pub document_id: String,
    /// The file's name, as uploaded (personal: sealed where it is kept).
    pub file_name: String,
    /// Its type (`pdf`, `jpeg`, ...).
    pub file_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The SHA-256 of its content, lowercase hex.
    pub sha256: String,
    /// The `UserActionIdentifier` of the action it answers.
    pub user_action_identifier: String,
}

/// An applicant's request for help (`notifyRM`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RmRequest {
    /// notifyRM's `id`.
    pub request_id: String,
    /// The request's text (personal: sealed where it is kept).
    pub message: String,
}

/// case-service's answer to an [`ApplicationEvent`]: the application's
/// case, once there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationEventApplied {
    /// The application's case (`CA...`), or none yet.
    pub case_id: Option<String>,
}

/// A decision case-service sends user-action about an application:
/// `POST /user-action/v1/applications/{applicationId}/decisions`
/// (internal credential).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDecision {
    /// The event's id (a UUID): applied once.
    pub id: String,
    /// When the case worker decided (RFC 3339, UTC).
    pub occurred_at: String,
    /// Who decided: the case worker's subject.
    pub actor: String,
    /// The application's case.
    pub case_id: String,
    /// What was decided, by kind.
    #[serde(flatten)]
    pub data: CaseDecisionData,
}

/// What a [`CaseDecision`] says, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "data")]
pub enum CaseDecisionData {
    /// `evidence.accepted`: the action the document answers becomes `Reviewed`.
    #[serde(rename = "evidence.accepted")]
    EvidenceAccepted(EvidenceReview),
    /// `evidence.rejected`: the action goes back to the applicant,
    /// `Rejected` with the reason as its `ReviewComment`.
    #[serde(rename = "evidence.rejected")]
    EvidenceRejected(EvidenceReview),
    /// `case.status_changed`: `APR` approves the application, `REJ`
    /// rejects it, `RFI` leaves it pending with the customer.
    #[serde(rename = "case.status_changed")]
    StatusChanged(StatusChange),
}

/// A case worker's review of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceReview {
    /// The document reviewed.
    pub document_id: String,
    /// The reviewer's comment (the reason, for a rejection).
    pub comments: Option<String>,
}

/// A case's change of status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    /// The status before.
    pub old_status: String,
    /// The status now (`APR`, `REJ`, `RFI`, ...).
    pub new_status: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The wire shape is flat: `id`, `occurredAt`, `kind` and `data`.
    #[test]
    fn events_read_and_write_flat() {
        let sent = json!({
            "id": "0b7f6a53-4e43-4d0f-9c55-0c5d6f3f1a00",
            "occurredAt": "2026-12-07T10:00:00Z",
            "kind": "application.submitted",
            "data": {"applicants": ["1000000001"], "documents": [{
                "documentId": "d1", "fileName": "passport.pdf", "fileType": "pdf",
                "size": 12, "sha256": "ab", "userActionIdentifier": "UA1"
            }], "needsReview": ["UA1"]}
        });
        let event: ApplicationEvent = serde_json::from_value(sent.clone()).unwrap();
        assert!(
            matches!(event.data, ApplicationEventData::Submitted(ref s) if s.applicants == ["1000000001"])
        );
        assert_eq!(serde_json::to_value(&event).unwrap(), sent);

        let withdrawn =
            json!({"id": "x", "occurredAt": "t", "kind": "application.withdrawn", "data": {}});
        let event: ApplicationEvent = serde_json::from_value(withdrawn.clone()).unwrap();
        assert_eq!(event.data, ApplicationEventData::Withdrawn {});
        assert_eq!(serde_json::to_value(&event).unwrap(), withdrawn);

        let decision = json!({
            "id": "y", "occurredAt": "t", "actor": "analyst", "caseId": "CA1",
            "kind": "case.status_changed", "data": {"oldStatus": "NEW", "newStatus": "APR"}
        });
        let event: CaseDecision = serde_json::from_value(decision.clone()).unwrap();
        assert_eq!(serde_json::to_value(&event).unwrap(), decision);
    }
}
