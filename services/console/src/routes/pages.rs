//! The signed-in pages: the landing page, and no such page.

use crate::caller::Analyst;
use crate::error::{html, ConsoleError};
use crate::views::{Chrome, HomePage, Nav, RoleView, Who};
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

/// The layout's view of a signed-in caller on the page `current`.
pub(crate) fn chrome(analyst: &Analyst, title: &str, current: Nav) -> Chrome {
    let session = &analyst.session;
    Chrome {
        title: title.to_owned(),
        who: Some(Who {
            name: session.display_name.clone(),
            roles: session.roles().map(RoleView::of).collect(),
            csrf: session.csrf_token.clone(),
        }),
        current,
    }
}

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
            chrome: chrome(&analyst, "Home", Nav::Home),
            subject: analyst.session.subject.clone(),
        },
    )
}

/// Any other path under `/console/`.
pub async fn not_found() -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::NotFound)
}
