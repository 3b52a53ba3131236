//! The rows of the user-action database.
#![allow(missing_docs)]

use crate::schema::{action_documents, applicants, applications, audit_events, user_actions};
use diesel::prelude::*;

/// An `applications` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = applications)]
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
#[diesel(table_name = applicants)]
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
}

/// An `audit_events` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub application_id: String,
    pub subject: String,
    pub kind: String,
    pub target: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub at: String,
}

impl AuditRow {
    /// An event now.
    pub fn now(
        application_id: &str,
        subject: &str,
        kind: &str,
        target: &str,
        old: Option<&str>,
        new: Option<&str>,
    ) -> Self {
        Self {
            id: domain::ids::new_hex24(),
            application_id: application_id.to_owned(),
            subject: subject.to_owned(),
            kind: kind.to_owned(),
            target: target.to_owned(),
            old_value: old.map(str::to_owned),
            new_value: new.map(str::to_owned),
            at: service_kit::db::timestamp(chrono::Utc::now()),
        }
    }
}
