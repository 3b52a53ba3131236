//! The `documents` row, its states, and its conversion to the wire type.

use crate::schema::documents;
use diesel::prelude::*;
use domain::document::{DocumentMetadata, Owner};

/// The visibility of a row; only `Stored` rows are ever shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The content is being written.
    Pending,
    /// Content and metadata both exist.
    Stored,
    /// The content is being removed.
    Deleting,
    /// A tombstone: the id was deleted before any upload with it arrived,
    /// so a late upload with that id is refused. Swept after the grace.
    Deleted,
}

impl State {
    /// The text stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Stored => "stored",
            Self::Deleting => "deleting",
            Self::Deleted => "deleted",
        }
    }
}

/// A `documents` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    /// The document id.
    pub id: String,
    /// The owning system.
    pub owner_system: String,
    /// The owning subject.
    pub owner_subject: String,
    /// What the document answers.
    pub reference: String,
    /// The file name.
    pub file_name: String,
    /// The caller's note.
    pub file_info: String,
    /// The caller's id of the file, as JSON text.
    pub file_client_id: Option<String>,
    /// The declared type.
    pub declared_type: String,
    /// The sniffed type.
    pub sniffed_type: String,
    /// The size in bytes.
    pub size: i64,
    /// The SHA-256 in hex.
    pub sha256: String,
    /// `pending`, `stored`, `deleting` or `deleted`.
    pub state: String,
    /// When it was created.
    pub created_at: String,
}

impl DocumentRow {
    /// The tombstone of an id deleted before it was used (see [`State::Deleted`]).
    pub fn tombstone(id: &str, owner: &Owner, now: &str) -> Self {
        Self {
            id: id.to_owned(),
            owner_system: owner.system.clone(),
            owner_subject: owner.subject.clone(),
            reference: String::new(),
            file_name: String::new(),
            file_info: String::new(),
            file_client_id: None,
            declared_type: String::new(),
            sniffed_type: String::new(),
            size: 0,
            sha256: String::new(),
            state: State::Deleted.as_str().to_owned(),
            created_at: now.to_owned(),
        }
    }

    /// The metadata callers see.
    pub fn metadata(self) -> DocumentMetadata {
        DocumentMetadata {
            id: self.id,
            owner: Owner {
                system: self.owner_system,
                subject: self.owner_subject,
            },
            reference: self.reference,
            file_name: self.file_name,
            file_info: self.file_info,
            file_client_id: self
                .file_client_id
                .and_then(|text| serde_json::from_str(&text).ok()),
            declared_type: self.declared_type,
            sniffed_type: self.sniffed_type,
            size: self.size,
            sha256: self.sha256,
            created_at: self.created_at,
        }
    }
}
