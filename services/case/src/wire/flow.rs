//! The case side of the flow from application to decision (SPEC §D):
//! `reviewEvidence`'s parts, and what `getCaseDetails` shows of the
//! application a case was opened for. The events user-action sends are
//! `domain::flow`'s.

use super::values::{Id, ShortText, Text};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A reviewer's comments on a document: at most 2000 characters.
pub type ReviewComments = Text<2000>;

/// The decision on a document that accepts it.
pub const ACCEPT: &str = "ACCEPT";
/// The decision on a document that rejects it (comments required).
pub const REJECT: &str = "REJECT";

/// A case worker's decision on one document of a case's evidence
/// (`reviewEvidence`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvidenceDecision {
    /// The document: one of the case's evidence.
    #[schema(example = "doc-5f1e2d3c")]
    pub document_id: Id,
    /// `ACCEPT` (the action it answers becomes `Reviewed`) or `REJECT` (the
    /// action goes back to the applicant, `Rejected`, with the comments).
    #[schema(value_type = EvidenceDecisionCode, example = "REJECT")]
    pub decision: ShortText,
    /// Why: required to reject, shown to the applicant as the action's
    /// `ReviewComment`; at most 2000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, example = "The scan is unreadable.")]
    pub comments: Option<ReviewComments>,
}

impl EvidenceDecision {
    /// Why it is refused though it parsed, as the field at fault and what
    /// is wrong with it.
    pub fn violation(&self) -> Option<(&'static str, String)> {
        match self.decision.as_str() {
            ACCEPT => None,
            REJECT
                if self
                    .comments
                    .as_ref()
                    .is_none_or(|c| c.as_str().trim().is_empty()) =>
            {
                Some(("comments", "are required to reject a document".to_owned()))
            }
            REJECT => None,
            _ => Some(("decision", "must be ACCEPT or REJECT".to_owned())),
        }
    }
}

/// The decisions `reviewEvidence` takes.
#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub enum EvidenceDecisionCode {
    /// Accept the document.
    ACCEPT,
    /// Reject it (comments required).
    REJECT,
}

/// A document kept as evidence on an application's case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EvidenceItem {
    /// document-service's id of the document.
    pub document_id: String,
    /// Its file name, as uploaded.
    pub file_name: String,
    /// Its type (`pdf`, `jpeg`, ...).
    pub file_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The SHA-256 of its content, lowercase hex.
    pub sha256: String,
    /// The `UserActionIdentifier` of the action it answers.
    pub user_action_identifier: String,
    /// When it reached the case (RFC 3339, UTC): sent again after a
    /// rejection, when it was sent last.
    pub added_at: String,
    /// `ACCEPT`, `REJECT`, or `null` when not reviewed (since it was last
    /// sent).
    pub decision: Option<String>,
    /// The reviewer's comments.
    pub comments: Option<String>,
    /// Who decided (the token's subject).
    pub decided_by: Option<String>,
    /// When (RFC 3339, UTC).
    pub decided_at: Option<String>,
}

/// An applicant's request for help (`notifyRM`) on the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RmRequestItem {
    /// notifyRM's `id`.
    pub request_id: String,
    /// What the applicant wrote.
    pub message: String,
    /// When it reached case-service (RFC 3339, UTC).
    pub requested_at: String,
}

/// The application a case was opened for, as `getCaseDetails` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseApplication {
    /// The application (user-action's `Application_id`).
    pub application_id: String,
    /// The actions that need review: `APR` is refused until a document
    /// answering each is accepted.
    pub needs_review: Vec<String>,
    /// Its documents, by document id.
    pub evidence: Vec<EvidenceItem>,
    /// The applicant's requests for help, oldest first (those sent before
    /// the case was opened too).
    pub rm_requests: Vec<RmRequestItem>,
}

