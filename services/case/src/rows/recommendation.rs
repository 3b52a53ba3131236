//! A `case_recommendations` row: a case worker's recommendation of a
//! case's closing status (four eyes). Its comment is free text a case
//! worker writes, which may name the customer: sealed, bound to its case
//! and time.

use super::stored::Corrupt;
use crate::schema::case_recommendations;
use crate::wire::recommendations::Recommendation;
use diesel::prelude::*;
use service_kit::Keyring;

/// The sealed column of a recommendation's comment.
pub const COMMENT: &str = "case_recommendations.comment";

/// A `case_recommendations` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_recommendations, treat_none_as_default_value = false)]
pub struct RecommendationRow {
    /// The case.
    pub case_id: String,
    /// The status recommended (`APR` or `REJ`).
    pub status_code: String,
    /// Who recommended it.
    pub recommended_by: String,
    /// When (RFC 3339, UTC).
    pub recommended_at: String,
    /// Why, sealed.
    pub comment: String,
}

/// The associated data of the comment of `case_id`'s recommendation made
/// `at`: the case's length keeps the pair unambiguous.
pub fn comment_context(case_id: &str, at: &str) -> String {
    format!("{COMMENT}:{}:{case_id}:{at}", case_id.len())
}

impl RecommendationRow {
    /// The row of a recommendation of `status_code` on `case_id` by `by`
    /// `at`, its comment sealed.
    pub fn of(
        keyring: &Keyring,
        case_id: &str,
        status_code: &str,
        comment: &str,
        by: &str,
        at: &str,
    ) -> Self {
        Self {
            case_id: case_id.to_owned(),
            status_code: status_code.to_owned(),
            recommended_by: by.to_owned(),
            recommended_at: at.to_owned(),
            comment: keyring.seal(&comment_context(case_id, at), comment),
        }
    }

    /// Its comment, opened.
    pub fn opened_comment(&self, keyring: &Keyring) -> Result<String, Corrupt> {
        keyring
            .open(
                &comment_context(&self.case_id, &self.recommended_at),
                &self.comment,
            )
            .map_err(|e| Corrupt(e.to_string()))
    }

    /// As `getCaseDetails` shows it.
    pub fn shown(&self, keyring: &Keyring) -> Result<Recommendation, Corrupt> {
        Ok(Recommendation {
            case_status_code: self.status_code.clone(),
            recommended_by: self.recommended_by.clone(),
            recommended_at: self.recommended_at.clone(),
            comment: self.opened_comment(keyring)?,
        })
    }
}
