//! The Customer Actions Management API's one error type, rendered in the
//! Fabric envelope: `opstatus` (non-zero), `httpStatusCode` (the real HTTP
//! status), `dbpErrCode` (a stable number, one per cause) and `dbpErrMsg`
//! (a sentence naming the field). The HTTP status follows from the code.

use crate::wire::FabricError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use clients::CallError;
use domain::document::FileRuleName;
use service_kit::error::RateLimited;
use service_kit::{Failure, InputError, ProblemError};

/// Every cause a CAM request can fail for, with its stable `dbpErrCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The body is not JSON, or not of the documented shape.
    MalformedBody = 10001,
    /// A required field is missing.
    MissingField = 10002,
    /// A field's value is invalid.
    InvalidField = 10003,
    /// The body's media type is not accepted.
    UnsupportedMediaType = 10004,
    /// The body is too large.
    BodyTooLarge = 10005,
    /// The body did not arrive within the request-body deadline.
    BodyTimedOut = 10006,
    /// No or unknown app credentials.
    AppUnauthenticated = 10101,
    /// No or an invalid end-user token.
    UserUnauthenticated = 10102,
    /// The caller may not do this.
    Forbidden = 10103,
    /// The end user (or, without a valid token, the app) has made too many
    /// requests (see `Retry-After`).
    TooManyRequests = 10104,
    /// No such application (of the caller's).
    ApplicationNotFound = 10201,
    /// No such user action (of the caller's).
    UserActionNotFound = 10202,
    /// No such document (of the caller's action).
    DocumentNotFound = 10203,
    /// No such operation.
    OperationNotFound = 10204,
    /// The status change is not allowed.
    ForbiddenTransition = 10301,
    /// The action is not of the type the operation needs.
    WrongActionType = 10302,
    /// A document-upload action cannot be submitted without documents.
    DocumentsRequired = 10303,
    /// The same Idempotency-Key is still being processed.
    IdempotencyInProgress = 10304,
    /// The Idempotency-Key was used for a different request.
    IdempotencyMismatch = 10305,
    /// The application has as many co-applicants as it may.
    CoApplicantLimit = 10306,
    /// The action holds as many documents as it may.
    DocumentLimit = 10307,
    /// The application's documents would pass the bytes it may hold.
    DocumentBytesLimit = 10308,
    /// The application cannot be submitted while required actions are
    /// pending (each is named).
    ActionsPending = 10309,
    /// The application's personal data was erased (`onboarding erase`, or
    /// the retention purge): it is kept as a record and changes no more.
    ApplicationErased = 10310,
    /// File rule: forbidden characters in the name.
    FileNameCharacters = 10401,
    /// File rule: no extension.
    FileNameExtension = 10402,
    /// File rule: the name begins with a space.
    FileNameLeadingSpace = 10403,
    /// File rule: empty, too long or control characters in the name.
    FileNameInvalid = 10404,
    /// File rule: larger than the limit.
    FileTooLarge = 10405,
    /// File rule: empty content.
    FileEmpty = 10406,
    /// File rule: the content is not base64.
    FileBadBase64 = 10407,
    /// File rule: the type is not allowed.
    FileTypeNotAllowed = 10408,
    /// File rule: the content is not of the declared type.
    FileTypeMismatch = 10409,
    /// File rule: the virus scanner rejected the file.
    FileInfected = 10410,
    /// Our own fault.
    Internal = 10500,
    /// A service we depend on is unavailable or failing.
    DependencyUnavailable = 10501,
    /// A service we depend on did not answer in time.
    DependencyTimeout = 10502,
}

