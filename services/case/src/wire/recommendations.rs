//! Four eyes (ours, issue 15): `recommendCaseStatus`'s items, and the open
//! recommendation `getCaseDetails` shows.

use super::values::{Id, Prose, ShortText};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest comment of a recommendation, in characters.
pub const COMMENT_MAX: usize = 2000;

/// An item of `recommendCaseStatus`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRecommendation {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: Id,
    /// The closing status recommended: `APR` or `REJ`.
    #[schema(value_type = RecommendedStatusCode, example = "APR")]
    pub case_status_code: ShortText,
    /// Why: plain text, 1 to 2000 characters; line breaks and tabs are
    /// kept, other control characters refused.
    #[schema(
        value_type = String, min_length = 1, max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
        example = "Documents verified; no adverse media."
    )]
    pub comment: Prose<COMMENT_MAX>,
}

/// The statuses a case worker may recommend.
#[derive(ToSchema)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub enum RecommendedStatusCode {
    /// Closed – Approved.
    APR,
    /// Closed – Rejected.
    REJ,
}

/// A case's open recommendation: a second case worker's
/// `updateCaseStatus` to its status approves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// The status recommended: `APR` or `REJ`.
    #[schema(example = "APR")]
    pub case_status_code: String,
    /// Who recommended it.
    #[schema(example = "analyst-1")]
    pub recommended_by: String,
    /// When, RFC 3339 in UTC.
    #[schema(example = "2026-12-07T10:28:48.123456Z")]
    pub recommended_at: String,
    /// Why.
    pub comment: String,
}
