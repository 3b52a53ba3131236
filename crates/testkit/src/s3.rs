//! A throwaway S3-compatible server for the tests (moto's `moto_server`,
//! from PyPI), started once per test binary, and a fresh bucket per test.
//!
//! `TEST_S3_ENDPOINT` points the tests at an existing server instead. With
//! `REQUIRE_S3=1` a server that cannot be had fails the test; without it,
//! S3 tests are skipped with a note.

use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static SERVER: OnceLock<Result<String, String>> = OnceLock::new();

/// The endpoint of the S3 server tests use, or why there is none.
pub fn endpoint() -> Result<&'static str, &'static str> {
    SERVER
        .get_or_init(|| match std::env::var("TEST_S3_ENDPOINT") {
            Ok(url) => Ok(url),
            Err(_) => start(),
        })
        .as_deref()
        .map_err(String::as_str)
}

/// Whether S3 tests can run here. Panics when they cannot and `REQUIRE_S3=1`.
pub fn available() -> bool {
    match endpoint() {
        Ok(_) => true,
        Err(why) if std::env::var("REQUIRE_S3").is_ok_and(|v| v == "1") => {
            panic!("REQUIRE_S3=1 but no S3 server is available: {why}")
        }
        Err(why) => {
            eprintln!("skipping an S3 test: {why}");
            false
        }
    }
}

/// Creates a new empty bucket and returns its name.
pub async fn create_bucket() -> String {
    let name = format!("t-{}", uuid::Uuid::new_v4().simple());
    let endpoint = endpoint().expect("an S3 server");
    let response = reqwest::Client::new()
        .put(format!("{endpoint}/{name}"))
        .send()
        .await
        .expect("create bucket");
    assert!(
        response.status().is_success(),
        "create bucket: {}",
        response.status()
    );
    name
}

/// The keys in a bucket (moto answers unsigned requests).
pub async fn keys(bucket: &str) -> Vec<String> {
    let endpoint = endpoint().expect("an S3 server");
    let listing = reqwest::Client::new()
        .get(format!("{endpoint}/{bucket}?list-type=2"))
        .send()
        .await
        .expect("list bucket")
        .text()
        .await
        .expect("listing");
    listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
        .collect()
}

fn start() -> Result<String, String> {
    let program =
        which("moto_server").ok_or("moto_server not found (pip install 'moto[server]')")?;
    let port = crate::free_port();
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("moto_server: {e}"))?;
    // Stop it once this test binary has exited.
    crate::after_exit(&format!("kill {} 2>/dev/null", child.id()))?;
    let endpoint = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("moto_server did not start".to_owned());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("testkit: moto S3 server started on port {port}");
    Ok(endpoint)
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|path| path.is_file())
}
