//! The Customer Actions Management API's one error type, rendered in the
//! Fabric envelope: `opstatus` (non-zero), `httpStatusCode` (the real HTTP
//! status), `dbpErrCode` (a stable number, one per cause) and `dbpErrMsg`
//! (a sentence naming the field).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use clients::CallError;
use serde::Serialize;
use service_kit::error::RateLimited;
use service_kit::{Failure, InputError, ProblemError};

/// Every cause a CAM request can fail for, with its stable `dbpErrCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
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

impl Code {
    /// Every code, for the API document.
    pub const ALL: &'static [Code] = &[
        Code::MalformedBody,
        Code::MissingField,
        Code::InvalidField,
        Code::UnsupportedMediaType,
        Code::BodyTooLarge,
        Code::AppUnauthenticated,
        Code::UserUnauthenticated,
        Code::Forbidden,
        Code::TooManyRequests,
        Code::ApplicationNotFound,
        Code::UserActionNotFound,
        Code::DocumentNotFound,
        Code::OperationNotFound,
        Code::ForbiddenTransition,
        Code::WrongActionType,
        Code::DocumentsRequired,
        Code::IdempotencyInProgress,
        Code::IdempotencyMismatch,
        Code::FileNameCharacters,
        Code::FileNameExtension,
        Code::FileNameLeadingSpace,
        Code::FileNameInvalid,
        Code::FileTooLarge,
        Code::FileEmpty,
        Code::FileBadBase64,
        Code::FileTypeNotAllowed,
        Code::FileTypeMismatch,
        Code::FileInfected,
        Code::Internal,
        Code::DependencyUnavailable,
        Code::DependencyTimeout,
    ];

    /// The number.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The code of a document-service file rule, by its stable name.
    pub fn of_file_rule(slug: &str) -> Option<Self> {
        Some(match slug {
            "file-name-characters" => Self::FileNameCharacters,
            "file-name-extension" => Self::FileNameExtension,
            "file-name-leading-space" => Self::FileNameLeadingSpace,
            "file-name-invalid" => Self::FileNameInvalid,
            "file-too-large" => Self::FileTooLarge,
            "file-empty" => Self::FileEmpty,
            "file-bad-base64" => Self::FileBadBase64,
            "file-type-not-allowed" => Self::FileTypeNotAllowed,
            "file-type-mismatch" => Self::FileTypeMismatch,
            "file-infected" => Self::FileInfected,
            _ => return None,
        })
    }
}

/// A refused CAM request.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CamError {
    code: Code,
    status: StatusCode,
    message: String,
    cause: Option<anyhow::Error>,
}

/// The Fabric error envelope.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FabricError {
    /// Non-zero: the same number as `dbpErrCode`.
    pub opstatus: u32,
    /// The HTTP status.
    pub http_status_code: u16,
    /// The cause, a stable number (see the API description for the list).
    #[schema(example = "10003")]
    pub dbp_err_code: String,
    /// What is wrong, naming the field.
    #[schema(example = "DateOfBirth: 1985-02-30 is not a real date")]
    pub dbp_err_msg: String,
}

impl CamError {
    /// A refusal for `code` with `status` and a message naming the field.
    pub fn new(code: Code, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
            cause: None,
        }
    }

    /// 400 for `field`.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(
            Code::InvalidField,
            StatusCode::BAD_REQUEST,
            format!("{field}: {message}"),
        )
    }

    /// 404 for a missing application.
    pub fn no_application() -> Self {
        Self::new(
            Code::ApplicationNotFound,
            StatusCode::NOT_FOUND,
            "Application_id: no such application of the caller",
        )
    }

    /// 404 for a missing user action.
    pub fn no_action() -> Self {
        Self::new(
            Code::UserActionNotFound,
            StatusCode::NOT_FOUND,
            "UserActionIdentifier: no such user action of the caller",
        )
    }

    /// The cause of the refusal.
    pub fn code(&self) -> Code {
        self.code
    }

    /// 500, logging `cause` but telling the caller nothing of it.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(cause.into()),
            ..Self::new(
                Code::Internal,
                StatusCode::INTERNAL_SERVER_ERROR,
                "an internal error occurred",
            )
        }
    }

    /// The envelope.
    pub fn envelope(&self) -> FabricError {
        FabricError {
            opstatus: self.code.number(),
            http_status_code: self.status.as_u16(),
            dbp_err_code: self.code.number().to_string(),
            dbp_err_msg: self.message.clone(),
        }
    }

    /// A peer's failure: 503 when it is unavailable or failing, 504 when slow.
    pub fn from_peer(e: CallError) -> Self {
        let (code, status, message) = match &e {
            CallError::Timeout { service } => (
                Code::DependencyTimeout,
                StatusCode::GATEWAY_TIMEOUT,
                format!("{service} did not answer in time; try again"),
            ),
            CallError::Unavailable { service, .. } => (
                Code::DependencyUnavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{service} is unavailable; try again later"),
            ),
            CallError::Status { service, .. } | CallError::Protocol { service, .. } => (
                Code::DependencyUnavailable,
                StatusCode::SERVICE_UNAVAILABLE,
                format!("{service} is failing; try again later"),
            ),
        };
        Self {
            code,
            status,
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
                    ("body", _) => Code::MalformedBody,
                    (_, "is required") => Code::MissingField,
                    _ => Code::InvalidField,
                };
                Self::new(code, StatusCode::BAD_REQUEST, first.to_string())
            }
            InputError::TooLarge { limit } => Self::new(
                Code::BodyTooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("body: must not exceed {limit} bytes"),
            ),
            InputError::UnsupportedMediaType { expected } => Self::new(
                Code::UnsupportedMediaType,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("body: must be {expected}"),
            ),
        }
    }
}

impl From<RateLimited> for CamError {
    fn from(limited: RateLimited) -> Self {
        Self::new(
            Code::TooManyRequests,
            StatusCode::TOO_MANY_REQUESTS,
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
                    Code::DependencyUnavailable,
                    StatusCode::SERVICE_UNAVAILABLE,
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
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            if self.status.is_server_error() {
                tracing::error!(
                    code = self.code.number(),
                    error = format!("{cause:#}"),
                    "request failed"
                );
            }
        }
        HttpResponse::build(self.status).json(self.envelope())
    }
}
