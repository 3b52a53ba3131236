//! The flow's fault suite (issue 14, points 5 and 6; SPEC §D, "Delivery
//! between services"): the four services as separate `onboarding serve`
//! processes, on each backend (SQLite: a file per service in the data
//! directory; PostgreSQL: a database per service on the test server),
//! user-action's and case-service's outboxes delivering to each other and
//! to a real webhook receiver that verifies every signature.
//!
//! 500 applications are prepared (answered up to Submit) and then all
//! submitted at once. user-action is killed with SIGKILL and restarted
//! while the Submits are answered, case-service while the cases open,
//! and (PostgreSQL) the database server is stopped and started again
//! while the rest are delivered; the webhook receiver answers 503 through
//! all of it, and recovers. A share of the cases is
//! then decided (evidence accepted and the case approved, the case
//! rejected, a document rejected) and user-action is killed again while
//! those decisions are delivered.
//!
//! Afterwards: exactly one case per application, with its applicant and
//! its two documents as evidence; every application `UnderReview` with
//! its case, or its decision's `Approved`/`Rejected`, each status change
//! applied once; every outbox event of both services fanned out and
//! delivered to every destination that wants it, exactly the events the
//! flow writes; every webhook event received, signed, and a repeat with
//! the same `webhook-id` carries the same body; the submit request's own
//! `X-Request-Id` in user-action's delivery line and in case-service's
//! "application event applied" line, for every application.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::cam::{apps_var, b64, ecm_token, pdf_bytes, seed_create_prospect, Cam, JWT_SECRET};
use support::case_checks::case_half_done;
use support::flow_db::Db;
use support::process::{database_outage, separate_process_env, Fleet, ServiceProcess};
use testkit::webhooks::{Answer, Receiver};
use testkit::{backend_tests, Backend};
use tokio::sync::Semaphore;

/// The subscription's one signing secret (32 bytes).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const CREDENTIAL: &str = "flow-faults-internal-credential-0123456789";
const ECM: &str = "/rest-api/ECMService/CaseManagementService";
/// How many applications are prepared, and ECM calls made, at once.
const PREPARERS: usize = 8;
/// How long a killed service stays down, and the database server.
const DOWN: Duration = Duration::from_millis(1500);
const DB_DOWN: Duration = Duration::from_secs(4);
/// The most any stage may take to settle (a hang fails, naming it).
const SETTLE: Duration = Duration::from_secs(180);

/// How many applications are prepared and submitted at once, on both
/// backends, as issue 14 asks.
const APPLICATIONS: usize = 500;

/// The four services, each its own process, on their own databases.
struct Services {
    fleet: Fleet,
    databases: BTreeMap<&'static str, Db>,
    _data: tempfile::TempDir,
}

