//! Narratives (ECM guide 4.18): free text added to a case, and read back
//! with its author and time.

use super::values::{Id, Prose};
use domain::DateTimeSeconds;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest narrative accepted, in characters.
pub const NARRATIVE_MAX: usize = 10_000;

/// An item of `addNarrative`: a narrative to add to a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewNarrative {
    /// The case.
    pub case_id: Id,
    /// Plain text, at most 10,000 characters; line breaks and tabs are
    /// kept, other control characters refused.
    #[schema(
        value_type = String, min_length = 1, max_length = 10000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$",
        example = "Customer called to confirm the wire transfer."
    )]
    pub narrative: Prose<NARRATIVE_MAX>,
}

/// A narrative of a case, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Narrative {
    /// Its id: narratives are listed by it, oldest first.
    pub narrative_id: i64,
    /// The text, as sent.
    pub narrative: String,
    /// When it was added, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[schema(value_type = Option<String>, example = "2022-06-24 10:28:48")]
    pub created_on: Option<DateTimeSeconds>,
    /// Who added it (the token's subject).
    pub created_by: String,
}
