//! `user_actions` and the documents attached to them.
#![allow(missing_docs)]

use crate::schema::{action_documents, user_actions};
use crate::wire::AttachedDocument;
use diesel::prelude::*;
use serde_json::Value;

/// The document-service owner of an end user's documents.
pub fn document_owner(subject: &str) -> domain::document::Owner {
    domain::document::Owner {
        system: "user-action".to_owned(),
        subject: subject.to_owned(),
    }
}

/// A `user_actions` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_actions)]
pub struct ActionRow {
    pub id: String,
    pub identifier: String,
    pub application_id: String,
    pub name: String,
    pub party_id: String,
    pub entity_id: String,
    pub status: String,
    pub response: String,
    pub is_pre_requirement: bool,
    pub position: i32,
    pub last_update_id: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An `action_documents` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = action_documents)]
pub struct DocumentRow {
    pub document_id: String,
    pub action_id: String,
    pub file_name: String,
    pub file_type: String,
    pub file_info: String,
    pub file_client_id: Option<String>,
    pub created_at: String,
    /// The content's size in bytes (0 for documents attached before sizes
    /// were kept).
    pub size: i64,
}

impl DocumentRow {
    /// The document as getDocument answers it, with its `content` (base64).
    pub fn attached(self, content: String) -> AttachedDocument {
        // The client's id is kept as JSON text; one that no longer parses
        // is answered as absent rather than failing the read.
        let file_client_id: Option<Value> = self
            .file_client_id
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok());
        AttachedDocument {
            document_id: self.document_id,
            file_name: self.file_name,
            file_type: self.file_type,
            file_info: self.file_info,
            file_client_id,
            file_contents: content,
        }
    }
}
