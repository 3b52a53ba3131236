//! The test harness: starts the real app on a random port, with fresh
//! databases, on SQLite or on a real PostgreSQL server.
//!
//! A test is written once, as `async fn name(backend: Backend)`, and
//! [`backend_tests!`] runs it on both backends, as `sqlite::name` and
//! `postgres::name`.

pub mod at_rest;
pub mod browser;
pub mod faults;
pub mod idp;
pub mod objects;
pub mod postgres;
pub mod proxy;
pub mod s3;
pub mod webhooks;

use service_kit::server::{self, Context, RunningServer};
use service_kit::{ServerConfig, Service};
use std::collections::HashMap;
use std::net::TcpListener;

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in the test's own temporary directory.
    Sqlite,
    /// A fresh database on the test PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Whether PostgreSQL tests can run here. Panics when they cannot and
    /// `REQUIRE_POSTGRES=1`; otherwise says why they are skipped.
    pub fn postgres_available() -> bool {
        match postgres::server_url() {
            Ok(_) => true,
            Err(why) if postgres::required() => {
                panic!("REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: {why}")
            }
            Err(why) => {
                eprintln!("skipping a PostgreSQL test: {why}");
                false
            }
        }
    }
}

/// Runs each listed `async fn(Backend)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if $crate::Backend::postgres_available() {
                        super::$name($crate::Backend::Postgres).await
                    }
                }
            )*
        }
    };
}

/// Waits (up to 20 s, asking every 50 ms) until `probe` answers `Some`,
/// and returns it: for what the app does after it answers (a delivery, a
/// case opened by an event). Panics naming `what` if it never happens.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A port that was free a moment ago, for a process the test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs the shell command `then` once this test binary has exited, from a
/// detached watchdog shell: how servers a test starts (PostgreSQL, moto,
/// nginx) are stopped and their files removed even if the test dies.
pub fn after_exit(then: &str) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; {then}",
        me = std::process::id()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|e| format!("watchdog: {e}"))
}

/// The credential every test app is started with.
pub const TEST_CREDENTIAL: &str = "test-internal-credential-0123456789";

/// An `ENCRYPTION_KEYS` entry for tests of encryption at rest (key id `a`).
pub const KEY_A: &str = "a:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
/// A second one (key id `b`), for rotation.
pub const KEY_B: &str = "b:b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";

/// A `BLIND_INDEX_KEY` for tests whose services run in separate processes.
pub const BLIND_INDEX_KEY: &str =
    "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";

/// The problem an internal API (and `/metrics`) answers a request without
/// the right internal credential.
pub fn unauthorized_problem() -> serde_json::Value {
    serde_json::json!({
        "type": "urn:onboarding:problem:unauthorized",
        "title": "Authentication required",
        "status": 401,
        "detail": "a valid X-Service-Credential header is required"
    })
}

/// Asserts that none of `values` occurs in `text` (logs, stored rows or
/// objects), naming `what` was searched and the value found.
pub fn assert_absent(what: &str, text: &str, values: &[&str]) {
    for value in values {
        if let Some(at) = text.find(value) {
            let line = text[..at].rfind('\n').map_or(0, |n| n + 1);
            let context: String = text[line..].chars().take(300).collect();
            panic!("{value:?} appears in {what}: {context}");
        }
    }
}

