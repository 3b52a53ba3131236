//! Erasure (issue 17, "Retention and erasure"): what an erased personal
//! value is replaced with where the record itself is kept (the application
//! and case skeletons, the audit trails).

/// The one tombstone: an erased text value that must stay present (a name,
/// an answer, an audit value) reads as this; an erased optional value
/// that is not a name (a date, a code, a number) is removed (NULL).
pub const ERASED: &str = "[erased]";

/// What erasing a customer from case-service changed (its internal
/// `POST /case/v1/customers/{customerId}/erasure`): all zeros when there
/// was nothing (left) to erase.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct CustomerErasure {
    /// Case customers whose personal fields became the tombstone.
    pub customers: usize,
    /// Audit values that became the tombstone (the customer's own, and the
    /// entity names of the events naming it).
    pub audit_values: usize,
    /// Events naming the customer in which something about it was erased.
    pub events: usize,
}

/// What erasing an application's values from case-service changed (its
/// internal `POST /case/v1/applications/{applicationId}/erasure`): all
/// zeros when there was nothing (left) to erase.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationErasure {
    /// File names of the case's evidence that became the tombstone.
    pub file_names: usize,
    /// Reviewers' comments on its evidence (as shown on the case, and as
    /// sent back to the applicant) that became the tombstone.
    pub comments: usize,
    /// Messages of its requests for help that became the tombstone.
    pub requests: usize,
}
