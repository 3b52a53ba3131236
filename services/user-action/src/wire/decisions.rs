//! The internal decisions API: case-service's decisions on an
//! application's case (SPEC §D). The request is `domain::flow::CaseDecision`.

use serde::{Deserialize, Serialize};

/// The largest decision body accepted, in bytes: a review comment of
/// [`super::MAX_RESPONSE_CHARS`] characters, four bytes each, and room.
pub const MAX_DECISION_BYTES: usize = 32 * 1024;

/// What the decisions API answers: the decision's id and what became of it
/// (the first time it was applied, for a repeat).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecisionApplied {
    /// The decision's id.
    #[schema(example = "0b7f6a53-4e43-4d0f-9c55-0c5d6f3f1a00")]
    pub id: String,
    /// `applied` (it changed the application or an action), `unchanged`
    /// (nothing to change) or `ignored` (the application is not before the
    /// bank: in progress, withdrawn, decided or erased; recorded, nothing
    /// changed).
    #[schema(example = "applied")]
    pub outcome: String,
}
