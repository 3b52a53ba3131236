//! Errors of the internal APIs, rendered as RFC 9457 problem details, and
//! the input errors every API turns into its own envelope.
//!
//! A 5xx body never says what went wrong inside: the cause is logged with
//! the request id, and the caller gets a generic sentence.

use crate::failure::Failure;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
pub use domain::FieldError;
use serde::Serialize;

/// A refusal: the client has used its allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Whole seconds until the client may try again (at least 1), as sent
    /// in `Retry-After`.
    pub retry_after_secs: u64,
}

/// Why a request's body or query could not be read. Each API converts it
/// into its own error type, and so into its own envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// One or more fields are malformed, missing or break a rule.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The body is larger than the operation accepts.
    #[error("the body exceeds {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body is not of a media type the operation accepts.
    #[error("the body must be {expected}")]
    UnsupportedMediaType {
        /// The media type expected.
        expected: &'static str,
    },
    /// The body did not arrive within the request-body deadline
    /// (`REQUEST_BODY_TIMEOUT_SECS`); see [`crate::body::deadline`].
    #[error("the body was not received within {secs} s")]
    TimedOut {
        /// The deadline, in seconds.
        secs: u64,
    },
}

impl InputError {
    /// A single invalid field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// The error type of the internal (problem+json) APIs.
#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    /// Bad input: 400, 408, 413 or 415.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The request broke a named rule (a file rule, say): the problem's
    /// `type` names the rule.
    #[error("{field}: {message}")]
    Rule {
        /// The rule's stable name, for example `file-name-extension`.
        rule: &'static str,
        /// The HTTP status the rule answers with.
        status: StatusCode,
        /// The field concerned.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No or a wrong credential: 401.
    #[error("authentication required")]
    Unauthorized,
    /// The resource does not exist, or the caller may not know it does: 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the resource's state: 409.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The client has used its allowance: 429.
    #[error("too many requests")]
    TooManyRequests(RateLimited),
    /// A dependency (the database, a peer service) is unavailable: 503.
    #[error("service unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Our own fault: 500.
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<Vec<FieldError>> for ProblemError {
    fn from(errors: Vec<FieldError>) -> Self {
        Self::Input(InputError::Invalid(errors))
    }
}

impl From<RateLimited> for ProblemError {
    fn from(limited: RateLimited) -> Self {
        Self::TooManyRequests(limited)
    }
}

impl From<Failure> for ProblemError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Unavailable(cause) => Self::Unavailable(cause),
            Failure::Internal(cause) => Self::Internal(cause),
        }
    }
}

impl From<diesel::result::Error> for ProblemError {
    fn from(e: diesel::result::Error) -> Self {
        Failure::from(e).into()
    }
}

/// An RFC 9457 problem details body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:onboarding:problem:invalid-input")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The fields that are wrong, for invalid input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ProblemError {
    fn parts(&self) -> (&'static str, &'static str, String, Vec<FieldError>) {
        match self {
            Self::Input(InputError::Invalid(errors)) => {
                let detail = errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                (
                    "invalid-input",
                    "The request is invalid",
                    detail,
                    errors.clone(),
                )
            }
            Self::Input(e @ InputError::TooLarge { .. }) => {
                ("too-large", "The body is too large", e.to_string(), vec![])
            }
            Self::Input(e @ InputError::UnsupportedMediaType { .. }) => (
                "unsupported-media-type",
                "Unsupported media type",
                e.to_string(),
                vec![],
            ),
            Self::Input(e @ InputError::TimedOut { .. }) => (
                "request-timeout",
                "The body came too slowly",
                e.to_string(),
                vec![],
            ),
            Self::Rule {
                rule,
                field,
                message,
                ..
            } => (
                rule,
                "A rule was broken",
                format!("{field}: {message}"),
                vec![FieldError::new(*field, message.clone())],
            ),
            Self::Unauthorized => (
                "unauthorized",
                "Authentication required",
                "a valid X-Service-Credential header is required".to_owned(),
                vec![],
            ),
            Self::NotFound(what) => (
                "not-found",
                "Not found",
                format!("{what} not found"),
                vec![],
            ),
            Self::Conflict(why) => ("conflict", "Conflict", why.clone(), vec![]),
            Self::TooManyRequests(limited) => (
                "too-many-requests",
                "Too many requests",
                format!(
                    "this client has made too many requests; retry after {} s",
                    limited.retry_after_secs
                ),
                vec![],
            ),
            Self::Unavailable(_) => (
                "unavailable",
                "Service unavailable",
                "a dependency is unavailable; try again later".to_owned(),
                vec![],
            ),
            Self::Internal(_) => (
                "internal",
                "Internal error",
                "an internal error occurred".to_owned(),
                vec![],
            ),
        }
    }

    /// The problem details body for this error.
    pub fn problem(&self) -> Problem {
        let (slug, title, detail, errors) = self.parts();
        Problem {
            kind: format!("urn:onboarding:problem:{slug}"),
            title,
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ProblemError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Input(InputError::Invalid(_)) => StatusCode::BAD_REQUEST,
            Self::Input(InputError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Input(InputError::UnsupportedMediaType { .. }) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::Input(InputError::TimedOut { .. }) => StatusCode::REQUEST_TIMEOUT,
            Self::Rule { status, .. } => *status,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Unavailable(cause) | Self::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        HttpResponse::build(self.status_code())
            .insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .json(self.problem())
    }
}
