//! A throwaway PostgreSQL server for the tests, started once per test binary
//! from the local binaries, and a fresh database for every test.
//!
//! `TEST_DATABASE_URL` (an admin URL of an existing server) skips the start.
//! Without it, the server is started from `PG_BIN_DIR` or the newest
//! `/usr/lib/postgresql/*/bin`. PostgreSQL refuses to run as root, so as root
//! it runs as the `postgres` user. A watchdog shell stops it and deletes its
//! files once the test binary has exited.
//!
//! With `REQUIRE_POSTGRES=1` a server that cannot be had fails the test;
//! without it, PostgreSQL tests are skipped with a note.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::Connection;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The admin URL of the test server, once it is up.
static SERVER: OnceLock<Result<String, String>> = OnceLock::new();

/// The admin URL of the PostgreSQL server tests use, or why there is none.
pub fn server_url() -> Result<&'static str, &'static str> {
    SERVER
        .get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
            Ok(url) => Ok(url),
            Err(_) => start_server(),
        })
        .as_deref()
        .map_err(String::as_str)
}

/// True when a missing server must fail the run.
pub fn required() -> bool {
    std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// Creates a new empty database and returns its URL.
pub fn create_database(admin_url: &str) -> String {
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(admin_url).expect("connect to the test server");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create a test database");
    with_database(admin_url, &name)
}

/// Drops a database made by [`create_database`], closing its connections.
pub fn drop_database(admin_url: &str, url: &str) {
    let Some(name) = url.rsplit('/').next() else {
        return;
    };
    if let Ok(mut admin) = PgConnection::establish(admin_url) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

fn with_database(admin_url: &str, name: &str) -> String {
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("an admin URL names a database");
    format!("{base}/{name}")
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("PG_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "no PostgreSQL under /usr/lib/postgresql (install postgresql, or set PG_BIN_DIR or TEST_DATABASE_URL)".to_owned())?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no PostgreSQL server binaries found".to_owned())
}

/// The uid and gid to run the server as: `postgres` when we are root.
fn server_user() -> Result<Option<(u32, u32)>, String> {
    let id = |flag: &str, user: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, user])
            .output()
            .map_err(|e| format!("id: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| format!("no user {user} to run PostgreSQL as"))
    };
    if id("-u", "root").ok() != Some(current_uid()?) {
        return Ok(None);
    }
    Ok(Some((id("-u", "postgres")?, id("-g", "postgres")?)))
}

fn current_uid() -> Result<u32, String> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("id: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| "id -u answered nonsense".to_owned())
}

fn run_as(program: PathBuf, user: Option<(u32, u32)>) -> Command {
    let mut cmd = Command::new(program);
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
    cmd
}

fn start_server() -> Result<String, String> {
    let bin = bin_dir()?;
    let user = server_user()?;
    let root =
        std::env::temp_dir().join(format!("onboarding-pg-{}", uuid::Uuid::new_v4().simple()));
    let data = root.join("data");
    std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&root, Some(uid), Some(gid)).map_err(|e| format!("chown: {e}"))?;
    }
    let init = run_as(bin.join("initdb"), user)
        .args(["-D"])
        .arg(&data)
        .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !init.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        ));
    }
    let port = crate::free_port();
    let tls = make_certificate(&root, user);
    if let Err(why) = &tls {
        eprintln!("testkit: PostgreSQL without TLS: {why}");
    }
    let own = OwnServer {
        bin,
        user,
        data,
        root,
        port,
        tls: tls.is_ok(),
    };
    watch(&own)?;
    let child = own.launch()?;
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    wait_until_up(&url, &own.root)?;
    *OWN.lock().map_err(|_| "poisoned")? = Some((own, child));
    eprintln!("testkit: PostgreSQL started on port {port}");
    Ok(url)
}

/// A server this harness started, to stop and start again.
struct OwnServer {
    bin: PathBuf,
    user: Option<(u32, u32)>,
    data: PathBuf,
    root: PathBuf,
    port: u16,
    /// Whether it takes TLS connections (with a self-signed certificate).
    tls: bool,
}

