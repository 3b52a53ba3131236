//! The one error type of the ECM API. Every refusal is rendered in the ECM
//! envelope, `{"MESSAGE": ..., "STATUS": "FAILED"}`; a 5xx says nothing of
//! the cause, which is logged with the request id.

use crate::wire::envelope::{Envelope, Status, INTERNAL, NO_SUCH_CASE, UNAVAILABLE};
use crate::wire::events::LowerEnvelope;
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
    /// The operation is not the caller's to do (a rule's creator deciding
    /// it); the message says why: 403.
    #[error("{0}")]
    NotAllowed(String),
    /// The request conflicts with the state of what it names; the message
    /// says how: 409.
    #[error("{0}")]
    Conflict(String),
    /// What the request names does not exist; the message says what: 404.
    #[error("{0}")]
    NotFound(String),
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
    /// The body did not arrive within the request-body deadline, in
    /// seconds: 408.
    #[error("the body was not received within {0} s")]
    TimedOut(u64),
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
            Self::Invalid(message)
            | Self::TooLarge(message)
            | Self::NotAllowed(message)
            | Self::NotFound(message)
            | Self::Conflict(message) => message.clone(),
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
            Self::TimedOut(secs) => {
                format!("Request timeout. The body was not received within {secs} seconds.")
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
            Self::Forbidden | Self::NotAllowed(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::NoSuchCase | Self::NotFound(_) | Self::UnknownOperation => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.respond(self.status_code()).json(Envelope {
            message: self.message(),
            status: Status::Failed,
        })
    }
}

impl EcmError {
    /// A response of `status` with this error's headers, the cause of a
    /// 5xx logged; the caller writes the body.
    fn respond(&self, status: StatusCode) -> actix_web::HttpResponseBuilder {
        if let Self::Unavailable(cause) | Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = HttpResponse::build(status);
        match self {
            Self::Unauthorized => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            Self::MethodNotAllowed => {
                response.insert_header((header::ALLOW, "POST"));
            }
            _ => {}
        }
        response
    }
}

/// The vendor's answer to an event code seen before.
pub const EVENT_EXISTS: &str = "Event lookup entry already exists.";
/// The vendor's answer to a real-time body without its events.
pub const NO_EVENTS: &str = "Input JSON data does not have events array.";

/// How a real-time operation writes its envelope: `saveEvents` in upper
/// case (`MESSAGE`, `STATUS`), promote and extend in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Casing {
    /// `{"MESSAGE", "STATUS"}`.
    Upper,
    /// `{"message", "status"}`.
    Lower,
}

/// A refusal of a real-time event operation (ECM guide 4.1-4.3). The
/// vendor answers every failure of these with a 500, so a request at fault
/// (its shape, a field, an event code seen before, a case that does not
/// exist) is a 500 here too, in the operation's casing. Authentication,
/// the body's size and type, and an unavailable database keep their own
/// status: they are not the operation's answers but the service's.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct RealTimeError {
    /// The operation's casing.
    pub casing: Casing,
    /// What went wrong.
    pub error: EcmError,
}

impl RealTimeError {
    /// A refusal of `casing` with `message`.
    pub fn refused(casing: Casing, message: impl Into<String>) -> Self {
        Self {
            casing,
            error: EcmError::Invalid(message.into()),
        }
    }
}

impl ResponseError for RealTimeError {
    fn status_code(&self) -> StatusCode {
        match self.error.status_code() {
            StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND | StatusCode::CONFLICT => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            other => other,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let mut response = self.error.respond(status);
        let message = self.error.message();
        // The vendor's casing is for its answers, the 500s; what the
        // service answers for every operation (401, 403, 413, ...) is in the
        // ECM envelope, as everywhere.
        let casing = if status == StatusCode::INTERNAL_SERVER_ERROR {
            self.casing
        } else {
            Casing::Upper
        };
        match casing {
            Casing::Upper => response.json(Envelope {
                message,
                status: Status::Failed,
            }),
            Casing::Lower => response.json(LowerEnvelope {
                message,
                status: Status::Failed,
            }),
        }
    }
}

impl From<InputError> for EcmError {
    fn from(e: InputError) -> Self {
        match e {
            InputError::TooLarge { limit } => {
                Self::TooLarge(format!("The request body exceeds {limit} bytes."))
            }
            InputError::UnsupportedMediaType { .. } => Self::UnsupportedMediaType,
            InputError::TimedOut { secs } => Self::TimedOut(secs),
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
