//! The answers of our read operations: the ECM envelope with the data
//! beside it, and a `nextCursor` to pass back for the next page.

use super::customer::Customer;
use super::envelope::Status;
use crate::rows::AuditRow;
use domain::{DateTimeSeconds, YesNo};
use serde::Serialize;
use utoipa::ToSchema;

/// A case, as every read shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    /// The case id.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// Its type code.
    pub case_type_code: Option<String>,
    /// Its description.
    pub case_description: Option<String>,
    /// Its status code.
    #[schema(example = "NW")]
    pub case_status_code: String,
    /// Its status name.
    #[schema(example = "New")]
    pub case_status_name: Option<String>,
    /// When its status was set, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[schema(value_type = Option<String>)]
    pub case_status_date_time: Option<DateTimeSeconds>,
    /// `Y` when its status is a closed one.
    pub case_closed_flag: Option<YesNo>,
    /// When it was created, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[schema(value_type = Option<String>)]
    pub created_on: Option<DateTimeSeconds>,
    /// Who created it (the token's subject).
    pub created_by: String,
}

/// The answer of `getCaseDetails`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetailsResponse {
    /// "Case details fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case.
    pub case: CaseSummary,
    /// A page of its customers, by customer id, each with every field it
    /// was added with.
    pub customers: Vec<Customer>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// The answer of `getCustomerCases`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerCasesResponse {
    /// "Cases fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The customer id asked for.
    pub customer_id: String,
    /// A page of the cases that include it, by case id.
    pub cases: Vec<CaseSummary>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

/// One change to a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Its sequence number.
    pub event_id: i64,
    /// When: RFC 3339 in UTC, to the microsecond.
    #[schema(example = "2026-11-22T08:00:00.000000Z")]
    pub at: String,
    /// Who: the subject of the token that made the change.
    pub actor: String,
    /// `caseCreated`, `customerAdded`, `customerRemoved` or `statusChanged`.
    #[schema(example = "customerAdded")]
    pub action: String,
    /// The customer added or removed.
    pub customer_id: Option<String>,
    /// The status before a status change.
    pub from_status: Option<String>,
    /// The status after a status change, or a new case's first status.
    pub to_status: Option<String>,
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
        }
    }
}

/// The answer of `getCaseAudit`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseAuditResponse {
    /// "Case audit fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case.
    pub case_id: String,
    /// A page of its changes, oldest first.
    pub events: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}
