//! The answer of `getCaseAudit`: a page of a case's audit trail.

use super::envelope::Status;
use serde::Serialize;
use utoipa::ToSchema;

/// One change to a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Its sequence number.
    pub event_id: i64,
    /// When: RFC 3339 in UTC, to the microsecond.
    #[schema(example = "2026-11-22T08:00:00.000000Z")]
    pub at: String,
    /// Who: the subject of the token that made the change.
    pub actor: String,
    /// `caseCreated`, `customerAdded`, `customerRemoved`, `customerErased`
    /// (its personal data erased by the operator), `statusChanged`,
    /// `accountAdded`, `accountRemoved`, `externalEntityAdded`,
    /// `externalEntityRemoved`, `transactionAdded`, `transactionRemoved`,
    /// `eventAdded`, `eventDecided`, `descriptionChanged`,
    /// `narrativeAdded`, `lockTaken`, `lockReleased`, `evidenceAdded`,
    /// `evidenceReviewed` (SPEC §D), `applicationErased` (the
    /// application's file names, comments and messages erased),
    /// `caseAssigned`, `statusRecommended` (four eyes: the code replaced
    /// and the code recommended as the statuses, their comments as the
    /// values) or `recommendationApproved` (the status set as `toStatus`,
    /// the recommender as the old value, the approver as the new).
    #[schema(example = "customerAdded")]
    pub action: String,
    /// The customer added or removed.
    pub customer_id: Option<String>,
    /// The status before a status change.
    pub from_status: Option<String>,
    /// The status after a status change, or a new case's first status.
    pub to_status: Option<String>,
    /// The account, external entity or transaction added or removed, the
    /// narrative added, or the document added or reviewed as evidence
    /// (those actions only; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_id: Option<String>,
    /// The event saved to the case or decided on (`eventAdded`,
    /// `eventDecided`; absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_code: Option<String>,
    /// The value before: the old description (`descriptionChanged`), the
    /// expiry of the lock renewed or released (`lockTaken`,
    /// `lockReleased`), the event's decision code before (`eventDecided`),
    /// the document's decision before (`evidenceReviewed`: `ACCEPT`,
    /// `REJECT` or `null`), the assignee before (`caseAssigned`, `null`
    /// when no one); or, as JSON text, the customer or record removed as getCaseDetails
    /// showed it (`customerRemoved`, `accountRemoved`,
    /// `externalEntityRemoved`, `transactionRemoved`).
    pub old_value: Option<String>,
    /// The value after: the new description, the comment of a status
    /// change (`statusChanged`, `null` without one), the lock's new expiry, the
    /// decision code, the document's decision (`evidenceReviewed`), the
    /// narrative's text (`narrativeAdded`), the assignee after
    /// (`caseAssigned`, `null` when unassigned); or, as JSON
    /// text, the customer, record or event added as getCaseDetails shows
    /// it (`customerAdded`, `accountAdded`, `externalEntityAdded`,
    /// `transactionAdded`, `eventAdded`: an item of its `events`).
    pub new_value: Option<String>,
}

/// The answer of `getCaseAudit`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseAuditResponse {
    /// "Case audit fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case.
    pub case_id: String,
    /// A page of its changes, oldest first.
    pub events: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
