//! The rows case-service stores, and their conversions to and from the wire
//! types.

pub mod customer;
pub mod decimal;
pub mod events;
pub mod lists;
pub mod narrative;
pub mod records;
pub mod stored;

use crate::schema::{case_audit, case_locks, cases};
use crate::status;
use crate::wire::audit::AuditEvent;
use crate::wire::cases::CaseSummary;
use crate::wire::locks::CaseLock;
use diesel::prelude::*;
use domain::{DateTimeSeconds, YesNo};

/// A `cases` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases, treat_none_as_default_value = false)]
pub struct CaseRow {
    /// The case id.
    pub case_id: String,
    /// Its type code.
    pub case_type_code: Option<String>,
    /// Its description.
    pub case_description: Option<String>,
    /// Its status code.
    pub case_status_code: String,
    /// When the status was last set (RFC 3339, UTC).
    pub status_changed_at: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// Who created it (the token's subject).
    pub created_by: String,
    /// Its priority (`Low` for a case promoted from events).
    pub priority: Option<String>,
    /// When it is due, `YYYY-MM-DD`.
    pub due_date: Option<String>,
}

/// A `case_locks` row: who holds a case, since and until when.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_locks)]
pub struct LockRow {
    /// The case.
    pub case_id: String,
    /// Who holds it (the token's subject).
    pub holder: String,
    /// When it was taken (RFC 3339, UTC); a renewal keeps it.
    pub taken_at: String,
    /// When it expires (RFC 3339, UTC).
    pub expires_at: String,
}

/// A `case_audit` row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_audit)]
pub struct AuditRow {
    /// Its sequence number.
    pub id: i64,
    /// The case.
    pub case_id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (the token's subject).
    pub actor: String,
    /// What: `caseCreated`, `customerAdded`, `accountAdded`, `eventAdded`,
    /// ... (see `store::audit::Action`).
    /// What: one of `store::audit::Action`'s names.
    pub action: String,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// The status before.
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: Option<String>,
    /// The record (account, external entity, transaction) concerned.
    pub record_id: Option<String>,
    /// The event concerned.
    pub event_code: Option<String>,
    /// The value before (a description, a lock's expiry).
    pub old_value: Option<String>,
    /// The value after (a description, a lock's expiry, a narrative's id).
    pub new_value: Option<String>,
}

/// A `case_audit` row to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = case_audit, treat_none_as_default_value = false)]
pub struct NewAudit {
    /// The case.
    pub case_id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: &'static str,
    /// The customer concerned.
    pub customer_id: Option<String>,
    /// The status before.
    pub from_status: Option<String>,
    /// The status after.
    pub to_status: Option<String>,
    /// The record (account, external entity, transaction) concerned.
    pub record_id: Option<String>,
    /// The event concerned.
    pub event_code: Option<String>,
    /// The value before (a description, a lock's expiry).
    pub old_value: Option<String>,
    /// The value after (a description, a lock's expiry, a narrative's id).
    pub new_value: Option<String>,
}

/// A case's summary, as every read shows it.
impl From<CaseRow> for CaseSummary {
    fn from(case: CaseRow) -> Self {
        let known = status::by_code(&case.case_status_code);
        CaseSummary {
            case_type_code: case.case_type_code,
            case_description: case.case_description,
            case_status_name: known.map(|s| s.name.to_owned()),
            case_status_date_time: ecm_time(&case.status_changed_at),
            case_closed_flag: known.map(|s| if s.closed { YesNo::Yes } else { YesNo::No }),
            created_on: ecm_time(&case.created_at),
            created_by: case.created_by,
            priority: case.priority,
            due_date: case.due_date,
            case_status_code: case.case_status_code,
            case_id: case.case_id,
        }
    }
}

impl From<LockRow> for CaseLock {
    fn from(row: LockRow) -> Self {
        Self {
            locked_by: row.holder,
            locked_at: row.taken_at,
            locked_until: row.expires_at,
        }
    }
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        Self {
            event_id: row.id,
            at: row.at,
            actor: row.actor,
            action: row.action,
            customer_id: row.customer_id,
            from_status: row.from_status,
            to_status: row.to_status,
            record_id: row.record_id,
            event_code: row.event_code,
            old_value: row.old_value,
            new_value: row.new_value,
        }
    }
}

/// A stored RFC 3339 timestamp as ECM writes times (UTC, to the second).
pub fn ecm_time(stored: &str) -> Option<DateTimeSeconds> {
    chrono::DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|at| DateTimeSeconds::new(at.naive_utc()))
}
