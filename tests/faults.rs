//! The fault suite: the four services as separate `onboarding serve`
//! processes on PostgreSQL, under a load of mixed CAM and ECM operations
//! from concurrent clients, while party-service and document-service are
//! killed with SIGKILL and restarted on their ports, and then the database
//! server is stopped for a while and started again.
//!
//! Afterwards: every request answered with success is durable (read back
//! through the APIs: journeys, the parts added to cases and those removed
//! again with their audit records, events saved alone, extended to a case,
//! promoted and what was done to their cases, suppression rules approved
//! and the events they kept from a case); nothing is half-done (no orphan
//! documents, no action attached to a missing document, no party without
//! an application beyond what compensation logged, no change to a case
//! without its rows or its audit record) or done twice; nothing of a
//! real-time request the vendor refused was saved; and every failure was a
//! clean envelope 5xx (the real-time operations' refusals in the vendor's
//! shape), never a hang or a broken answer.
//!
//! PostgreSQL only: skipped with a note without a server, failed with
//! `REQUIRE_POSTGRES=1`.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};
use support::cam::{apps_var, b64, ecm_token, pdf_bytes, Cam, JWT_SECRET};
use support::case_checks::{
    case_half_done, ids, read_back_events, read_back_parts, read_back_promotions, CaseService,
};
use support::ecm::{ANALYST, CASES};
use support::load::{Ledger, Load};
use support::process::{database_outage, separate_process_env, Fleet, ServiceProcess};
use testkit::Backend;

const CREDENTIAL: &str = "faults-test-internal-credential-0123456789";
/// Concurrent CAM journeys, and concurrent ECM clients (one case each).
const CAM_CLIENTS: usize = 4;
const ECM_CLIENTS: usize = 2;
/// How long a killed service stays down, and the database server.
const DOWN: Duration = Duration::from_millis(1500);
const DB_DOWN: Duration = Duration::from_secs(4);
/// A pause between faults, and the load's run after the last one.
const CALM: Duration = Duration::from_secs(1);

