//! The document-service client. Every call acts for one owner.

use crate::absent_on_404;
use bytes::Bytes;
use domain::document::{DocumentMetadata, DocumentPage, FileRuleName, Owner};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde_json::Value;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;
use std::fmt;

/// A client of document-service.
#[derive(Clone, Debug)]
pub struct DocumentClient {
    http: InternalClient,
}

/// A document to store: the seed's `Response[]` item plus the reference.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDocument<'a> {
    /// What the document answers.
    pub reference: &'a str,
    /// The file name.
    pub file_name: &'a str,
    /// The declared media type.
    pub file_type: &'a str,
    /// Free text about the file.
    pub file_info: &'a str,
    /// The caller's id of the file.
    pub file_client_id: Option<&'a serde_json::Value>,
    /// The content, base64.
    pub file_contents: &'a str,
}

/// Why document-service did not store a document.
#[derive(Debug)]
pub enum StoreError {
    /// It refused the document: the caller's to fix.
    Refused(Refusal),
    /// The call failed otherwise (unavailable, slow, or an answer that is
    /// no refusal of the document: a fault between the services).
    Call(CallError),
}

/// document-service's refusal of a document: the file rule it broke, or
/// an invalid field, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The broken file rule; `None` when a field is invalid otherwise (or
    /// the rule is one this build does not know).
    pub rule: Option<FileRuleName>,
    /// The field concerned, as document-service names it (`fileName`,
    /// `fileType`, `fileContents`, ...).
    pub field: String,
    /// What is wrong with it, a sentence for the end user.
    pub message: String,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(refusal) => write!(
                f,
                "{SERVICE} refused the document: {}: {}",
                refusal.field, refusal.message
            ),
            Self::Call(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(_) => None,
            Self::Call(e) => Some(e),
        }
    }
}

impl From<CallError> for StoreError {
    fn from(e: CallError) -> Self {
        match &e {
            CallError::Status { status, body, .. } => {
                refusal(*status, body).map_or(Self::Call(e), Self::Refused)
            }
            _ => Self::Call(e),
        }
    }
}

/// How the chassis's problem+json `type` begins; a file rule's slug follows.
const PROBLEM_TYPE: &str = "urn:onboarding:problem:";

/// A client error whose problem names the field at fault refuses the
/// document: by a file rule when its `type` names one. Any other answer
/// (no credential, a conflict, too many requests) is not the end user's
/// to fix.
fn refusal(status: StatusCode, body: &Value) -> Option<Refusal> {
    if !status.is_client_error() {
        return None;
    }
    let slug = body["type"].as_str()?.strip_prefix(PROBLEM_TYPE)?;
    let error = &body["errors"][0];
    Some(Refusal {
        rule: FileRuleName::from_slug(slug),
        field: error["field"].as_str()?.to_owned(),
        message: error["message"].as_str()?.to_owned(),
    })
}

/// The peer's name, in errors.
const SERVICE: &str = "document-service";

/// A success whose body cannot be read: a bug on one side.
fn protocol(e: reqwest::Error) -> CallError {
    CallError::Protocol {
        service: SERVICE,
        detail: e.to_string(),
    }
}

