//! uploadDocument and getDocument: the files sent, and the documents
//! answered.

use super::fabric::{render, Fabric};
use super::optional;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One file of uploadDocument (the seed's `Response[]` item).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileItem {
    /// The file name.
    #[schema(example = "techspectemplate.pdf")]
    pub file_name: String,
    /// The declared media type.
    #[schema(example = "application/pdf")]
    pub file_type: String,
    /// Free text.
    #[serde(default)]
    pub file_info: String,
    /// The client's id of the file, a number or a string, returned as sent.
    #[serde(default)]
    #[schema(schema_with = domain::document::number_or_string, example = 1627265913230_u64)]
    pub file_client_id: Option<Value>,
    /// The content, base64; a file is never empty.
    #[schema(min_length = 1)]
    pub file_contents: String,
}

/// The body of uploadDocument.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Upload {
    /// The DocumentUpload action the files answer; not blank.
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM", pattern = "\\S")]
    pub user_action_identifier: String,
    /// The files, 1 to 10.
    #[schema(min_items = 1, max_items = 10)]
    pub response: Vec<FileItem>,
}

/// The body of getDocument.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DocumentQuery {
    /// The action whose documents to return.
    #[serde(rename = "UserActionIdentifier")]
    pub user_action_identifier: String,
    /// Only this document.
    #[serde(default, rename = "documentId", deserialize_with = "optional")]
    pub document_id: Option<String>,
}

/// What uploadDocument answers: the files stored, in the order sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    /// The files, each with its new document id.
    #[serde(rename = "Response")]
    pub response: Vec<StoredFile>,
}

/// One stored file of uploadDocument's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    /// The file name, as sent.
    #[schema(example = "techspectemplate.pdf")]
    pub file_name: String,
    /// The client's id of the file, as sent.
    #[schema(schema_with = domain::document::number_or_string, example = 1627265913230_u64)]
    pub file_client_id: Option<Value>,
    /// Free text, as sent.
    pub file_info: String,
    /// The document's id.
    #[schema(example = "3b18b79d-2fd5-4197-844b-87be10302a3e")]
    pub document_id: String,
    /// The declared media type.
    #[schema(example = "application/pdf")]
    pub file_type: String,
}

/// What getDocument answers: the action's documents, with their content.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Documents {
    /// The action.
    #[serde(rename = "UserActionIdentifier")]
    #[schema(example = "ProofOfIncomeEmployed_1778258145_3X88WLM")]
    pub user_action_identifier: String,
    /// Its documents, oldest first (or only the one asked for).
    #[serde(rename = "Response")]
    pub response: Vec<AttachedDocument>,
}

/// One document of getDocument's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachedDocument {
    /// The document's id.
    #[schema(example = "3b18b79d-2fd5-4197-844b-87be10302a3e")]
    pub document_id: String,
    /// The file name.
    #[schema(example = "techspectemplate.pdf")]
    pub file_name: String,
    /// The declared media type.
    #[schema(example = "application/pdf")]
    pub file_type: String,
    /// Free text.
    pub file_info: String,
    /// The client's id of the file, as sent.
    #[schema(schema_with = domain::document::number_or_string, example = 1627265913230_u64)]
    pub file_client_id: Option<Value>,
    /// The content, base64; a file is never empty.
    #[schema(min_length = 1)]
    pub file_contents: String,
}

/// Bytes around a value in a rendered answer: all before it, all after.
pub type Frame = (Vec<u8>, Vec<u8>);

/// `rendered` cut around `marker`'s last byte but `trim` ones: what comes
/// before and what comes after.
fn cut(rendered: Vec<u8>, at: Option<usize>, marker: &[u8], trim: usize) -> Frame {
    let start = at.expect("the marker is in the rendered answer") + marker.len() - trim;
    let mut head = rendered;
    let tail = head.split_off(start);
    (head, tail)
}

impl Documents {
    /// getDocument's answer for `user_action_identifier` without its
    /// documents, for writing one document at a time: the bytes up to the
    /// first document, and from after the last. With the documents'
    /// [frames](AttachedDocument::frame) and their content between, joined
    /// by commas, they are the same bytes as the whole answer rendered at
    /// once.
    pub fn frame(user_action_identifier: String) -> serde_json::Result<Frame> {
        let rendered = render(&Fabric::ok(Documents {
            user_action_identifier,
            response: Vec::new(),
        }))?;
        // `Response` is the first key: its empty array is the first match.
        const MARKER: &[u8] = b"\"Response\":[]";
        let at = find(&rendered, MARKER, false);
        Ok(cut(rendered, at, MARKER, 1))
    }
}

impl AttachedDocument {
    /// This document's bytes in getDocument's answer, its `file_contents`
    /// (left empty here) excepted: before the content, and after it.
    pub fn frame(&self) -> serde_json::Result<Frame> {
        let rendered = render(self)?;
        // The last match: `fileClientId`, which may be any JSON value, comes
        // before, and the fields after are strings, in which an unescaped
        // quote cannot occur.
        const MARKER: &[u8] = b"\"fileContents\":\"\"";
        let at = find(&rendered, MARKER, true);
        Ok(cut(rendered, at, MARKER, 1))
    }
}

fn find(haystack: &[u8], needle: &[u8], last: bool) -> Option<usize> {
    let mut at = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle);
    if last {
        at.next_back().map(|(i, _)| i)
    } else {
        at.next().map(|(i, _)| i)
    }
}
