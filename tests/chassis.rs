//! The chassis, over HTTP against the real app: health, readiness, request
//! ids, metrics, API docs, unknown routes and methods, graceful shutdown.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, call, Backend, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &[]).await
}

async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let names = onboarding::service_names();
    TestApp::spawn(backend, &names, extra, &|ctx, vars| {
        onboarding::build_all(&onboarding::service_names(), ctx, Some(vars))
    })
    .await
}

/// The 404 of a path nothing serves.
fn no_route() -> Value {
    json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404, "detail": "route not found"})
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.anonymous(Method::GET, path).send().await.expect("sent");
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn live_and_ready(backend: Backend) {
    let app = spawn(backend).await;
    assert_eq!(
        get(&app, "/health/live").await,
        (StatusCode::OK, json!({"status": "live"}))
    );
    assert_eq!(
        get(&app, "/health/ready").await,
        (
            StatusCode::OK,
            json!({"status": "ready", "checks": {"case": "up", "console": "up", "document": "up", "party": "up", "user-action": "up"}})
        )
    );
}

async fn request_ids_are_kept_or_made(backend: Backend) {
    let app = spawn(backend).await;
    let echoed = app
        .anonymous(Method::GET, "/health/live")
        .header("X-Request-ID", "abc-123")
        .send()
        .await
        .expect("sent");
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    for sent in [
        None,
        Some("has spaces and \"quotes\""),
        Some(&*"x".repeat(200)),
    ] {
        let mut request = app.anonymous(Method::GET, "/health/live");
        if let Some(value) = sent {
            request = request.header("X-Request-ID", value);
        }
        let response = request.send().await.expect("sent");
        let made = response.headers()["x-request-id"].to_str().expect("text");
        assert!(
            uuid::Uuid::parse_str(made).is_ok(),
            "a fresh id replaces {sent:?}: {made}"
        );
    }
    let refused = app
        .anonymous(Method::GET, "/party/v1/parties")
        .header("X-Request-ID", "r-401")
        .send()
        .await
        .expect("sent");
    assert_eq!(
        (refused.status(), &refused.headers()["x-request-id"]),
        (StatusCode::UNAUTHORIZED, &"r-401".parse().expect("header"))
    );
}

async fn metrics_count_requests_by_route(backend: Backend) {
    let app = spawn(backend).await;
    app.internal(Method::GET, "/party/v1/parties/1234567890")
        .send()
        .await
        .expect("sent");
    let text = app
        .internal(Method::GET, "/metrics")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/party/v1/parties/{id}",status="404"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
}

