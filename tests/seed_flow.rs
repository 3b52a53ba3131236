//! The seed's Customer Actions Management flow, verbatim, against the real
//! services: all in one process, on both database backends; and as the
//! real binary, standalone (with the ECM seed sample too) and one process
//! per service, each logging at `debug`: the logs must carry none of the
//! seed's personal data, tokens, secrets or file contents.

mod support;

use std::process::{Child, Command};
use support::cam::{apps_var, b64, ecm_token, pdf_bytes, APP_SECRET, JWT_SECRET};
use support::flow::seed_flow;
use testkit::{backend_tests, free_port, Backend, TestApp};

async fn in_one_process(backend: Backend) {
    let names = onboarding::service_names();
    let vars = support::cam::cam_vars();
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn(backend, &names, &extra, &|ctx, vars| {
        onboarding::build_all(&onboarding::service_names(), ctx, Some(vars))
    })
    .await;
    seed_flow(&app.url).await;
}

/// A process of the real binary, stopped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_ready(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ready = std::process::Command::new("curl")
            .args(["-sf", &format!("http://127.0.0.1:{port}/health/ready")])
            .output()
            .is_ok_and(|o| o.status.success());
        if ready {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "port {port} never became ready"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The database URLs of the services on `backend`, in `data_dir` for SQLite.
fn database_vars(backend: Backend, data_dir: &std::path::Path) -> Vec<(String, String)> {
    ["PARTY", "DOCUMENT", "USER_ACTION", "CASE"]
        .iter()
        .map(|service| {
            let url = match backend {
                Backend::Sqlite => format!(
                    "sqlite://{}/{}.db",
                    data_dir.display(),
                    service.to_lowercase()
                ),
                Backend::Postgres => testkit::postgres::create_database(
                    testkit::postgres::server_url().expect("server"),
                ),
            };
            (format!("{service}_DATABASE_URL"), url)
        })
        .collect()
}

/// Starts the binary; its stdout goes to `DATA_DIR/logs/<port>.out`, its
/// stderr (the logs) to `DATA_DIR/logs/<port>.log`.
fn start(args: &[&str], port: u16, env: &[(String, String)]) -> Process {
    let data_dir = &env
        .iter()
        .find(|(k, _)| k == "DATA_DIR")
        .expect("DATA_DIR")
        .1;
    let logs = std::path::Path::new(data_dir).join("logs");
    std::fs::create_dir_all(&logs).expect("a log directory");
    let file = |ending: &str| {
        std::fs::File::create(logs.join(format!("{port}.{ending}"))).expect("a log file")
    };
    let child = Command::new(env!("CARGO_BIN_EXE_onboarding"))
        .args(args)
        .env("PORT", port.to_string())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(file("out"))
        .stderr(file("log"))
        .spawn()
        .expect("the binary starts");
    Process(child)
}

/// The seed's personal data (both samples), and what must never be logged
/// with it: secrets, tokens (every JWT starts `eyJ`) and file contents.
fn assert_logs_are_clean(data_dir: &std::path::Path) {
    let mut logs = String::new();
    for entry in std::fs::read_dir(data_dir.join("logs")).expect("logs") {
        let path = entry.expect("a log").path();
        let text = std::fs::read_to_string(&path).expect("a log");
        if path.extension().is_some_and(|e| e == "out") {
            // stdout has the banner alone: its example request is no data
            // (and, where the console is served, its URL).
            assert!(text.starts_with("Onboarding is listening on"), "{text}");
            let lines = if text.contains("\nConsole: ") { 7 } else { 6 };
            assert_eq!(text.lines().count(), lines, "{text}");
        } else {
            logs += &text;
        }
    }
    assert!(logs.contains("request served"), "debug logs are written");
    let pdf = b64(&pdf_bytes());
    testkit::assert_absent(
        "the logs",
        &logs,
        &[
            "Virat",
            "Kohli",
            "Rohit",
            "Sharma",
            "1985-10-10",
            "1989-10-10",
            "kanand",
            "temenos",
            "rohit@test.com",
            "9994305648",
            "Rahul",
            "Dravid",
            "1990-12-01",
            "TX123",
            "123-12-1234",
            "ANDREW",
            "ELEVENTH",
            "TAXHRTHRCPHH-002",
            "Southwest Mumbai",
            "a@a.com",
            "eyJ",
            APP_SECRET,
            CREDENTIAL,
            JWT_SECRET,
            &testkit::KEY_A[2..],
            testkit::BLIND_INDEX_KEY,
            "/Type /Catalog",
            &pdf[..40],
        ],
    );
}

/// The ECM guide's samples, posted to case-service at `base`: the appendix
/// C event opens a case (`saveEventsAndPromoteToCase`), and the seed's
/// customer is added to it (the seed names case CA100; the case the event
/// opened is CA1).
async fn ecm_seed(base: &str) {
    let http = reqwest::Client::new();
    let bearer = format!("Bearer {}", ecm_token("analyst-1", &["case:write"]));
    let seed = include_str!("../services/case/tests/api/seed_request.json")
        .replace("\"CA100\"", "\"CA1\"");
    for (path, body) in [
        (
            "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase",
            include_str!("../services/case/tests/api/events_sample.json").to_owned(),
        ),
        (
            "/rest-api/ECMService/CaseManagementService/addCustomer",
            seed,
        ),
    ] {
        let response = http
            .post(format!("{base}{path}"))
            .header("Authorization", &bearer)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), reqwest::StatusCode::OK, "{path}");
        let answer: serde_json::Value = response.json().await.expect("json");
        let status = answer.get("STATUS").or_else(|| answer.get("status"));
        assert_eq!(
            status,
            Some(&serde_json::json!("SUCCESS")),
            "{path}: {answer}"
        );
    }
}

