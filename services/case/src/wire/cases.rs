//! The cases resource's requests and answers: cases to create, status
//! changes, and the reads (a case's status, a case with its customers, a
//! customer's cases), each read in the ECM envelope with its data beside it
//! and a `nextCursor` to pass back for the next page.

use super::audit::AuditEvent;
use super::customer::Customer;
use super::envelope::Status;
use super::events::CaseEvent;
use super::locks::CaseLock;
use super::narratives::Narrative;
use super::recommendations::Recommendation;
use super::records::{Account, ExternalEntity, Transaction};
use super::values::{Id, Prose, ShortText, Text};
use domain::{DateTimeSeconds, YesNo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCase {
    /// The case id, chosen by the caller (`CA100`).
    pub case_id: Id,
    /// The case type code.
    #[serde(default)]
    pub case_type_code: Option<ShortText>,
    /// A description of the case, at most 2000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub case_description: Option<CaseDescription>,
}

/// A case's description: at most 2000 characters, without control
/// characters.
pub type CaseDescription = Text<2000>;

/// The body of `updateCaseDescription` (ECM guide 4.6; read field by
/// field, this type documents it).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DescriptionChange {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: Id,
    /// The new description: at most 2000 characters, not blank, without
    /// control characters.
    #[schema(
        example = "This case was created because of suspicious events reported on the customer.",
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub case_description: String,
}

/// A status change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// The case.
    pub case_id: Id,
    /// The new status: `NW`, `INV`, `ESC`, `CLS`, or for an application's
    /// case `APR`, `REJ` or `RFI` (SPEC §D).
    #[schema(value_type = CaseStatusCode, example = "INV")]
    pub case_status_code: ShortText,
    /// Why (optional): at most 2000 characters, not blank, line breaks
    /// and tabs kept; kept in the audit entry of the change (its
    /// `newValue`).
    #[serde(default)]
    #[schema(
        value_type = Option<String>, min_length = 1, max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
        example = "All documents checked against the originals."
    )]
    pub comment: Option<StatusComment>,
}

/// The comment of a status change: at most 2000 characters of prose.
pub type StatusComment = Prose<2000>;

/// The codes of the statuses a case can be set to (as `status::STATUSES`
/// lists them; the API document says which codes are taken).
#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub enum CaseStatusCode {
    /// New.
    NW,
    /// Investigation.
    INV,
    /// Escalated.
    ESC,
    /// Closed.
    CLS,
    /// Closed – Approved: the application is approved. Refused while an
    /// action that needs review has no accepted document.
    APR,
    /// Closed – Rejected: the application is rejected.
    REJ,
    /// Pending with customer.
    RFI,
}

/// An item of `getCaseStatusDetails`: the case id and nothing else.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseRef {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: String,
}

/// A page of a case's customers (the request is read field by field; this
/// type documents it).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CasePageRequest {
    /// The case: any text that is not blank.
    #[schema(example = "CA100", pattern = "\\S")]
    pub case_id: String,
    /// Page size, 1 to 100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page of customers.
    pub cursor: Option<String>,
    /// The `nextEventsCursor` of the previous page of events.
    pub events_cursor: Option<String>,
    /// The `nextNarrativesCursor` of the previous page of narratives.
    #[schema(pattern = "^[+-]?[0-9]{1,18}$")]
    pub narratives_cursor: Option<String>,
    /// The `nextAccountsCursor` of the previous page of accounts.
    pub accounts_cursor: Option<String>,
    /// The `nextExternalEntitiesCursor` of the previous page of external
    /// entities.
    pub external_entities_cursor: Option<String>,
    /// The `nextTransactionsCursor` of the previous page of transactions.
    pub transactions_cursor: Option<String>,
    /// The `nextAuditCursor` of the previous page of the audit trail.
    #[schema(pattern = "^[+-]?[0-9]{1,18}$")]
    pub audit_cursor: Option<String>,
}

/// A page of a case's audit trail: as [`CasePageRequest`], with the
/// event id as the cursor.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditPageRequest {
    /// The case: any text that is not blank.
    #[schema(example = "CA100", pattern = "\\S")]
    pub case_id: String,
    /// Page size, 1 to 100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page: an event id.
    #[schema(pattern = "^[+-]?[0-9]{1,18}$")]
    pub cursor: Option<String>,
}

