//! The console's errors, answered as HTML pages (or a redirect to
//! sign-in). A 5xx page says nothing of the cause; the cause is logged
//! with the request id.

use crate::views::{Chrome, ErrorPage};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use service_kit::Failure;

/// Where a request without a session is sent.
pub const SIGN_IN_PATH: &str = "/console/sign-in";

/// Why a console request was not served.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No session, or an expired one: a 303 to the sign-in page.
    #[error("sign-in required")]
    SignInRequired,
    /// No such page (or the development sign-in where it is not offered).
    #[error("not found")]
    NotFound,
    /// Refused: a form without its CSRF token, from another origin, or a
    /// page the caller's roles do not open. The text says what to do.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Not the caller's fault.
    #[error(transparent)]
    Failure(#[from] Failure),
}

impl From<diesel::result::Error> for ConsoleError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failure(e.into())
    }
}

/// A peer (case-service, user-action) that could not be asked, or answered
/// what the console cannot read: a 503 when it is down or too slow (worth
/// a retry), otherwise a 500.
impl From<clients::CallError> for ConsoleError {
    fn from(call: clients::CallError) -> Self {
        use clients::CallError::*;
        match call {
            Unavailable { .. } | Timeout { .. } => Self::Failure(Failure::unavailable(call)),
            other => Self::Failure(Failure::internal(other)),
        }
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignInRequired => StatusCode::SEE_OTHER,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Failure(Failure::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Failure(Failure::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message) = match self {
            Self::SignInRequired => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, SIGN_IN_PATH))
                    .finish()
            }
            Self::NotFound => (
                "Page not found",
                "There is no such page in the console. Check the address, or start again from the console's home page.",
            ),
            Self::Forbidden(why) => ("Not allowed", *why),
            Self::Failure(failure) => {
                tracing::error!(error = format!("{failure:#}"), "console request failed");
                match failure {
                    Failure::Unavailable(_) => (
                        "Temporarily unavailable",
                        "The console cannot reach what it needs just now. Try again in a moment.",
                    ),
                    Failure::Internal(_) => (
                        "Something went wrong",
                        "The console could not do this. The fault is ours and has been logged; try again, or tell the support team the time it happened.",
                    ),
                }
            }
        };
        html(
            self.status_code(),
            &ErrorPage {
                chrome: Chrome::anonymous(title),
                message,
            },
        )
    }
}

/// `page` rendered as an HTML answer with `status`. A template that fails
/// to render (a bug) is a bare 500, logged.
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "console page failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong.")
        }
    }
}
