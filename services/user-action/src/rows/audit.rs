//! `audit_events`.
#![allow(missing_docs)]

use crate::schema::audit_events;
use crate::wire::AuditEvent;
use diesel::prelude::*;

/// An `audit_events` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
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

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            id: row.id,
            time: row.at,
            subject: row.subject,
            kind: row.kind,
            target: row.target,
            old_value: row.old_value,
            new_value: row.new_value,
        }
    }
}
