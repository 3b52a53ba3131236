//! From application to decision, across the real services (SPEC §D, issue
//! 14): every service in one process on each backend, the outboxes'
//! dispatchers delivering between them, and a real webhook receiver that
//! verifies every signature itself.
//!
//! An applicant answers and submits; a KYC case opens with the applicant
//! and the documents as evidence and the application goes `UnderReview`;
//! a case worker rejects a document, the applicant sees why and sends
//! another, which reaches the case; the worker accepts and approves, and
//! the application is `Approved`. The bank's systems hear each step by
//! webhook, signed, with ids and statuses only; the delivery logs show
//! every delivery done.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use support::applicant::{action, answer_again, answer_with_document, listing, submit_action};
use support::cam::{cam_vars, ecm_token, pdf_bytes, seed_create_prospect, Cam};
use testkit::webhooks::{Answer, Receiver};
use testkit::{backend_tests, eventually, Backend, TestApp};

/// The one signing secret of the tests' subscription (32 bytes).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const ECM: &str = "/rest-api/ECMService/CaseManagementService";

/// Every service in one process, subscribed to every webhook kind at
/// `receiver`.
async fn spawn(backend: Backend, receiver: &Receiver, dir: &tempfile::TempDir) -> TestApp {
    let file = dir.path().join("webhooks.json");
    let subscription = json!([{
        "name": "core-banking", "url": receiver.url("/hooks"),
        "events": domain::flow::kinds::WEBHOOK, "secrets": [SECRET]
    }]);
    std::fs::write(&file, subscription.to_string()).expect("the subscriptions file");
    let mut vars = cam_vars();
    vars.extend(
        [
            ("WEBHOOKS_FILE", file.display().to_string()),
            ("WEBHOOKS_ALLOW_PRIVATE", "true".to_owned()),
            ("WEBHOOKS_ALLOW_HTTP", "true".to_owned()),
            ("OUTBOX_BACKOFF_MIN_MS", "100".to_owned()),
            ("OUTBOX_BACKOFF_MAX_SECS", "1".to_owned()),
        ]
        .map(|(k, v)| (k.to_owned(), v)),
    );
    let extra: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    TestApp::spawn(
        backend,
        &onboarding::service_names(),
        &extra,
        &|ctx, vars| onboarding::build_all(&onboarding::service_names(), ctx, Some(vars)),
    )
    .await
}

/// Calls the ECM operation `op` as a case worker.
async fn ecm(app: &TestApp, op: &str, body: &Value) -> (StatusCode, Value) {
    let token = ecm_token("analyst-1", &["case:read", "case:write"]);
    testkit::call(
        reqwest::Client::new()
            .post(format!("{}{ECM}/{op}", app.url))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

/// The evidence of case `case_id`: (file name, user action, decision).
async fn evidence(app: &TestApp, case_id: &str) -> Vec<(String, String, Value)> {
    let (status, details) = ecm(app, "getCaseDetails", &json!({"caseId": case_id})).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    details["application"]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (
                text("fileName"),
                text("userActionIdentifier"),
                e["decision"].clone(),
            )
        })
        .collect()
}

