//! One `onboarding serve <service>` process of the real binary, on a port
//! of its own, that a test can wait for, kill and restart on that port.

use reqwest::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What every service run in a process of its own must be given (alone it
/// generates no credential or keys), with its data in `data_dir` and JSON
/// logs at info level, as in production.
pub fn separate_process_env(data_dir: &Path, credential: &str) -> Vec<(String, String)> {
    [
        ("DATA_DIR", data_dir.display().to_string()),
        ("INTERNAL_CREDENTIAL", credential.to_owned()),
        ("ENCRYPTION_KEYS", testkit::KEY_A.to_owned()),
        ("BLIND_INDEX_KEY", testkit::BLIND_INDEX_KEY.to_owned()),
        ("WORKERS", "2".to_owned()),
        ("LOG_FORMAT", "json".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A service process, stopped with SIGTERM when dropped.
pub struct ServiceProcess {
    service: String,
    port: u16,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Child,
}

impl ServiceProcess {
    /// Starts `onboarding serve <service>` on a free port with `env`, its
    /// log (stderr) in `log_dir/<service>.log`; does not wait for it.
    pub fn start(service: &str, env: &[(String, String)], log_dir: &Path) -> Self {
        Self::start_on(testkit::free_port(), service, env, log_dir)
    }

    /// As [`ServiceProcess::start`], on `port`: two services that call each
    /// other (user-action and case) learn each other's URL before either
    /// starts.
    pub fn start_on(port: u16, service: &str, env: &[(String, String)], log_dir: &Path) -> Self {
        let log = log_dir.join(format!("{service}.log"));
        let child = spawn(service, port, env, &log);
        Self {
            service: service.to_owned(),
            port,
            env: env.to_vec(),
            log,
            child,
        }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its log so far (every run of it).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until it answers ready; panics with its log after a minute or
    /// if it exits.
    pub async fn wait_until_ready(&mut self, http: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let ready = format!("{}/health/ready", self.url());
        loop {
            let answer = http
                .get(&ready)
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if answer.is_ok_and(|r| r.status() == StatusCode::OK) {
                return;
            }
            let exited = self.child.try_wait().expect("the process's status");
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "{} did not start ({exited:?}):\n{}",
                    self.service,
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills it with SIGKILL (no draining, no clean-up) and reaps it.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port, with the same variables.
    pub fn restart(&mut self) {
        self.child = spawn(&self.service, self.port, &self.env, &self.log);
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn spawn(service: &str, port: u16, env: &[(String, String)], log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("a log file");
    Command::new(env!("CARGO_BIN_EXE_onboarding"))
        .args(["serve", service])
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("onboarding serve {service} starts: {e}"))
}

/// The four services, each its own process.
pub struct Fleet {
    /// party-service.
    pub party: ServiceProcess,
    /// document-service.
    pub document: ServiceProcess,
    /// user-action-service.
    pub user_action: ServiceProcess,
    /// case-service.
    pub case: ServiceProcess,
}

impl Fleet {
    /// Starts the four with `env`, their logs in `log_dir`, each told the
    /// others' URLs (user-action and case-service call each other, so
    /// their ports are chosen first), and waits until all are ready.
    pub async fn start(env: &[(String, String)], log_dir: &Path, http: &reqwest::Client) -> Self {
        let (user_action_port, case_port) = (testkit::free_port(), testkit::free_port());
        let mut env = env.to_vec();
        env.extend([
            (
                "CASE_SERVICE_URL".to_owned(),
                format!("http://127.0.0.1:{case_port}"),
            ),
            (
                "USER_ACTION_SERVICE_URL".to_owned(),
                format!("http://127.0.0.1:{user_action_port}"),
            ),
        ]);
        let party = ServiceProcess::start("party", &env, log_dir);
        let document = ServiceProcess::start("document", &env, log_dir);
        env.push(("PARTY_SERVICE_URL".into(), party.url()));
        env.push(("DOCUMENT_SERVICE_URL".into(), document.url()));
        let mut fleet = Self {
            party,
            document,
            user_action: ServiceProcess::start_on(user_action_port, "user-action", &env, log_dir),
            case: ServiceProcess::start_on(case_port, "case", &env, log_dir),
        };
        for process in [
            &mut fleet.party,
            &mut fleet.document,
            &mut fleet.user_action,
            &mut fleet.case,
        ] {
            process.wait_until_ready(http).await;
        }
        fleet
    }

    /// The four, party first.
    pub fn all(&self) -> [&ServiceProcess; 4] {
        [&self.party, &self.document, &self.user_action, &self.case]
    }
}

/// Stops the PostgreSQL server of `databases` (or cuts them off: see
/// [`testkit::faults::Outage`]) for `down`, and brings it back.
pub async fn database_outage(databases: Vec<String>, down: Duration) {
    let outage = tokio::task::spawn_blocking(move || testkit::faults::Outage::begin(&databases))
        .await
        .expect("the outage begins");
    tokio::time::sleep(down).await;
    tokio::task::spawn_blocking(move || outage.end())
        .await
        .expect("the outage ends");
}
