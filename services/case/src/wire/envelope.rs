//! The ECM envelope: `MESSAGE` and `STATUS` at every level, and the rule
//! that rolls the statuses of the parts up into the status of the whole.
//!
//! The vendor's table names the array `RESPONSEARRAY` and the id
//! `customerid`; its samples say `RESULTARRAY` and `customerId`. We follow
//! the samples (SPEC.md §B).

use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{IntoResponses, ToSchema};

/// The status of an operation, of a case within it, or of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Status {
    /// Everything succeeded.
    #[serde(rename = "SUCCESS")]
    Success,
    /// Some parts succeeded, some failed.
    #[serde(rename = "PARTIALSUCCESS")]
    PartialSuccess,
    /// Nothing succeeded.
    #[serde(rename = "FAILED")]
    Failed,
}

/// The envelope alone: every error, and our operations' answers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Envelope {
    /// What happened.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Invalid JSON Input format. Please correct the data.")]
    pub message: String,
    /// `SUCCESS` or `FAILED`.
    #[serde(rename = "STATUS")]
    pub status: Status,
}

/// Why a part failed; it decides the HTTP status when everything failed.
/// Ordered by how much it says about the service rather than the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// The request asked for something that cannot be done: 400.
    Input,
    /// The case is locked by another user: 409. When every part failed,
    /// some on their input and some on a lock, the lock decides (409): the
    /// request would have been done but for it.
    Locked,
    /// A dependency (the database, party-service) is unavailable: 503.
    Unavailable,
    /// Our own fault: 500.
    Internal,
}

/// What became of one part of a request (a customer, or a case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The vendor-style message.
    pub message: String,
    /// Why it failed; `None` when it succeeded.
    pub fault: Option<Fault>,
}

/// The message of a part that failed on a dependency.
pub const UNAVAILABLE: &str = "Service is temporarily unavailable. Please try again later.";
/// The message of a part that failed on our own fault (the vendor's words).
pub const INTERNAL: &str = "Internal error occurred. Please contact system administrator.";
/// The message of a case that does not exist (the vendor's words).
pub const NO_SUCH_CASE: &str = "Case does not exist.";

/// The message of a change refused because another user holds the case's
/// lock (the vendor's words, with the holder's user id).
pub fn locked_by(holder: &str) -> String {
    format!("Case is locked by another user {holder}.")
}

impl Outcome {
    /// A success.
    pub fn done(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fault: None,
        }
    }

    /// A failure because of the request.
    pub fn refused(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            fault: Some(Fault::Input),
        }
    }

    /// A failure because another user holds the case's lock.
    pub fn locked(holder: &str) -> Self {
        Self {
            message: locked_by(holder),
            fault: Some(Fault::Locked),
        }
    }

    /// A failure because a dependency is unavailable.
    pub fn unavailable() -> Self {
        Self {
            message: UNAVAILABLE.to_owned(),
            fault: Some(Fault::Unavailable),
        }
    }

    /// A failure of our own.
    pub fn internal() -> Self {
        Self {
            message: INTERNAL.to_owned(),
            fault: Some(Fault::Internal),
        }
    }

    /// `SUCCESS` or `FAILED`.
    pub fn status(&self) -> Status {
        if self.fault.is_none() {
            Status::Success
        } else {
            Status::Failed
        }
    }
}

/// The messages of one operation's roll-up, in the vendor's words where it
/// has them.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    /// Every part succeeded.
    pub success: &'static str,
    /// Some parts succeeded.
    pub partial: &'static str,
    /// No part succeeded.
    pub failed: &'static str,
}

impl Messages {
    /// The message for a rolled-up status.
    pub fn of(&self, status: Status) -> &'static str {
        match status {
            Status::Success => self.success,
            Status::PartialSuccess => self.partial,
            Status::Failed => self.failed,
        }
    }
}

/// `SUCCESS` when every part succeeded, `FAILED` when no part succeeded
/// even in part (or there are no parts), `PARTIALSUCCESS` otherwise.
pub fn rollup(statuses: impl IntoIterator<Item = Status>) -> Status {
    let (mut any, mut all) = (false, true);
    let mut seen = false;
    for status in statuses {
        seen = true;
        any |= status != Status::Failed;
        all &= status == Status::Success;
    }
    match (seen, any, all) {
        (true, _, true) => Status::Success,
        (true, true, false) => Status::PartialSuccess,
        _ => Status::Failed,
    }
}

/// The HTTP status of a whole answer: 200 unless everything failed; then
/// 400 when the request was at fault, 409 when a part met a case locked
/// by another user, 503 or 500 when we were.
pub fn http_status(status: Status, faults: impl IntoIterator<Item = Fault>) -> StatusCode {
    if status != Status::Failed {
        return StatusCode::OK;
    }
    match faults.into_iter().max() {
        Some(Fault::Internal) => StatusCode::INTERNAL_SERVER_ERROR,
        Some(Fault::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
        Some(Fault::Locked) => StatusCode::CONFLICT,
        Some(Fault::Input) | None => StatusCode::BAD_REQUEST,
    }
}

/// A response whose body is the ECM envelope.
fn envelope(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Envelope")))
                .build(),
        )
        .build()
        .into()
}

/// The refusals every operation may answer, in the ECM envelope.
fn refusals(forbidden: &str) -> BTreeMap<String, RefOr<Response>> {
    [
        ("401", "No valid bearer token (`WWW-Authenticate: Bearer`)"),
        ("403", forbidden),
        ("405", "Not POST (`Allow: POST`)"),
        (
            "413",
            "The body, or the number of customers or cases it carries, is over the limit: \
             by default 8 MiB (`CASE_MAX_BODY_BYTES`) and 1,000 customers over all the \
             request's cases, or 1,000 cases (`CASE_MAX_CUSTOMERS_PER_REQUEST`); the \
             `MESSAGE` names the count and the limit",
        ),
        ("415", "The body is not application/json"),
        (
            "500",
            "An internal error; with `RESULTARRAY` when every part failed so",
        ),
        (
            "503",
            "A dependency is unavailable; with `RESULTARRAY` when every part failed so",
        ),
    ]
    .into_iter()
    .map(|(status, description)| (status.to_owned(), envelope(description)))
    .collect()
}

/// The refusals of the operations that change cases.
pub struct ChangeRefusals;

impl IntoResponses for ChangeRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        refusals("The token's roles do not include `case:write`")
    }
}

/// The refusals of the operations that read cases.
pub struct ReadRefusals;

impl IntoResponses for ReadRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        refusals("The token's roles include neither `case:read` nor `case:write`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn statuses_roll_up() {
        assert_eq!(rollup([Success, Success]), Success);
        assert_eq!(rollup([Success, Failed]), PartialSuccess);
        assert_eq!(rollup([PartialSuccess, PartialSuccess]), PartialSuccess);
        assert_eq!(rollup([Failed, Failed]), Failed);
        assert_eq!(rollup([]), Failed);
    }

    #[test]
    fn everything_failed_says_whose_fault() {
        assert_eq!(
            http_status(PartialSuccess, [Fault::Internal]),
            StatusCode::OK
        );
        assert_eq!(http_status(Failed, [Fault::Input]), StatusCode::BAD_REQUEST);
        assert_eq!(
            http_status(Failed, [Fault::Input, Fault::Locked]),
            StatusCode::CONFLICT
        );
        assert_eq!(
            http_status(Failed, [Fault::Input, Fault::Unavailable]),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            http_status(Failed, [Fault::Unavailable, Fault::Internal]),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
