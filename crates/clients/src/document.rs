//! The document-service client. Every call acts for one owner.

use crate::absent_on_404;
use bytes::Bytes;
use domain::document::{DocumentMetadata, DocumentPage, Owner};
use reqwest::Method;
use serde::Serialize;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;
use std::time::Duration;

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
        let base = base_url.unwrap_or(&ctx.self_url);
        let timeout = Duration::from_millis(ctx.config.internal_call_timeout_ms);
        Self {
            http: InternalClient::new(SERVICE, base, ctx.credential.clone(), timeout),
        }
    }

    /// Stores a document for `owner` under `id` (a UUID the caller chose, so
    /// that it can delete the document even when the answer is lost: a
    /// failed store must be followed by [`delete`](Self::delete)). A broken
    /// file rule comes back as [`CallError::Status`] with document-service's
    /// problem body.
    pub async fn store(
        &self,
        owner: &Owner,
        id: &str,
        document: &NewDocument<'_>,
    ) -> Result<DocumentMetadata, CallError> {
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
        response.json().await.map_err(protocol)
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
