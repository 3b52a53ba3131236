//! What the case screens' links and forms send: the inbox's query, a
//! case's tab and page, and each action's form. Every field arrives as
//! text and is checked by the handler, so a bad one is answered with a
//! page naming it, not a bare 400.

use serde::Deserialize;

/// The inbox's query string (`GET /console/cases?...`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct InboxQuery {
    /// A status code, or empty for any.
    #[serde(default)]
    pub status: String,
    /// A case type code, or empty for any.
    #[serde(default, rename = "type")]
    pub case_type: String,
    /// `Low`, `Medium`, `High`, or empty for any.
    #[serde(default)]
    pub priority: String,
    /// `mine`, `unassigned`, or `any` (empty: any).
    #[serde(default)]
    pub assignee: String,
    /// `on` for overdue cases only.
    #[serde(default)]
    pub overdue: String,
    /// A case id (or its beginning), a customer id or a customer's name.
    #[serde(default)]
    pub q: String,
    /// `dueDate` (default), `priority`, `createdOn`, `statusChanged`,
    /// `caseId`.
    #[serde(default)]
    pub sort: String,
    /// `asc` (default) or `desc`.
    #[serde(default)]
    pub order: String,
    /// The page, from 1.
    #[serde(default)]
    pub page: String,
}

/// A case page's query string (`GET /console/cases/{caseId}?tab=&cursor=`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CaseQuery {
    /// The tab (`customers` when empty).
    #[serde(default)]
    pub tab: String,
    /// The cursor of the tab's page, from its "Next page" link.
    #[serde(default)]
    pub cursor: String,
}

/// The forms that carry only their token and the tab they came from
/// (Edit, Done).
#[derive(Debug, Deserialize)]
pub struct CaseForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The tab to come back to.
    #[serde(default)]
    pub tab: String,
}

/// Assign to me, reassign, unassign.
#[derive(Debug, Deserialize)]
pub struct AssignForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The tab to come back to.
    #[serde(default)]
    pub tab: String,
    /// `me`, `other` (to `assignee`) or `nobody`.
    #[serde(default)]
    pub to: String,
    /// The case worker's subject, for `other`.
    #[serde(default)]
    pub assignee: String,
}

/// A status change.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The tab to come back to.
    #[serde(default)]
    pub tab: String,
    /// The new status code.
    #[serde(default)]
    pub status: String,
    /// Why (required for `APR`, `REJ` and `RFI`).
    #[serde(default)]
    pub comment: String,
}

/// A narrative to add.
#[derive(Debug, Deserialize)]
pub struct NarrativeForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// The text.
    #[serde(default)]
    pub narrative: String,
}

/// A document's review.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// `ACCEPT` or `REJECT`.
    #[serde(default)]
    pub decision: String,
    /// Why (required to reject).
    #[serde(default)]
    pub reason: String,
}

/// An event's risk decision.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    /// The session's CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// One of the configured decision codes.
    #[serde(default)]
    pub decision: String,
    /// Comments (optional).
    #[serde(default)]
    pub comments: String,
}