impl Services {
    async fn start(backend: Backend, receiver: &Receiver, http: &reqwest::Client) -> Self {
        let data = tempfile::tempdir().expect("a data directory");
        let names = ["party", "document", "user-action", "case"];
        let databases: BTreeMap<&'static str, Db> = names
            .into_iter()
            .map(|service| {
                let url = match backend {
                    Backend::Postgres => testkit::postgres::create_database(
                        testkit::postgres::server_url().expect("a server"),
                    ),
                    Backend::Sqlite => {
                        format!(
                            "sqlite://{}",
                            data.path().join(format!("{service}.db")).display()
                        )
                    }
                };
                (service, Db { backend, url })
            })
            .collect();
        let hooks = data.path().join("webhooks.json");
        let subscription = json!([{
            "name": "core-banking", "url": receiver.url("/hooks"),
            "events": domain::flow::kinds::WEBHOOK, "secrets": [SECRET]
        }]);
        std::fs::write(&hooks, subscription.to_string()).expect("the subscriptions file");
        let mut env = separate_process_env(data.path(), CREDENTIAL);
        env.extend(
            [
                ("RATE_LIMIT_ENABLED", "false".to_owned()),
                ("JWT_HS256_SECRET", JWT_SECRET.to_owned()),
                ("DEV_MODE", "true".to_owned()),
                ("USER_ACTION_APPS", apps_var()),
                ("SHUTDOWN_TIMEOUT_SECS", "2".to_owned()),
                // Above a service's own 5 s wait for a database connection
                // (tests/faults.rs says why).
                ("INTERNAL_CALL_TIMEOUT_MS", "8000".to_owned()),
                ("WEBHOOKS_FILE", hooks.display().to_string()),
                ("WEBHOOKS_ALLOW_PRIVATE", "true".to_owned()),
                ("WEBHOOKS_ALLOW_HTTP", "true".to_owned()),
                ("OUTBOX_BACKOFF_MIN_MS", "100".to_owned()),
                ("OUTBOX_BACKOFF_MAX_SECS", "2".to_owned()),
                // A killed dispatcher's leases expire within the run; a
                // delivery still being sent when its lease runs out may be
                // sent twice, which the receivers must take.
                ("OUTBOX_LEASE_SECS", "10".to_owned()),
            ]
            .map(|(k, v)| (k.to_owned(), v)),
        );
        if backend == Backend::Postgres {
            for (service, db) in &databases {
                env.push((service_kit::db::url_variable(service), db.url.clone()));
            }
        }
        Self {
            fleet: Fleet::start(&env, data.path(), http).await,
            databases,
            _data: data,
        }
    }

    fn db(&self, service: &str) -> &Db {
        &self.databases[service]
    }

    /// Kills `process` with SIGKILL, leaves it down a while, starts it
    /// again and waits until it is ready.
    async fn kill_and_restart(process: &mut ServiceProcess, http: &reqwest::Client) {
        process.kill9();
        tokio::time::sleep(DOWN).await;
        process.restart();
        process.wait_until_ready(http).await;
    }
}

/// An application answered up to Submit.
#[derive(Clone)]
struct Prepared {
    cam: Cam,
    application: String,
    party: String,
    /// The documents uploaded (income proof, driver licence).
    documents: [String; 2],
    /// The request id its Submit is sent with.
    request_id: String,
}

impl Prepared {
    fn identifier(&self, name: &str) -> String {
        format!("{name}_{}_{}", self.party, self.application)
    }
}

/// What a case worker decides on an application's case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    /// Both documents accepted, the case closed `APR`.
    Approve,
    /// The case closed `REJ`.
    Reject,
    /// The licence rejected: back with the applicant, the case open.
    RejectLicence,
    /// Nothing yet.
    None,
}

/// The decision on the `index`-th application: two fifths are decided.
fn decision(index: usize) -> Decision {
    match index % 5 {
        0 => Decision::Approve,
        1 => Decision::Reject,
        2 => Decision::RejectLicence,
        _ => Decision::None,
    }
}

async fn call_ok(cam: &Cam, operation: &str, body: &Value) -> Value {
    let (status, answer) = cam.call(operation, body).await;
    assert_eq!(status, StatusCode::OK, "{operation}: {answer}");
    answer
}

async fn upload(cam: &Cam, action: &str, file_name: &str) -> String {
    let upload = json!({"UserActionIdentifier": action, "Response": [{
        "fileName": file_name, "fileType": "application/pdf", "fileInfo": "",
        "fileClientId": 1, "fileContents": b64(&pdf_bytes())}]});
    let uploaded = call_ok(cam, "UserAction/uploadDocument", &upload).await;
    let submitted = json!({"UserActionIdentifier": action, "Response": "", "Status": "Submitted"});
    call_ok(cam, "UserAction/updateUserAction", &submitted).await;
    uploaded["Response"][0]["documentId"]
        .as_str()
        .expect("documentId")
        .to_owned()
}