/// The four services, each its own process, on their own databases.
struct Services {
    party: ServiceProcess,
    document: ServiceProcess,
    user_action: ServiceProcess,
    case: ServiceProcess,
    /// The database URLs, by service.
    databases: Vec<(&'static str, String)>,
    _data: tempfile::TempDir,
}

impl Services {
    async fn start(http: &reqwest::Client) -> Self {
        let admin = testkit::postgres::server_url().expect("a server");
        let databases: Vec<(&'static str, String)> = ["party", "document", "user-action", "case"]
            .into_iter()
            .map(|s| (s, testkit::postgres::create_database(admin)))
            .collect();
        let data = tempfile::tempdir().expect("a data directory");
        let mut env = separate_process_env(data.path(), CREDENTIAL);
        env.extend([
            // The load is as fast as the services allow; limits are
            // tested on their own (tests/rate_limit.rs).
            ("RATE_LIMIT_ENABLED".into(), "false".into()),
            ("JWT_HS256_SECRET".into(), JWT_SECRET.into()),
            // HS256 tokens are verified only in development mode; it changes
            // nothing else (docs/decisions.md, "End-user tokens").
            ("DEV_MODE".into(), "true".into()),
            ("USER_ACTION_APPS".into(), apps_var()),
            ("SHUTDOWN_TIMEOUT_SECS".into(), "2".into()),
            // Below the default (10 s) to keep the run short, but above a
            // service's own 5 s wait for a database connection, as any
            // deployment must be: the peer then answers 503 before its
            // caller gives up. At 5 s the two deadlines met, and a party
            // committed at the last moment had its answer lost (the limit
            // docs/decisions.md lists under the fault suite).
            ("INTERNAL_CALL_TIMEOUT_MS".into(), "8000".into()),
            // Interrupted uploads are swept up during the run.
            ("DOCUMENT_SWEEP_INTERVAL_SECS".into(), "1".into()),
            ("DOCUMENT_PENDING_GRACE_SECS".into(), "2".into()),
        ]);
        for (service, url) in &databases {
            env.push((service_kit::db::url_variable(service), url.clone()));
        }
        let Fleet {
            party,
            document,
            user_action,
            case,
        } = Fleet::start(&env, data.path(), http).await;
        Self {
            party,
            document,
            user_action,
            case,
            databases,
            _data: data,
        }
    }

    fn database(&self, service: &str) -> &str {
        &self
            .databases
            .iter()
            .find(|(s, _)| *s == service)
            .expect("a service")
            .1
    }

    fn all(&self) -> [&ServiceProcess; 4] {
        [&self.party, &self.document, &self.user_action, &self.case]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_lose_nothing_and_leave_nothing_half_done() {
    if !Backend::postgres_available() {
        return;
    }
    let started = Instant::now();
    let http = reqwest::Client::new();
    let mut services = Services::start(&http).await;
    let cases: Vec<String> = (0..ECM_CLIENTS).map(|i| format!("CA-FAULT-{i}")).collect();
    create_cases(&http, &services.case.url(), &cases).await;

    let load = Load::new();
    let mut clients = Vec::new();
    for _ in 0..CAM_CLIENTS {
        clients.push(tokio::spawn(
            load.clone().cam_client(services.user_action.url()),
        ));
    }
    for case in &cases {
        clients.push(tokio::spawn(
            load.clone().ecm_client(services.case.url(), case.clone()),
        ));
    }

    // The faults, one after another, while the load runs.
    tokio::time::sleep(CALM).await;
    for which in ["party", "document"] {
        let process = if which == "party" {
            &mut services.party
        } else {
            &mut services.document
        };
        process.kill9();
        tokio::time::sleep(DOWN).await;
        process.restart();
        process.wait_until_ready(&http).await;
        tokio::time::sleep(CALM).await;
    }
    let databases: Vec<String> = services
        .databases
        .iter()
        .map(|(_, url)| url.clone())
        .collect();
    database_outage(databases, DB_DOWN).await;
    tokio::time::sleep(CALM * 2).await;
    load.stop();
    for client in clients {
        client.await.expect("a client");
    }
    let ledger = load.ledger();
    let faults_done = started.elapsed();

    assert!(
        ledger.violations.is_empty(),
        "answers neither a success nor a clean 5xx:\n{}",
        ledger.violations.join("\n")
    );
    let complete = ledger.journeys.iter().filter(|j| j.submitted).count();
    assert!(
        complete >= CAM_CLIENTS,
        "the load did work: {complete} journeys completed"
    );
    read_back_journeys(&http, &services, &ledger).await;
    let case = CaseService {
        http: &http,
        url: services.case.url(),
        database: services.database("case"),
    };
    read_back_parts(&case, &ledger, &cases).await;
    read_back_promotions(&case, &ledger).await;
    read_back_events(&case, &ledger).await;
    // Interrupted uploads are swept once past their grace: wait until no
    // upload is left unfinished, or the deadline passes and the check below
    // names what remains.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !ids(
        services.database("document"),
        "SELECT id FROM documents WHERE state <> 'stored'",
    )
    .is_empty()
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    nothing_half_done(&services);
    for process in services.all() {
        let log = process.log();
        assert!(!log.contains("panicked"), "no panic:\n{log}");
    }
    eprintln!(
        "faults: {} requests, {} journeys ({complete} complete), {} parts added ({} removed, {} in doubt), {} events saved alone, {} promotions, {} suppressed ({} rules), events: {} in doubt, {} refused; {:?} under load, {:?} in all; answers {:?}",
        ledger.requests,
        ledger.journeys.len(),
        ledger.added.len(),
        ledger.removed.len(),
        ledger.doubtful_removals.len(),
        ledger.saved_events.len(),
        ledger.promotions.len(),
        ledger.suppressed_events.len(),
        ledger.rules.len(),
        ledger.doubtful_events.len(),
        ledger.refused_events.len(),
        faults_done,
        started.elapsed(),
        tally(&ledger.answers),
    );
    let admin = testkit::postgres::server_url().expect("a server");
    for (_, url) in &services.databases {
        testkit::postgres::drop_database(admin, url);
    }
}

/// Creates the ECM cases.
async fn create_cases(http: &reqwest::Client, base: &str, cases: &[String]) {
    let body: Vec<Value> = cases.iter().map(|c| json!({"caseId": c})).collect();
    let response = http
        .post(format!("{base}{CASES}/createCase"))
        .bearer_auth(ecm_token(ANALYST, &["case:write"]))
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
}

/// Every journey's successes, read back: the party, the action (submitted
/// when that succeeded) and each uploaded document, byte for byte.
async fn read_back_journeys(http: &reqwest::Client, services: &Services, ledger: &Ledger) {
    for journey in &ledger.journeys {
        let Some((_, party)) = &journey.created else {
            continue;
        };
        let response = http
            .get(format!("{}/party/v1/parties/{party}", services.party.url()))
            .header("X-Service-Credential", CREDENTIAL)
            .send()
            .await
            .expect("sent");
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "party {party} of {}",
            journey.subject
        );
        let Some(proof) = &journey.proof else {
            continue;
        };
        let cam = Cam::new(&services.user_action.url(), &journey.subject);
        let (status, actions) = cam.call("UserAction/getUserActions", &json!({})).await;
        assert_eq!(status, StatusCode::OK, "{actions}");
        let action = actions["Income"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["UserActionIdentifier"] == json!(proof))
            .unwrap_or_else(|| panic!("{proof} is listed: {actions}"));
        if journey.submitted {
            assert_eq!(action["UserActionStatus"], "Submitted", "{action}");
        }
        let (status, documents) = cam
            .call(
                "UserAction/getDocument",
                &json!({"UserActionIdentifier": proof}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{documents}");
        let held: BTreeSet<&str> = documents["Response"]
            .as_array()
            .into_iter()
            .flatten()
            .inspect(|d| assert_eq!(d["fileContents"], json!(b64(&pdf_bytes()))))
            .filter_map(|d| d["documentId"].as_str())
            .collect();
        for id in &journey.documents {
            assert!(
                held.contains(id.as_str()),
                "{proof}: document {id} is attached: {held:?}"
            );
        }
    }
}

/// The `field` of every JSON log line of `log` whose message is `message`.
fn logged(log: &str, message: &str, field: &str) -> BTreeSet<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["fields"]["message"] == json!(message))
        .filter_map(|line| line["fields"][field].as_str().map(str::to_owned))
        .collect()
}

/// The databases agree: no orphan or missing documents, no unswept upload,
/// no party without an application that compensation did not log, and no
/// change to a case half-done ([`case_half_done`]).
fn nothing_half_done(services: &Services) {
    let log = services.user_action.log();
    let stored = ids(
        services.database("document"),
        "SELECT id FROM documents WHERE state = 'stored'",
    );
    let unfinished = ids(
        services.database("document"),
        "SELECT id FROM documents WHERE state <> 'stored'",
    );
    let attached = ids(
        services.database("user-action"),
        "SELECT document_id AS id FROM action_documents",
    );
    let missing: Vec<_> = attached.difference(&stored).collect();
    assert!(
        missing.is_empty(),
        "actions attached to missing documents: {missing:?}"
    );
    assert!(
        unfinished.is_empty(),
        "uploads left unfinished: {unfinished:?}"
    );
    let orphans = unaccounted(
        &stored,
        &attached,
        &log,
        &[
            "could not delete a document of a failed upload",
            "kept a document whose attachment is in doubt",
        ],
        "document_id",
    );
    assert!(
        orphans.is_empty(),
        "documents attached to no action (and not logged): {orphans:?}\n{}",
        mentions(services, &orphans)
    );

    let parties = ids(services.database("party"), "SELECT id FROM parties");
    let applied = ids(
        services.database("user-action"),
        "SELECT main_party_id AS id FROM applications UNION SELECT party_id AS id FROM applicants",
    );
    let orphans = unaccounted(
        &parties,
        &applied,
        &log,
        &[
            "could not delete the party of a failed create",
            "kept a party whose application is in doubt",
        ],
        "party_id",
    );
    assert!(
        orphans.is_empty(),
        "parties without an application (and not logged): {orphans:?}\n{}",
        mentions(services, &orphans)
    );

    let half = case_half_done(services.database("case"));
    assert!(half.is_empty(), "half done:\n{}", half.join("\n"));
}

/// The ids `present` but not `referenced` that compensation did not log
/// (as `field` of a line with one of `messages`) as left behind.
fn unaccounted<'a>(
    present: &'a BTreeSet<String>,
    referenced: &'a BTreeSet<String>,
    log: &str,
    messages: &[&str],
    field: &str,
) -> Vec<&'a String> {
    let logged: BTreeSet<String> = messages
        .iter()
        .flat_map(|m| logged(log, m, field))
        .collect();
    present
        .difference(referenced)
        .filter(|id| !logged.contains(*id))
        .collect()
}

/// The log lines of every service that mention one of `ids`, and the
/// lines of the requests those were part of: what a failure needs told.
fn mentions(services: &Services, ids: &[&String]) -> String {
    let logs: Vec<String> = services.all().iter().map(|p| p.log()).collect();
    let lines = || logs.iter().flat_map(|log| log.lines());
    let requests: BTreeSet<String> = lines()
        .filter(|line| ids.iter().any(|id| line.contains(id.as_str())))
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| line["span"]["request_id"].as_str().map(str::to_owned))
        .collect();
    lines()
        .filter(|line| {
            ids.iter().any(|id| line.contains(id.as_str()))
                || requests.iter().any(|r| line.contains(r.as_str()))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `(operation, status)` pairs counted.
fn tally(failures: &[(String, u16)]) -> Vec<(String, u16, usize)> {
    let mut counts: std::collections::BTreeMap<(String, u16), usize> = Default::default();
    for key in failures {
        *counts.entry(key.clone()).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((op, status), n)| (op, status, n))
        .collect()
}
