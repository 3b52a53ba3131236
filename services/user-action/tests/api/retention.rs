//! The retention purge (issue 17, "Retention and erasure"): with
//! `USER_ACTION_RETENTION_DAYS` set, the sweep erases a Rejected or
//! Withdrawn application unchanged for that long (its parties and
//! documents in their services, its case customers and the events naming
//! them in case-service (and its values on its case: tested with
//! case-service's API), its personal values here, with the
//! `application-erased` event) and leaves any other alone; the erased
//! application takes no more changes. No API sets these statuses yet (the
//! server alone will, SPEC "Application statuses"), so the test puts the
//! status and an old `updated_at` into the database directly, as the
//! future transition would leave them.

use crate::helpers::{fabric, pdf_b64, profile, upload, vars, User};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::{backend_tests, call, faults, Backend, TestApp};

/// The four services, case-service with them: the purge erases there too.
fn all_four(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    let mut services = crate::helpers::all_three(ctx, vars)?;
    services.push(case::service(ctx, Some(vars))?);
    Ok(services)
}

/// The services but case-service (its database is made all the same).
fn without_case(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    crate::helpers::all_three(ctx, vars)
}

/// The four databases, the services `build` makes, a one-second sweep and
/// a retention of 30 days.
async fn spawn(backend: Backend, build: &testkit::Build) -> TestApp {
    let vars = vars(&[
        ("USER_ACTION_SWEEP_INTERVAL_SECS", "1"),
        ("USER_ACTION_RETENTION_DAYS", "30"),
    ]);
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn(
        backend,
        &["party", "document", "user-action", "case"],
        &pairs,
        build,
    )
    .await
}

/// A `case:write` token of the ECM API's audience.
fn analyst(app: &TestApp) -> String {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let audience = case::token_policy(Some(&app.vars))
        .expect("policy")
        .audience;
    service_kit::auth::mint_dev_token(&config, &audience, "analyst-1", &["case:write".into()], 600)
        .expect("token")
}

/// An ECM operation's answer, which must be a 200.
async fn ecm(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, answer) = call(
        app.anonymous(Method::POST, path)
            .bearer_auth(analyst(app))
            .json(&body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}: {answer}");
    answer
}

const CASES: &str = "/rest-api/ECMService/CaseManagementService";
const REAL_TIME: &str = "/rest-api/CMRestService/RealTimeCaseCreationService";

/// Puts `party` (Anil Kumble) on case C1, and an event naming it, promoted
/// to case CA1 (which it joins too).
async fn seed_cases(app: &TestApp, party: &str) {
    ecm(
        app,
        &format!("{CASES}/createCase"),
        json!([{"caseId": "C1"}]),
    )
    .await;
    ecm(
        app,
        &format!("{CASES}/addCustomer"),
        json!([{"caseId": "C1", "customers": [{"customerId": party, "firstName": "Anil",
                "lastName": "Kumble", "taxId": "TX123", "pepFlagCode": "N"}]}]),
    )
    .await;
    ecm(
        app,
        &format!("{REAL_TIME}/saveEventsAndPromoteToCase"),
        json!({"events": [{"eventCode": "EV1", "type": "AML",
            "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
                          "entityName": "Anil Kumble", "focusFlag": "Y", "custId": party}],
            "details": [{"reason": "large transfer", "scenarioName": "User Defined Event"}]}],
         "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "entityName": "Anil Kumble",
            "custId": party, "customerName": "Anil Kumble", "customerType": "IND", "taxID": "TX123"}]}),
    )
    .await;
}

/// Rejects `application` 40 days ago; every other application is as old.
fn reject_long_ago(app: &TestApp, backend: Backend, application: &str) {
    faults::execute(
        backend,
        &app.vars["USER_ACTION_DATABASE_URL"],
        &format!(
            "UPDATE applications SET status = 'Rejected' WHERE id = '{application}';\
             UPDATE applications SET updated_at = '2000-01-01T00:00:00.000000Z'"
        ),
    );
}

