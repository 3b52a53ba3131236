//! The vendored assets, compiled into the binary: nothing is fetched from
//! elsewhere, at build or at run time.

use crate::error::ConsoleError;
use crate::views::{CSS_PATH, HTMX_PATH, JS_PATH};
use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// htmx 2.0.10, `dist/htmx.min.js` from npm's `htmx.org` (0BSD).
const HTMX: &[u8] = include_bytes!("../../assets/htmx-2.0.10.min.js");
/// The console's own script (no inline script: the CSP forbids it).
const JS: &[u8] = include_bytes!("../../assets/console.js");
/// The console's style sheet.
const CSS: &[u8] = include_bytes!("../../assets/console.css");

/// `GET /console/assets/{file}`.
pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, ConsoleError> {
    let path = format!("/console/assets/{file}");
    let (body, content_type, cache) = if path == HTMX_PATH {
        // Its name carries its version: cached for good.
        (
            HTMX,
            "text/javascript; charset=utf-8",
            "public, max-age=31536000, immutable",
        )
    } else if path == JS_PATH {
        // Its name does not change with it: asked again every time.
        (JS, "text/javascript; charset=utf-8", "no-cache")
    } else if path == CSS_PATH {
        // Its name does not change with it: asked again every time.
        (CSS, "text/css; charset=utf-8", "no-cache")
    } else {
        return Err(ConsoleError::NotFound);
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, cache))
        .body(body))
}
