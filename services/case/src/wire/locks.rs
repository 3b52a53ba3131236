//! Case locks (ours): who holds a case, and until when.

use super::batch::CaseResult;
use super::values::Id;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of `lockCase` and `unlockCase` (read field by field; this
/// type documents it).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockRequest {
    /// The case.
    #[schema(example = "CA100")]
    pub case_id: Id,
}

/// The lock of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseLock {
    /// Who holds it (the token's subject).
    #[schema(example = "CASEANA1")]
    pub locked_by: String,
    /// When it was taken (a renewal keeps it): RFC 3339 in UTC, to the
    /// microsecond.
    #[schema(example = "2026-11-22T08:00:00.000000Z")]
    pub locked_at: String,
    /// When it expires unless renewed: RFC 3339 in UTC, to the microsecond.
    #[schema(example = "2026-11-22T08:15:00.000000Z")]
    pub locked_until: String,
}

/// The answer of `lockCase`: `{MESSAGE, STATUS, caseId}` and the lock.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LockResponse {
    /// "Case locked successfully.", `SUCCESS`, and the case.
    #[serde(flatten)]
    pub result: CaseResult,
    /// The lock the caller now holds.
    pub lock: CaseLock,
}
