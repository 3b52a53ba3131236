//! A real browser for the console's tests: ChromeDriver driving headless
//! Chromium (Debian's `chromium` and `chromium-driver`), with axe-core for
//! accessibility checks and screenshots of each screen.
//!
//! One [`Browser`] (a ChromeDriver process) serves a whole test binary
//! ([`Browser::shared`]); each [`Browser::session`] is a Chromium of its
//! own, with its own empty profile, so two analysts share no cookies.
//! Without ChromeDriver, Chromium or the test's node modules the tests are
//! skipped with a note, and with `REQUIRE_BROWSER=1` (CI) they fail.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use thirtyfour::prelude::*;

/// ChromeDriver, unless `CHROMEDRIVER` names another.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Chromium, unless `CHROMIUM` names another.
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long ChromeDriver may take to come up.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// The workspace's root directory.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace directory")
}

/// The build's target directory: `CARGO_TARGET_DIR`, or the workspace's
/// `target/`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

/// Where `npm ci` put the tests' node modules (from
/// `tests/support/idp/package-lock.json`): `CONSOLE_NODE_DIR`, or
/// `target/console-node/`. Under `target/` because a CI run must leave the
/// work tree clean.
pub fn node_dir() -> PathBuf {
    std::env::var_os("CONSOLE_NODE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("console-node"))
}

/// `path` when it is an executable file.
fn program(variable: &str, default: &str) -> Result<PathBuf, String> {
    let path = std::env::var_os(variable).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is missing (apt-get install chromium chromium-driver, or set {variable})",
            path.display()
        ))
    }
}