async fn submission_reaches_a_decision_and_the_banks_systems(backend: Backend) {
    let receiver = Receiver::start(&[SECRET], Answer::Status(204)).await;
    let dir = tempfile::tempdir().expect("a directory");
    let app = spawn(backend, &receiver, &dir).await;
    let cam = Cam::new(&app.url, "applicant-flow");
    let (status, created) = cam
        .call(
            "PersonalInfo/createProspectProfile",
            &seed_create_prospect(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let application = created["Application_id"].as_str().expect("id").to_owned();
    let party = created["Party_Id"].as_str().expect("party").to_owned();
    let id = |name: &str| format!("{name}_{party}_{application}");
    let (income, licence, time) = (
        id("ProofOfIncomeEmployed"),
        id("DriverLicense"),
        id("TimeOnCurrentAddress"),
    );
    let (status, _) = cam
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let payslip = answer_with_document(&cam, &income, "payslip-march.pdf").await;
    let blurred = answer_with_document(&cam, &licence, "licence-photo.pdf").await;
    submit_action(&cam, &time, "2015-06").await;

    // Submit: the answer at once; the case, and UnderReview, by delivery.
    let submitted = json!({"Application_id": application, "ApplicationStatus": "Submitted", "opstatus": 0, "httpStatusCode": 200});
    assert_eq!(
        cam.call("UserAction/signalProcess", &json!({"Signal": "Submit"}))
            .await,
        (StatusCode::OK, submitted.clone())
    );
    eventually("the application under review", || async {
        (listing(&cam).await["ApplicationStatus"] == "UnderReview").then_some(())
    })
    .await;
    // A client's retry after the case opened answers the same (SPEC §D).
    assert_eq!(
        cam.call("UserAction/signalProcess", &json!({"Signal": "Submit"}))
            .await,
        (StatusCode::OK, submitted),
        "a second Submit answers the same"
    );
    assert_eq!(listing(&cam).await["ApplicationStatus"], "UnderReview");
    let (status, found) = ecm(&app, "getCustomerCases", &json!({"customerId": party})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let cases = found["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 1, "one case for the application: {found}");
    let case = &cases[0];
    assert_eq!(
        (
            &case["caseTypeCode"],
            &case["applicationId"],
            &case["caseStatusCode"]
        ),
        (&json!("KYC"), &json!(application), &json!("NW"))
    );
    let case_id = case["caseId"].as_str().expect("caseId").to_owned();
    let (_, details) = ecm(&app, "getCaseDetails", &json!({"caseId": case_id})).await;
    let pdf = pdf_bytes();
    let sha = hex::encode(Sha256::digest(&pdf));
    let shown = |document: &str, name: &str, action: &str| {
        json!({"documentId": document, "fileName": name, "fileType": "application/pdf",
               "size": pdf.len(), "sha256": sha, "userActionIdentifier": action,
               "decision": null, "comments": null, "decidedBy": null, "decidedAt": null})
    };
    let mut listed: Vec<Value> = details["application"]["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .map(|e| {
            let mut e = e.clone();
            e.as_object_mut().expect("an object").remove("addedAt");
            e
        })
        .collect();
    listed.sort_by_key(|e| e["userActionIdentifier"].as_str().map(str::to_owned));
    let mut expected = vec![
        shown(&blurred, "licence-photo.pdf", &licence),
        shown(&payslip, "payslip-march.pdf", &income),
    ];
    expected.sort_by_key(|e| e["userActionIdentifier"].as_str().map(str::to_owned));
    assert_eq!(listed, expected, "{details}");
    assert_eq!(details["customers"][0]["customerId"], json!(party));

    // A document rejected: the applicant sees why, and sends another.
    let review = |document: &str, decision: &str, comments: Option<&str>| json!([{"caseId": case_id, "evidence": [{"documentId": document, "decision": decision, "comments": comments}]}]);
    let (status, body) = ecm(
        &app,
        "reviewEvidence",
        &review(&blurred, "REJECT", Some("The photo is blurred.")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The applicant takes it back (Rejected → Created), and answers again.
    let sharp = answer_again(&cam, &licence, "The photo is blurred.", "licence-sharp.pdf").await;
    eventually("the new licence on the case", || async {
        evidence(&app, &case_id)
            .await
            .iter()
            .any(|(name, _, _)| name == "licence-sharp.pdf")
            .then_some(())
    })
    .await;

    // Accepted, then approved: the application is Approved.
    for document in [&payslip, &sharp] {
        let (status, body) = ecm(&app, "reviewEvidence", &review(document, "ACCEPT", None)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    eventually("both actions reviewed", || async {
        let listing = listing(&cam).await;
        [&income, &licence]
            .iter()
            .all(|a| action(&listing, a)["UserActionStatus"] == "Reviewed")
            .then_some(())
    })
    .await;
    let (status, body) = ecm(
        &app,
        "updateCaseStatus",
        &json!([{"caseId": case_id, "caseStatusCode": "APR"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    eventually("the application approved", || async {
        (listing(&cam).await["ApplicationStatus"] == "Approved").then_some(())
    })
    .await;

    // The applicant's trail: each status, and who changed it.
    let (_, audit) = cam.call("Audit/getAuditEvents", &json!({})).await;
    let statuses: Vec<(Value, Value)> = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "application-status")
        .map(|e| (e["oldValue"].clone(), e["newValue"].clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("InProgress", "Submitted"),
            ("Submitted", "UnderReview"),
            ("UnderReview", "Approved")
        ]
        .map(|(a, b)| (json!(a), json!(b)))
    );

    // The bank's systems heard each step, signed, once per event id.
    let wanted = [
        "application.submitted",
        "case.opened",
        "evidence.rejected",
        "case.status_changed",
        "application.approved",
    ];
    let hooks = eventually("every webhook", || async {
        let received = receiver.received();
        let kinds: BTreeSet<String> = received
            .iter()
            .filter_map(|r| serde_json::from_str::<Value>(&r.body).ok())
            .filter_map(|b| b["type"].as_str().map(str::to_owned))
            .collect();
        wanted
            .iter()
            .all(|k| kinds.contains(*k))
            .then_some(received)
    })
    .await;
    let mut ids = BTreeSet::new();
    for hook in &hooks {
        assert_eq!(hook.verified, Ok(0), "{hook:?}");
        assert!(
            ids.insert(hook.headers["webhook-id"].clone()),
            "one request per event: {hook:?}"
        );
        for personal in ["Virat", "Kohli", "licence-photo", "blurred"] {
            assert!(!hook.body.contains(personal), "{personal} in {}", hook.body);
        }
    }
    let body_of = |kind: &str| -> Value {
        hooks
            .iter()
            .map(|h| serde_json::from_str::<Value>(&h.body).expect("json"))
            .find(|b| b["type"] == kind)
            .expect("the webhook")
    };
    assert_eq!(
        body_of("application.approved")["data"],
        json!({"Application_id": application, "ApplicationStatus": "Approved", "caseId": case_id})
    );
    assert_eq!(
        body_of("case.opened")["data"],
        json!({"Application_id": application, "caseId": case_id, "caseStatusCode": "NW"})
    );

    // Every delivery is done, in both services' logs. A delivery is
    // recorded once its receiver has answered, so the last may still be on
    // its way into the log when the receiver has its body.
    for base in ["/user-action/v1", "/case/v1"] {
        let path = format!("{base}/outbox/deliveries?limit=200");
        let log = eventually("every delivery recorded as delivered", || async {
            let (status, log) = testkit::call(app.internal(Method::GET, &path)).await;
            assert_eq!(status, StatusCode::OK, "{log}");
            let deliveries = log["items"].as_array().expect("deliveries");
            let done = deliveries.iter().all(|d| d["status"] == json!("delivered"));
            (!deliveries.is_empty() && done).then_some(log)
        })
        .await;
        for delivery in log["items"].as_array().expect("deliveries") {
            assert_eq!(delivery["status"], json!("delivered"), "{delivery}");
        }
    }
}

backend_tests!(submission_reaches_a_decision_and_the_banks_systems);