impl ErrorCode {
    /// Every code, for the API document.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::MalformedBody,
        ErrorCode::MissingField,
        ErrorCode::InvalidField,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::BodyTooLarge,
        ErrorCode::BodyTimedOut,
        ErrorCode::AppUnauthenticated,
        ErrorCode::UserUnauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::TooManyRequests,
        ErrorCode::ApplicationNotFound,
        ErrorCode::UserActionNotFound,
        ErrorCode::DocumentNotFound,
        ErrorCode::OperationNotFound,
        ErrorCode::ForbiddenTransition,
        ErrorCode::WrongActionType,
        ErrorCode::DocumentsRequired,
        ErrorCode::IdempotencyInProgress,
        ErrorCode::IdempotencyMismatch,
        ErrorCode::CoApplicantLimit,
        ErrorCode::DocumentLimit,
        ErrorCode::DocumentBytesLimit,
        ErrorCode::ActionsPending,
        ErrorCode::ApplicationErased,
        ErrorCode::FileNameCharacters,
        ErrorCode::FileNameExtension,
        ErrorCode::FileNameLeadingSpace,
        ErrorCode::FileNameInvalid,
        ErrorCode::FileTooLarge,
        ErrorCode::FileEmpty,
        ErrorCode::FileBadBase64,
        ErrorCode::FileTypeNotAllowed,
        ErrorCode::FileTypeMismatch,
        ErrorCode::FileInfected,
        ErrorCode::Internal,
        ErrorCode::DependencyUnavailable,
        ErrorCode::DependencyTimeout,
    ];

    /// The number.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The HTTP status a refusal for this cause answers with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedBody
            | Self::MissingField
            | Self::InvalidField
            | Self::WrongActionType
            | Self::FileNameCharacters
            | Self::FileNameExtension
            | Self::FileNameLeadingSpace
            | Self::FileNameInvalid
            | Self::FileEmpty
            | Self::FileBadBase64
            | Self::FileTypeNotAllowed
            | Self::FileTypeMismatch
            | Self::FileInfected => StatusCode::BAD_REQUEST,
            Self::AppUnauthenticated | Self::UserUnauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::ApplicationNotFound
            | Self::UserActionNotFound
            | Self::DocumentNotFound
            | Self::OperationNotFound => StatusCode::NOT_FOUND,
            Self::ForbiddenTransition
            | Self::DocumentsRequired
            | Self::IdempotencyInProgress
            | Self::IdempotencyMismatch
            | Self::CoApplicantLimit
            | Self::DocumentLimit
            | Self::ActionsPending
            | Self::ApplicationErased => StatusCode::CONFLICT,
            Self::BodyTooLarge | Self::FileTooLarge | Self::DocumentBytesLimit => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::DependencyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::DependencyTimeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The code of a document-service file rule.
    pub fn of_file_rule(rule: FileRuleName) -> Self {
        match rule {
            FileRuleName::NameCharacters => Self::FileNameCharacters,
            FileRuleName::NameExtension => Self::FileNameExtension,
            FileRuleName::NameLeadingSpace => Self::FileNameLeadingSpace,
            FileRuleName::NameInvalid => Self::FileNameInvalid,
            FileRuleName::TooLarge => Self::FileTooLarge,
            FileRuleName::Empty => Self::FileEmpty,
            FileRuleName::BadBase64 => Self::FileBadBase64,
            FileRuleName::TypeNotAllowed => Self::FileTypeNotAllowed,
            FileRuleName::TypeMismatch => Self::FileTypeMismatch,
            FileRuleName::Infected => Self::FileInfected,
        }
    }
}

/// A refused CAM request.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CamError {
    code: ErrorCode,
    message: String,
    cause: Option<anyhow::Error>,
}

