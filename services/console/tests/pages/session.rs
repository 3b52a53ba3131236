//! The session: needed by every signed-in page, checked for its CSRF
//! token on every form, ended by sign-out on the server, and by expiry.

use crate::helpers::*;
use reqwest::StatusCode;
use testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    signed_in_pages_need_a_session,
    a_form_without_the_sessions_token_is_refused_and_changes_nothing,
    sign_out_ends_the_session_on_the_server,
    an_expired_session_signs_nobody_in_and_is_swept,
);

async fn signed_in_pages_need_a_session(backend: Backend) {
    let app = spawn(backend, &[]).await;
    for path in ["/console/", "/console/cases", "/console/applications"] {
        for cookies in ["", "console=not-a-session", "console="] {
            assert_sent_to_sign_in(&get(&app, path, cookies).await);
        }
    }
    let redirect = get(&app, "/console", "").await;
    assert_eq!(
        (redirect.status, redirect.header("location")),
        (StatusCode::PERMANENT_REDIRECT, "/console/")
    );
    let session = sign_in(&app, "rm-1", &["application:read"]).await;
    // The inbox is for case roles.
    assert_eq!(
        get(&app, "/console/cases", &session.cookie).await.status,
        StatusCode::FORBIDDEN
    );
    // (The applications screen itself needs user-action: tests/pages/applications.rs.)
    let (path, title) = ("/console/", "Home");
    {
        let page = get(&app, path, &session.cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.main().contains("<h1>Welcome, rm-1</h1>"),
            "{}",
            page.main()
        );
        // The navigation marks the page it is on.
        assert!(
            page.body.contains(&format!(
                "<li><a href=\"{path}\" aria-current=\"page\">{title}</a></li>"
            )),
            "{}",
            page.body
        );
        // htmx sends the session's token with every request it makes.
        assert!(page.body.contains(&format!(
            "<body hx-headers='{{\"X-CSRF-Token\":\"{}\"}}'>",
            session.csrf
        )));
    }
}