/// Sends `request` and returns its status and JSON body (`null` when the
/// body is empty or not JSON): the one way tests call an API and read the
/// answer whole.
pub async fn call(request: reqwest::RequestBuilder) -> (reqwest::StatusCode, serde_json::Value) {
    let response = request.send().await.expect("sent");
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// What the app answered to a body sent too slowly ([`TestApp::send_slowly`]).
#[derive(Debug)]
pub struct SlowAnswer {
    /// The status, `None` when nothing came back in time.
    pub status: Option<u16>,
    /// The JSON body (`null` when empty or not JSON).
    pub body: serde_json::Value,
    /// Whether the app then closed the connection.
    pub closed: bool,
    /// How long the answer took.
    pub waited: std::time::Duration,
}

impl SlowAnswer {
    /// Asserts the answer of an app whose body deadline is a second: a 408
    /// with `body`, well before the client's patience ran out (within 5 s),
    /// and the connection closed after it.
    pub fn assert_timed_out(&self, body: &serde_json::Value) {
        assert_eq!((self.status, &self.body), (Some(408), body), "{self:?}");
        assert!(self.waited < std::time::Duration::from_secs(5), "{self:?}");
        assert!(self.closed, "the connection is not kept: {self:?}");
    }
}

/// The claims of end-user tokens an API whose audience is `audience` must
/// refuse, each with what is wrong with it, though signed with the right
/// key and naming the right issuer (issue 17, findings 6 and 7): tokens for
/// each of `other_audiences`, one not valid for a day yet, one issued in
/// 2100, and two that live for ten years (with and without `iat`).
pub fn refused_token_claims(
    audience: &str,
    other_audiences: &[&str],
    roles: &[&str],
) -> Vec<(String, serde_json::Value)> {
    let now = now_secs();
    let year = 365 * 86_400;
    let mut refused: Vec<(String, serde_json::Value)> = other_audiences
        .iter()
        .map(|other| {
            (
                format!("a token for {other}"),
                token_claims(other, Some(now), None, now + 600, roles),
            )
        })
        .collect();
    let own = |iat, nbf, exp| token_claims(audience, iat, nbf, exp, roles);
    refused.extend([
        (
            "nbf a day ahead".to_owned(),
            own(Some(now), Some(now + 86_400), now + 600),
        ),
        (
            "iat in 2100".to_owned(),
            own(Some(4_102_444_800), None, 4_102_444_860),
        ),
        (
            "ten years".to_owned(),
            own(Some(now), None, now + 10 * year),
        ),
        (
            "ten years, no iat".to_owned(),
            own(None, None, now + 10 * year),
        ),
    ]);
    refused
}

/// The claims of a token for `audience` an API with the default lifetime
/// (an hour) accepts, at the edges: issued and valid from a few seconds
/// ahead (within the clock-skew leeway), living the whole hour.
pub fn edge_token_claims(audience: &str, roles: &[&str]) -> serde_json::Value {
    let now = now_secs();
    token_claims(audience, Some(now + 5), Some(now + 5), now + 3605, roles)
}

/// Token claims with subject `analyst` and issuer `onboarding` (the
/// default), and the times given (`iat` and `nbf` left out when `None`).
pub fn token_claims(
    audience: &str,
    iat: Option<i64>,
    nbf: Option<i64>,
    exp: i64,
    roles: &[&str],
) -> serde_json::Value {
    let mut claims = serde_json::json!({"sub": "analyst", "iss": "onboarding", "aud": audience,
                                        "exp": exp, "roles": roles});
    if let Some(iat) = iat {
        claims["iat"] = iat.into();
    }
    if let Some(nbf) = nbf {
        claims["nbf"] = nbf.into();
    }
    claims
}

/// Now, in seconds since the epoch.
fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Builds the services under test from the shared context and the variables.
pub type Build = dyn Fn(&Context, &HashMap<String, String>) -> anyhow::Result<Vec<Service>>;

/// A running app under test.
pub struct TestApp {
    /// Its base URL.
    pub url: String,
    /// A client for it.
    pub http: reqwest::Client,
    /// The backend its databases are on.
    pub backend: Backend,
    /// The variables it was configured with.
    pub vars: HashMap<String, String>,
    server: Option<RunningServer>,
    databases: Vec<String>,
    _data_dir: tempfile::TempDir,
}

impl TestApp {
    /// Starts the services `build` makes, each of `databases` (service names)
    /// on its own fresh database, with `extra` variables on top of the test
    /// defaults.
    pub async fn spawn(
        backend: Backend,
        databases: &[&str],
        extra: &[(&str, &str)],
        build: &Build,
    ) -> Self {
        let data_dir = tempfile::tempdir().expect("a temporary data directory");
        let mut vars: HashMap<String, String> = [
            ("DATA_DIR", data_dir.path().display().to_string()),
            ("INTERNAL_CREDENTIAL", TEST_CREDENTIAL.to_owned()),
            ("WORKERS", "2".to_owned()),
            ("SHUTDOWN_TIMEOUT_SECS", "5".to_owned()),
            // Suites send bursts from one client; rate limiting has tests
            // of its own that turn it on.
            ("RATE_LIMIT_ENABLED", "false".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mut created = Vec::new();
        for service in databases {
            let url = match backend {
                Backend::Sqlite => format!("sqlite://{}/{service}.db", data_dir.path().display()),
                Backend::Postgres => {
                    let admin = postgres::server_url().expect("PostgreSQL is available");
                    let url = postgres::create_database(admin);
                    created.push(url.clone());
                    url
                }
            };
            vars.insert(service_kit::db::url_variable(service), url);
        }
        for (k, v) in extra {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let server = start(&vars, build).await;
        Self {
            url: server.url(),
            http: reqwest::Client::new(),
            backend,
            vars,
            server: Some(server),
            databases: created,
            _data_dir: data_dir,
        }
    }

    /// A request to `path` that carries the internal credential.
    pub fn internal(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.url))
            .header(service_kit::auth::CREDENTIAL_HEADER, TEST_CREDENTIAL)
    }

    /// A request to `path` with no credential.
    pub fn anonymous(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.url))
    }

    /// A `POST` to `path` with `headers` whose head declares `declared`
    /// body bytes, of which only `sent` come; then nothing more. What a
    /// client that holds connections by sending slowly does. Waits at most
    /// `patience` for the answer.
    pub async fn send_slowly(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        declared: usize,
        sent: &[u8],
        patience: std::time::Duration,
    ) -> SlowAnswer {
        let address = self.url.trim_start_matches("http://").to_owned();
        let mut head = format!("POST {path} HTTP/1.1\r\nHost: {address}\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {declared}\r\n\r\n"));
        let sent = sent.to_vec();
        tokio::task::spawn_blocking(move || slow_request(&address, head, &sent, patience))
            .await
            .expect("the slow client ran")
    }

    /// Stops the app and starts it again on the same databases and data
    /// directory, with `changes` to its variables (`None` removes one): to
    /// show what survives a restart or a change of configuration.
    pub async fn restart(&mut self, changes: &[(&str, Option<&str>)], build: &Build) {
        if let Some(server) = self.server.take() {
            server.stop(true).await;
        }
        for (key, value) in changes {
            match value {
                Some(value) => self.vars.insert((*key).to_owned(), (*value).to_owned()),
                None => self.vars.remove(*key),
            };
        }
        let server = start(&self.vars, build).await;
        self.url = server.url();
        self.server = Some(server);
    }

    /// The running server, to stop it.
    pub fn take_server(&mut self) -> RunningServer {
        self.server.take().expect("the server is still running")
    }
}

