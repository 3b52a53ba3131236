//! `onboarding erase` (issue 17, "Retention and erasure"): an application
//! seeded through the public CAM and ECM APIs is erased by the real binary;
//! afterwards the APIs and the databases show the skeleton with the
//! tombstone and none of the seeded personal values (the events naming the
//! applicant too), the erased application takes no more changes, the
//! object store holds no document, a second run (by application or by party) finds nothing
//! left, and unknown ids are refused naming the flag.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::Command;
use support::cam::{seed_create_prospect, seed_update_prospect, Cam};
use testkit::{backend_tests, call, Backend, TestApp};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_onboarding");

/// Every service in one process, as `serve` builds them.
fn build_all(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    onboarding::build_all(&onboarding::service_names(), ctx, Some(vars))
}

/// `onboarding erase ARGS` on the app's databases: (success, stdout, stderr).
fn erase(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("erase")
        .args(args)
        .envs(&app.vars)
        .output()
        .expect("runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

fn count(backend: Backend, url: &str, sql: &str) -> i64 {
    let mut conn = testkit::faults::connect(backend, url);
    let row: Count = diesel::sql_query(sql).get_result(&mut conn).expect("count");
    row.n
}

fn cells(backend: Backend, url: &str, sql: &str) -> Vec<Option<String>> {
    let mut conn = testkit::faults::connect(backend, url);
    let rows: Vec<Cell> = diesel::sql_query(sql).load(&mut conn).expect("rows");
    rows.into_iter().map(|c| c.v).collect()
}

/// An ECM operation's answer.
async fn ecm(app: &TestApp, token: &str, op: &str, body: Value) -> Value {
    let path = format!("/rest-api/ECMService/CaseManagementService/{op}");
    let (status, answer) = call(
        app.anonymous(Method::POST, &path)
            .bearer_auth(token)
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    answer
}

/// The seeded personal values: none may be seen after the erasure.
const SEEDED: [&str; 8] = [
    "Virat",
    "Kohli",
    "Rohit",
    "Sharma",
    "Marine Drive",
    "kohli-payslip",
    "TX999",
    "kanand",
];

fn assert_none_seeded(what: &str, text: &str) {
    for value in SEEDED {
        assert!(!text.contains(value), "{what} still shows {value}: {text}");
    }
}

async fn erase_removes_an_applicants_personal_data(backend: Backend) {
    let cam_vars = support::cam::cam_vars();
    let extra: Vec<(&str, &str)> = cam_vars
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut app = TestApp::spawn(backend, &onboarding::service_names(), &extra, &build_all).await;
    let applicant = Cam::new(&app.url, "applicant-erase");
    let (status, created) = call(
        applicant
            .request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "erase-1")
            .json(&seed_create_prospect()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let application = created["Application_id"].as_str().expect("id").to_owned();
    let party = created["Party_Id"].as_str().expect("party").to_owned();
    let (status, co) = applicant
        .call(
            "PersonalInfo/updateProspectProfile",
            &seed_update_prospect(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{co}");
    let (status, pre) = applicant
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{pre}");
    let (status, answered) = applicant
        .call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": format!("TimeOnCurrentAddress_{party}_{application}"),
                    "Response": "Flat 7, Marine Drive", "Status": "Submitted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let income = format!("ProofOfIncomeEmployed_{party}_{application}");
    let pdf = support::cam::b64(&support::cam::pdf_bytes());
    let (status, uploaded) = applicant
        .call(
            "UserAction/uploadDocument",
            &json!({"UserActionIdentifier": income, "Response": [{"fileName": "kohli-payslip.pdf",
                    "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1, "fileContents": pdf}]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    // The applicant writes to the bank: the applicant's data too.
    let (status, notified) = applicant
        .call(
            "UserAction/notifyRM",
            &json!({"Message": "Virat Kohli here: please call about Marine Drive"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{notified}");
    let analyst = support::cam::ecm_token("analyst-1", &["case:write"]);
    ecm(&app, &analyst, "createCase", json!([{"caseId": "C1"}])).await;
    ecm(
        &app,
        &analyst,
        "addCustomer",
        json!([{"caseId": "C1", "customers": [{"customerId": party,
        "firstName": "Virat", "lastName": "Kohli", "taxId": "TX999", "dateOfBirth": "1985-10-10",
        "pepFlagCode": "N", "emails": [{"emailId": "kanand@temenos.com"}]}]}]),
    )
    .await;
    // An event naming the applicant, promoted to a case of its own (CA1),
    // which the applicant joins.
    let (status, promoted) = call(
        app.anonymous(
            Method::POST,
            "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase",
        )
        .bearer_auth(&analyst)
        .json(&json!({"events": [{"eventCode": "EV1", "type": "AML",
            "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
                          "entityName": "Virat Kohli", "focusFlag": "Y", "custId": party}],
            "details": [{"reason": "large transfer", "scenarioName": "User Defined Event"}]}],
         "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "entityName": "Virat Kohli",
            "custId": party, "customerName": "Virat Kohli", "customerType": "IND", "taxID": "TX999"}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    let objects = testkit::objects::Objects::of(&app.vars);
    assert_eq!(objects.keys().await.len(), 1);
    // The request for help reaches case-service (by user-action's outbox)
    // before the server stops: erased there too.
    let case_db = app.vars["CASE_DATABASE_URL"].clone();
    let requests = "SELECT count(*) AS n FROM application_rm_requests";
    let delivered = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while count(backend, &case_db, requests) == 0 {
        assert!(
            std::time::Instant::now() < delivered,
            "rm.notified never reached case-service"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    app.take_server().stop(true).await;

    // A reviewer's reason for sending a document back, as the bank's
    // review leaves it, sealed under the app's keys (the default catalog
    // has no action a CAM reviewer may reject, so it is planted): erased
    // with the rest.
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let keyring = service_kit::Keyring::from_config(&config, true).expect("keyring");
    let ua_url = app.vars["USER_ACTION_DATABASE_URL"].clone();
    let action = cells(backend, &ua_url, &format!(
        "SELECT id AS v FROM user_actions WHERE application_id = '{application}' ORDER BY id LIMIT 1"
    ))[0]
        .clone()
        .expect("an action");
    let comment = keyring.seal(
        &format!("user_actions.review_comment:{action}"),
        "Marine Drive is not on the payslip",
    );
    diesel::connection::SimpleConnection::batch_execute(
        &mut testkit::faults::connect(backend, &ua_url),
        &format!("UPDATE user_actions SET review_comment = '{comment}' WHERE id = '{action}'"),
    )
    .expect("planted");
    let (ok, stdout, stderr) = erase(&app, &["--application", &application]);
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "user-action: 2 applicants, 1 answers, 1 review comments, 1 messages to the bank, \
                 1 attachments, 1 idempotency keys\n\
                 document: 1 documents\nparty: 2 parties\ncase: 2 case customers, 3 audit values, 1 events, \
                 0 evidence file names, 0 comments, 1 messages to the bank\n\
                 application {application} erased\n"
        )
    );
    assert_none_seeded("the log", &stderr);
    let nothing = format!("user-action: 0 applicants, 0 answers, 0 review comments, 0 messages to the bank, \
                           0 attachments, 0 idempotency keys\n\
                           document: 0 documents\nparty: 0 parties\ncase: 0 case customers, 0 audit values, 0 events, \
                           0 evidence file names, 0 comments, 0 messages to the bank\n\
                           application {application}: nothing was left to erase\n");
    for args in [
        ["--application", application.as_str()],
        ["--party", party.as_str()],
    ] {
        let (ok, stdout, stderr) = erase(&app, &args);
        assert!(ok, "{stderr}");
        assert_eq!(stdout, nothing);
    }
    for (args, refusal) in [
        (
            ["--application", "NOPE123"],
            "error: --application NOPE123: no such application",
        ),
        (
            ["--party", "1234567890"],
            "error: --party 1234567890: no such party in any application, case or party-service",
        ),
        (
            ["--party", "12"],
            "error: --party 12: must be a party id of 10 digits",
        ),
    ] {
        let (ok, _, stderr) = erase(&app, &args);
        assert!(!ok);
        assert_eq!(stderr.lines().last(), Some(refusal));
    }

    // The databases and the object store.
    let db = |name: &str| app.vars[&format!("{name}_DATABASE_URL")].clone();
    assert_eq!(
        count(backend, &db("PARTY"), "SELECT count(*) AS n FROM parties"),
        0
    );
    assert_eq!(
        count(
            backend,
            &db("PARTY"),
            "SELECT count(*) AS n FROM party_contact_points"
        ),
        0
    );
    assert_eq!(
        count(
            backend,
            &db("DOCUMENT"),
            "SELECT count(*) AS n FROM documents"
        ),
        0
    );
    assert_eq!(objects.keys().await, Vec::<String>::new());
    let ua = db("USER_ACTION");
    assert_eq!(
        count(backend, &ua, "SELECT count(*) AS n FROM applications"),
        1
    );
    assert_eq!(
        count(backend, &ua, "SELECT count(*) AS n FROM applicants"),
        2
    );
    assert_eq!(
        count(backend, &ua, "SELECT count(*) AS n FROM action_documents"),
        0
    );
    assert_eq!(
        count(backend, &ua, "SELECT count(*) AS n FROM idempotency_keys"),
        0
    );
    assert_eq!(
        count(
            backend,
            &ua,
            "SELECT count(*) AS n FROM user_actions WHERE review_comment IS NOT NULL"
        ),
        0
    );
    // The names hold the tombstone, sealed as every name is (getCaseDetails
    // below reads it back); the tax id and date of birth are gone.
    let stored = cells(backend, &db("CASE"), "SELECT first_name AS v FROM case_customers UNION ALL SELECT last_name AS v FROM case_customers UNION ALL SELECT tax_id AS v FROM case_customers UNION ALL SELECT date_of_birth AS v FROM case_customers");
    let sealed = |v: &Option<String>| v.as_deref().is_some_and(|v| v.starts_with("enc1:"));
    // Two customers (on C1, and on the case the event was promoted to).
    assert!(
        stored.len() == 8
            && stored[..4].iter().all(sealed)
            && stored[4..].iter().all(Option::is_none),
        "{stored:?}"
    );
    assert_eq!(
        count(
            backend,
            &db("CASE"),
            "SELECT count(*) AS n FROM case_customer_emails"
        ),
        0
    );
    // The request for help keeps its row, its message the tombstone.
    let kept = cells(
        backend,
        &db("CASE"),
        "SELECT request_id || ' ' || message AS v FROM application_rm_requests",
    );
    let [Some(kept)] = kept.as_slice() else {
        panic!("one request: {kept:?}")
    };
    let (request, message) = kept.split_once(' ').expect("id and message");
    assert_eq!(
        keyring
            .open_field("application_rm_requests.message", request, message)
            .expect("opens"),
        domain::erasure::ERASED
    );
    // The event keeps its entity, its name the sealed tombstone; the
    // entities sent about the customer (its name, tax id) are gone.
    let names = cells(
        backend,
        &db("CASE"),
        "SELECT entity_name AS v FROM event_entities",
    );
    assert!(names.len() == 1 && sealed(&names[0]), "{names:?}");
    assert_eq!(
        count(
            backend,
            &db("CASE"),
            "SELECT count(*) AS n FROM event_customers"
        ),
        0
    );

    // The APIs.
    app.restart(&[], &build_all).await;
    let applicant = Cam::new(&app.url, "applicant-erase");
    let (status, listing) = applicant
        .call("UserAction/getUserActions", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{listing}");
    let text = listing.to_string();
    assert_none_seeded("getUserActions", &text);
    assert!(text.contains("[erased]"), "{text}");
    let (status, documents) = applicant
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": income}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{documents}");
    assert_none_seeded("getDocument", &documents.to_string());
    let (status, trail) = applicant.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let last = trail["AuditEvents"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    // The operator is staff: the applicant sees "bank" (finding 11).
    assert_eq!(
        (
            &last["kind"],
            &last["target"],
            &last["subject"],
            &last["newValue"]
        ),
        (
            &json!("application-erased"),
            &json!(application),
            &json!("bank"),
            &Value::Null
        ),
        "{trail}"
    );
    let (status, _) = call(app.internal(Method::GET, &format!("/party/v1/parties/{party}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let details = ecm(&app, &analyst, "getCaseDetails", json!({"caseId": "C1"})).await;
    assert_none_seeded("getCaseDetails", &details.to_string());
    let customer = &details["customers"][0];
    assert_eq!(
        (
            &customer["customerId"],
            &customer["firstName"],
            &customer["lastName"],
            &customer["pepFlagCode"]
        ),
        (
            &json!(party),
            &json!("[erased]"),
            &json!("[erased]"),
            &json!("N")
        ),
        "{details}"
    );
    let promoted = ecm(&app, &analyst, "getCaseDetails", json!({"caseId": "CA1"})).await;
    assert_none_seeded("getCaseDetails of the promoted case", &promoted.to_string());
    assert_eq!(
        (
            &promoted["customers"][0]["firstName"],
            &promoted["events"][0]["event"]["entities"][0]["entityName"],
            &promoted["events"][0]["event"]["entities"][0]["custId"],
        ),
        (&json!("[erased]"), &json!("[erased]"), &json!(party)),
        "{promoted}"
    );
    let trail = ecm(&app, &analyst, "getCaseAudit", json!({"caseId": "CA1"})).await;
    assert_none_seeded("getCaseAudit of the promoted case", &trail.to_string());
    let added = trail["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["action"] == "eventAdded"))
        .and_then(|e| e["newValue"].as_str())
        .map(|v| serde_json::from_str::<Value>(v).expect("an event"))
        .unwrap_or_default();
    assert_eq!(
        added["event"]["entities"][0]["entityName"],
        json!("[erased]"),
        "{trail}"
    );
    // The erased application takes no more changes.
    let (status, refused) = applicant
        .call(
            "UserAction/uploadDocument",
            &json!({"UserActionIdentifier": income, "Response": [{"fileName": "kohli-payslip.pdf",
                    "fileType": "application/pdf", "fileInfo": "", "fileClientId": 1, "fileContents": pdf}]}),
        )
        .await;
    assert_eq!(
        (status, refused),
        (
            StatusCode::CONFLICT,
            json!({"opstatus": 10310, "httpStatusCode": 409, "dbpErrCode": "10310",
                   "dbpErrMsg": "UserActionIdentifier: the application's personal data was erased; it can no longer be changed"})
        )
    );
    let audit = ecm(&app, &analyst, "getCaseAudit", json!({"caseId": "C1"})).await;
    assert_none_seeded("getCaseAudit", &audit.to_string());
    let actions: Vec<(&str, Option<&str>, Option<&str>)> = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or(""),
                e["newValue"].as_str(),
                e["actor"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("caseCreated", None, Some("analyst-1")),
            ("customerAdded", Some("[erased]"), Some("analyst-1")),
            ("customerErased", None, Some(onboarding::OPERATOR)),
        ],
        "{audit}"
    );
}

backend_tests!(erase_removes_an_applicants_personal_data);
