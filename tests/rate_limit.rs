//! Per-client rate limiting over HTTP against the real app: each API
//! refuses in its own envelope with `Retry-After`, other clients are not
//! affected, and the bucket refills.

mod support;

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use support::cam::{ecm_token, fabric_error, Cam, APP_KEY, APP_SECRET, OPERATIONS};
use testkit::{Backend, TestApp};

/// One request a second sustained, two at once: the third in a row is
/// refused, and a token comes back a second later.
async fn spawn() -> TestApp {
    let mut vars = support::cam::cam_vars();
    vars.extend(
        [
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_PER_SECOND", "1"),
            ("RATE_LIMIT_BURST", "2"),
            ("RATE_LIMIT_INTERNAL_PER_SECOND", "2"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn(
        Backend::Sqlite,
        &onboarding::service_names(),
        &vars,
        &|ctx, vars| onboarding::build_all(&onboarding::service_names(), ctx, Some(vars)),
    )
    .await
}

/// Sends `request` and returns its status, `Retry-After` and JSON body.
async fn call(request: RequestBuilder) -> (StatusCode, Option<String>, Value) {
    let response = request.send().await.expect("sent");
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("text").to_owned());
    (
        response.status(),
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Uses up a bucket of two, then expects `refused` with `Retry-After: 1`.
async fn exhaust(request: impl Fn() -> RequestBuilder, refused: Value) {
    for _ in 0..2 {
        let (status, _, body) = call(request()).await;
        assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
    assert_eq!(
        call(request()).await,
        (StatusCode::TOO_MANY_REQUESTS, Some("1".to_owned()), refused)
    );
}

/// Waits for a token to come back and checks the client is served again.
async fn refills(request: impl Fn() -> RequestBuilder) {
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _, body) = call(request()).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn internal_apis_answer_problem_json() {
    let app = spawn().await;
    let parties = || app.internal(Method::GET, "/party/v1/parties");
    let problem = json!({
        "type": "urn:onboarding:problem:too-many-requests",
        "title": "Too many requests",
        "status": 429,
        "detail": "this client has made too many requests; retry after 1 s",
    });
    exhaust(parties, problem.clone()).await;
    // The credential's holders share one allowance across the internal APIs.
    assert_eq!(
        call(app.internal(Method::GET, "/document/v1/documents")).await,
        (StatusCode::TOO_MANY_REQUESTS, Some("1".to_owned()), problem)
    );
    // A caller without the credential counts by its address, apart.
    let (status, _, _) = call(app.anonymous(Method::GET, "/party/v1/parties")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    refills(parties).await;
}

#[tokio::test]
async fn the_cam_api_answers_in_the_fabric_envelope_per_user() {
    let app = spawn().await;
    let alice = Cam::new(&app.url, "alice");
    let list = || {
        alice
            .request("UserAction/getUserActions")
            .json(&json!({"Application_id": "none"}))
    };
    exhaust(
        list,
        fabric_error(
            429,
            10104,
            "too many requests from this user or app; retry after 1 s",
        ),
    )
    .await;
    // The end user is the client: another user of the same app is served.
    let bob = Cam::new(&app.url, "bob");
    let (status, body) =
        testkit::call(bob.request("UserAction/getUserActions").json(&json!({}))).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            fabric_error(
                404,
                10201,
                "Application_id: no such application of the caller"
            )
        )
    );
    // A request without app credentials counts by its address, apart.
    let anonymous = app
        .anonymous(
            Method::POST,
            &format!("{OPERATIONS}/UserAction/getUserActions"),
        )
        .json(&json!({}));
    assert_eq!(
        testkit::call(anonymous).await,
        (
            StatusCode::UNAUTHORIZED,
            fabric_error(
                401,
                10101,
                "X-Kony-App-Key, X-Kony-App-Secret: must name a registered app"
            )
        )
    );
    // A wrong secret does not borrow the app's identity (nor spend its bucket).
    let forged = app
        .anonymous(
            Method::POST,
            &format!("{OPERATIONS}/UserAction/getUserActions"),
        )
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", format!("{APP_SECRET}-guess"))
        .json(&json!({}));
    assert_eq!(testkit::call(forged).await.0, StatusCode::UNAUTHORIZED);
    refills(list).await;
}

#[tokio::test]
async fn the_ecm_api_answers_in_its_envelope_per_subject() {
    let app = spawn().await;
    let app = &app;
    let status_of = |subject: &str| {
        let token = ecm_token(subject, &["case:read"]);
        let url = format!(
            "{}/rest-api/ECMService/CaseManagementService/getCaseStatusDetails",
            app.url
        );
        move || {
            app.http
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({"caseIds": ["C-1"]}))
        }
    };
    let alice = status_of("alice");
    exhaust(
        &alice,
        json!({"MESSAGE": "Too many requests. Retry after 1 seconds.", "STATUS": "FAILED"}),
    )
    .await;
    // Another subject has a bucket of its own.
    let (status, _, body) = call(status_of("bob")()).await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    refills(&alice).await;
}
