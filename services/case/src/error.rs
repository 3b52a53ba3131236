//! The one error type of the ECM API. Every refusal is rendered in the ECM
//! envelope, `{"MESSAGE": ..., "STATUS": "FAILED"}`; a 5xx says nothing of
//! the cause, which is logged with the request id.

use crate::wire::envelope::{Envelope, Status, INTERNAL, NO_SUCH_CASE, UNAVAILABLE};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use service_kit::error::RateLimited;
use service_kit::{Failure, InputError, ProblemError};

/// The vendor's answer to a body that is not the documented shape.
pub const INVALID_FORMAT: &str = "Invalid JSON Input format. Please correct the data.";

/// Why an ECM request was refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum EcmError {
    /// The body is not the documented shape: 400.
    #[error("the body is not the documented shape")]
    InvalidFormat,
    /// A required field is missing ("Input JSON data does not have caseId."): 400.
    #[error("the body has no {0}")]
    Missing(&'static str),
    /// A field or parameter is invalid; the message names it: 400.
    #[error("{0}")]
    Invalid(String),
    /// No bearer token, or not a valid one: 401.
    #[error("no valid bearer token")]
    Unauthorized,
    /// The token's roles do not allow the operation: 403.
    #[error("the token does not allow this operation")]
    Forbidden,
    /// The case does not exist: 404.
    #[error("no such case")]
    NoSuchCase,
    /// No operation at this path: 404.
    #[error("no such operation")]
    UnknownOperation,
    /// The operation exists but not with this method: 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The client has made too many requests: 429.
    #[error("too many requests")]
    TooManyRequests(RateLimited),
    /// The request is larger than accepted; the message says the limit: 413.
    #[error("{0}")]
    TooLarge(String),
    /// The body is not JSON: 415.
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    /// A dependency is unavailable: 503.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Our own fault: 500.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl EcmError {
    fn message(&self) -> String {
        match self {
            Self::InvalidFormat => INVALID_FORMAT.to_owned(),
            Self::Missing(field) => format!("Input JSON data does not have {field}."),
            Self::Invalid(message) | Self::TooLarge(message) => message.clone(),
            Self::Unauthorized => {
                "Authentication failed. A valid bearer token is required.".to_owned()
            }
            Self::Forbidden => "The token does not allow this operation.".to_owned(),
            Self::NoSuchCase => NO_SUCH_CASE.to_owned(),
            Self::UnknownOperation => "Unknown operation.".to_owned(),
            Self::MethodNotAllowed => "Method not allowed. Every operation is POST.".to_owned(),
            Self::UnsupportedMediaType => {
                "Unsupported media type. The body must be application/json.".to_owned()
            }
            Self::TooManyRequests(limited) => format!(
                "Too many requests. Retry after {} seconds.",
                limited.retry_after_secs
            ),
            Self::Unavailable(_) => UNAVAILABLE.to_owned(),
            Self::Internal(_) => INTERNAL.to_owned(),
        }
    }
}

impl ResponseError for EcmError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidFormat | Self::Missing(_) | Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NoSuchCase | Self::UnknownOperation => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unavailable(cause) | Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed => {
                response.insert_header((header::ALLOW, "POST"));
            }
            _ => {}
        }
        response.json(Envelope {
            message: self.message(),
            status: Status::Failed,
        })
    }
}

impl From<InputError> for EcmError {
    fn from(e: InputError) -> Self {
        match e {
            InputError::TooLarge { limit } => {
                Self::TooLarge(format!("The request body exceeds {limit} bytes."))
            }
            InputError::UnsupportedMediaType { .. } => Self::UnsupportedMediaType,
            InputError::Invalid(_) => Self::InvalidFormat,
        }
    }
}

impl From<RateLimited> for EcmError {
    fn from(limited: RateLimited) -> Self {
        Self::TooManyRequests(limited)
    }
}

impl From<Failure> for EcmError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(cause) => Self::Unavailable(cause),
            Failure::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<ProblemError> for EcmError {
    fn from(e: ProblemError) -> Self {
        match e {
            ProblemError::Unavailable(cause) => Failure::Unavailable(cause).into(),
            ProblemError::Internal(cause) => Failure::Internal(cause).into(),
            ProblemError::Input(input) => input.into(),
            other => Failure::internal(other).into(),
        }
    }
}

impl From<diesel::result::Error> for EcmError {
    fn from(e: diesel::result::Error) -> Self {
        Failure::from(e).into()
    }
}