async fn a_form_without_the_sessions_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let session = sign_in(&app, "analyst-1", &["case:write"]).await;
    let other = sign_in(&app, "analyst-2", &["case:write"]).await;
    assert_ne!(session.csrf, other.csrf);
    let wrong = "x".repeat(43);
    for (what, fields, headers) in [
        ("no token", vec![], vec![]),
        ("an empty token", vec![("csrf", "")], vec![]),
        ("a wrong token", vec![("csrf", wrong.as_str())], vec![]),
        (
            "another session's token",
            vec![("csrf", other.csrf.as_str())],
            vec![],
        ),
        (
            "a wrong htmx header",
            vec![("csrf", session.csrf.as_str())],
            vec![("x-csrf-token", other.csrf.as_str())],
        ),
    ] {
        refused_changes_nothing(&app, &session, &headers, &fields, EXPIRED_FORM, what).await;
    }
    // The right token from another site is refused too.
    let fields = [("csrf", session.csrf.as_str())];
    for headers in [
        vec![("origin", "http://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("origin", "null")],
        vec![("origin", "null"), ("sec-fetch-site", "same-site")],
    ] {
        refused_changes_nothing(
            &app,
            &session,
            &headers,
            &fields,
            OTHER_SITE,
            "another site",
        )
        .await;
    }
    // What a browser sends with the console's own form under its
    // no-referrer policy: Origin null, from the same origin.
    let mine = sign_in(&app, "analyst-3", &["case:read"]).await;
    let own = [("origin", "null"), ("sec-fetch-site", "same-origin")];
    let fields = [("csrf", mine.csrf.as_str())];
    let out = post(&app, "/console/sign-out", &mine.cookie, &own, &fields).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    // htmx's header alone is enough (its requests carry no form field).
    let headers = [("x-csrf-token", session.csrf.as_str())];
    let out = post(&app, "/console/sign-out", &session.cookie, &headers, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
}

async fn sign_out_ends_the_session_on_the_server(backend: Backend) {
    let app = spawn(backend, &[]).await;
    let session = sign_in(&app, "analyst-1", &["case:read"]).await;
    let other = sign_in(&app, "analyst-2", &["case:read"]).await;
    assert_eq!(sessions(&app), 2);
    let fields = [("csrf", session.csrf.as_str())];
    let own = [
        ("origin", app.url.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    let out = post(&app, "/console/sign-out", &session.cookie, &own, &fields).await;
    assert_eq!(
        (out.status, out.header("location"), out.body.as_str()),
        (StatusCode::SEE_OTHER, "/console/signed-out", "")
    );
    let cleared = out.cookie("console").expect("the cookie cleared");
    assert_eq!(cleared[0], "console=");
    assert!(cleared.contains(&"Max-Age=0".to_owned()), "{cleared:?}");
    // The row is gone: the old cookie, kept by someone, opens nothing.
    assert_eq!(sessions(&app), 1);
    assert_sent_to_sign_in(&get(&app, "/console/", &session.cookie).await);
    assert_sent_to_sign_in(&post(&app, "/console/sign-out", &session.cookie, &[], &fields).await);
    // Only that session ended.
    assert_eq!(
        get(&app, "/console/", &other.cookie).await.status,
        StatusCode::OK
    );
    let page = get(&app, "/console/signed-out", "").await;
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::OK,
            squeeze(
                "<main id=\"main\" tabindex=\"-1\">
<h1>Signed out</h1>
<p>Your session has ended on the server. Close the browser if this is a shared computer.</p>
<p><a href=\"/console/sign-in\">Sign in again</a></p>
</main>"
            )
        )
    );
}

async fn an_expired_session_signs_nobody_in_and_is_swept(backend: Backend) {
    let mut app = spawn(backend, &[]).await;
    let idle = sign_in(&app, "analyst-1", &["case:read"]).await;
    let absolute = sign_in(&app, "analyst-2", &["case:read"]).await;
    let live = sign_in(&app, "analyst-3", &["case:read"]).await;
    let past = "2000-01-01T00:00:00.000000Z";
    execute(
        &app,
        &format!(
            "UPDATE console_sessions SET idle_expires_at = '{past}' WHERE subject = 'analyst-1'"
        ),
    );
    execute(&app, &format!("UPDATE console_sessions SET absolute_expires_at = '{past}' WHERE subject = 'analyst-2'"));
    assert_sent_to_sign_in(&get(&app, "/console/", &idle.cookie).await);
    // A refused session is deleted at once.
    assert_eq!(sessions(&app), 2);
    // The sweep (at start, then every 5 minutes) deletes the other; the
    // first runs beside the start, so it is waited for (a few seconds).
    app.restart(&[], &build).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while sessions(&app) > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(sessions(&app), 1);
    assert_sent_to_sign_in(&get(&app, "/console/", &absolute.cookie).await);
    assert_eq!(
        get(&app, "/console/", &live.cookie).await.status,
        StatusCode::OK
    );
    // What is stored is the token's hash, never the token.
    let token = live.cookie.strip_prefix("console=").expect("a token");
    let stored = count(
        &app,
        &format!("SELECT COUNT(*) AS n FROM console_sessions WHERE id_hash = '{token}'"),
    );
    assert_eq!(stored, 0);
}

/// Asserts that a sign-out POST with `headers` and `fields` is refused
/// with `message`, clears no cookie, and leaves `session` signed in.
async fn refused_changes_nothing(
    app: &TestApp,
    session: &Session,
    headers: &[(&str, &str)],
    fields: &[(&str, &str)],
    message: &str,
    what: &str,
) {
    let refused = post(app, "/console/sign-out", &session.cookie, headers, fields).await;
    assert_eq!(
        (refused.status, refused.main()),
        (StatusCode::FORBIDDEN, forbidden_main(message)),
        "{what}"
    );
    assert!(refused.set_cookies().is_empty(), "{what}");
    let home = get(app, "/console/", &session.cookie).await;
    assert_eq!(home.status, StatusCode::OK, "{what}: still signed in");
}

/// How many sessions are stored.
fn sessions(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM console_sessions")
}
