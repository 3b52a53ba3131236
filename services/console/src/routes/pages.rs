//! The signed-in pages: the landing page, and no such page.

use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::views::{Chrome, HomePage, Nav};
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

/// `GET /console`: to `/console/`.
pub async fn to_home() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/console/"))
        .finish()
}

/// `GET /console/`: who is signed in, with which roles.
pub async fn home(analyst: Analyst) -> HttpResponse {
    html(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::signed_in(&analyst.session, "Home", Nav::Home),
            subject: analyst.session.subject.clone(),
        },
    )
}

/// Any other path under `/console/`.
pub async fn not_found() -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::NotFound)
}
