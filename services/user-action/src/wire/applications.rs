//! The internal listing of applications (issue 15): its query. The answer
//! is `domain::applications::ApplicationPage`, shared with the typed
//! client.

use serde::Deserialize;

/// The default page of the listing.
pub const DEFAULT_APPLICATION_PAGE: i64 = 25;
/// The largest page of the listing.
pub const MAX_APPLICATION_PAGE: i64 = 100;

/// The query of `GET /user-action/v1/applications`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct ApplicationListQuery {
    /// Only applications in these statuses, comma-separated: `InProgress`,
    /// `Submitted`, `UnderReview`, `Approved`, `Rejected`, `Withdrawn`.
    #[param(
        example = "Submitted,UnderReview",
        pattern = "^(InProgress|Submitted|UnderReview|Approved|Rejected|Withdrawn)(,(InProgress|Submitted|UnderReview|Approved|Rejected|Withdrawn))*$"
    )]
    pub status: Option<String>,
    /// `true`: only applications with requests for help (notifyRM) still
    /// open, that is, not withdrawn or decided; `false` filters nothing.
    pub pending_rm: Option<bool>,
    /// Page size, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `nextCursor` of the previous page.
    #[param(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z_[A-Z0-9]{7}$"
    )]
    pub cursor: Option<String>,
}
