//! The seed's Customer Actions Management flow, verbatim, against the real
//! services: all in one process, on both database backends; and as the
//! real binary, standalone and one process per service.

mod support;

use std::process::{Child, Command, Stdio};
use support::cam::{apps_var, JWT_SECRET};
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

fn start(args: &[&str], port: u16, env: &[(String, String)]) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_onboarding"))
        .args(args)
        .env("PORT", port.to_string())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    Process(child)
}

fn common_env(backend: Backend, data_dir: &std::path::Path) -> Vec<(String, String)> {
    let mut env = database_vars(backend, data_dir);
    env.extend([
        ("DATA_DIR".to_owned(), data_dir.display().to_string()),
        (
            "INTERNAL_CREDENTIAL".to_owned(),
            "flow-test-internal-credential-0123456789".to_owned(),
        ),
        ("JWT_HS256_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("USER_ACTION_APPS".to_owned(), apps_var()),
        ("RUST_LOG".to_owned(), "warn".to_owned()),
    ]);
    env
}

async fn as_the_standalone_binary(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let _server = start(&["serve"], port, &common_env(backend, data_dir.path()));
    wait_ready(port);
    seed_flow(&format!("http://127.0.0.1:{port}")).await;
}

async fn one_process_per_service(backend: Backend) {
    let data_dir = tempfile::tempdir().expect("tempdir");
    let (party, document, user_action) = (free_port(), free_port(), free_port());
    let mut env = common_env(backend, data_dir.path());
    let _party = start(&["serve", "party"], party, &env);
    let _document = start(&["serve", "document"], document, &env);
    env.push((
        "PARTY_SERVICE_URL".to_owned(),
        format!("http://127.0.0.1:{party}"),
    ));
    env.push((
        "DOCUMENT_SERVICE_URL".to_owned(),
        format!("http://127.0.0.1:{document}"),
    ));
    let _user_action = start(&["serve", "user-action"], user_action, &env);
    for port in [party, document, user_action] {
        wait_ready(port);
    }
    seed_flow(&format!("http://127.0.0.1:{user_action}")).await;
}

backend_tests!(
    in_one_process,
    as_the_standalone_binary,
    one_process_per_service
);