/// The most applicants, documents, actions needing review one event may
/// carry: far over what an application has.
pub const MAX_EVENT_ITEMS: usize = 1000;
/// The longest request message (notifyRM's own limit).
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// The longest file name.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// Whether `text` is a plain id: 1 to `max` letters, digits, `-`, `_`,
/// `.` or `:`.
pub fn plain_id(text: &str, max: usize) -> bool {
    !text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// What is wrong with an application event, field by field (`data.` names
/// the event's data): ids plain and bounded, texts bounded, applicants
/// party ids, hashes SHA-256.
pub fn violations(event: &domain::flow::ApplicationEvent) -> Vec<(String, String)> {
    use domain::flow::ApplicationEventData as Data;
    let mut more = Vec::new();
    if !plain_id(&event.id, 64) {
        more.push((
            "id".to_owned(),
            "must be 1 to 64 letters, digits, '-', '_', '.' or ':'".to_owned(),
        ));
    }
    let mut documents: &[domain::flow::Evidence] = &[];
    let count = |field: &str, len: usize, found: &mut Vec<(String, String)>| {
        if len > MAX_EVENT_ITEMS {
            found.push((
                field.to_owned(),
                format!("must have at most {MAX_EVENT_ITEMS} entries"),
            ));
        }
    };
    match &event.data {
        Data::Submitted(submission) => {
            count("data.applicants", submission.applicants.len(), &mut more);
            count("data.documents", submission.documents.len(), &mut more);
            count("data.needsReview", submission.needs_review.len(), &mut more);
            if submission.applicants.is_empty() {
                more.push((
                    "data.applicants".to_owned(),
                    "must name the primary applicant".to_owned(),
                ));
            }
            for (i, party) in submission.applicants.iter().enumerate() {
                if domain::PartyId::parse(party).is_err() {
                    more.push((
                        format!("data.applicants[{i}]"),
                        "must be a party id".to_owned(),
                    ));
                }
            }
            for (i, action) in submission.needs_review.iter().enumerate() {
                if !plain_id(action, 64) {
                    more.push((
                        format!("data.needsReview[{i}]"),
                        "must be a UserActionIdentifier".to_owned(),
                    ));
                }
            }
            documents = &submission.documents;
        }
        Data::EvidenceAdded { documents: added } => {
            count("data.documents", added.len(), &mut more);
            documents = added;
        }
        Data::RmNotified(request) => {
            if !plain_id(&request.request_id, 64) {
                more.push((
                    "data.requestId".to_owned(),
                    "must be notifyRM's id".to_owned(),
                ));
            }
            let chars = request.message.chars().count();
            if request.message.trim().is_empty() || chars > MAX_MESSAGE_CHARS {
                more.push((
                    "data.message".to_owned(),
                    format!("must be 1 to {MAX_MESSAGE_CHARS} characters, not blank"),
                ));
            }
        }
        Data::Withdrawn {} => {}
    }
    for (i, d) in documents.iter().enumerate().take(MAX_EVENT_ITEMS) {
        let field = |name: &str| format!("data.documents[{i}].{name}");
        let mut bad = |name: &str, why: &str| more.push((field(name), why.to_owned()));
        if !plain_id(&d.document_id, 64) {
            bad("documentId", "must be a document id");
        }
        let name_chars = d.file_name.chars().count();
        if d.file_name.trim().is_empty()
            || name_chars > MAX_FILE_NAME_CHARS
            || d.file_name.chars().any(char::is_control)
        {
            bad(
                "fileName",
                "must be 1 to 255 characters, no control characters",
            );
        }
        // A media type as the applicant's upload named it
        // (`application/pdf`).
        let media_type = |b: u8| b.is_ascii_alphanumeric() || b"/.+-_".contains(&b);
        if d.file_type.is_empty() || d.file_type.len() > 127 || !d.file_type.bytes().all(media_type)
        {
            bad("fileType", "must be a media type");
        }
        if d.size < 0 {
            bad("size", "must not be negative");
        }
        if d.sha256.len() != 64
            || !d
                .sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            bad("sha256", "must be 64 lowercase hex digits");
        }
        if !plain_id(&d.user_action_identifier, 64) {
            bad("userActionIdentifier", "must be a UserActionIdentifier");
        }
    }
    more
}
