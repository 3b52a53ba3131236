//! The rows case-service stores, and their conversions to and from the wire
//! types.

pub mod audit;
pub mod customer;
pub mod decimal;
pub mod events;
pub mod flow;
pub mod lists;
pub mod narrative;
pub mod recommendation;
pub mod records;
pub mod sealed;
pub mod stored;

use crate::schema::{case_locks, cases};
use crate::status;
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
    /// The application it was opened for (SPEC §D), if any.
    pub application_id: Option<String>,
    /// Who works it (a case worker's subject), if anyone (`assignCase`).
    pub assignee: Option<String>,
    /// Since when (RFC 3339, UTC).
    pub assigned_at: Option<String>,
    /// The customer it was opened for: its events' focus.
    pub focus_customer_id: Option<String>,
    /// The priority's rank ([`status::priority_rank`]), for sorting.
    pub priority_rank: Option<i32>,
}

/// A `case_locks` row: who holds a case, since and until when.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_locks, treat_none_as_default_value = false)]
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
            application_id: case.application_id,
            assignee: case.assignee,
            assigned_at: case.assigned_at,
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

/// A stored RFC 3339 timestamp as ECM writes times (UTC, to the second).
pub fn ecm_time(stored: &str) -> Option<DateTimeSeconds> {
    chrono::DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|at| DateTimeSeconds::new(at.naive_utc()))
}
