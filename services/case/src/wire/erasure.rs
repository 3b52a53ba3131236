//! The internal erasure API's body (issue 17, "Retention and erasure");
//! its answers are `domain::erasure::CustomerErasure` and
//! `ApplicationErasure`, shared with the client.

use super::values::Id;
use serde::Deserialize;
use utoipa::ToSchema;

/// Who asks for an erasure.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ErasureRequest {
    /// Recorded as the actor of each case's `customerErased` (or
    /// `applicationErased`) audit record (the retention purge sends
    /// `retention-purge`).
    #[schema(example = "retention-purge")]
    pub actor: Id,
}
