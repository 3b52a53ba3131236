//! `applications` and `applicants`.
#![allow(missing_docs)]

use crate::schema::{applicants, applications};
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
