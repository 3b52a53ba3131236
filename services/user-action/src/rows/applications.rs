//! `applications` and `applicants`.
#![allow(missing_docs)]

use crate::schema::{applicants, applications};
use diesel::prelude::*;
use service_kit::Keyring;

/// An `applications` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications, treat_none_as_default_value = false)]
pub struct ApplicationRow {
    pub id: String,
    pub owner_subject: String,
    pub main_party_id: String,
    pub status: String,
    pub branch_reference: Option<String>,
    pub section_progress: Option<String>,
    pub is_existing_customer: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An `applicants` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applicants, treat_none_as_default_value = false)]
pub struct ApplicantRow {
    pub entity_id: String,
    pub application_id: String,
    pub party_id: String,
    pub applicant_type: String,
    pub first_name: String,
    pub last_name: String,
    pub is_existent_member: Option<bool>,
    pub created_at: String,
    pub updated_at: String,
    /// Whether the names held are sealed: always in the table, but for rows
    /// written before sealing; never once read.
    pub sealed: bool,
}

const FIRST_NAME: &str = "applicants.first_name";
const LAST_NAME: &str = "applicants.last_name";

impl ApplicantRow {
    /// The names of applicant `entity_id`, sealed.
    pub fn seal_names(
        keyring: &Keyring,
        entity_id: &str,
        first: &str,
        last: &str,
    ) -> (String, String) {
        (
            keyring.seal_field(FIRST_NAME, entity_id, first),
            keyring.seal_field(LAST_NAME, entity_id, last),
        )
    }

    /// The row as it is stored: its names sealed.
    pub fn sealed(mut self, keyring: &Keyring) -> Self {
        if !self.sealed {
            (self.first_name, self.last_name) =
                Self::seal_names(keyring, &self.entity_id, &self.first_name, &self.last_name);
            self.sealed = true;
        }
        self
    }

    /// The row as read: its names opened.
    pub fn opened(mut self, keyring: &Keyring) -> QueryResult<Self> {
        if self.sealed {
            self.first_name = keyring.open_field(FIRST_NAME, &self.entity_id, &self.first_name)?;
            self.last_name = keyring.open_field(LAST_NAME, &self.entity_id, &self.last_name)?;
            self.sealed = false;
        }
        Ok(self)
    }
}
