//! user-action's internal listing of applications (issue 15, the
//! console's "Applications" screen): `GET /user-action/v1/applications`
//! answers an [`ApplicationPage`]. The service serialises these and
//! `clients::UserActionClient` reads them, so both sides share one shape.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A page of applications, most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationPage {
    /// The applications of this page.
    pub applications: Vec<ListedApplication>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[schema(example = "2026-12-07T10:00:00.000000Z_3X88WLM")]
    pub next_cursor: Option<String>,
    /// How many applications match the filters, over all pages.
    #[schema(example = 1)]
    pub total: u64,
}

/// An application as a relationship manager follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedApplication {
    /// The application (`Application_id`).
    #[schema(example = "3X88WLM")]
    pub application_id: String,
    /// Its status (SPEC §D): `InProgress`, `Submitted`, `UnderReview`,
    /// `Approved`, `Rejected` or `Withdrawn`.
    #[schema(example = "UnderReview")]
    pub status: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When its status last changed, or it was created (RFC 3339, UTC).
    pub updated_at: String,
    /// Its KYC case in case-service, once case-service has told
    /// user-action it opened one; `null` before.
    #[schema(example = "CA0000000001")]
    pub case_id: Option<String>,
    /// The case's status as its last decision left it (`RFI`, `APR`,
    /// ...); `null` before any.
    pub case_status: Option<String>,
    /// Its applicants, the main applicant first.
    pub applicants: Vec<ListedApplicant>,
    /// Its user actions waiting for the applicant (`Created`, or
    /// `Rejected` by the bank), in listing order.
    pub pending_actions: Vec<PendingAction>,
    /// Its applicant's requests for help (notifyRM), newest first: at most
    /// the newest 20.
    pub rm_requests: Vec<ListedRmRequest>,
    /// How many requests for help it has in all.
    pub rm_request_count: u64,
}

/// An applicant of a listed application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedApplicant {
    /// Its party in party-service.
    #[schema(example = "1778258145")]
    pub party_id: String,
    /// `Applicant` (the main one) or `CoApplicant`.
    #[serde(rename = "type")]
    #[schema(example = "Applicant")]
    pub applicant_type: String,
    /// The first name.
    #[schema(example = "Virat")]
    pub first_name: String,
    /// The last name.
    #[schema(example = "Kohli")]
    pub last_name: String,
}

/// A user action waiting for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingAction {
    /// `{UserActionName}_{PartyId}_{Application_id}`.
    #[schema(example = "Passport_1778258145_3X88WLM")]
    pub identifier: String,
    /// The catalog's name of the action.
    #[schema(example = "Passport")]
    pub name: String,
    /// `Created` or `Rejected`.
    #[schema(example = "Rejected")]
    pub status: String,
    /// Why the bank sent it back (`Rejected` only); `null` otherwise.
    #[schema(example = "The scan is unreadable")]
    pub review_comment: Option<String>,
}

/// An applicant's request for help (notifyRM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedRmRequest {
    /// The request (notifyRM's `id`).
    #[schema(example = "60fe1b7edecbb711d1e76641")]
    pub id: String,
    /// What the applicant asked.
    #[schema(example = "Which payslips do you need?")]
    pub message: String,
    /// The case it reached, once it has.
    pub case_id: Option<String>,
    /// When it was sent (RFC 3339, UTC).
    pub created_at: String,
}