/// Waits (20 s at most) until `party` is gone from party-service.
async fn until_party_gone(app: &TestApp, party: &str) {
    let started = Instant::now();
    loop {
        let (status, _) =
            call(app.internal(Method::GET, &format!("/party/v1/parties/{party}"))).await;
        if status == StatusCode::NOT_FOUND {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never purged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits (20 s at most) until `user`'s listing shows the tombstone.
async fn until_erased(user: &User<'_>) -> String {
    let started = Instant::now();
    let mut listing = user.actions().await.to_string();
    while !listing.contains("[erased]") {
        assert!(started.elapsed() < Duration::from_secs(20), "{listing}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        listing = user.actions().await.to_string();
    }
    listing
}

fn assert_no_kumble(what: &str, text: &str) {
    for value in ["Anil", "Kumble", "TX123"] {
        assert!(!text.contains(value), "{what} still shows {value}: {text}");
    }
}

async fn a_rejected_application_past_its_retention_is_erased(backend: Backend) {
    let app = spawn(backend, &all_four).await;
    let rejected = User::new(&app, "rejected-1");
    let (application, party) = rejected.application("Anil", "Kumble").await;
    let income = format!("ProofOfIncomeEmployed_{party}_{application}");
    let (status, uploaded) = rejected
        .call(
            "UserAction/uploadDocument",
            &upload(&income, &[("kumble.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    seed_cases(&app, &party).await;
    let kept = User::new(&app, "in-progress-1");
    let (kept_application, kept_party) = kept.application("Rahul", "Dravid").await;
    reject_long_ago(&app, backend, &application);
    until_party_gone(&app, &party).await;
    // The user-action step comes last; give it its moment.
    let listing = until_erased(&rejected).await;
    assert_no_kumble("getUserActions", &listing);
    let (status, documents) = rejected
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": income}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{documents}");
    assert!(!documents.to_string().contains("kumble.pdf"), "{documents}");
    let (status, trail) = rejected.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let last = trail["AuditEvents"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&last["kind"], &last["target"]),
        (&json!("application-erased"), &json!(application))
    );

    // case-service: the customer on C1, and on CA1 with its event.
    let c1 = ecm(
        &app,
        &format!("{CASES}/getCaseDetails"),
        json!({"caseId": "C1"}),
    )
    .await;
    assert_no_kumble("getCaseDetails C1", &c1.to_string());
    let customer = &c1["customers"][0];
    assert_eq!(
        (
            &customer["customerId"],
            &customer["firstName"],
            &customer["lastName"],
            &customer["taxId"],
            &customer["pepFlagCode"]
        ),
        (
            &json!(party),
            &json!("[erased]"),
            &json!("[erased]"),
            &Value::Null,
            &json!("N")
        ),
        "{c1}"
    );
    let ca1 = ecm(
        &app,
        &format!("{CASES}/getCaseDetails"),
        json!({"caseId": "CA1"}),
    )
    .await;
    assert_no_kumble("getCaseDetails CA1", &ca1.to_string());
    assert_eq!(
        (
            &ca1["customers"][0]["firstName"],
            &ca1["events"][0]["event"]["entities"][0]["entityName"],
            &ca1["events"][0]["event"]["entities"][0]["custId"],
            &ca1["events"][0]["event"]["details"][0]["scenarioName"]
        ),
        (
            &json!("[erased]"),
            &json!("[erased]"),
            &json!(party),
            &json!("User Defined Event")
        ),
        "{ca1}"
    );
    for case in ["C1", "CA1"] {
        let audit = ecm(
            &app,
            &format!("{CASES}/getCaseAudit"),
            json!({"caseId": case}),
        )
        .await;
        assert_no_kumble("getCaseAudit", &audit.to_string());
        let erased: Vec<(&str, &str)> = audit["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter(|e| e["action"] == "customerErased")
            .map(|e| {
                (
                    e["customerId"].as_str().unwrap_or(""),
                    e["actor"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(erased, vec![(party.as_str(), "retention-purge")], "{audit}");
    }

    // The erased application takes no more changes.
    let refused = |field: &str| {
        fabric(
            409,
            10310,
            &format!(
                "{field}: the application's personal data was erased; it can no longer be changed"
            ),
        )
    };
    let mut update = profile("Anil", "Kumble");
    update["Application_id"] = json!(application);
    assert_eq!(
        rejected
            .call("PersonalInfo/updateProspectProfile", &update)
            .await,
        (StatusCode::CONFLICT, refused("Application_id"))
    );
    assert_eq!(
        rejected
            .call(
                "UserAction/uploadDocument",
                &upload(&income, &[("kumble.pdf", "application/pdf", &pdf_b64())]),
            )
            .await,
        (StatusCode::CONFLICT, refused("UserActionIdentifier"))
    );
    assert_eq!(
        rejected
            .call(
                "UserAction/updateUserAction",
                &json!({"UserActionIdentifier": format!("TimeOnCurrentAddress_{party}_{application}"),
                        "Response": "Anil's flat", "Status": "Submitted"}),
            )
            .await,
        (StatusCode::CONFLICT, refused("UserActionIdentifier"))
    );
    assert_no_kumble("getUserActions", &rejected.actions().await.to_string());

    // The application in progress is untouched.
    let (status, _) =
        call(app.internal(Method::GET, &format!("/party/v1/parties/{kept_party}"))).await;
    assert_eq!(status, StatusCode::OK);
    let listing = kept.actions().await.to_string();
    assert!(
        listing.contains("Dravid") && !listing.contains("[erased]"),
        "{kept_application}: {listing}"
    );
}

/// case-service does not answer (it is not served): the purge erases what
/// it can reach and leaves the application unerased here, so the next
/// sweep finds it again; once case-service is back, a sweep finishes it.
async fn the_purge_finishes_only_when_case_service_answers(backend: Backend) {
    let mut app = spawn(backend, &without_case).await;
    let rejected = User::new(&app, "rejected-2");
    let (application, party) = rejected.application("Anil", "Kumble").await;
    reject_long_ago(&app, backend, &application);
    until_party_gone(&app, &party).await;
    // A few sweeps more: every one fails at case-service.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let listing = rejected.actions().await.to_string();
    assert!(
        listing.contains("Kumble") && !listing.contains("[erased]"),
        "{listing}"
    );
    let (status, trail) = rejected.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    assert!(!trail.to_string().contains("application-erased"), "{trail}");

    app.restart(&[], &all_four).await;
    let rejected = User::new(&app, "rejected-2");
    let listing = until_erased(&rejected).await;
    assert_no_kumble("getUserActions", &listing);
}

backend_tests!(
    a_rejected_application_past_its_retention_is_erased,
    the_purge_finishes_only_when_case_service_answers
);