impl CamError {
    /// A refusal for `code` with a message naming the field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
        }
    }

    /// 400 for `field`.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::InvalidField, format!("{field}: {message}"))
    }

    /// 404 for a missing application.
    pub fn no_application() -> Self {
        Self::new(
            ErrorCode::ApplicationNotFound,
            "Application_id: no such application of the caller",
        )
    }

    /// 409 for a change to an erased application, named by `field`.
    pub fn erased(field: &str) -> Self {
        Self::new(
            ErrorCode::ApplicationErased,
            format!(
                "{field}: the application's personal data was erased; it can no longer be changed"
            ),
        )
    }

    /// 404 for a missing user action.
    pub fn no_action() -> Self {
        Self::new(
            ErrorCode::UserActionNotFound,
            "UserActionIdentifier: no such user action of the caller",
        )
    }

    /// The cause of the refusal.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// 500, logging `cause` but telling the caller nothing of it.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(ErrorCode::Internal, "an internal error occurred")
        }
    }

    /// The envelope.
    pub fn envelope(&self) -> FabricError {
        FabricError {
            opstatus: self.code.number(),
            http_status_code: self.code.status().as_u16(),
            dbp_err_code: self.code.number().to_string(),
            dbp_err_msg: self.message.clone(),
        }
    }

    /// A peer's failure: 503 when it is unavailable or failing, 504 when slow.
    pub fn from_peer(e: CallError) -> Self {
        let (code, message) = match &e {
            CallError::Timeout { service } => (
                ErrorCode::DependencyTimeout,
                format!("{service} did not answer in time; try again"),
            ),
            CallError::Unavailable { service, .. } => (
                ErrorCode::DependencyUnavailable,
                format!("{service} is unavailable; try again later"),
            ),
            CallError::Status { service, .. } | CallError::Protocol { service, .. } => (
                ErrorCode::DependencyUnavailable,
                format!("{service} is failing; try again later"),
            ),
        };
        Self {
            code,
            message,
            cause: Some(e.into()),
        }
    }
}

impl From<InputError> for CamError {
    fn from(e: InputError) -> Self {
        match e {
            InputError::Invalid(errors) => {
                let first = errors
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| domain::FieldError::new("body", "is invalid"));
                let code = match (first.field.as_str(), first.message.as_str()) {
                    ("body", _) => ErrorCode::MalformedBody,
                    (_, "is required") => ErrorCode::MissingField,
                    _ => ErrorCode::InvalidField,
                };
                Self::new(code, first.to_string())
            }
            InputError::TooLarge { limit } => Self::new(
                ErrorCode::BodyTooLarge,
                format!("body: must not exceed {limit} bytes"),
            ),
            InputError::UnsupportedMediaType { expected } => Self::new(
                ErrorCode::UnsupportedMediaType,
                format!("body: must be {expected}"),
            ),
            InputError::TimedOut { secs } => Self::new(
                ErrorCode::BodyTimedOut,
                format!("body: was not received within {secs} s"),
            ),
        }
    }
}

impl From<RateLimited> for CamError {
    fn from(limited: RateLimited) -> Self {
        Self::new(
            ErrorCode::TooManyRequests,
            format!(
                "too many requests from this user or app; retry after {} s",
                limited.retry_after_secs
            ),
        )
    }
}

impl From<Failure> for CamError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(cause) => Self {
                cause: Some(cause),
                ..Self::new(
                    ErrorCode::DependencyUnavailable,
                    "the database is unavailable; try again later",
                )
            },
            Failure::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<ProblemError> for CamError {
    fn from(e: ProblemError) -> Self {
        match e {
            ProblemError::Unavailable(cause) => Failure::Unavailable(cause).into(),
            ProblemError::Input(input) => input.into(),
            other => Self::internal(anyhow::anyhow!("{other}")),
        }
    }
}

impl From<diesel::result::Error> for CamError {
    fn from(e: diesel::result::Error) -> Self {
        Failure::from(e).into()
    }
}

impl ResponseError for CamError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            if self.status_code().is_server_error() {
                tracing::error!(
                    code = self.code.number(),
                    error = format!("{cause:#}"),
                    "request failed"
                );
            }
        }
        HttpResponse::build(self.status_code()).json(self.envelope())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_rule_answers_with_the_status_document_service_gives_it() {
        for rule in FileRuleName::ALL {
            assert_eq!(
                ErrorCode::of_file_rule(rule).status().as_u16(),
                rule.status(),
                "{rule:?}"
            );
        }
    }

    #[test]
    fn the_envelope_carries_the_codes_status() {
        let envelope = CamError::no_action().envelope();
        assert_eq!((envelope.opstatus, envelope.http_status_code), (10202, 404));
        assert!(ErrorCode::ALL
            .iter()
            .all(|code| code.status().is_client_error() || code.status().is_server_error()));
    }
}