const CREDENTIAL: &str = "flow-test-internal-credential-0123456789";

fn common_env(backend: Backend, data_dir: &std::path::Path) -> Vec<(String, String)> {
    let mut env = database_vars(backend, data_dir);
    env.extend([
        ("DATA_DIR".to_owned(), data_dir.display().to_string()),
        ("INTERNAL_CREDENTIAL".to_owned(), CREDENTIAL.to_owned()),
        ("ENCRYPTION_KEYS".to_owned(), testkit::KEY_A.to_owned()),
        (
            "BLIND_INDEX_KEY".to_owned(),
            testkit::BLIND_INDEX_KEY.to_owned(),
        ),
        ("JWT_HS256_SECRET".to_owned(), JWT_SECRET.to_owned()),
        // HS256 tokens are verified only in development mode.
        ("DEV_MODE".to_owned(), "true".to_owned()),
        ("USER_ACTION_APPS".to_owned(), apps_var()),
        ("LOG_FORMAT".to_owned(), "json".to_owned()),
        ("RUST_LOG".to_owned(), "debug".to_owned()),
    ]);
    env
}

async fn as_the_standalone_binary(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let server = start(&["serve"], port, &common_env(backend, data_dir.path()));
    wait_ready(port);
    seed_flow(&format!("http://127.0.0.1:{port}")).await;
    ecm_seed(&format!("http://127.0.0.1:{port}")).await;
    drop(server);
    assert_logs_are_clean(data_dir.path());
}

async fn one_process_per_service(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let (party, document, user_action) = (free_port(), free_port(), free_port());
    let mut env = common_env(backend, data_dir.path());
    let mut processes = vec![
        start(&["serve", "party"], party, &env),
        start(&["serve", "document"], document, &env),
    ];
    env.push((
        "PARTY_SERVICE_URL".to_owned(),
        format!("http://127.0.0.1:{party}"),
    ));
    env.push((
        "DOCUMENT_SERVICE_URL".to_owned(),
        format!("http://127.0.0.1:{document}"),
    ));
    processes.push(start(&["serve", "user-action"], user_action, &env));
    for port in [party, document, user_action] {
        wait_ready(port);
    }
    seed_flow(&format!("http://127.0.0.1:{user_action}")).await;
    drop(processes);
    assert_logs_are_clean(data_dir.path());
}

backend_tests!(
    in_one_process,
    as_the_standalone_binary,
    one_process_per_service
);
