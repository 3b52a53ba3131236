//! The case workers' inbox (ours, issue 15): `searchCases`' request and
//! answer, and `assignCase`'s items.

use super::cases::CaseSummary;
use super::envelope::Status;
use super::values::Id;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

/// A case worker a case is assigned to: their subject, 1 to 200
/// characters, not blank, without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignee(String);

impl Assignee {
    /// The subject.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Assignee {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let subject = String::deserialize(d)?;
        super::values::check_subject(&subject).map_err(serde::de::Error::custom)?;
        Ok(Self(subject))
    }
}

/// An item of `assignCase`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: Id,
    /// Who works it from now: a case worker's subject (1 to 200
    /// characters, not blank, no control characters), or `null` for no
    /// one. Required: an item without it is refused, so that a
    /// forgotten field does not unassign.
    #[serde(deserialize_with = "present")]
    #[schema(
        value_type = Option<String>, required = true, example = "analyst-7",
        min_length = 1, max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub assignee: Option<Assignee>,
}

/// A nullable field that must be present (`deserialize_with` drops serde's
/// "absent is `None`").
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Option::deserialize(d)
}

/// The body of `searchCases` (read field by field; this type documents
/// it). Every filter is optional; those sent must all hold.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SearchRequest {
    /// Only cases in one of these statuses (`NW`, `INV`, `ESC`, `CLS`,
    /// `APR`, `REJ`, `RFI`, `WDN`); at most 20 codes.
    #[schema(max_items = 20, example = json!(["NW", "INV"]))]
    pub status_codes: Option<Vec<SearchStatusCode>>,
    /// Only cases of one of these types; at most 20 codes, each 1 to 64
    /// characters.
    #[schema(max_items = 20, example = json!(["KYC"]))]
    pub case_type_codes: Option<Vec<Id>>,
    /// Only cases of one of these priorities; at most 20.
    #[schema(max_items = 20, example = json!(["High"]))]
    pub priorities: Option<Vec<Priority>>,
    /// `mine` (assigned to the caller), `unassigned`, or `any` (the
    /// default).
    pub assignee: Option<AssigneeFilter>,
    /// `true`: only overdue cases (due before today, UTC, and not closed).
    /// `false` or absent: any.
    pub overdue: Option<bool>,
    /// A case id (exactly, or its beginning), a customer id (exactly), or
    /// a customer's full name (first and last name, middle names left out;
    /// an organisation's name) or last name, whole: case and spacing do not
    /// matter. 1 to 512 characters, not blank.
    #[schema(
        example = "CA1",
        min_length = 1,
        max_length = 512,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub query: Option<String>,
    /// The order: by `dueDate` (the default), `priority` (its rank, Low
    /// to High), `createdOn`, `statusChanged` or `caseId`; ties go by
    /// case id. Cases without a due date or priority come last ascending
    /// and first descending: `desc` is exactly `asc` reversed.
    pub sort: Option<SortKey>,
    /// `asc` (the default) or `desc`.
    pub order: Option<SortOrder>,
    /// Page size, 1 to 100 (default 25).
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// How many cases to skip, 0 to 10,000 (default 0).
    #[schema(minimum = 0, maximum = 10000)]
    pub offset: Option<i64>,
}

/// A status code `searchCases` filters by: any status.
#[derive(Serialize, ToSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum SearchStatusCode {
    /// New.
    NW,
    /// Investigation.
    INV,
    /// Escalated.
    ESC,
    /// Closed.
    CLS,
    /// Closed – Approved.
    APR,
    /// Closed – Rejected.
    REJ,
    /// Pending with customer.
    RFI,
    /// Closed – Withdrawn.
    WDN,
}

/// A priority.
#[derive(Serialize, ToSchema)]
pub enum Priority {
    /// The lowest (every case promoted from events starts so).
    Low,
    /// Medium.
    Medium,
    /// The highest.
    High,
}

/// Whose cases.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssigneeFilter {
    /// Assigned to the caller.
    Mine,
    /// Assigned to no one.
    Unassigned,
    /// Anyone's or no one's.
    Any,
}

/// What `searchCases` sorts by.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum SortKey {
    /// The due date.
    DueDate,
    /// The priority's rank.
    Priority,
    /// When the case was created.
    CreatedOn,
    /// When its status was last set.
    StatusChanged,
    /// The case id.
    CaseId,
}

/// Which way.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// A case as the inbox lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InboxCase {
    /// The case, as every read shows it (its assignee and linked
    /// application included).
    #[serde(flatten)]
    pub case: CaseSummary,
    /// Whether it is overdue: due before today (UTC) and not closed.
    pub overdue: bool,
    /// The customer it was opened for (its events' focus); `null` for a
    /// case made with `createCase`.
    #[schema(example = "CUST123")]
    pub focus_customer_id: Option<String>,
    /// Who holds its lock, while someone does; `null` otherwise.
    #[schema(example = "analyst-9")]
    pub locked_by: Option<String>,
}

/// The answer of `searchCases`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchResponse {
    /// "Cases fetched successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// How many cases match, on every page, counted up to 10,100 (the
    /// deepest page a search reaches, offset 10,000 and limit 100): when
    /// more match, `total` is 10,100 and `totalCapped` is true.
    #[schema(example = 312)]
    pub total: i64,
    /// More cases match than `total` says (it is the count's cap, a lower
    /// bound): a narrower search counts them exactly.
    pub total_capped: bool,
    /// The page size used.
    pub limit: i64,
    /// The cases skipped.
    pub offset: i64,
    /// The page of cases, in the order asked for.
    pub cases: Vec<InboxCase>,
}
