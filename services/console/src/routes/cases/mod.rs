//! The case screens: the inbox, a case with its tabs, its evidence shown
//! inline, and the actions a case worker holding a case's lock takes on
//! it. Every call goes to
//! case-service's acting scope as the signed-in case worker, so their
//! roles decide there too and the audit trail names them.

mod actions;
mod detail;
mod evidence;
mod inbox;
mod locks;

use crate::caller::Analyst;
use crate::config::EventDecisionLabel;
use crate::error::ConsoleError;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use clients::ecm::{Acting, EcmClient, EcmError};

pub use crate::views::cases::case_path;

/// What the case screens need: case-service's client and the event
/// decisions offered.
pub struct Screens {
    /// case-service's acting scope.
    pub ecm: EcmClient,
    /// The event risk decisions (`CONSOLE_EVENT_DECISIONS`).
    pub decisions: Vec<EventDecisionLabel>,
}

/// Registers the case screens' routes (inside the console's scope).
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/cases").route(web::get().to(inbox::list)))
        .service(web::resource("/cases/{caseId}").route(web::get().to(detail::show)))
        .service(web::resource("/cases/{caseId}/lock").route(web::post().to(locks::lock)))
        .service(web::resource("/cases/{caseId}/unlock").route(web::post().to(locks::unlock)))
        .service(web::resource("/cases/{caseId}/assign").route(web::post().to(actions::assign)))
        .service(web::resource("/cases/{caseId}/status").route(web::post().to(actions::status)))
        .service(
            web::resource("/cases/{caseId}/recommendation")
                .route(web::post().to(actions::recommend)),
        )
        .service(web::resource("/cases/{caseId}/approval").route(web::post().to(actions::approve)))
        .service(
            web::resource("/cases/{caseId}/narratives").route(web::post().to(actions::narrative)),
        )
        .service(
            web::resource("/cases/{caseId}/evidence/{documentId}/review")
                .route(web::post().to(actions::review)),
        )
        .service(
            web::resource("/cases/{caseId}/events/{eventCode}/decision")
                .route(web::post().to(actions::decide)),
        )
        .configure(evidence::register);
}

/// Whether the signed-in caller has `role`.
fn has(analyst: &Analyst, role: &str) -> bool {
    analyst.session.roles().any(|r| r == role)
}

/// Whether the caller may work on cases.
pub fn can_write(analyst: &Analyst) -> bool {
    has(analyst, "case:write")
}

/// Refuses a caller who may not read cases.
fn require_read(analyst: &Analyst) -> Result<(), ConsoleError> {
    if has(analyst, "case:read") || can_write(analyst) {
        Ok(())
    } else {
        Err(ConsoleError::Forbidden(
            "Your roles do not include reading cases (case:read). Ask your administrator if you need them.",
        ))
    }
}

/// Refuses a caller who may not work on cases.
fn require_write(analyst: &Analyst) -> Result<(), ConsoleError> {
    if can_write(analyst) {
        Ok(())
    } else {
        Err(ConsoleError::Forbidden(
            "Your roles let you read cases, not change them (case:write). Nothing was changed.",
        ))
    }
}

/// The case worker the console acts for.
fn acting(analyst: &Analyst) -> Acting {
    Acting {
        subject: analyst.session.subject.clone(),
        roles: analyst.session.roles().map(str::to_owned).collect(),
    }
}

/// A case id from a path: 1 to 64 characters, not blank, no control
/// characters (as case-service's ids); anything else is no such page.
fn case_id(raw: &str) -> Result<String, ConsoleError> {
    let fits =
        !raw.trim().is_empty() && raw.chars().count() <= 64 && !raw.chars().any(char::is_control);
    if fits {
        Ok(raw.to_owned())
    } else {
        Err(ConsoleError::NotFound)
    }
}

/// A 303 back to case `case_id`'s `tab` (after a change: POST, redirect,
/// GET).
fn back_to(case_id: &str, tab: &str) -> HttpResponse {
    let tab = detail::known_tab(tab).unwrap_or("customers");
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("{}?tab={tab}", case_path(case_id)),
        ))
        .finish()
}

/// What a refusal of case-service is shown as: its status on the page
/// (a refused input is a 422: the form was understood, its content was
/// not acceptable) and its message; a missing case is no such page, and
/// anything else is not the case worker's fault.
fn refusal(error: EcmError) -> Result<(StatusCode, String), ConsoleError> {
    match error {
        EcmError::Refused { status: 404, .. } => Err(ConsoleError::NotFound),
        EcmError::Refused { status, message } => {
            let shown = match status {
                409 => StatusCode::CONFLICT,
                403 => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok((shown, message))
        }
        EcmError::Call(call) => Err(call.into()),
    }
}

/// A read's error: a refusal is no such case; anything else a failure.
fn read_failure(error: EcmError) -> ConsoleError {
    match error {
        EcmError::Refused { status: 404, .. } => ConsoleError::NotFound,
        EcmError::Refused { status, message } => {
            ConsoleError::Failure(service_kit::Failure::internal(anyhow::anyhow!(
                "case-service refused a read ({status}): {message}"
            )))
        }
        EcmError::Call(call) => call.into(),
    }
}