fn owner_headers(owner: &Owner) -> [(&'static str, &str); 2] {
    [
        ("X-Owner-System", owner.system.as_str()),
        ("X-Owner-Subject", owner.subject.as_str()),
    ]
}

impl DocumentClient {
    /// A client of document-service at `base_url` (from
    /// `DOCUMENT_SERVICE_URL`, or this process when unset). Uploads of a few
    /// MiB get a longer timeout than other internal calls.
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, SERVICE, base_url),
        }
    }

    /// Stores a document for `owner` under `id` (a UUID the caller chose, so
    /// that it can delete the document even when the answer is lost: a
    /// failed store must be followed by [`delete`](Self::delete)). A broken
    /// file rule or an invalid field comes back as [`StoreError::Refused`].
    pub async fn store(
        &self,
        owner: &Owner,
        id: &str,
        document: &NewDocument<'_>,
    ) -> Result<DocumentMetadata, StoreError> {
        let body = serde_json::to_vec(document).map_err(|e| CallError::Protocol {
            service: SERVICE,
            detail: e.to_string(),
        })?;
        let response = self
            .http
            .send_with(
                Method::POST,
                "/document/v1/documents",
                &[owner_headers(owner).as_slice(), &[("X-Document-Id", id)]].concat(),
                Some(body),
            )
            .await?;
        Ok(response.json().await.map_err(protocol)?)
    }

    /// A document's metadata, if `owner` has it.
    pub async fn metadata(
        &self,
        owner: &Owner,
        id: &str,
    ) -> Result<Option<DocumentMetadata>, CallError> {
        let path = format!("/document/v1/documents/{id}");
        match absent_on_404(
            self.http
                .send_with(Method::GET, &path, &owner_headers(owner), None)
                .await,
        )? {
            Some(response) => response.json().await.map(Some).map_err(protocol),
            None => Ok(None),
        }
    }

    /// A document's content, if `owner` has it.
    pub async fn content(&self, owner: &Owner, id: &str) -> Result<Option<Bytes>, CallError> {
        let path = format!("/document/v1/documents/{id}/content");
        match absent_on_404(
            self.http
                .send_with(Method::GET, &path, &owner_headers(owner), None)
                .await,
        )? {
            Some(response) => {
                response
                    .bytes()
                    .await
                    .map(Some)
                    .map_err(|e| CallError::Unavailable {
                        service: SERVICE,
                        detail: e.to_string(),
                    })
            }
            None => Ok(None),
        }
    }

    /// `owner`'s documents for `reference`, every page.
    pub async fn list(
        &self,
        owner: &Owner,
        reference: &str,
    ) -> Result<Vec<DocumentMetadata>, CallError> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![
                ("reference", reference.to_owned()),
                ("limit", "100".to_owned()),
            ];
            if let Some(cursor) = &cursor {
                query.push(("cursor", cursor.clone()));
            }
            let qs = serde_urlencoded_pairs(&query);
            let response = self
                .http
                .send_with(
                    Method::GET,
                    &format!("/document/v1/documents?{qs}"),
                    &owner_headers(owner),
                    None,
                )
                .await?;
            let page: DocumentPage = response.json().await.map_err(protocol)?;
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(all),
            }
        }
    }

    /// Deletes a document; `false` when `owner` had none.
    pub async fn delete(&self, owner: &Owner, id: &str) -> Result<bool, CallError> {
        let path = format!("/document/v1/documents/{id}");
        let deleted = self
            .http
            .send_with(Method::DELETE, &path, &owner_headers(owner), None)
            .await;
        absent_on_404(deleted).map(|r| r.is_some())
    }
}

/// Encodes query pairs.
fn serde_urlencoded_pairs(pairs: &[(&str, String)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(status: u16, slug: &str, errors: Value) -> CallError {
        CallError::Status {
            service: SERVICE,
            status: StatusCode::from_u16(status).expect("status"),
            body: json!({"type": format!("{PROBLEM_TYPE}{slug}"), "title": "t", "status": status,
                         "detail": "d", "errors": errors}),
        }
    }

    #[test]
    fn a_file_rule_comes_back_typed() {
        let refused = StoreError::from(problem(
            413,
            "file-too-large",
            json!([{"field": "fileContents", "message": "must not exceed 4 bytes"}]),
        ));
        match refused {
            StoreError::Refused(refusal) => assert_eq!(
                refusal,
                Refusal {
                    rule: Some(FileRuleName::TooLarge),
                    field: "fileContents".into(),
                    message: "must not exceed 4 bytes".into(),
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_invalid_field_is_a_refusal_without_a_rule() {
        let refused = StoreError::from(problem(
            400,
            "invalid-input",
            json!([{"field": "fileClientId", "message": "must be a number or a string"}]),
        ));
        assert!(
            matches!(&refused, StoreError::Refused(r) if r.rule.is_none() && r.field == "fileClientId"),
            "{refused:?}"
        );
    }

    #[test]
    fn answers_naming_no_field_are_call_errors() {
        for status in [401, 409, 429] {
            let e = StoreError::from(problem(status, "conflict", Value::Null));
            assert!(
                matches!(e, StoreError::Call(CallError::Status { .. })),
                "{e:?}"
            );
        }
        let timeout = StoreError::from(CallError::Timeout { service: SERVICE });
        assert!(matches!(
            timeout,
            StoreError::Call(CallError::Timeout { .. })
        ));
    }
}
