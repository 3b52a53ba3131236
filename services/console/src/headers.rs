//! Middleware: the security headers on every console response, pages,
//! assets and errors alike.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The Content Security Policy: everything from the console's own origin
/// only, no inline script or style, never framed, forms only to itself;
/// `<object>` from itself only (the evidence page's PDF). (htmx is told not to inject its indicator `<style>`, so
/// `style-src 'self'` holds.)
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
object-src 'self'";

/// Every header the console sets on every answer, but `Cache-Control`.
pub const HEADERS: [(&str, &str); 6] = [
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
];

/// The headers an answer may set for itself: a document served to be
/// shown inside the console's own pages has its own policy and may be
/// framed by them.
const OWN: [&str; 2] = ["content-security-policy", "x-frame-options"];

/// Adds [`HEADERS`] (but those of [`OWN`] an answer set itself), and `Cache-Control: no-store` to any answer that did
/// not set its own caching (every page: they show who is signed in, and
/// later personal data).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    for (name, value) in HEADERS {
        if OWN.contains(&name) && headers.contains_key(name) {
            continue;
        }
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
