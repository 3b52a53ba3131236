//! `user_actions` and the documents attached to them.
#![allow(missing_docs)]

use crate::schema::{action_documents, user_actions};
use crate::wire::AttachedDocument;
use diesel::prelude::*;
use serde_json::Value;
use service_kit::Keyring;

/// The document-service owner of an end user's documents.
pub fn document_owner(subject: &str) -> domain::document::Owner {
    domain::document::Owner {
        system: "user-action".to_owned(),
        subject: subject.to_owned(),
    }
}

/// A `user_actions` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_actions, treat_none_as_default_value = false)]
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
    /// Whether the response held is sealed: always in the table, but for
    /// rows written before sealing; never once read.
    pub sealed: bool,
    /// The reviewer's reason for sending the action back
    /// (`ActionMetaData.ReviewComment`), sealed like the response; kept
    /// until the action is submitted again.
    pub review_comment: Option<String>,
}

const RESPONSE: &str = "user_actions.response";
const REVIEW_COMMENT: &str = "user_actions.review_comment";

impl ActionRow {
    /// The response of action `id`, sealed.
    pub fn seal_response(keyring: &Keyring, id: &str, response: &str) -> String {
        keyring.seal_field(RESPONSE, id, response)
    }

    /// The review comment of action `id`, sealed.
    pub fn seal_review_comment(keyring: &Keyring, id: &str, comment: &str) -> String {
        keyring.seal_field(REVIEW_COMMENT, id, comment)
    }

    /// The review comment of action `id` as read (`sealed` as the row's
    /// flag says), opened: without opening the response, which a reader
    /// of the comment alone has no use for.
    pub fn open_review_comment(
        keyring: &Keyring,
        id: &str,
        comment: String,
        sealed: bool,
    ) -> QueryResult<String> {
        if sealed {
            Ok(keyring.open_field(REVIEW_COMMENT, id, &comment)?)
        } else {
            Ok(comment)
        }
    }

    /// The row as it is stored: its response and review comment sealed.
    pub fn sealed(mut self, keyring: &Keyring) -> Self {
        if !self.sealed {
            self.response = Self::seal_response(keyring, &self.id, &self.response);
            self.review_comment = self
                .review_comment
                .map(|comment| Self::seal_review_comment(keyring, &self.id, &comment));
            self.sealed = true;
        }
        self
    }

    /// The row as read: its response and review comment opened.
    pub fn opened(mut self, keyring: &Keyring) -> QueryResult<Self> {
        if self.sealed {
            self.response = keyring.open_field(RESPONSE, &self.id, &self.response)?;
            self.review_comment = self
                .review_comment
                .map(|comment| keyring.open_field(REVIEW_COMMENT, &self.id, &comment))
                .transpose()?;
            self.sealed = false;
        }
        Ok(self)
    }
}

/// An `action_documents` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = action_documents, treat_none_as_default_value = false)]
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
    /// Whether the file name, info and client id held are sealed: always
    /// in the table, but for rows written before sealing; never once read.
    pub sealed: bool,
    /// The content's SHA-256, lowercase hex, as document-service stored it
    /// ('' for documents attached before hashes were kept): the case's
    /// evidence names it.
    pub sha256: String,
}

const FILE_NAME: &str = "action_documents.file_name";
const FILE_INFO: &str = "action_documents.file_info";
const FILE_CLIENT_ID: &str = "action_documents.file_client_id";

impl DocumentRow {
    /// The row as it is stored: its file name, info and client id sealed.
    pub fn sealed(mut self, keyring: &Keyring) -> Self {
        if !self.sealed {
            let id = &self.document_id;
            self.file_name = keyring.seal_field(FILE_NAME, id, &self.file_name);
            self.file_info = keyring.seal_field(FILE_INFO, id, &self.file_info);
            self.file_client_id = self
                .file_client_id
                .map(|client_id| keyring.seal_field(FILE_CLIENT_ID, id, &client_id));
            self.sealed = true;
        }
        self
    }

    /// The row as read: its file name, info and client id opened.
    pub fn opened(mut self, keyring: &Keyring) -> QueryResult<Self> {
        if self.sealed {
            let id = &self.document_id;
            self.file_name = keyring.open_field(FILE_NAME, id, &self.file_name)?;
            self.file_info = keyring.open_field(FILE_INFO, id, &self.file_info)?;
            self.file_client_id = self
                .file_client_id
                .map(|client_id| keyring.open_field(FILE_CLIENT_ID, id, &client_id))
                .transpose()?;
            self.sealed = false;
        }
        Ok(self)
    }
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