/// Makes a self-signed certificate for the test server in `root`, owned
/// by the server's user, so that it takes TLS connections as a bank's
/// server does (`sslmode=require`).
fn make_certificate(root: &std::path::Path, user: Option<(u32, u32)>) -> Result<(), String> {
    let (key, cert) = (root.join("server.key"), root.join("server.crt"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("openssl: {e}"))?;
    if !made.success() {
        return Err(format!("openssl req: {made}"));
    }
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| format!("chmod: {e}"))?;
    if let Some((uid, gid)) = user {
        for file in [&key, &cert] {
            std::os::unix::fs::chown(file, Some(uid), Some(gid))
                .map_err(|e| format!("chown: {e}"))?;
        }
    }
    Ok(())
}

/// Whether the harness's own server takes TLS connections.
pub fn tls_available() -> bool {
    OWN.lock()
        .ok()
        .and_then(|own| own.as_ref().map(|(server, _)| server.tls))
        .unwrap_or(false)
}

/// The server this harness started, and its process.
static OWN: Mutex<Option<(OwnServer, Child)>> = Mutex::new(None);

impl OwnServer {
    /// Starts `postgres` on the data directory (with a log that appends).
    fn launch(&self) -> Result<Child, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.root.join("server.log"))
            .map_err(|e| format!("log: {e}"))?;
        run_as(self.bin.join("postgres"), self.user)
            .arg("-D")
            .arg(&self.data)
            .args(["-p", &self.port.to_string(), "-k"])
            .arg(&self.root)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=400",
                "-c",
                "fsync=off",
            ])
            .args(["-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
            .args(if self.tls {
                vec![
                    "-c".to_owned(),
                    "ssl=on".to_owned(),
                    "-c".to_owned(),
                    format!("ssl_cert_file={}", self.root.join("server.crt").display()),
                    "-c".to_owned(),
                    format!("ssl_key_file={}", self.root.join("server.key").display()),
                ]
            } else {
                Vec::new()
            })
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("postgres: {e}"))
    }
}

/// Stops the test server as an outage would (a fast shutdown: every
/// session is cut, new connections are refused) and waits until it is
/// down; [`start_server_again`] brings it back on the same port. Only a
/// server this harness started can be stopped (not `TEST_DATABASE_URL`'s).
pub fn stop_server() -> Result<(), String> {
    let mut own = OWN.lock().map_err(|_| "poisoned")?;
    let (_, child) = own
        .as_mut()
        .ok_or("the test server is not this harness's own")?;
    let stopped = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .map_err(|e| format!("kill: {e}"))?;
    if !stopped.success() {
        return Err("the test server could not be signalled".to_owned());
    }
    child.wait().map_err(|e| format!("wait: {e}"))?;
    Ok(())
}

/// Starts the server [`stop_server`] stopped again, on the same port and
/// data, and waits until it takes connections.
pub fn start_server_again() -> Result<(), String> {
    let mut own = OWN.lock().map_err(|_| "poisoned")?;
    let (server, child) = own
        .as_mut()
        .ok_or("the test server is not this harness's own")?;
    *child = server.launch()?;
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", server.port);
    wait_until_up(&url, &server.root)
}

/// Once this process has exited, stops the server (whichever process runs
/// it then: it may have been restarted, so the pid is read from PostgreSQL's
/// own pid file) and removes its files.
fn watch(server: &OwnServer) -> Result<(), String> {
    crate::after_exit(&format!(
        "pid=$(head -n 1 '{pid_file}' 2>/dev/null); \
         if [ -n \"$pid\" ]; then kill -INT $pid 2>/dev/null; while kill -0 $pid 2>/dev/null; do sleep 0.2; done; fi; \
         rm -rf '{root}'",
        pid_file = server.data.join("postmaster.pid").display(),
        root = server.root.display()
    ))
}

fn wait_until_up(url: &str, root: &Path) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match PgConnection::establish(url) {
            Ok(_) => return Ok(()),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => {
                let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
                return Err(format!("PostgreSQL did not start: {e}\n{log}"));
            }
        }
    }
}