async fn api_docs_are_served(backend: Backend) {
    let app = spawn(backend).await;
    let (status, doc) = get(&app, "/openapi/party.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc, serde_json::to_value(party::openapi()).expect("json"));
    let ui = app
        .anonymous(Method::GET, "/docs/")
        .send()
        .await
        .expect("sent");
    assert_eq!(ui.status(), StatusCode::OK);
    assert!(
        ui.text().await.expect("text").contains("swagger"),
        "the Swagger UI page"
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let bare = no_redirects
        .get(format!("{}/docs", app.url))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        (bare.status().is_redirection(), &bare.headers()["location"]),
        (true, &"/docs/".parse().expect("header"))
    );
}

async fn unknown_routes_and_methods(backend: Backend) {
    let app = spawn(backend).await;
    assert_eq!(
        get(&app, "/no/such/route").await,
        (StatusCode::NOT_FOUND, no_route())
    );
    let wrong = app
        .internal(Method::DELETE, "/party/v1/parties")
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// A request whose body is still arriving when the server is told to stop
/// is served to the end; afterwards the port is closed.
async fn graceful_shutdown_drains_requests_in_flight(backend: Backend) {
    let mut app = spawn(backend).await;
    let body = json!({"kind": "person", "firstName": "Drain", "lastName": "Test"}).to_string();
    let (head, tail) = body.split_at(10);
    let address = app.url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request_head = format!(
        "POST /party/v1/parties HTTP/1.1\r\nHost: {address}\r\nX-Service-Credential: {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        testkit::TEST_CREDENTIAL,
        body.len()
    );
    stream
        .write_all(request_head.as_bytes())
        .await
        .expect("write");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let server = app.take_server();
    let stopping = tokio::spawn(server.stop(true));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stream
        .write_all(tail.as_bytes())
        .await
        .expect("write the rest");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 201 Created"), "{answer}");
    stopping.await.expect("stopped");
    assert!(
        tokio::net::TcpStream::connect(&address).await.is_err(),
        "the port is closed"
    );
}

/// A made-up method (HTTP allows any token) is labelled `OTHER` in the
/// metrics and the log: used verbatim, each new one made a new series, and
/// 2,000 of them with 8 KB names grew `/metrics` to 275 MB.
async fn made_up_methods_make_no_new_series(backend: Backend) {
    let app = spawn(backend).await;
    for n in 0..20 {
        let method = Method::from_bytes(format!("MADEUP{n}{}", "X".repeat(1000)).as_bytes())
            .expect("a method token");
        let answer = app
            .internal(method, "/no/such/route")
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    }
    let text = app
        .internal(Method::GET, "/metrics")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(!text.contains("MADEUP"), "a made-up method is a label");
    assert!(
        text.contains(r#"http_requests_total{method="OTHER",route="unmatched",status="404"}"#),
        "{text}"
    );
}

/// `/metrics` on the service port is for the internal credential's
/// holders, as the internal APIs are: without it (or with a wrong one) a
/// 401 problem, as they answer (issue 17, finding 14).
async fn metrics_need_the_internal_credential(backend: Backend) {
    let app = spawn(backend).await;
    for request in [
        app.anonymous(Method::GET, "/metrics"),
        app.anonymous(Method::GET, "/metrics").header(
            "X-Service-Credential",
            "test-internal-credential-0123456788",
        ),
    ] {
        assert_eq!(
            call(request).await,
            (StatusCode::UNAUTHORIZED, testkit::unauthorized_problem())
        );
    }
    let served = app
        .internal(Method::GET, "/metrics")
        .send()
        .await
        .expect("sent");
    assert_eq!(served.status(), StatusCode::OK);
    let text = served.text().await.expect("text");
    assert!(text.contains("http_requests_total{"), "{text}");
}

/// With `METRICS_PORT`, `/metrics` is served there alone, without a
/// credential (for a scraper that cannot send one), and the service port
/// no longer has it, whoever asks.
async fn metrics_on_a_port_of_their_own(backend: Backend) {
    let port = testkit::free_port();
    let app = spawn_with(backend, &[("METRICS_PORT", &port.to_string())]).await;
    app.internal(Method::GET, "/party/v1/parties/1234567890")
        .send()
        .await
        .expect("sent");
    let metrics = format!("http://127.0.0.1:{port}");
    let scraped = reqwest::get(format!("{metrics}/metrics"))
        .await
        .expect("scraped");
    assert_eq!(scraped.status(), StatusCode::OK);
    let text = scraped.text().await.expect("text");
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/party/v1/parties/{id}",status="404"}"#
        ),
        "the service port's requests are counted: {text}"
    );
    for request in [
        app.internal(Method::GET, "/metrics"),
        app.anonymous(Method::GET, "/metrics"),
    ] {
        assert_eq!(call(request).await, (StatusCode::NOT_FOUND, no_route()));
    }
    // The metrics port serves nothing else.
    for path in ["/party/v1/parties", "/health/ready", "/docs/"] {
        let other = app.http.get(format!("{metrics}{path}"));
        assert_eq!(
            call(other).await,
            (StatusCode::NOT_FOUND, no_route()),
            "{path}"
        );
    }
}

/// `API_DOCS=false` switches the Swagger UI and the documents off: 404,
/// with or without the credential.
async fn api_docs_can_be_switched_off(backend: Backend) {
    let app = spawn_with(backend, &[("API_DOCS", "false")]).await;
    for path in ["/docs", "/docs/", "/docs/index.html", "/openapi/party.json"] {
        for request in [
            app.anonymous(Method::GET, path),
            app.internal(Method::GET, path),
        ] {
            assert_eq!(
                call(request).await,
                (StatusCode::NOT_FOUND, no_route()),
                "{path}"
            );
        }
    }
}

backend_tests!(
    live_and_ready,
    request_ids_are_kept_or_made,
    metrics_count_requests_by_route,
    made_up_methods_make_no_new_series,
    api_docs_are_served,
    metrics_need_the_internal_credential,
    metrics_on_a_port_of_their_own,
    api_docs_can_be_switched_off,
    unknown_routes_and_methods,
    graceful_shutdown_drains_requests_in_flight,
);

/// Readiness names the service whose database is gone (PostgreSQL: the
/// database is dropped under the running app).
mod postgres_only {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_readiness_fails_when_the_database_is_gone() {
        if !Backend::postgres_available() {
            return;
        }
        let app = spawn(Backend::Postgres).await;
        let admin = testkit::postgres::server_url().expect("server");
        testkit::postgres::drop_database(admin, &app.vars["PARTY_DATABASE_URL"]);
        assert_eq!(
            get(&app, "/health/ready").await,
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"status": "unavailable", "checks": {"case": "up", "console": "up", "document": "up", "party": "down", "user-action": "up"}})
            )
        );
        assert_eq!(
            get(&app, "/health/live").await,
            (StatusCode::OK, json!({"status": "live"}))
        );
    }
}
