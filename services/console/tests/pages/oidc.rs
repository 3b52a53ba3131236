//! Signing in through the OpenID provider, over HTTP: where the console
//! sends the browser (PKCE, state, nonce, the binding cookie), and each
//! way a sign-in is refused: a state unknown, replayed, expired or from
//! another browser, a code the provider does not know, the provider's own
//! errors, and a provider that cannot be reached. Against a real provider
//! (oidc-provider under node); the browser tests (tests/browser) sign in
//! through it all the way.

use crate::helpers::*;
use base64::Engine;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use testkit::idp::{self, Idp};
use testkit::{backend_tests, Backend, TestApp};

backend_tests!(
    signing_in_begins_at_the_provider_with_pkce_state_and_nonce,
    a_tampered_replayed_or_stale_sign_in_signs_nobody_in,
    the_providers_errors_are_pages_that_tell_nothing_of_the_cause,
    the_console_starts_and_says_so_while_the_provider_is_down,
    stale_sign_ins_are_swept,
);

/// The console with the development sign-in and a provider for it;
/// `None` (the test skipped, with a note) where node or its modules are
/// missing, unless `REQUIRE_BROWSER=1`.
async fn console_and_provider(backend: Backend) -> Option<(TestApp, Idp)> {
    if !idp::available() {
        return None;
    }
    let port = idp::reserve_port();
    let vars = idp::console_vars(port);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn(backend, &vars).await;
    let provider = Idp::start(port, &format!("{}/console/auth/callback", app.url));
    Some((app, provider))
}

/// A sign-in begun: the redirect, its query, and the binding cookie
/// (`console_oidc=VERIFIER`).
struct Begun {
    page: Page,
    query: BTreeMap<String, String>,
    cookie: String,
}

impl Begun {
    /// The state sent to the provider.
    fn state(&self) -> &str {
        &self.query["state"]
    }
}

/// `GET /console/auth/login` (with `query`), read as a browser would.
async fn begin(app: &TestApp, query: &str) -> Begun {
    let page = get(app, &format!("/console/auth/login{query}"), "").await;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    let location = page.header("location").to_owned();
    let (_, query) = location.split_once('?').expect("a query");
    let query = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let cookie = page.cookie("console_oidc").expect("the binding cookie")[0].clone();
    Begun {
        page,
        query,
        cookie,
    }
}

/// Hex SHA-256, as the console keys a state.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Makes the sign-in `begun` older than ten minutes.
fn make_stale(app: &TestApp, begun: &Begun) {
    execute(
        app,
        &format!(
            "UPDATE console_logins SET created_at = '2020-01-01T00:00:00.000000Z' \
             WHERE state_hash = '{}'",
            sha256_hex(begun.state())
        ),
    );
}

/// An error page's `<main>`.
fn error_main(title: &str, message: &str) -> String {
    squeeze(&format!(
        "<main id=\"main\" tabindex=\"-1\">
<h1>{title}</h1>
<p>{}</p>
<p><a href=\"/console/\">Back to the console</a></p>
</main>",
        message.replace('\'', "&#39;")
    ))
}

const START_AGAIN: &str = "This sign-in has expired or was begun in another browser, so it was not completed. Sign in again from the console's sign-in page.";
const NOT_VERIFIED: &str = "The identity provider's answer could not be verified, so you are not signed in. Sign in again; if this keeps happening, tell the support team the time it happened.";

/// Asserts `page` is the "start again" refusal, which clears the binding
/// cookie and begins no session.
fn assert_start_again(page: &Page, what: &str) {
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::BAD_REQUEST,
            error_main("Sign-in expired", START_AGAIN)
        ),
        "{what}"
    );
    assert_eq!(
        page.cookie("console_oidc")
            .expect("the binding cookie cleared")[1..4],
        ["HttpOnly", "SameSite=Lax", "Path=/console/auth/"],
        "{what}"
    );
    assert!(page.cookie("console").is_none(), "{what}: no session");
}