/// An applicant's application, every required action answered.
async fn prepare(base: String, index: usize) -> Prepared {
    let cam = Cam::new(
        &base,
        &format!("flow-faults-{index}-{}", uuid::Uuid::new_v4()),
    );
    let created = call_ok(
        &cam,
        "PersonalInfo/createProspectProfile",
        &seed_create_prospect(),
    )
    .await;
    let application = created["Application_id"].as_str().expect("id").to_owned();
    let party = created["Party_Id"].as_str().expect("party").to_owned();
    call_ok(&cam, "UserAction/createPreRequirements", &json!({})).await;
    let mut prepared = Prepared {
        cam,
        application,
        party,
        documents: Default::default(),
        request_id: format!(
            "flow-faults-submit-{index}-{}",
            uuid::Uuid::new_v4().simple()
        ),
    };
    let income = upload(
        &prepared.cam,
        &prepared.identifier("ProofOfIncomeEmployed"),
        "payslip.pdf",
    )
    .await;
    let licence = upload(
        &prepared.cam,
        &prepared.identifier("DriverLicense"),
        "licence.pdf",
    )
    .await;
    prepared.documents = [income, licence];
    let time = json!({"UserActionIdentifier": prepared.identifier("TimeOnCurrentAddress"),
                      "Response": "2015-06", "Status": "Submitted"});
    call_ok(&prepared.cam, "UserAction/updateUserAction", &time).await;
    prepared
}

