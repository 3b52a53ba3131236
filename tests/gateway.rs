//! The API gateway (`deploy/nginx`) in front of the standalone app, on
//! loopback: Debian's nginx, configured and started by `deploy/nginx/gateway`
//! exactly as the gateway image starts it. The public APIs pass through; the
//! internal APIs and the chassis endpoints answer the gateway's JSON 404;
//! oversized bodies are refused with a JSON 413 before the app sees them; the
//! request id is forwarded.
//!
//! Without nginx the test is skipped with a note, unless `REQUIRE_NGINX=1`
//! (as in CI), which fails it. `NGINX` names another nginx binary.

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::{Backend, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The script the gateway image runs.
const GATEWAY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx/gateway");
const CAM: &str = "/services/data/v1/CustomerActionsManagement/operations";
const ECM: &str = "/rest-api/ECMService/CaseManagementService";
const JWT_SECRET: &str = "gateway-test-jwt-secret-0123456789abcdef";
const APP_KEY: &str = "gateway-test-app";
const APP_SECRET: &str = "gateway-test-app-secret-0123456789";
/// SHA-256 of `APP_SECRET`, as `USER_ACTION_APPS` takes it.
const APP_SECRET_SHA256: &str = "8323833e65e9c6d96860f0b4d448438e15252a425b42cd8fd38ba64701c83f85";

/// The gateway's answer to every path it does not route.
fn not_found() -> Value {
    json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404, "detail": "no public API at this path"})
}

/// The gateway's answer to a body over its limit.
fn too_large() -> Value {
    json!({"type": "urn:onboarding:problem:request-too-large", "title": "Request too large", "status": 413, "detail": "the request body exceeds the gateway limit for this API"})
}

/// The nginx binary, if installed.
fn nginx() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::var_os("NGINX").map(PathBuf::from).or_else(|| {
        std::env::split_paths(&path)
            .chain([PathBuf::from("/usr/sbin")])
            .map(|dir| dir.join("nginx"))
            .find(|candidate| candidate.is_file())
    });
    match found {
        Some(nginx) => Some(nginx),
        None if std::env::var("REQUIRE_NGINX").is_ok_and(|v| v == "1") => {
            panic!("REQUIRE_NGINX=1 but nginx is not installed (apt-get install nginx)")
        }
        None => {
            eprintln!("skipping the gateway test: nginx is not installed (apt-get install nginx)");
            None
        }
    }
}

/// nginx started by `deploy/nginx/gateway run`, stopped when dropped.
struct Gateway {
    url: String,
    port: u16,
    child: Child,
    prefix: tempfile::TempDir,
}

impl Gateway {
    /// Starts the gateway with both public upstreams at `upstream`.
    async fn start(nginx: &Path, upstream: &str) -> Self {
        let prefix = tempfile::tempdir().expect("a prefix directory");
        let (port, status_port) = (testkit::free_port(), testkit::free_port());
        let log = |name: &str| std::fs::File::create(prefix.path().join(name)).expect("a log file");
        let child = Command::new(GATEWAY)
            .arg("run")
            .arg(prefix.path().join("nginx"))
            .env("NGINX", nginx)
            .env("USER_ACTION_UPSTREAM", upstream)
            .env("CASE_UPSTREAM", upstream)
            .env("CONSOLE_UPSTREAM", upstream)
            .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEWAY_STATUS_LISTEN", format!("127.0.0.1:{status_port}"))
            // The shipped limits, whatever the caller's environment says.
            .env_remove("GATEWAY_CAM_MAX_BODY")
            .env_remove("GATEWAY_UPLOAD_MAX_BODY")
            .env_remove("GATEWAY_ECM_MAX_BODY")
            .env_remove("GATEWAY_CONSOLE_MAX_BODY")
            .env_remove("GATEWAY_TEMPLATE")
            .stdin(Stdio::null())
            .stdout(log("access.log"))
            .stderr(log("error.log"))
            .spawn()
            .expect("deploy/nginx/gateway starts");
        stop_when_this_process_exits(child.id());
        let mut gateway = Self {
            url: format!("http://127.0.0.1:{port}"),
            port,
            child,
            prefix,
        };
        gateway.wait_until_up(status_port).await;
        gateway
    }

