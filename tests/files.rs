//! What a standalone run leaves on disk, against the real binary: every
//! file it creates under `DATA_DIR` (databases with their `-wal` and `-shm`,
//! documents, generated secrets) is the owner's alone, 0600 in 0700
//! directories; and a run others could reach generates no secret (issue 17,
//! finding 5).

use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::free_port;

const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

/// `onboarding serve` with every service on SQLite and local documents in
/// `data_dir`, which it creates; killed when dropped.
struct Standalone {
    child: Child,
    base: String,
}

impl Standalone {
    async fn start(data_dir: &Path) -> Self {
        let port = free_port();
        let child = Command::new(BIN)
            .arg("serve")
            .env("HOST", "127.0.0.1")
            .env("PORT", port.to_string())
            .env("DATA_DIR", data_dir)
            .env("RUST_LOG", "warn")
            .env_remove("INTERNAL_CREDENTIAL")
            .env_remove("ENCRYPTION_KEYS")
            .env_remove("BLIND_INDEX_KEY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let mut served = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        served.wait_until_ready().await;
        served
    }

    async fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let ready = format!("{}/health/ready", self.base);
        loop {
            if reqwest::get(&ready)
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK)
            {
                return;
            }
            let exited = self.child.try_wait().expect("its status");
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "serve did not start: {exited:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every path under `dir`, `dir` included.
fn everything_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = vec![dir.to_owned()];
    let mut next = 0;
    while next < found.len() {
        let path = found[next].clone();
        next += 1;
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("readable") {
                found.push(entry.expect("an entry").path());
            }
        }
    }
    found
}

/// A database written to, a document stored: every file and directory the
/// run made is 0600 or 0700, though the test runs with its own umask.
#[tokio::test]
async fn everything_a_standalone_run_creates_is_the_owners_alone() {
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let served = Standalone::start(&data_dir).await;
    let credential =
        std::fs::read_to_string(data_dir.join("internal-credential")).expect("the credential");
    let http = reqwest::Client::new();
    let person = json!({"kind": "person", "firstName": "Ada", "lastName": "Modes", "dateOfBirth": "1985-10-10"});
    let created = http
        .post(format!("{}/party/v1/parties", served.base))
        .header("X-Service-Credential", &credential)
        .json(&person)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::CREATED);
    let document = json!({
        "reference": "DriverLicense_1_ABCDEFG", "fileName": "licence.pdf",
        "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1,
        "fileContents": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4 modes"),
    });
    let stored = http
        .post(format!("{}/document/v1/documents", served.base))
        .header("X-Service-Credential", &credential)
        .header("X-Owner-System", "user-action")
        .header("X-Owner-Subject", "ada")
        .json(&document)
        .send()
        .await
        .expect("sent");
    assert_eq!(stored.status(), StatusCode::CREATED);

    let paths = everything_under(&data_dir);
    let names: Vec<String> = paths
        .iter()
        .map(|p| {
            p.strip_prefix(&data_dir)
                .expect("under")
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "internal-credential",
        "encryption-keys",
        "blind-index-key",
        "app-credentials",
        "party.db",
        "party.db-wal",
        "party.db-shm",
        "document.db",
        "user-action.db",
        "case.db",
        "console.db",
        "documents",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    let documents = everything_under(&data_dir.join("documents"));
    assert!(
        documents.iter().any(|p| p.is_file()),
        "the document is kept under documents/: {names:?}"
    );
    for path in &paths {
        let mode = std::fs::metadata(path).expect("stat").permissions().mode() & 0o777;
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode, expected, "{} is {mode:o}", path.display());
    }
}

/// A standalone run on an address others can reach refuses to make up its
/// secrets, naming the variable that supplies each, and leaves nothing.
#[test]
fn a_run_others_could_reach_generates_no_secret() {
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let credential = "c".repeat(32);
    let cases: [(&[(&str, &str)], &str); 2] = [
        (&[], "INTERNAL_CREDENTIAL"),
        (&[("INTERNAL_CREDENTIAL", &credential)], "ENCRYPTION_KEYS"),
    ];
    for (set, named) in cases {
        let out = Command::new(BIN)
            .arg("serve")
            .env("HOST", "0.0.0.0")
            .env("PORT", free_port().to_string())
            .env("DATA_DIR", &data_dir)
            .env_remove("INTERNAL_CREDENTIAL")
            .env_remove("ENCRYPTION_KEYS")
            .env_remove("BLIND_INDEX_KEY")
            .envs(set.iter().copied())
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "error: configuration: {named} is required when HOST (0.0.0.0) is not a \
                 loopback address: secrets are generated only for a server no one else can reach\n"
            )
        );
        assert!(!data_dir.exists(), "nothing is written");
    }
}