/// Submits `app` until user-action answers that it is submitted, sending
/// the same `X-Request-Id` every time; the failed attempts' outcomes,
/// each either a 503 or no answer (the service killed under it). A retry
/// of a Submit that committed before its answer was lost answers the
/// status as it is by then (`UnderReview` once its case opened:
/// docs/decisions.md, "The applicant's side of the flow").
async fn submit(app: Prepared) -> Vec<String> {
    let answer = |status: &str| {
        json!({"Application_id": app.application, "ApplicationStatus": status,
                                       "opstatus": 0, "httpStatusCode": 200})
    };
    let expected = [answer("Submitted"), answer("UnderReview")];
    let deadline = Instant::now() + SETTLE;
    let mut failures = Vec::new();
    loop {
        let request = app
            .cam
            .request("UserAction/signalProcess")
            .header("X-Request-Id", &app.request_id)
            .timeout(Duration::from_secs(30))
            .json(&json!({"Signal": "Submit"}));
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                let body: Value = response.json().await.unwrap_or(Value::Null);
                if status == StatusCode::OK {
                    let retried = !failures.is_empty();
                    assert!(
                        body == expected[0] || (retried && body == expected[1]),
                        "{}: {body}",
                        app.application
                    );
                    return failures;
                }
                assert_eq!(
                    status,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "a Submit fails only as unavailable: {body}"
                );
                failures.push("503".to_owned());
            }
            Err(e) if e.is_timeout() => panic!("a Submit hung: {e}"),
            Err(_) => failures.push("no answer".to_owned()),
        }
        assert!(
            Instant::now() < deadline,
            "{} never submitted",
            app.application
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until `probe` holds, up to [`SETTLE`]; the wait's length.
async fn until(what: &str, mut probe: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !probe() {
        assert!(started.elapsed() < SETTLE, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    started.elapsed()
}

/// Calls the ECM operation `op` as a case worker; retried while
/// case-service is unavailable (the database away).
async fn ecm(http: &reqwest::Client, base: &str, op: &str, body: &Value) -> Value {
    let token = ecm_token("analyst-1", &["case:read", "case:write"]);
    let deadline = Instant::now() + SETTLE;
    loop {
        let (status, answer) = testkit::call(
            http.post(format!("{base}{ECM}/{op}"))
                .bearer_auth(&token)
                .timeout(Duration::from_secs(30))
                .json(body),
        )
        .await;
        if status == StatusCode::OK {
            return answer;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{op}: {answer}");
        assert!(Instant::now() < deadline, "{op} never succeeded");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The case worker's decision on `app`'s case `case_id`.
async fn decide(
    http: reqwest::Client,
    base: String,
    app: Prepared,
    case_id: String,
    how: Decision,
) {
    let review = |document: &str, decision: &str, comments: Option<&str>| json!({"documentId": document, "decision": decision, "comments": comments});
    let status = |code: &str| json!([{"caseId": case_id, "caseStatusCode": code}]);
    let reviews = |evidence: &[Value]| json!([{"caseId": case_id, "evidence": evidence}]);
    match how {
        Decision::Approve => {
            let evidence: Vec<Value> = app
                .documents
                .iter()
                .map(|d| review(d, "ACCEPT", None))
                .collect();
            ecm(&http, &base, "reviewEvidence", &reviews(&evidence)).await;
            ecm(&http, &base, "updateCaseStatus", &status("APR")).await;
        }
        Decision::Reject => {
            ecm(&http, &base, "updateCaseStatus", &status("REJ")).await;
        }
        Decision::RejectLicence => {
            let evidence = [review(
                &app.documents[1],
                "REJECT",
                Some("The photo is blurred."),
            )];
            ecm(&http, &base, "reviewEvidence", &reviews(&evidence)).await;
        }
        Decision::None => {}
    }
}

/// Counts the flow's cases (those of an application).
fn cases_opened(services: &Services) -> i64 {
    services
        .db("case")
        .count("SELECT count(*) AS n FROM cases WHERE application_id IS NOT NULL")
        .unwrap_or(0)
}

async fn faults_lose_nothing_of_the_flow(backend: Backend) {
    let started = Instant::now();
    let n = APPLICATIONS;
    let http = reqwest::Client::new();
    let receiver = Receiver::start(&[SECRET], Answer::Status(204)).await;
    let mut services = Services::start(backend, &receiver, &http).await;

    // 1. Prepared with bounded concurrency, then submitted all at once.
    let gate = Arc::new(Semaphore::new(PREPARERS));
    let preparing: Vec<_> = (0..n)
        .map(|index| {
            let (gate, base) = (gate.clone(), services.fleet.user_action.url());
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("a permit");
                prepare(base, index).await
            })
        })
        .collect();
    let mut apps = Vec::with_capacity(n);
    for task in preparing {
        apps.push(task.await.expect("prepared"));
    }
    let prepared_in = started.elapsed();

    // 2. Faults while the events are in flight; the receiver fails
    // throughout them.
    receiver.answer(Answer::Status(503));
    let answered = Arc::new(AtomicUsize::new(0));
    let submitting: Vec<_> = apps
        .iter()
        .cloned()
        .map(|app| {
            let answered = answered.clone();
            tokio::spawn(async move {
                let refused = submit(app).await;
                answered.fetch_add(1, Ordering::Relaxed);
                refused
            })
        })
        .collect();
    let submit_started = Instant::now();
    let mut faults = Vec::new();
    let state = |services: &Services| (answered.load(Ordering::Relaxed), cases_opened(services));
    until("a fifth of the submissions answered", || {
        answered.load(Ordering::Relaxed) >= n / 5
    })
    .await;
    faults.push(("user-action killed", state(&services)));
    Services::kill_and_restart(&mut services.fleet.user_action, &http).await;
    let quarter = (n / 4) as i64;
    until("a quarter of the cases", || {
        cases_opened(&services) >= quarter
    })
    .await;
    faults.push(("case-service killed", state(&services)));
    Services::kill_and_restart(&mut services.fleet.case, &http).await;
    if backend == Backend::Postgres {
        until("half of the cases", || {
            cases_opened(&services) >= 2 * quarter
        })
        .await;
        faults.push(("database stopped", state(&services)));
        let urls: Vec<String> = services.databases.values().map(|d| d.url.clone()).collect();
        database_outage(urls, DB_DOWN).await;
    }
    faults.push(("receiver recovered", state(&services)));
    receiver.answer(Answer::Status(204));
    let mut refused_submits = Vec::new();
    for task in submitting {
        refused_submits.extend(task.await.expect("a Submit"));
    }
    let user_action = services.db("user-action").clone();
    let all = n as i64;
    until("every application under review", || {
        user_action.count("SELECT count(*) AS n FROM applications WHERE status = 'UnderReview'")
            == Some(all)
    })
    .await;
    let submitted_in = submit_started.elapsed();

    // 3. A share decided, user-action killed while the decisions go out.
    let case_of: BTreeMap<String, String> = services
        .db("case")
        .pairs(
            "SELECT application_id AS a, case_id AS b FROM cases WHERE application_id IS NOT NULL",
        )
        .into_iter()
        .collect();
    let gate = Arc::new(Semaphore::new(PREPARERS));
    let deciding: Vec<_> = apps
        .iter()
        .enumerate()
        .filter(|(index, _)| decision(*index) != Decision::None)
        .map(|(index, app)| {
            let (gate, http, base) = (gate.clone(), http.clone(), services.fleet.case.url());
            let case_id = case_of.get(&app.application).cloned().expect("a case");
            let app = app.clone();
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("a permit");
                decide(http, base, app, case_id, decision(index)).await
            })
        })
        .collect();
    let case_db = services.db("case").clone();
    until("some decisions delivered", || {
        case_db
            .count("SELECT count(*) AS n FROM outbox_deliveries WHERE destination = 'user-action-service' AND status = 'delivered'")
            .unwrap_or(0)
            >= (n / 20) as i64
    })
    .await;
    let decided_before_kill = case_db
        .count("SELECT count(*) AS n FROM outbox WHERE kind <> 'case.opened'")
        .unwrap_or(0);
    Services::kill_and_restart(&mut services.fleet.user_action, &http).await;
    for task in deciding {
        task.await.expect("a decision");
    }

    // 4. Everything settles: every decision reached its application.
    let expected = |index: usize| match decision(index) {
        Decision::Approve => "Approved",
        Decision::Reject => "Rejected",
        _ => "UnderReview",
    };
    let wanted: BTreeMap<String, &str> = apps
        .iter()
        .enumerate()
        .map(|(index, app)| (app.application.clone(), expected(index)))
        .collect();
    until("every decision reached its application", || {
        let statuses: BTreeMap<String, String> = user_action
            .pairs("SELECT id AS a, status AS b FROM applications")
            .into_iter()
            .collect();
        wanted
            .iter()
            .all(|(app, status)| statuses.get(app).map(String::as_str) == Some(*status))
    })
    .await;
    until("every outbox event delivered", || {
        ["user-action", "case"].iter().all(|service| {
            services
                .db(service)
                .count("SELECT count(*) AS n FROM outbox_deliveries WHERE status <> 'delivered'")
                == Some(0)
                && services
                    .db(service)
                    .count("SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")
                    == Some(0)
        })
    })
    .await;
    let settled_in = started.elapsed();

    one_case_each(&services, &apps);
    applications_whole(&services, &apps, &case_of);
    outboxes_whole(&services, &apps);
    webhooks_whole(&services, &receiver);
    traceable(&services, &apps);
    if backend == Backend::Postgres {
        // The case invariants the PostgreSQL fault suite checks (its SQL
        // is PostgreSQL's): customers with their details and audit
        // records, events with their entities, cases with their creation.
        let half = case_half_done(&services.db("case").url);
        assert!(half.is_empty(), "half done:\n{}", half.join("\n"));
    }
    for process in services.fleet.all() {
        let log = process.log();
        assert!(!log.contains("panicked"), "no panic:\n{log}");
    }
    let received = receiver.received();
    let ids: BTreeSet<&String> = received.iter().map(|h| &h.headers["webhook-id"]).collect();
    let retried: usize = [&services.fleet.user_action, &services.fleet.case]
        .iter()
        .map(|p| lines(&p.log(), "outbox delivery failed; will retry").count())
        .sum();
    let repeats = lines(&services.fleet.case.log(), "application event applied")
        .filter(|line| line["fields"]["repeat"] == true)
        .count();
    eprintln!(
        "flow faults ({backend:?}): {n} applications prepared in {prepared_in:?}; submitted and under review in {submitted_in:?}; \
         (submissions answered, cases opened) at each fault {faults:?}; {} Submit attempts refused or unanswered; \
         {decided_before_kill} decisions written when user-action was killed; delivery attempts failed and retried: {retried}; \
         events case-service was sent again: {}; {} webhook requests for {} events; settled after {settled_in:?}, checked after {:?}",
        refused_submits.len(),
        repeats,
        received.len(),
        ids.len(),
        started.elapsed()
    );
    if backend == Backend::Postgres {
        let admin = testkit::postgres::server_url().expect("a server");
        for db in services.databases.values() {
            testkit::postgres::drop_database(admin, &db.url);
        }
    }
}

/// Exactly one case per application, with its applicant as its one
/// customer and its two documents as evidence; each submission applied
/// once.
fn one_case_each(services: &Services, apps: &[Prepared]) {
    let case = services.db("case");
    let cases = case.pairs(
        "SELECT application_id AS a, case_id AS b FROM cases WHERE application_id IS NOT NULL",
    );
    let mut per_application: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (application, case_id) in &cases {
        per_application
            .entry(application)
            .or_default()
            .push(case_id);
    }
    let doubled: Vec<_> = per_application
        .iter()
        .filter(|(_, c)| c.len() > 1)
        .collect();
    assert!(
        doubled.is_empty(),
        "applications with more than one case: {doubled:?}"
    );
    let submitted: BTreeSet<&str> = apps.iter().map(|a| a.application.as_str()).collect();
    let opened: BTreeSet<&str> = per_application.keys().copied().collect();
    assert_eq!(
        opened, submitted,
        "one case per submitted application, no other"
    );
    let customers =
        grouped(case.pairs("SELECT case_id AS a, customer_id AS b FROM case_customers"));
    let evidence = grouped(case.pairs("SELECT case_id AS a, document_id AS b FROM case_evidence"));
    let applied = grouped(case.pairs(
        "SELECT application_id AS a, event_id AS b FROM application_events WHERE kind = 'application.submitted'",
    ));
    for app in apps {
        let case_id = per_application[app.application.as_str()][0];
        assert_eq!(
            customers.get(case_id),
            Some(&BTreeSet::from([app.party.clone()])),
            "the applicant is the case's customer: {case_id}"
        );
        assert_eq!(
            evidence.get(case_id),
            Some(&app.documents.iter().cloned().collect()),
            "both documents are the case's evidence: {case_id}"
        );
        assert_eq!(
            applied.get(&app.application).map(BTreeSet::len),
            Some(1),
            "one submission applied for {}",
            app.application
        );
    }
}

/// Each application's status, case, actions and status trail are whole:
/// its decision's status and its case's, each change recorded once.
fn applications_whole(services: &Services, apps: &[Prepared], case_of: &BTreeMap<String, String>) {
    let user_action = services.db("user-action");
    let held: BTreeMap<String, (String, String)> = user_action
        .pairs("SELECT id AS a, status || ' ' || coalesce(case_id, '-') AS b FROM applications")
        .into_iter()
        .map(|(id, both)| {
            let (status, case_id) = both.split_once(' ').expect("two words");
            (id, (status.to_owned(), case_id.to_owned()))
        })
        .collect();
    let case_status: BTreeMap<String, String> = services
        .db("case")
        .pairs("SELECT case_id AS a, case_status_code AS b FROM cases")
        .into_iter()
        .collect();
    let actions: BTreeMap<String, String> = user_action
        .pairs("SELECT identifier AS a, status AS b FROM user_actions")
        .into_iter()
        .collect();
    let mut trail: BTreeMap<String, usize> = BTreeMap::new();
    for (application, _) in user_action.pairs(
        "SELECT application_id AS a, id AS b FROM audit_events WHERE kind = 'application-status'",
    ) {
        *trail.entry(application).or_default() += 1;
    }
    assert_eq!(
        held.len(),
        apps.len(),
        "the prepared applications, no other"
    );
    for (index, app) in apps.iter().enumerate() {
        let how = decision(index);
        let (status, code, changes, licence, income) = match how {
            Decision::Approve => ("Approved", "APR", 3, "Reviewed", "Reviewed"),
            Decision::Reject => ("Rejected", "REJ", 3, "Submitted", "Submitted"),
            Decision::RejectLicence => ("UnderReview", "NW", 2, "Rejected", "Submitted"),
            Decision::None => ("UnderReview", "NW", 2, "Submitted", "Submitted"),
        };
        let case_id = &case_of[&app.application];
        assert_eq!(
            held.get(&app.application),
            Some(&(status.to_owned(), case_id.clone())),
            "{} ({how:?}): its status and case",
            app.application
        );
        assert_eq!(case_status[case_id], code, "{case_id} ({how:?})");
        assert_eq!(
            (
                actions[&app.identifier("ProofOfIncomeEmployed")].as_str(),
                actions[&app.identifier("DriverLicense")].as_str()
            ),
            (income, licence),
            "{} ({how:?}): its documents' actions",
            app.application
        );
        assert_eq!(
            trail.get(&app.application),
            Some(&changes),
            "{} ({how:?}): each status change recorded once",
            app.application
        );
    }
}

/// A sending service's outbox: the events the flow writes there (kind,
/// how many), and which of them its internal peer takes.
struct Side {
    service: &'static str,
    peer: &'static str,
    kinds: Vec<(&'static str, usize)>,
    peer_wants: fn(&str) -> bool,
}

/// Every outbox event of both services is one the flow writes (as many of
/// each kind as it writes, none twice), fanned out to every destination
/// that wants it, and delivered there.
fn outboxes_whole(services: &Services, apps: &[Prepared]) {
    let share = |wanted: Decision| {
        (0..apps.len())
            .filter(|index| decision(*index) == wanted)
            .count()
    };
    let (approved, rejected, licences) = (
        share(Decision::Approve),
        share(Decision::Reject),
        share(Decision::RejectLicence),
    );
    let n = apps.len();
    let webhook = |kind: &str| domain::flow::kinds::WEBHOOK.contains(&kind);
    let sides = [
        Side {
            service: "user-action",
            peer: "case-service",
            kinds: vec![
                ("application.submitted", n),
                ("application.approved", approved),
                ("application.rejected", rejected),
            ],
            peer_wants: |kind| {
                kind.starts_with("application.")
                    && kind != "application.approved"
                    && kind != "application.rejected"
            },
        },
        Side {
            service: "case",
            peer: "user-action-service",
            kinds: vec![
                ("case.opened", n),
                ("case.status_changed", approved + rejected),
                ("evidence.accepted", 2 * approved),
                ("evidence.rejected", licences),
            ],
            peer_wants: |kind| kind != "case.opened",
        },
    ];
    for Side {
        service,
        peer,
        kinds,
        peer_wants,
    } in sides
    {
        let db = services.db(service);
        let events = db.pairs("SELECT id AS a, kind AS b FROM outbox");
        let mut counted: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, kind) in &events {
            *counted.entry(kind.as_str()).or_default() += 1;
        }
        let wanted: BTreeMap<&str, usize> = kinds.into_iter().collect();
        assert_eq!(
            counted, wanted,
            "{service}'s outbox: the flow's events, each once"
        );
        let delivered: BTreeSet<(String, String)> = db
            .pairs("SELECT event_id AS a, destination AS b FROM outbox_deliveries WHERE status = 'delivered'")
            .into_iter()
            .collect();
        let all = db
            .count("SELECT count(*) AS n FROM outbox_deliveries")
            .expect("a count");
        let mut expected = 0;
        for (id, kind) in &events {
            for (wants, destination) in [
                (peer_wants(kind), peer),
                (webhook(kind), "webhook:core-banking"),
            ] {
                if wants {
                    expected += 1;
                    assert!(
                        delivered.contains(&(id.clone(), destination.to_owned())),
                        "{service}: {kind} {id} delivered to {destination}"
                    );
                }
            }
        }
        assert_eq!(
            all, expected,
            "{service}: one delivery per event and destination"
        );
    }
}

/// Every webhook event of both outboxes was received, signed; the
/// receiver heard of no other; a repeat carries the same body.
fn webhooks_whole(services: &Services, receiver: &Receiver) {
    let mut events: BTreeMap<String, String> = BTreeMap::new();
    for service in ["user-action", "case"] {
        for (id, kind) in services
            .db(service)
            .pairs("SELECT id AS a, kind AS b FROM outbox")
        {
            if domain::flow::kinds::WEBHOOK.contains(&kind.as_str()) {
                events.insert(id, kind);
            }
        }
    }
    let mut bodies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for hook in receiver.received() {
        assert_eq!(hook.verified, Ok(0), "signed: {hook:?}");
        let id = hook.headers["webhook-id"].clone();
        let body: Value = serde_json::from_str(&hook.body).expect("a JSON body");
        assert_eq!(
            events.get(&id).map(String::as_str),
            body["type"].as_str(),
            "a webhook of an outbox event, of its kind: {hook:?}"
        );
        bodies.entry(id).or_default().insert(hook.body);
    }
    let missing: Vec<_> = events
        .keys()
        .filter(|id| !bodies.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "webhook events never received: {missing:?}"
    );
    let differing: Vec<_> = bodies.iter().filter(|(_, b)| b.len() > 1).collect();
    assert!(
        differing.is_empty(),
        "one body per webhook-id: {differing:?}"
    );
}

/// Each Submit's own `X-Request-Id` is in user-action's line for its
/// delivery to case-service and in case-service's "application event
/// applied" line (point 6: one search follows an application).
fn traceable(services: &Services, apps: &[Prepared]) {
    let delivered = logged(
        &services.fleet.user_action.log(),
        "outbox event delivered",
        |line| line["span"]["destination"] == "case-service",
    );
    let applied = logged(
        &services.fleet.case.log(),
        "application event applied",
        |line| line["fields"]["kind"] == "application.submitted",
    );
    for app in apps {
        assert!(
            delivered.contains(&app.request_id),
            "user-action logs the delivery of {} under {}",
            app.application,
            app.request_id
        );
        assert!(
            applied.contains(&app.request_id),
            "case-service logs the opening of {}'s case under {}",
            app.application,
            app.request_id
        );
    }
}

/// The request ids of `log`'s JSON lines saying `message` that `filter`
/// keeps.
fn logged(log: &str, message: &str, filter: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    lines(log, message)
        .filter(|line| filter(line))
        .filter_map(|line| line["span"]["request_id"].as_str().map(str::to_owned))
        .collect()
}

/// `log`'s JSON lines saying `message`.
fn lines<'a>(log: &'a str, message: &'a str) -> impl Iterator<Item = Value> + 'a {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(move |line| line["fields"]["message"] == message)
}

/// `(a, b)` pairs as a set of `b` per `a`.
fn grouped(pairs: Vec<(String, String)>) -> BTreeMap<String, BTreeSet<String>> {
    let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (a, b) in pairs {
        map.entry(a).or_default().insert(b);
    }
    map
}

backend_tests!(faults_lose_nothing_of_the_flow);