/// How many sessions, and how many sign-ins under way, are stored.
fn stored(app: &TestApp) -> (i64, i64) {
    (
        count(app, "SELECT COUNT(*) AS n FROM console_sessions"),
        count(app, "SELECT COUNT(*) AS n FROM console_logins"),
    )
}

async fn signing_in_begins_at_the_provider_with_pkce_state_and_nonce(backend: Backend) {
    let Some((app, provider)) = console_and_provider(backend).await else {
        return;
    };
    let page = get(&app, "/console/sign-in", "").await;
    assert_eq!(
        page.main(),
        squeeze(
            "<main id=\"main\" tabindex=\"-1\">
<h1>Sign in</h1>
<p>Sign in with your bank account, through the bank's identity provider.</p>
<p><a class=\"button\" href=\"/console/auth/login\">Sign in with the identity provider</a></p>
<p>This console runs for development: sign in with a name and the roles you choose.</p>
<p><a class=\"button\" href=\"/console/auth/dev\">Development sign-in</a></p>
</main>"
        )
    );

    let begun = begin(&app, "?return_to=/console/cases%3Fstatus%3DINV").await;
    let location = begun.page.header("location");
    assert!(
        location.starts_with(&format!("{}/auth?", provider.issuer)),
        "{location}"
    );
    let verifier = begun.cookie.strip_prefix("console_oidc=").expect("a value");
    let mut query = begun.query.clone();
    for random in ["state", "nonce"] {
        assert_eq!(query[random].len(), 43, "{random}: 32 random bytes");
    }
    assert_ne!(query["state"], query["nonce"]);
    query.remove("state");
    query.remove("nonce");
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let expected: BTreeMap<String, String> = [
        ("client_id", "console".to_owned()),
        ("code_challenge", challenge.clone()),
        ("code_challenge_method", "S256".to_owned()),
        ("redirect_uri", format!("{}/console/auth/callback", app.url)),
        ("response_type", "code".to_owned()),
        ("scope", "openid profile roles".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(query, expected);
    // The binding cookie: Lax (the browser comes back from the provider's
    // site), the sign-in routes only, ten minutes.
    assert_eq!(
        begun.page.cookie("console_oidc").expect("the cookie")[1..],
        [
            "HttpOnly",
            "SameSite=Lax",
            "Path=/console/auth/",
            "Max-Age=600"
        ]
    );
    assert_eq!(verifier.len(), 43);
    // Stored: the state's hash and the verifier's challenge, never either
    // as sent.
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM console_logins WHERE state_hash = '{}' \
                 AND challenge = '{challenge}' AND nonce = '{}' \
                 AND return_to = '/console/cases?status=INV'",
                sha256_hex(begun.state()),
                begun.query["nonce"]
            )
        ),
        1
    );
    // The provider takes the request: it asks the browser to sign in.
    let at_provider = client()
        .get(location)
        .send()
        .await
        .expect("the provider answered");
    assert_eq!(at_provider.status(), StatusCode::SEE_OTHER);
    let interaction = at_provider.headers()["location"].to_str().expect("text");
    assert!(interaction.starts_with("/interaction/"), "{interaction}");

    // A return_to off the console is not followed.
    let elsewhere = begin(&app, "?return_to=https://evil.example/").await;
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM console_logins WHERE state_hash = '{}' \
                 AND return_to = '/console/'",
                sha256_hex(elsewhere.state())
            )
        ),
        1
    );
}

