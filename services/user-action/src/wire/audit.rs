//! getAuditEvents: an application's audit trail.

use serde::Serialize;

/// What getAuditEvents answers: the application's events, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEvents {
    /// How many events there are.
    pub count: usize,
    /// The events.
    #[serde(rename = "AuditEvents")]
    pub audit_events: Vec<AuditEvent>,
    /// The application.
    #[serde(rename = "Application_id")]
    #[schema(example = "3X88WLM")]
    pub application_id: String,
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