/// A page of the cases that include a customer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomerPageRequest {
    /// The customer: any text that is not blank.
    #[schema(example = "CUST123", pattern = "\\S")]
    pub customer_id: String,
    /// Page size, 1 to 100 (default 20).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// One case's status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseStatusResult {
    /// "Case status fetched successfully." or "Case does not exist.".
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS` or `FAILED`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case id as sent.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The status code (`null` when the case does not exist).
    #[schema(example = "INV")]
    pub case_status_code: Option<String>,
    /// The status name.
    #[schema(example = "Investigation")]
    pub case_status_name: Option<String>,
    /// When the status was set, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[schema(value_type = Option<String>, example = "2022-06-24 10:28:48")]
    pub case_status_date_time: Option<DateTimeSeconds>,
    /// `Y` when the status is a closed one.
    pub case_closed_flag: Option<YesNo>,
}

/// The answer of `getCaseStatusDetails`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStatusResponse {
    /// The roll-up message.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Case Status fetch Successful.")]
    pub message: String,
    /// The roll-up of the cases.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The cases, in request order.
    #[serde(rename = "RESULTARRAY")]
    pub results: Vec<CaseStatusResult>,
}

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
    /// Its priority: `Low` for a case promoted from events, `null` for one
    /// made with `createCase`.
    #[schema(example = "Low")]
    pub priority: Option<String>,
    /// When it is due, `YYYY-MM-DD` (`CASE_DUE_DAYS` after a promotion;
    /// `null` for a case made with `createCase`).
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-29")]
    pub due_date: Option<String>,
    /// The application the case was opened for, when user-action's
    /// submission opened it (SPEC §D); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "6f1c2a9e8b7d4c3a2b1e0f9a")]
    pub application_id: Option<String>,
    /// Who works the case (a case worker's subject, set by `assignCase`);
    /// `null` while no one does.
    #[schema(example = "analyst-7")]
    pub assignee: Option<String>,
    /// Since when it is assigned, RFC 3339 in UTC; `null` while it is not.
    #[schema(example = "2026-12-07T10:28:48.123456Z")]
    pub assigned_at: Option<String>,
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
    /// The application the case was opened for (SPEC §D): its actions
    /// that need review, its documents as evidence with their reviews, and
    /// the applicant's requests for help; absent for any other case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application: Option<super::flow::CaseApplication>,
    /// Who holds the case's lock, since and until when; `null` when no
    /// one does (never locked, released, or expired).
    pub lock: Option<CaseLock>,
    /// Its effective risk: the highest `effectiveRisk` of all its
    /// customers, as a decimal string; `null` when none has one.
    #[schema(example = "72.5")]
    pub effective_risk: Option<String>,
    /// Whether setting it to `APR` or `REJ` takes two case workers (four
    /// eyes): its effective risk is at least
    /// `CASE_FOUR_EYES_RISK_THRESHOLD`.
    pub four_eyes_required: bool,
    /// Its open recommendation (`recommendCaseStatus`); `null` when it
    /// has none.
    pub recommendation: Option<Recommendation>,
    /// A page of its customers, by customer id, each with every field it
    /// was added with.
    pub customers: Vec<Customer>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
    /// A page of its events, by event code.
    pub events: Vec<CaseEvent>,
    /// Pass as `eventsCursor` for the next page of events; `null` on the last.
    pub next_events_cursor: Option<String>,
    /// A page of its narratives, oldest first (newest last).
    pub narratives: Vec<Narrative>,
    /// Pass as `narrativesCursor` for the next page of narratives; `null`
    /// on the last.
    pub next_narratives_cursor: Option<String>,
    /// A page of its accounts, by id.
    pub accounts: Vec<Account>,
    /// Pass as `accountsCursor` for the next page of accounts; `null` on
    /// the last.
    pub next_accounts_cursor: Option<String>,
    /// A page of its external entities, by id.
    pub external_entities: Vec<ExternalEntity>,
    /// Pass as `externalEntitiesCursor` for the next page of external
    /// entities; `null` on the last.
    pub next_external_entities_cursor: Option<String>,
    /// A page of its transactions, by id.
    pub transactions: Vec<Transaction>,
    /// Pass as `transactionsCursor` for the next page of transactions;
    /// `null` on the last.
    pub next_transactions_cursor: Option<String>,
    /// A page of its audit trail, oldest first: every change, with who
    /// made it, when, and the values before and after (as `getCaseAudit`).
    pub audit: Vec<AuditEvent>,
    /// Pass as `auditCursor` for the next page of the audit trail; `null`
    /// on the last.
    pub next_audit_cursor: Option<String>,
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