async fn a_tampered_replayed_or_stale_sign_in_signs_nobody_in(backend: Backend) {
    let Some((app, _provider)) = console_and_provider(backend).await else {
        return;
    };
    let callback =
        |state: &str, code: &str| format!("/console/auth/callback?code={code}&state={state}");

    // A state the console never sent.
    let begun = begin(&app, "").await;
    let page = get(&app, &callback("not-the-state", "a-code"), &begun.cookie).await;
    assert_start_again(&page, "an unknown state");
    // The right state without the browser's binding cookie: refused, and
    // the sign-in is used up, so it fails with the cookie too.
    let page = get(&app, &callback(begun.state(), "a-code"), "").await;
    assert_start_again(&page, "no binding cookie");
    let page = get(&app, &callback(begun.state(), "a-code"), &begun.cookie).await;
    assert_start_again(&page, "a replayed state");
    // Another sign-in's cookie (begun in another browser).
    let mine = begin(&app, "").await;
    let theirs = begin(&app, "").await;
    let page = get(&app, &callback(mine.state(), "a-code"), &theirs.cookie).await;
    assert_start_again(&page, "another browser's cookie");
    // No code.
    let page = get(
        &app,
        &format!("/console/auth/callback?state={}", theirs.state()),
        &theirs.cookie,
    )
    .await;
    assert_start_again(&page, "no code");
    // Older than ten minutes.
    let stale = begin(&app, "").await;
    make_stale(&app, &stale);
    let page = get(&app, &callback(stale.state(), "a-code"), &stale.cookie).await;
    assert_start_again(&page, "a stale sign-in");
    // All in order but a code the provider never issued: its token
    // endpoint refuses it.
    let forged = begin(&app, "").await;
    let page = get(
        &app,
        &callback(forged.state(), "forged-code"),
        &forged.cookie,
    )
    .await;
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::BAD_GATEWAY,
            error_main("Sign-in not verified", NOT_VERIFIED)
        )
    );
    assert!(page.cookie("console").is_none());
    assert_eq!(stored(&app), (0, 0), "no session; every sign-in used up");
}

async fn the_providers_errors_are_pages_that_tell_nothing_of_the_cause(backend: Backend) {
    let Some((app, _provider)) = console_and_provider(backend).await else {
        return;
    };
    let begun = begin(&app, "").await;
    let page = get(
        &app,
        &format!(
            "/console/auth/callback?error=access_denied&error_description=End-User+aborted&state={}",
            begun.state()
        ),
        &begun.cookie,
    )
    .await;
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::FORBIDDEN,
            error_main(
                "Not signed in",
                "The identity provider did not sign you in: you cancelled, or it does not let \
                 you into the console. Sign in again, or ask your administrator for access."
            )
        )
    );
    let failed = error_main(
        "Not signed in",
        "The identity provider could not complete the sign-in. Sign in again; if this keeps \
         happening, tell the support team the time it happened.",
    );
    for error in ["server_error", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"] {
        let page = get(
            &app,
            &format!("/console/auth/callback?error={error}&error_description=secret+detail"),
            "",
        )
        .await;
        assert_eq!(
            (page.status, page.main()),
            (StatusCode::BAD_GATEWAY, failed.clone())
        );
        assert!(!page.body.contains("alert(1)") && !page.body.contains("secret detail"));
    }
    assert_eq!(stored(&app), (0, 0), "the errored sign-in is used up");
}

async fn the_console_starts_and_says_so_while_the_provider_is_down(backend: Backend) {
    // Nothing listens at the issuer: discovery waits for the first sign-in.
    let vars = idp::console_vars(testkit::free_port());
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn(backend, &vars).await;
    let page = get(&app, "/console/sign-in", "").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("href=\"/console/auth/login\""));
    let page = get(&app, "/console/auth/login", "").await;
    assert_eq!(
        (page.status, page.main()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            error_main(
                "Identity provider unavailable",
                "The bank's identity provider cannot be reached just now, so you cannot sign \
                 in. Try again in a moment."
            )
        )
    );
    assert_eq!(stored(&app), (0, 0));
    // Without a provider configured, neither route exists.
    let plain = spawn(backend, &[]).await;
    for path in [
        "/console/auth/login",
        "/console/auth/callback?code=a&state=b",
    ] {
        assert_eq!(
            get(&plain, path, "").await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn stale_sign_ins_are_swept(backend: Backend) {
    let Some((mut app, _provider)) = console_and_provider(backend).await else {
        return;
    };
    let stale = begin(&app, "").await;
    let _fresh = begin(&app, "").await;
    make_stale(&app, &stale);
    // The sweep runs beside the start, so it is waited for (a few
    // seconds).
    app.restart(&[], &build).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while stored(&app).1 > 1 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(stored(&app), (0, 1));
}