/// [`TestApp::send_slowly`]'s client: plain blocking sockets, so that the
/// request is exactly the bytes given and nothing more.
fn slow_request(
    address: &str,
    head: String,
    sent: &[u8],
    patience: std::time::Duration,
) -> SlowAnswer {
    use std::io::{Read, Write};
    let started = std::time::Instant::now();
    let mut stream = std::net::TcpStream::connect(address).expect("connected");
    stream.write_all(head.as_bytes()).expect("head sent");
    stream.write_all(sent).expect("part of the body sent");
    stream.flush().expect("flushed");
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let mut closed = false;
    // Read until the answer is whole (its head, and as many body bytes as
    // it declares), or the connection closes, or patience runs out.
    while started.elapsed() < patience {
        let left = patience.saturating_sub(started.elapsed());
        stream
            .set_read_timeout(Some(left.max(std::time::Duration::from_millis(1))))
            .expect("timeout set");
        match stream.read(&mut buffer) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(_) => break,
        }
        if answer_is_whole(&received) {
            break;
        }
    }
    let waited = started.elapsed();
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    let body = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str(body).ok())
        .unwrap_or(serde_json::Value::Null);
    if status.is_some() && !closed {
        // Once it has answered, the app should not keep the connection.
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .expect("timeout set");
        closed = matches!(stream.read(&mut buffer), Ok(0));
    }
    SlowAnswer {
        status,
        body,
        closed,
        waited,
    }
}

/// Whether `received` holds an HTTP answer's head and all the body bytes
/// it declares.
fn answer_is_whole(received: &[u8]) -> bool {
    let text = String::from_utf8_lossy(received);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    body.len() >= length
}

/// With `TEST_LOG=1`, sends the app's logs (filtered by `RUST_LOG`, `info`
/// by default) to the test's output: the harness shows what the test's own
/// thread logged when it fails, and the server's threads print theirs as
/// they go. Off by default, so that a passing suite stays quiet.
fn show_logs_when_asked() {
    if std::env::var("TEST_LOG").is_ok_and(|v| v == "1") {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        // A second test in the same binary finds the subscriber installed.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    }
}

/// Starts a server on a random port with the given variables.
pub async fn start(vars: &HashMap<String, String>, build: &Build) -> RunningServer {
    show_logs_when_asked();
    let config = ServerConfig::load(Some(vars)).expect("test configuration");
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let ctx = Context::new(config, port, true).expect("context");
    let services = build(&ctx, vars).expect("services build");
    server::start(&ctx, services, listener).expect("server starts")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            // The stop command is sent at once; nobody waits for it.
            drop(server.handle().stop(false));
        }
        // Only a test that made databases needs the server (asking for it
        // would start one).
        if self.databases.is_empty() {
            return;
        }
        if let Ok(admin) = postgres::server_url() {
            for url in &self.databases {
                postgres::drop_database(admin, url);
            }
        }
    }
}
