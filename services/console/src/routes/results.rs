//! A filtered list's address answers either the whole page or, to htmx
//! changing a filter or a page, the results region alone.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};

/// Whether htmx asks for the results region alone (`hx-target="results"`),
/// and not for a whole page to restore from history.
pub fn region_only(req: &HttpRequest) -> bool {
    let htmx = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    htmx("HX-Request") == Some("true")
        && htmx("HX-Target") == Some("results")
        && htmx("HX-History-Restore-Request").is_none()
}

/// `answer`, marked as depending on htmx's headers: the same address
/// answers a page or its results region, and a cache must not mix them.
pub fn varying(mut answer: HttpResponse) -> HttpResponse {
    answer.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("HX-Request, HX-Target"),
    );
    answer
}
