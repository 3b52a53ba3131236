//! A real OpenID provider for the console's tests: panva's `oidc-provider`
//! under node (`tests/support/idp/provider.mjs`, modules from
//! `target/console-node/`), at `http://localhost:PORT`: another site than
//! the console's `http://127.0.0.1:PORT`, as in production.
//!
//! Its development sign-in page takes any login in [`Idp::users`] with any
//! password; a browser test fills it in ([`Idp::sign_in`]). Skipped, or
//! failed with `REQUIRE_BROWSER=1`, where node or the modules are missing.

use crate::browser;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use thirtyfour::prelude::*;

/// The console's client id at the provider.
pub const CLIENT_ID: &str = "console";
/// The console's client secret at the provider.
pub const CLIENT_SECRET: &str = "console-test-secret-0123456789";
/// How long the provider may take to start.
const READY_WITHIN: Duration = Duration::from_secs(30);

/// An account at the provider.
#[derive(Debug, Clone)]
pub struct User {
    /// What is typed as the login (and the `sub`).
    pub login: &'static str,
    /// The `name` claim.
    pub name: &'static str,
    /// The `roles` claim.
    pub roles: &'static [&'static str],
}

/// The accounts every test provider has: two analysts who may work on
/// cases, one who may only read them, a relationship manager, and someone
/// with no console role.
pub const USERS: [User; 5] = [
    User {
        login: "analyst-1",
        name: "Ada Analyst",
        roles: &["case:read", "case:write"],
    },
    User {
        login: "analyst-2",
        name: "Bo Analyst",
        roles: &["case:read", "case:write"],
    },
    User {
        login: "viewer",
        name: "Vi Viewer",
        roles: &["case:read"],
    },
    User {
        login: "rm-1",
        name: "Rae Manager",
        roles: &["application:read"],
    },
    User {
        login: "outsider",
        name: "Otto Outsider",
        roles: &["payments:read"],
    },
];

/// Whether the provider can run here (node and the modules).
pub fn available() -> bool {
    browser::check(browser::node_modules())
}

/// A port for a provider, chosen before the console starts so that the
/// console can be configured with the issuer ([`issuer`]). It is taken
/// from below the kernel's ephemeral range (where [`crate::free_port`]
/// and every app under test get theirs), so the console, started in
/// between, cannot be handed the same port before the provider binds it.
pub fn reserve_port() -> u16 {
    use std::hash::{BuildHasher, Hasher};
    loop {
        let mut random = std::collections::hash_map::RandomState::new().build_hasher();
        random.write_u32(std::process::id());
        let port = 20_000 + (random.finish() % 10_000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// The issuer of a provider on `port`.
pub fn issuer(port: u16) -> String {
    format!("http://localhost:{port}")
}

/// The console's variables for a provider on `port`.
pub fn console_vars(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("CONSOLE_OIDC_ISSUER", issuer(port)),
        ("CONSOLE_OIDC_CLIENT_ID", CLIENT_ID.to_owned()),
        ("CONSOLE_OIDC_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
    ]
}

/// A running provider, stopped when dropped.
pub struct Idp {
    /// Its issuer, `http://localhost:PORT`.
    pub issuer: String,
    child: Child,
}

impl Idp {
    /// Starts the provider on `port` with [`USERS`], for a console whose
    /// callback is `redirect_uri`, and waits until it listens.
    pub fn start(port: u16, redirect_uri: &str) -> Self {
        let dir = browser::node_dir();
        // Node resolves `import 'oidc-provider'` from the script's own
        // directory, so the script goes next to the modules. Written to a
        // temporary name and renamed: concurrent tests see a whole file.
        let script = dir.join("provider.mjs");
        let partial = dir.join(format!("provider.mjs.{}.{port}", std::process::id()));
        std::fs::write(
            &partial,
            include_str!("../../../tests/support/idp/provider.mjs"),
        )
        .expect("provider.mjs written");
        std::fs::rename(&partial, &script).expect("provider.mjs in place");
        let users: serde_json::Map<String, serde_json::Value> = USERS
            .iter()
            .map(|u| {
                (
                    u.login.to_owned(),
                    serde_json::json!({"name": u.name, "roles": u.roles}),
                )
            })
            .collect();
        let issuer = issuer(port);
        let log = tempfile::NamedTempFile::new().expect("a log file");
        let mut child = Command::new("node")
            .arg(&script)
            .current_dir(&dir)
            .env("ISSUER", &issuer)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .env("USERS", serde_json::Value::Object(users).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("the log file"))
            .spawn()
            .expect("node starts");
        crate::after_exit(&format!("kill -9 {} 2>/dev/null", child.id()))
            .expect("a watchdog for the provider");
        // Read what it prints until it listens; then keep reading, so that
        // it never blocks on a full pipe.
        let stdout = child.stdout.take().expect("its output");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("listening ") {
                    let _ = tx.send(());
                }
            }
        });
        if rx.recv_timeout(READY_WITHIN).is_err() {
            let _ = child.kill();
            let printed = std::fs::read_to_string(log.path()).unwrap_or_default();
            panic!(
                "the OpenID provider stopped, or did not listen within {READY_WITHIN:?}:\n{printed}"
            );
        }
        Self { issuer, child }
    }

    /// The accounts it has.
    pub fn users() -> &'static [User] {
        &USERS
    }

    /// Fills in and sends the provider's sign-in page, which the browser
    /// `driver` is on, as `login` (any password will do).
    pub async fn sign_in(driver: &WebDriver, login: &str) {
        let field = driver
            .query(By::Css("input[name=login]"))
            .first()
            .await
            .expect("the provider's sign-in page");
        field.clear().await.expect("cleared");
        field.send_keys(login).await.expect("login typed");
        driver
            .find(By::Css("input[name=password]"))
            .await
            .expect("a password field")
            .send_keys("any password")
            .await
            .expect("password typed");
        driver
            .find(By::Css("button.login-submit"))
            .await
            .expect("the sign-in button")
            .click()
            .await
            .expect("sent");
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
