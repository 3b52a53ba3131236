//! Signing in through the provider, as an analyst does.

use reqwest::StatusCode;
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use testkit::browser::{screenshot, Browser};
use testkit::idp::{self, Idp};
use testkit::{Backend, TestApp};
use thirtyfour::prelude::*;
use thirtyfour::SameSite;

/// The console alone.
fn build(ctx: &Context, vars: &HashMap<String, String>) -> anyhow::Result<Vec<Service>> {
    Ok(vec![console::service(ctx, Some(vars))?])
}

/// The console (with the development sign-in too) and a provider for it.
async fn console_and_provider() -> (TestApp, Idp) {
    let port = idp::reserve_port();
    let mut vars = idp::console_vars(port);
    vars.push(("DEV_MODE", "true".to_owned()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn(Backend::Sqlite, &["console"], &vars, &build).await;
    let provider = Idp::start(port, &format!("{}/console/auth/callback", app.url));
    (app, provider)
}

/// Waits (at most ten seconds) until the browser is at `url` (with any
/// query).
async fn wait_for_url(driver: &WebDriver, url: &str) {
    let started = Instant::now();
    loop {
        let now = driver.current_url().await.expect("a url").to_string();
        if now == url || now.starts_with(&format!("{url}?")) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the browser is at {now}, not {url}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of the page's `<h1>`.
async fn heading(driver: &WebDriver) -> String {
    driver
        .find(By::Tag("h1"))
        .await
        .expect("a heading")
        .text()
        .await
        .expect("its text")
}

/// The text of the page's `<main>`.
async fn main_text(driver: &WebDriver) -> String {
    driver
        .find(By::Id("main"))
        .await
        .expect("<main>")
        .text()
        .await
        .expect("its text")
}

/// Clicks the link whose text is `text`.
async fn follow(driver: &WebDriver, text: &str) {
    driver
        .find(By::LinkText(text))
        .await
        .unwrap_or_else(|e| panic!("a link {text:?}: {e}"))
        .click()
        .await
        .expect("clicked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_signs_in_through_the_provider_and_out_again() {
    if !(testkit::browser::available() && idp::available()) {
        return;
    }
    let (app, provider) = console_and_provider().await;
    let driver = Browser::shared().session().await;

    // Signed out, the console sends the analyst to its sign-in page, which
    // offers the provider and (DEV_MODE) the development sign-in.
    driver
        .goto(format!("{}/console/", app.url))
        .await
        .expect("opened");
    wait_for_url(&driver, &format!("{}/console/sign-in", app.url)).await;
    assert_eq!(heading(&driver).await, "Sign in");
    Browser::assert_accessible(&driver, "the sign-in page").await;
    screenshot(&driver, "sign-in").await;

    // The provider's page is on its own site; the analyst signs in there.
    follow(&driver, "Sign in with the identity provider").await;
    let at = driver.current_url().await.expect("a url").to_string();
    assert!(at.starts_with(&provider.issuer), "{at}");
    Idp::sign_in(&driver, "analyst-1").await;

    // Back at the console: the callback's page moves on to the home page,
    // where the Strict session cookie is sent (a redirect would lose it).
    wait_for_url(&driver, &format!("{}/console/", app.url)).await;
    assert_eq!(heading(&driver).await, "Welcome, Ada Analyst");
    let home = main_text(&driver).await;
    for shown in [
        "analyst-1",
        "case:read: Read cases",
        "case:write: Work on cases: assign, lock, decide",
    ] {
        assert!(home.contains(shown), "{shown:?} not in {home}");
    }
    assert!(!home.contains("application:read"), "{home}");
    Browser::assert_accessible(&driver, "the home page").await;
    screenshot(&driver, "home").await;

    // The session cookie: HttpOnly, SameSite=Strict, the console's path
    // only; the sign-in's binding cookie is gone.
    let cookies = driver.get_all_cookies().await.expect("cookies");
    let names: Vec<&str> = cookies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["console"], "{cookies:?}");
    let session = &cookies[0];
    assert_eq!(
        (
            session.http_only,
            session.same_site,
            session.path.as_deref(),
            session.secure
        ),
        (
            Some(true),
            Some(SameSite::Strict),
            Some("/console/"),
            Some(false)
        ),
        "{session:?}"
    );
    assert_eq!(session.value.len(), 43, "32 random bytes, base64url");

    // Sign-out ends the session on the server: the old cookie, sent again
    // by another client, opens nothing.
    driver
        .find(By::Css("form[action='/console/sign-out'] button"))
        .await
        .expect("the sign-out button")
        .click()
        .await
        .expect("clicked");
    wait_for_url(&driver, &format!("{}/console/signed-out", app.url)).await;
    assert_eq!(heading(&driver).await, "Signed out");
    let end = driver
        .find(By::LinkText("Sign out of the identity provider too"))
        .await
        .expect("a link to the provider's end-session")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(
        end.as_deref(),
        Some(format!("{}/session/end?client_id=console", provider.issuer).as_str())
    );
    Browser::assert_accessible(&driver, "the signed-out page").await;
    screenshot(&driver, "signed-out").await;
    let replayed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
        .get(format!("{}/console/", app.url))
        .header("cookie", format!("console={}", session.value))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        (
            replayed.status(),
            replayed
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap())
        ),
        (StatusCode::SEE_OTHER, Some("/console/sign-in"))
    );

    // The development sign-in page, checked and pictured too.
    driver
        .goto(format!("{}/console/auth/dev", app.url))
        .await
        .expect("opened");
    assert_eq!(heading(&driver).await, "Development sign-in");
    Browser::assert_accessible(&driver, "the development sign-in page").await;
    screenshot(&driver, "dev-sign-in").await;
    driver.quit().await.expect("closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_providers_refusals_and_a_tampered_nonce_sign_nobody_in() {
    if !(testkit::browser::available() && idp::available()) {
        return;
    }
    let (app, _provider) = console_and_provider().await;
    let driver = Browser::shared().session().await;
    let login = format!("{}/console/auth/login", app.url);

    // The analyst cancels at the provider: error=access_denied.
    driver.goto(&login).await.expect("opened");
    follow(&driver, "[ Cancel ]").await;
    wait_for_url(&driver, &format!("{}/console/auth/callback", app.url)).await;
    assert_eq!(heading(&driver).await, "Not signed in");
    assert!(main_text(&driver)
        .await
        .contains("The identity provider did not sign you in"));
    Browser::assert_accessible(&driver, "the provider's refusal").await;

    // The sign-in's nonce is changed while the analyst is at the
    // provider: the ID token then carries another, and is refused.
    driver.goto(&login).await.expect("opened");
    testkit::faults::execute(
        app.backend,
        &app.vars["CONSOLE_DATABASE_URL"],
        "UPDATE console_logins SET nonce = 'tampered'",
    );
    Idp::sign_in(&driver, "viewer").await;
    wait_for_url(&driver, &format!("{}/console/auth/callback", app.url)).await;
    assert_eq!(heading(&driver).await, "Sign-in not verified");
    let cookies = driver.get_all_cookies().await.expect("cookies");
    assert!(cookies.iter().all(|c| c.name != "console"), "{cookies:?}");

    // Signed in at the provider already, the next sign-in needs no form:
    // the viewer lands with read access only.
    driver.goto(&login).await.expect("opened");
    wait_for_url(&driver, &format!("{}/console/", app.url)).await;
    assert_eq!(heading(&driver).await, "Welcome, Vi Viewer");
    let home = main_text(&driver).await;
    assert!(home.contains("case:read: Read cases"), "{home}");
    assert!(!home.contains("case:write"), "{home}");
    driver.quit().await.expect("closed");

    // Someone the provider knows, with none of the console's roles.
    let driver = Browser::shared().session().await;
    driver.goto(&login).await.expect("opened");
    Idp::sign_in(&driver, "outsider").await;
    wait_for_url(&driver, &format!("{}/console/auth/callback", app.url)).await;
    assert_eq!(heading(&driver).await, "No access to the console");
    Browser::assert_accessible(&driver, "the no-access page").await;
    screenshot(&driver, "no-access").await;
    let cookies = driver.get_all_cookies().await.expect("cookies");
    assert!(cookies.iter().all(|c| c.name != "console"), "{cookies:?}");
    driver.quit().await.expect("closed");
}
