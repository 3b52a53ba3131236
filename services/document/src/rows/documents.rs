//! The `documents` row, its states, and its conversion to the wire type.

use crate::schema::documents;
use diesel::prelude::*;
use domain::document::{DocumentMetadata, Owner};
use service_kit::Keyring;

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
#[diesel(table_name = documents, treat_none_as_default_value = false)]
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
    /// Whether the file name, info and client id held are sealed: always
    /// in the table, but for rows written before sealing; never once read.
    pub sealed: bool,
}

// Where each sealed value belongs (`<table>.<column>`), bound into its seal
// with the row's id, so that a value copied to another place does not open.
const FILE_NAME: &str = "documents.file_name";
const FILE_INFO: &str = "documents.file_info";
const FILE_CLIENT_ID: &str = "documents.file_client_id";

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
            sealed: false,
        }
    }

    /// The row as it is stored: its file name, info and client id sealed
    /// (issue 17, finding 5: a file name such as `kohli-payslip.pdf` is
    /// personal data).
    pub fn sealed(mut self, keyring: &Keyring) -> Self {
        if !self.sealed {
            let id = &self.id;
            self.file_name = keyring.seal_field(FILE_NAME, id, &self.file_name);
            self.file_info = keyring.seal_field(FILE_INFO, id, &self.file_info);
            self.file_client_id = self
                .file_client_id
                .map(|client_id| keyring.seal_field(FILE_CLIENT_ID, id, &client_id));
            self.sealed = true;
        }
        self
    }

    /// The row as read: its file name, info and client id opened. A value
    /// that does not open (a missing key, tampering) fails the read as a
    /// row that cannot be decoded; the error names neither value nor row.
    pub fn opened(mut self, keyring: &Keyring) -> QueryResult<Self> {
        if self.sealed {
            let id = &self.id;
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
