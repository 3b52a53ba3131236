//! The rows of the flow from application to decision (SPEC §D): a case's
//! evidence, its reviews, and the applicant's requests for help. File
//! names, reviewers' comments and requests' messages are personal, and
//! sealed, each bound to its table, column and row (`Keyring::seal_field`).

use super::stored::Corrupt;
use crate::schema::{application_rm_requests, case_evidence, case_evidence_reviews, outbox};
use crate::wire::flow::{EvidenceItem, RmRequestItem};
use diesel::prelude::*;
use domain::flow::Evidence;
use service_kit::Keyring;

/// The sealed column of an evidence's file name.
pub const FILE_NAME: &str = "case_evidence.file_name";
/// The sealed column of the comments on an evidence.
pub const COMMENTS: &str = "case_evidence.comments";
/// The sealed column of the comments of a review.
pub const REVIEW_COMMENTS: &str = "case_evidence_reviews.comments";
/// The sealed column of a request's message.
pub const MESSAGE: &str = "application_rm_requests.message";

/// The row name of a document on a case: the length keeps the pair
/// unambiguous whatever the ids contain.
pub fn evidence_row(case_id: &str, document_id: &str) -> String {
    format!("{}:{case_id}:{document_id}", case_id.len())
}

/// A `case_evidence` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_evidence, treat_none_as_default_value = false)]
pub struct EvidenceRow {
    /// The case.
    pub case_id: String,
    /// The document.
    pub document_id: String,
    /// Its file name, sealed.
    pub file_name: String,
    /// Its type.
    pub file_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// The action it answers.
    pub user_action_identifier: String,
    /// When it reached the case, or was last sent again.
    pub added_at: String,
    /// `ACCEPT`, `REJECT` or none.
    pub decision: Option<String>,
    /// The reviewer's comments, sealed.
    pub comments: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<String>,
}

impl EvidenceRow {
    /// The row of `document` on `case_id`, not reviewed, added `at`.
    pub fn of(keyring: &Keyring, case_id: &str, document: &Evidence, at: &str) -> Self {
        let row = evidence_row(case_id, &document.document_id);
        Self {
            case_id: case_id.to_owned(),
            document_id: document.document_id.clone(),
            file_name: keyring.seal_field(FILE_NAME, &row, &document.file_name),
            file_type: document.file_type.clone(),
            size: document.size,
            sha256: document.sha256.clone(),
            user_action_identifier: document.user_action_identifier.clone(),
            added_at: at.to_owned(),
            decision: None,
            comments: None,
            decided_by: None,
            decided_at: None,
        }
    }

    /// `comments` sealed for this row.
    pub fn seal_comments(
        keyring: &Keyring,
        case_id: &str,
        document_id: &str,
        comments: &str,
    ) -> String {
        keyring.seal_field(COMMENTS, &evidence_row(case_id, document_id), comments)
    }

    /// The evidence as `getCaseDetails` shows it, its sealed values opened.
    pub fn open(self, keyring: &Keyring) -> Result<EvidenceItem, Corrupt> {
        let row = evidence_row(&self.case_id, &self.document_id);
        let open = |column: &str, sealed: &str| {
            keyring
                .open_field(column, &row, sealed)
                .map_err(|e| Corrupt(e.to_string()))
        };
        Ok(EvidenceItem {
            file_name: open(FILE_NAME, &self.file_name)?,
            comments: self.comments.map(|c| open(COMMENTS, &c)).transpose()?,
            document_id: self.document_id,
            file_type: self.file_type,
            size: self.size,
            sha256: self.sha256,
            user_action_identifier: self.user_action_identifier,
            added_at: self.added_at,
            decision: self.decision,
            decided_by: self.decided_by,
            decided_at: self.decided_at,
        })
    }
}

/// A `case_evidence_reviews` row: one review, by the id of the outbox
/// event that tells user-action of it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_evidence_reviews, treat_none_as_default_value = false)]
pub struct ReviewRow {
    /// The outbox event's id.
    pub event_id: String,
    /// The case.
    pub case_id: String,
    /// The document.
    pub document_id: String,
    /// `ACCEPT` or `REJECT`.
    pub decision: String,
    /// The comments, sealed (bound to the event id).
    pub comments: Option<String>,
    /// Who decided.
    pub actor: String,
    /// When.
    pub at: String,
}

/// A stored `application_rm_requests` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = application_rm_requests, treat_none_as_default_value = false)]
pub struct RmRequestRow {
    /// notifyRM's id.
    pub request_id: String,
    /// The application.
    pub application_id: String,
    /// The message, sealed (bound to the request id).
    pub message: String,
    /// When it reached case-service.
    pub requested_at: String,
}

impl RmRequestRow {
    /// The request as `getCaseDetails` shows it, its message opened.
    pub fn open(self, keyring: &Keyring) -> Result<RmRequestItem, Corrupt> {
        let message = keyring
            .open_field(MESSAGE, &self.request_id, &self.message)
            .map_err(|e| Corrupt(e.to_string()))?;
        Ok(RmRequestItem {
            request_id: self.request_id,
            message,
            requested_at: self.requested_at,
        })
    }
}

/// An `outbox` row to write: ids and statuses only.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub struct NewOutboxRow {
    /// The event's id (a UUID).
    pub id: String,
    /// The application.
    pub aggregate_id: String,
    /// Its kind (`domain::flow::kinds`).
    pub kind: &'static str,
    /// Its payload, JSON.
    pub payload: String,
    /// The request that wrote it.
    pub request_id: Option<String>,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}
