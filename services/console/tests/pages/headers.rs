//! The security headers on every answer, and the vendored assets.

use crate::helpers::*;
use reqwest::StatusCode;
use testkit::{backend_tests, Backend};

backend_tests!(
    every_answer_carries_the_security_headers,
    the_assets_are_served_from_the_binary
);

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let session = sign_in(&app, "analyst-1", &["case:read"]).await;
    let mut pages = Vec::new();
    for path in [
        "/console/sign-in",
        "/console/auth/dev",
        "/console/signed-out",
        "/console/nowhere",
    ] {
        pages.push((path, get(&app, path, "").await));
    }
    for path in [
        "/console/",
        "/console/cases",
        "/console/applications",
        "/console/sign-in",
    ] {
        pages.push((path, get(&app, path, &session.cookie).await));
    }
    let refused = [("csrf", "wrong")];
    pages.push((
        "403",
        post(&app, "/console/sign-out", &session.cookie, &[], &refused).await,
    ));
    pages.push(("a redirect", get(&app, "/console/", "").await));
    pages.push((
        "htmx",
        get(&app, "/console/assets/htmx-2.0.10.min.js", "").await,
    ));
    for (what, page) in &pages {
        assert_eq!(page.header("content-security-policy"), CSP, "{what}");
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(page.header("referrer-policy"), "no-referrer", "{what}");
        assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
        assert_eq!(
            page.header("cross-origin-opener-policy"),
            "same-origin",
            "{what}"
        );
        assert_eq!(
            page.header("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            "{what}"
        );
        if page.header("content-type").starts_with("text/html") {
            assert_eq!(page.header("cache-control"), "no-store", "{what}");
            assert_eq!(
                page.header("content-type"),
                "text/html; charset=utf-8",
                "{what}"
            );
            // No inline script or style for the CSP to refuse.
            for inline in ["style=", "<style", "<script>", "onclick", "javascript:"] {
                assert!(!page.body.contains(inline), "{what}: {inline}");
            }
        }
    }
    assert_eq!(pages[3].1.status, StatusCode::NOT_FOUND);
}

async fn the_assets_are_served_from_the_binary(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let htmx = get(&app, "/console/assets/htmx-2.0.10.min.js", "").await;
    assert_eq!(htmx.status, StatusCode::OK);
    assert_eq!(
        htmx.header("content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        htmx.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        htmx.body,
        include_str!("../../assets/htmx-2.0.10.min.js"),
        "the vendored file, whole"
    );
    let css = get(&app, "/console/assets/console.css", "").await;
    assert_eq!(
        (
            css.status,
            css.header("content-type"),
            css.header("cache-control")
        ),
        (StatusCode::OK, "text/css; charset=utf-8", "no-cache")
    );
    assert_eq!(css.body, include_str!("../../assets/console.css"));
    // Every page links both, from the console's own origin.
    let page = get(&app, "/console/sign-in", "").await;
    assert!(page
        .body
        .contains("<link rel=\"stylesheet\" href=\"/console/assets/console.css\">"));
    assert!(page
        .body
        .contains("<script src=\"/console/assets/htmx-2.0.10.min.js\" defer></script>"));
    for missing in [
        "/console/assets/htmx.js",
        "/console/assets/..%2Fconsole.css",
    ] {
        assert_eq!(
            get(&app, missing, "").await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}
