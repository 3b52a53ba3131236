//! getAuditEvents: an application's audit trail, a page at a time.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The most events one page of the audit trail holds (`limit`).
pub const MAX_AUDIT_PAGE: i64 = 500;

/// The body of getAuditEvents: the application, and which page of its
/// trail.
// `limit` and `cursor` are kept as sent and checked by the handler, so that
// any bad value is refused with one message naming the field.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AuditQuery {
    /// The application (default: the caller's latest).
    #[serde(
        default,
        rename = "Application_id",
        deserialize_with = "super::optional"
    )]
    pub application_id: Option<String>,
    /// Page size: 1 to 500 events (default `USER_ACTION_AUDIT_PAGE_SIZE`,
    /// 100).
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub limit: Option<Value>,
    /// Where the page starts: the previous page's `nextCursor` (the time
    /// and id of its last event). The first page when absent.
    #[serde(default)]
    #[schema(
        value_type = Option<String>,
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z_[0-9a-f]{24}$",
        example = "2026-05-08T10:00:00.123456Z_60fe1b7edecbb711d1e76641"
    )]
    pub cursor: Option<Value>,
}

/// What getAuditEvents answers: a page of the application's events, oldest
/// first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEvents {
    /// How many events this page holds.
    pub count: usize,
    /// The events.
    #[serde(rename = "AuditEvents")]
    pub audit_events: Vec<AuditEvent>,
    /// The application.
    #[serde(rename = "Application_id")]
    #[schema(example = "3X88WLM")]
    pub application_id: String,
    /// Present only when more events follow: pass it as `cursor` for the
    /// next page.
    #[serde(rename = "nextCursor", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_cursor: Option<String>,
}

/// One consent or change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// The event's id.
    #[schema(example = "60fe1b7edecbb711d1e76641")]
    pub id: String,
    /// When it happened (RFC 3339, UTC).
    pub time: String,
    /// The end user who did it (the token's subject), or `bank` for a
    /// change the bank's staff made (a review): their identity is kept in
    /// the trail but not shown to the applicant.
    pub subject: String,
    /// What happened: `application-created`, `consent`, `applicant-added`,
    /// `applicant-updated`, `document-attached` or `status-change`.
    #[schema(example = "status-change")]
    pub kind: String,
    /// What it happened to: an application, applicant, consent or action.
    pub target: String,
    /// The value before, where there was one.
    pub old_value: Option<String>,
    /// The value after, where there is one.
    pub new_value: Option<String>,
}