/// Whether `REQUIRE_BROWSER=1`: a browser test that cannot run fails.
pub fn required() -> bool {
    std::env::var("REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// Whether `what` is there; skips (with a note) or, with
/// `REQUIRE_BROWSER=1`, panics when it is not.
pub(crate) fn check(what: Result<(), String>) -> bool {
    match what {
        Ok(()) => true,
        Err(why) if required() => panic!("REQUIRE_BROWSER=1 but {why}"),
        Err(why) => {
            eprintln!("skipping a browser test: {why}");
            false
        }
    }
}

/// Whether the node modules are installed (`npm ci --prefix
/// target/console-node`), with node itself.
pub(crate) fn node_modules() -> Result<(), String> {
    for module in ["axe-core", "oidc-provider"] {
        let path = node_dir().join("node_modules").join(module);
        if !path.is_dir() {
            return Err(format!(
                "{} is missing (mkdir -p target/console-node && cp tests/support/idp/package*.json \
                 target/console-node/ && npm ci --prefix target/console-node)",
                path.display()
            ));
        }
    }
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => Err("node is not on the PATH".into()),
    }
}

/// Whether browser tests can run here: ChromeDriver, Chromium and the node
/// modules (axe-core) are installed.
pub fn available() -> bool {
    check(
        program("CHROMEDRIVER", CHROMEDRIVER)
            .and(program("CHROMIUM", CHROMIUM))
            .map(drop)
            .and_then(|()| node_modules()),
    )
}

/// A running ChromeDriver, killed (with its browsers) when dropped.
pub struct Browser {
    url: String,
    child: Child,
    profiles: std::sync::Mutex<Vec<tempfile::TempDir>>,
}

impl Browser {
    /// Starts ChromeDriver on a free port and waits until it is ready.
    pub fn start() -> Self {
        use std::os::unix::process::CommandExt;
        let driver = program("CHROMEDRIVER", CHROMEDRIVER).expect("chromedriver");
        let port = crate::free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: dropping the Browser, or the test
            // binary's exit, ends ChromeDriver and every Chromium it began.
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let group = child.id();
        crate::after_exit(&kill_group(group)).expect("a watchdog for chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while !ready(port) {
            assert!(
                started.elapsed() < READY_WITHIN,
                "chromedriver was not ready within {READY_WITHIN:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            url,
            child,
            profiles: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The one ChromeDriver of this test binary, started on first use and
    /// ended when the binary exits.
    pub fn shared() -> &'static Self {
        static SHARED: OnceLock<Browser> = OnceLock::new();
        SHARED.get_or_init(Self::start)
    }

    /// A new headless Chromium with an empty profile of its own. Call
    /// `quit()` on it when done.
    pub async fn session(&self) -> WebDriver {
        let chromium = program("CHROMIUM", CHROMIUM).expect("chromium");
        let profile = tempfile::tempdir().expect("a profile directory");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&chromium.display().to_string())
            .expect("binary");
        for arg in [
            "--headless=new",
            // CI runs as root, where Chromium's sandbox cannot start.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            // Without these, Chromium reaches for the network at start,
            // which this machine refuses, many times over.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            &format!("--user-data-dir={}", profile.path().display()),
        ] {
            caps.add_arg(arg).expect("argument");
        }
        self.profiles.lock().expect("profiles").push(profile);
        WebDriver::new(&self.url, caps)
            .await
            .expect("a Chromium session")
    }

    /// The accessibility violations axe-core finds on the current page
    /// (WCAG 2.0 and 2.1, levels A and AA); empty when there are none.
    /// Injected through WebDriver, which the page's CSP does not restrict.
    pub async fn axe(driver: &WebDriver) -> Vec<serde_json::Value> {
        static AXE: OnceLock<String> = OnceLock::new();
        let source = AXE.get_or_init(|| {
            let path = node_dir().join("node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        });
        driver
            .execute(source, Vec::new())
            .await
            .expect("axe loaded");
        let found = driver
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                   .then(r => done(r.violations))
                   .catch(e => done({error: String(e)}));",
                Vec::new(),
            )
            .await
            .expect("axe ran");
        match found.json() {
            serde_json::Value::Array(violations) => violations.clone(),
            other => panic!("axe failed: {other}"),
        }
    }

    /// Asserts axe finds no violation on `screen` (the current page),
    /// listing each one found (rule, elements, what to fix) otherwise.
    pub async fn assert_accessible(driver: &WebDriver, screen: &str) {
        let violations = Self::axe(driver).await;
        let report: Vec<String> = violations
            .iter()
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| format!("{} ({})", n["target"], n["failureSummary"]))
                    .collect();
                format!("{}: {} at {}", v["id"], v["help"], targets.join("; "))
            })
            .collect();
        assert!(
            report.is_empty(),
            "axe found {} violation(s) on {screen}:\n{}",
            report.len(),
            report.join("\n")
        );
    }
}

/// The shell command that kills process group `group` (`sh`'s own
/// `kill`, which takes a negative id but not `--`).
fn kill_group(group: u32) -> String {
    format!("kill -9 -{group} 2>/dev/null")
}

/// Whether ChromeDriver answers `/status` on `port` as ready.
fn ready(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.contains("\"ready\":true") || answer.contains("\"ready\": true")
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = Command::new("sh")
            .args(["-c", &kill_group(self.child.id())])
            .status();
        let _ = self.child.wait();
    }
}

/// Saves a screenshot of the current page as `NAME.png`: in
/// `target/console-screenshots/`, or, with `UPDATE_SCREENSHOTS=1`, in
/// `docs/console/` (the pictures docs/console.md shows; commit them).
pub async fn screenshot(driver: &WebDriver, name: &str) -> PathBuf {
    let dir = if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        workspace().join("docs/console")
    } else {
        target_dir().join("console-screenshots")
    };
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    let path = dir.join(format!("{name}.png"));
    let png = driver.screenshot_as_png().await.expect("a screenshot");
    // Written aside and renamed into place: two tests picturing the same
    // screen at once (the story on each backend) leave one whole picture.
    let mut aside = tempfile::NamedTempFile::new_in(&dir).expect("a temporary file");
    std::io::Write::write_all(&mut aside, &png).expect("the screenshot written");
    aside.persist(&path).expect("the screenshot in place");
    path
}