    async fn wait_until_up(&mut self, status_port: u16) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let health = format!("http://127.0.0.1:{status_port}/health");
        loop {
            if let Ok(response) = reqwest::get(&health).await {
                assert_eq!(response.status(), StatusCode::OK, "the gateway's health");
                return;
            }
            let exited = self.child.try_wait().expect("the gateway's status");
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "the gateway did not start ({exited:?}):\n{}",
                    self.log("error.log")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.prefix.path().join(name)).unwrap_or_default()
    }

    /// Waits for the access log line of the request `id`.
    async fn access_log_line(&self, id: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        let needle = format!("\"request_id\":\"{id}\"");
        loop {
            if let Some(line) = self.log("access.log").lines().find(|l| l.contains(&needle)) {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no access log line for {id}:\n{}",
                self.log("access.log")
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// A shell that stops nginx (and so its workers) if this test binary dies
/// before dropping the gateway.
fn stop_when_this_process_exits(pid: u32) {
    testkit::after_exit(&format!("kill -TERM {pid} 2>/dev/null")).expect("a watchdog");
}

/// An answer: status, JSON body (or the text as a JSON string) and headers.
struct Answer {
    status: StatusCode,
    body: Value,
    headers: HeaderMap,
}

impl Answer {
    fn pair(&self) -> (StatusCode, &Value) {
        (self.status, &self.body)
    }

    fn request_id(&self) -> &str {
        self.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("an X-Request-ID")
    }
}

async fn send(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        body,
        headers,
    }
}

/// The app, with every service, a known app credential and HS256 tokens.
async fn spawn_app() -> TestApp {
    let apps = format!("{APP_KEY}:{APP_SECRET_SHA256}");
    let names = onboarding::service_names();
    TestApp::spawn(
        Backend::Sqlite,
        &names,
        &[
            ("DEV_MODE", "true"),
            ("JWT_HS256_SECRET", JWT_SECRET),
            ("USER_ACTION_APPS", &apps),
        ],
        &|ctx, vars| onboarding::build_all(&onboarding::service_names(), ctx, Some(vars)),
    )
    .await
}

/// A token for the API of `service` (`user-action` or `case`).
fn token(app: &TestApp, service: &str, subject: &str, roles: &[&str]) -> String {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    onboarding::token(
        &config,
        Some(&app.vars),
        service,
        subject,
        &roles,
        Some(600),
    )
    .expect("a token")
}

/// A client that never follows redirects: neither the gateway nor the app
/// should answer with one.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// A POST of `body` to `base` + `path`.
fn post(base: &str, path: &str, body: String) -> RequestBuilder {
    http()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body)
}

/// A POST with the CAM app credentials and an end-user token.
fn cam_post(app: &TestApp, base: &str, op: &str, body: String) -> RequestBuilder {
    post(base, &format!("{CAM}/{op}"), body)
        .header("X-Kony-App-Key", APP_KEY)
        .header("X-Kony-App-Secret", APP_SECRET)
        .bearer_auth(token(app, "user-action", "applicant-gw", &[]))
}

/// Sends the request `make` builds for a base URL through the gateway and
/// directly: the answers must be the same. Returns the gateway's.
async fn same_through_both(
    app: &TestApp,
    gateway: &Gateway,
    make: impl Fn(&str) -> RequestBuilder,
) -> Answer {
    let through = send(make(&gateway.url)).await;
    let direct = send(make(&app.url)).await;
    assert_eq!(
        through.pair(),
        direct.pair(),
        "through the gateway and directly"
    );
    through
}

/// Every request the app has counted, from its own /metrics.
async fn requests_counted(app: &TestApp) -> u64 {
    let text = send(app.internal(Method::GET, "/metrics")).await.body;
    let text = text.as_str().expect("the metrics text");
    text.lines()
        .filter(|l| l.starts_with("http_requests_total{"))
        .map(|l| {
            l.rsplit(' ')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .expect("a count")
        })
        .sum()
}

/// A request sent byte for byte, so nothing normalises the path on the way.
async fn raw_get(port: u16, path: &str) -> (StatusCode, Value) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Service-Credential: {}\r\nConnection: close\r\n\r\n",
        testkit::TEST_CREDENTIAL
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("a response");
    let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or_else(|| panic!("a status line: {head}"));
    (
        status,
        serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_serves_the_public_apis_and_nothing_else() {
    let Some(nginx) = nginx() else {
        return;
    };
    let app = spawn_app().await;
    let app_port = app.url.rsplit(':').next().expect("a port");
    let gateway = Gateway::start(&nginx, &format!("127.0.0.1:{app_port}")).await;

    public_apis_pass_through(&app, &gateway).await;
    the_console_passes_through(&gateway).await;
    internal_apis_and_the_chassis_are_not_routed(&app, &gateway).await;
    path_tricks_do_not_reach_internal_apis(&gateway).await;
    oversized_bodies_stop_at_the_gateway(&app, &gateway).await;
    request_ids_are_forwarded(&gateway).await;
}

/// The ECM and CAM APIs answer through the gateway exactly as they answer
/// directly.
async fn public_apis_pass_through(app: &TestApp, gateway: &Gateway) {
    let analyst = token(app, "case", "analyst-gw", &["case:write"]);
    let customer = json!([{"caseId": "GW100", "customers": [{
        "customerId": "GWC1", "businessAdd": "N", "customerTypeCode": "IND",
        "firstName": "Test", "lastName": "Gateway", "dateOfBirth": "1980-01-31"
    }]}]);
    for (op, body) in [
        ("createCase", json!([{"caseId": "GW100"}])),
        ("addCustomer", customer),
    ] {
        let answer = send(
            post(&gateway.url, &format!("{ECM}/{op}"), body.to_string()).bearer_auth(&analyst),
        )
        .await;
        assert_eq!(
            (answer.status, &answer.body["STATUS"]),
            (StatusCode::OK, &json!("SUCCESS")),
            "{op} through the gateway: {}",
            answer.body
        );
    }
    let details = |token: Option<&str>| {
        let token = token.map(str::to_owned);
        move |base: &str| {
            let request = post(
                base,
                &format!("{ECM}/getCaseDetails"),
                json!({"caseId": "GW100"}).to_string(),
            );
            match &token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        }
    };
    let through = same_through_both(app, gateway, details(Some(&analyst))).await;
    assert_eq!(through.status, StatusCode::OK);
    assert!(
        through.body.to_string().contains("\"GWC1\""),
        "the case holds the customer added through the gateway: {}",
        through.body
    );

    // Refusals are the services' own, in their own envelopes.
    let through = same_through_both(app, gateway, details(None)).await;
    assert_eq!(
        (through.status, &through.body["STATUS"]),
        (StatusCode::UNAUTHORIZED, &json!("FAILED"))
    );
    // The real-time event operations, under both of the guide's spellings.
    for (prefix, code) in [("/rest-api", "GW-E1"), ("/restapi", "GW-E2")] {
        let path = format!("{prefix}/CMRestService/RealTimeCaseCreationService/saveEvents");
        let body = json!({"events": [{"eventCode": code}]}).to_string();
        let answer = send(post(&gateway.url, &path, body).bearer_auth(&analyst)).await;
        assert_eq!(
            answer.pair(),
            (
                StatusCode::OK,
                &json!({"MESSAGE": "Event(s) saved successfully.", "STATUS": "SUCCESS", "Event Id(s)": code})
            ),
            "{path}"
        );
    }
    let through = same_through_both(app, gateway, |base: &str| {
        cam_post(app, base, "UserAction/getUserActions", "{}".to_owned())
    })
    .await;
    assert!(
        through.body.get("opstatus").is_some(),
        "user-action-service's envelope: {}",
        through.body
    );
}

/// The console's pages pass through with their own headers; `/console`
/// goes to `/console/`; its forms are small; nothing past it is reached.
async fn the_console_passes_through(gateway: &Gateway) {
    let page = http()
        .get(format!("{}/console/sign-in", gateway.url))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.headers()["content-security-policy"]
        .to_str()
        .expect("text")
        .starts_with("default-src 'none'; script-src 'self';"));
    let body = page.text().await.expect("a body");
    assert!(body.contains("<h1>Sign in</h1>"), "{body}");
    let bare = http()
        .get(format!("{}/console", gateway.url))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        (
            bare.status(),
            bare.headers()["location"].to_str().expect("text")
        ),
        (StatusCode::PERMANENT_REDIRECT, "/console/")
    );
    let form = http()
        .post(format!("{}/console/auth/dev", gateway.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={}", "a".repeat(65 * 1024)))
        .send()
        .await
        .expect("sent");
    assert_eq!(form.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for path in [
        "/console/../party/v1/parties",
        "/console/%2e%2e/party/v1/parties",
        "/console/..%2fparty/v1/parties",
    ] {
        let (status, body) = raw_get(gateway.port, path).await;
        assert_eq!(
            (status, &body),
            (StatusCode::NOT_FOUND, &not_found()),
            "{path}"
        );
    }
}

/// party, document, metrics, docs and health answer directly but not
/// through the gateway, whatever the request carries.
async fn internal_apis_and_the_chassis_are_not_routed(app: &TestApp, gateway: &Gateway) {
    let person = json!({"kind": "person", "firstName": "Ada", "lastName": "Gateway", "dateOfBirth": "1985-10-10"});
    let created = send(
        app.internal(Method::POST, "/party/v1/parties")
            .json(&person),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().expect("an id").to_owned();

    let paths = [
        (Method::GET, "/party/v1/parties".to_owned()),
        (Method::GET, format!("/party/v1/parties/{id}")),
        (Method::GET, "/document/v1/documents".to_owned()),
        // user-action's applications for the console (issue 15).
        (Method::GET, "/user-action/v1/applications".to_owned()),
        (Method::GET, "/metrics".to_owned()),
        (Method::GET, "/docs/".to_owned()),
        (Method::GET, "/openapi/party.json".to_owned()),
        (Method::GET, "/health/ready".to_owned()),
        (Method::GET, "/health/live".to_owned()),
    ];
    for (method, path) in &paths {
        let direct = send(app.internal(method.clone(), path).headers(owner_headers())).await;
        assert_eq!(direct.status, StatusCode::OK, "{path} directly");
        let through = send(internal_through(gateway, method, path).headers(owner_headers())).await;
        assert_eq!(
            through.pair(),
            (StatusCode::NOT_FOUND, &not_found()),
            "{method} {path} through the gateway"
        );
        assert_eq!(
            through.headers["content-type"], "application/problem+json",
            "{path}"
        );
    }

    // Writes are refused too, and nothing reaches party-service.
    for (method, path) in [
        (Method::POST, "/party/v1/parties".to_owned()),
        (Method::PATCH, format!("/party/v1/parties/{id}")),
        (Method::POST, "/document/v1/documents".to_owned()),
        // case-service's acting scope, the console's way in (issue 15).
        (
            Method::POST,
            "/case/v1/ecm/CaseManagementService/assignCase".to_owned(),
        ),
        (
            Method::POST,
            "/case/v1/ecm/CaseManagementService/searchCases".to_owned(),
        ),
    ] {
        let through =
            send(internal_through(gateway, &method, &path).json(&json!({"lastName": "Changed"})))
                .await;
        assert_eq!(
            through.pair(),
            (StatusCode::NOT_FOUND, &not_found()),
            "{method} {path}"
        );
    }
    let read = send(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
    assert_eq!(read.body["lastName"], "Gateway");

    // Near misses of the public prefixes are not routed either.
    for path in [
        "/",
        "/services/data/v1/CustomerActionsManagement",
        "/services/data/v1/CustomerActionsManagementX/operations",
        "/services/data/v1/Other/operations",
        "/rest-api/ECMService",
        "/rest-api/ECMServiceX/CaseManagementService/addCustomer",
        "/rest-api/CMRestService",
        "/restapi/CMRestService",
        "/rest-api/CMRestServiceX/RealTimeCaseCreationService/saveEvents",
        "/restapi/ECMService/CaseManagementService/addCustomer",
    ] {
        let through = send(http().post(format!("{}{path}", gateway.url)).body("{}")).await;
        assert_eq!(
            through.pair(),
            (StatusCode::NOT_FOUND, &not_found()),
            "{path}"
        );
    }
}

/// A request through the gateway that carries the internal credential, as
/// a peer service would send it.
fn internal_through(gateway: &Gateway, method: &Method, path: &str) -> RequestBuilder {
    http()
        .request(method.clone(), format!("{}{path}", gateway.url))
        .header(
            service_kit::auth::CREDENTIAL_HEADER,
            testkit::TEST_CREDENTIAL,
        )
}

/// The owner headers document-service requires.
fn owner_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-owner-system", "user-action".parse().expect("a value"));
    headers.insert("x-owner-subject", "applicant-gw".parse().expect("a value"));
    headers
}

/// Dot segments, raw or percent-encoded, are resolved before routing, so a
/// public prefix cannot be used to climb to an internal API.
async fn path_tricks_do_not_reach_internal_apis(gateway: &Gateway) {
    for path in [
        "/rest-api/ECMService/../../party/v1/parties",
        "/rest-api/ECMService/%2e%2e/%2E%2E/party/v1/parties",
        "/services/data/v1/CustomerActionsManagement/../../../../party/v1/parties",
        "/services/data/v1/CustomerActionsManagement/operations/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/document/v1/documents",
        "//party/v1/parties",
        "/rest-api/ECMService/..%2f..%2fparty/v1/parties",
    ] {
        let (status, body) = raw_get(gateway.port, path).await;
        assert_eq!(
            (status, &body),
            (StatusCode::NOT_FOUND, &not_found()),
            "{path}"
        );
    }
}

/// Bodies over the gateway's limits get its JSON 413 and never reach the
/// app; a 2 MiB file as base64 (about 2.8 MB) passes.
async fn oversized_bodies_stop_at_the_gateway(app: &TestApp, gateway: &Gateway) {
    let before = requests_counted(app).await;
    let padded = |size: usize| format!("{{\"pad\":\"{}\"}}", "A".repeat(size));
    for (path, size) in [
        (format!("{CAM}/UserAction/uploadDocument"), 17 * 1024 * 1024),
        (format!("{CAM}/UserAction/getUserActions"), 1024 * 1024 + 1),
        (format!("{ECM}/addCustomer"), 9 * 1024 * 1024),
    ] {
        let refused = send(post(&gateway.url, &path, padded(size))).await;
        assert_eq!(
            refused.pair(),
            (StatusCode::PAYLOAD_TOO_LARGE, &too_large()),
            "{size} bytes to {path}"
        );
        assert_eq!(refused.headers["content-type"], "application/problem+json");
    }
    // The first count is itself counted once it has been served.
    assert_eq!(
        requests_counted(app).await,
        before + 1,
        "no refused request reached the app"
    );

    // A 2 MiB file, base64 in the seed's Response[] shape, goes through and
    // is answered by user-action-service as when sent directly.
    let file = "A".repeat(2 * 1024 * 1024 / 3 * 4);
    let upload = json!({
        "UserActionIdentifier": "DriverLicense_1778258145_3X88WLM",
        "Response": [{"fileName": "licence.pdf", "fileType": "application/pdf", "fileInfo": "",
                      "fileClientId": 1627265913230_u64, "fileContents": file}]
    })
    .to_string();
    assert!(upload.len() > 2_700_000, "{} bytes", upload.len());
    let through = same_through_both(app, gateway, |base: &str| {
        cam_post(app, base, "UserAction/uploadDocument", upload.clone())
    })
    .await;
    assert!(
        through.status != StatusCode::PAYLOAD_TOO_LARGE && through.body.get("opstatus").is_some(),
        "user-action-service answered: {} {}",
        through.status,
        through.body
    );
}

/// The caller's plain request id reaches the service (which echoes what it
/// received); otherwise the gateway makes one (32 hex digits, where the app
/// would make a UUID), forwards it, logs it and returns it.
async fn request_ids_are_forwarded(gateway: &Gateway) {
    let probe = |id: Option<&str>| {
        let mut request = post(
            &gateway.url,
            &format!("{ECM}/getCaseDetails"),
            "{}".to_owned(),
        );
        if let Some(id) = id {
            request = request.header("X-Request-ID", id);
        }
        request
    };
    let kept = send(probe(Some("gw-trace-42"))).await;
    assert_eq!(
        kept.status,
        StatusCode::UNAUTHORIZED,
        "case-service answered"
    );
    assert_eq!(kept.request_id(), "gw-trace-42");
    assert_eq!(
        kept.headers.get_all("x-request-id").iter().count(),
        1,
        "one id"
    );
    gateway.access_log_line("gw-trace-42").await;

    for sent in [None, Some("has spaces and \"quotes\"")] {
        let made = send(probe(sent)).await;
        let id = made.request_id().to_owned();
        assert!(
            id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "the gateway's id, kept by the app, for {sent:?}: {id}"
        );
        let line = gateway.access_log_line(&id).await;
        assert!(
            line.contains(&format!("\"path\":\"{ECM}/getCaseDetails\"")),
            "{line}"
        );
    }

    let own = send(
        http()
            .get(format!("{}/party/v1/parties", gateway.url))
            .header("X-Request-ID", "gw-trace-404"),
    )
    .await;
    assert_eq!(
        (own.status, own.request_id()),
        (StatusCode::NOT_FOUND, "gw-trace-404")
    );
}
