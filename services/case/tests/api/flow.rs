//! The flow from application to decision on case-service's side (SPEC §D,
//! issue 14): user-action's events open, close and feed an application's
//! KYC case, each once by id; case workers review its evidence and close
//! it; each change is written to case-service's outbox in its transaction.

use crate::helpers::{
    case_answer, case_details, create_party, post, reader, stored, token, with_nothing_else,
    writer, ANALYST,
};
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// The application of most tests.
const APPLICATION: &str = "app-7f3e01";
/// A hash, as user-action sends it.
const SHA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// Delivers `event` of `application`, as user-action's dispatcher does,
/// with `request_id` as `X-Request-Id`.
async fn deliver(
    app: &TestApp,
    application: &str,
    event: &Value,
    request_id: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = app
        .internal(
            reqwest::Method::POST,
            &format!("/case/v1/applications/{application}/events"),
        )
        .json(event);
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    testkit::call(request).await
}

/// A document as user-action sends it.
fn document(id: &str, file_name: &str, action: &str) -> Value {
    json!({"documentId": id, "fileName": file_name, "fileType": "pdf", "size": 2048,
           "sha256": SHA, "userActionIdentifier": action})
}

/// An event of `kind` with `data`.
fn event(id: &str, kind: &str, data: Value) -> Value {
    json!({"id": id, "occurredAt": "2026-12-07T10:00:00Z", "kind": kind, "data": data})
}

/// `application.submitted` by `applicants` with two documents: `d1`
/// answers `UA1` (which needs review), `d2` answers `UA2`.
fn submitted(id: &str, applicants: &[&str]) -> Value {
    event(
        id,
        "application.submitted",
        json!({"applicants": applicants,
               "documents": [document("d1", "passport-scan.pdf", "UA1"),
                             document("d2", "payslip-march.pdf", "UA2")],
               "needsReview": ["UA1"]}),
    )
}

/// Two parties in party-service: the primary applicant and a co-applicant.
async fn applicants(app: &TestApp) -> (String, String) {
    let primary = create_party(
        app,
        &json!({"kind": "person", "firstName": "Asha", "lastName": "Verma"}),
    )
    .await;
    let co = create_party(
        app,
        &json!({"kind": "person", "firstName": "Ravi", "lastName": "Verma"}),
    )
    .await;
    (primary, co)
}

/// Opens the application's case (`CA1` on a fresh database).
async fn open(app: &TestApp) -> (String, String) {
    let (primary, co) = applicants(app).await;
    assert_eq!(
        deliver(
            app,
            APPLICATION,
            &submitted("evt-1", &[&primary, &co]),
            None
        )
        .await,
        (StatusCode::OK, json!({"caseId": "CA1"}))
    );
    (primary, co)
}

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// What `sql` (a query of one text column named `line`) reads from
/// case-service's database: the outbox, which no API shows.
fn database_lines(app: &TestApp, backend: Backend, sql: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    let mut conn = testkit::faults::connect(backend, &app.vars["CASE_DATABASE_URL"]);
    let lines: Vec<Line> = diesel::sql_query(sql).load(&mut conn).expect("the lines");
    lines.into_iter().map(|l| l.line).collect()
}

/// case-service's outbox, in order: (application, kind, request id or
/// `-`, payload).
fn outbox(app: &TestApp, backend: Backend) -> Vec<(String, String, String, Value)> {
    let sql = "SELECT aggregate_id || '|' || kind || '|' || COALESCE(request_id, '-') || '|' \
               || payload AS line FROM outbox ORDER BY seq";
    database_lines(app, backend, sql)
        .into_iter()
        .map(|line| {
            let mut parts = line.splitn(4, '|');
            let mut next = || parts.next().expect("a part").to_owned();
            let (application, kind, request) = (next(), next(), next());
            (
                application,
                kind,
                request,
                serde_json::from_str(&next()).expect("json"),
            )
        })
        .collect()
}

/// The outbox events' ids, kinds and payloads, in order.
fn outbox_ids(app: &TestApp, backend: Backend) -> Vec<(String, String, String)> {
    let sql = "SELECT id || '|' || kind || '|' || payload AS line FROM outbox ORDER BY seq";
    database_lines(app, backend, sql)
        .into_iter()
        .map(|line| {
            let mut parts = line.splitn(3, '|');
            let mut next = || parts.next().expect("a part").to_owned();
            (next(), next(), next())
        })
        .collect()
}

/// The audit trail of `CA1`, oldest first (its first page).
async fn audit_trail(app: &TestApp) -> Vec<Value> {
    let (status, trail) = post(app, &reader(app), "getCaseAudit", &json!({"caseId": "CA1"})).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    trail["events"].as_array().cloned().expect("events")
}

/// A customer filled from a party with a name alone.
fn applicant(id: &str, first: &str) -> Value {
    stored(
        &json!({"customerId": id, "businessAdd": "Y", "customerTypeCode": "IND",
                   "firstName": first, "lastName": "Verma"}),
    )
}

/// A document as the case shows it as evidence, not reviewed.
fn evidence(id: &str, file_name: &str, action: &str, added_at: &Value) -> Value {
    json!({"documentId": id, "fileName": file_name, "fileType": "pdf", "size": 2048,
           "sha256": SHA, "userActionIdentifier": action, "addedAt": added_at,
           "decision": null, "comments": null, "decidedBy": null, "decidedAt": null})
}

/// The submission opens one KYC case, through the promote path: the
/// applicants its customers (filled from party-service), every document
/// its evidence, the application recorded; `case.opened` is in the outbox
/// with the submission's request id. A repeat, or another event id of the
/// same application, opens nothing more.
async fn a_submission_opens_one_kyc_case(backend: Backend) {
    let app = crate::helpers::spawn_with(backend, &[("CASE_DUE_DAYS", "10")]).await;
    let (primary, co) = applicants(&app).await;
    let first = submitted("evt-1", &[&primary, &co]);
    for _ in 0..2 {
        assert_eq!(
            deliver(&app, APPLICATION, &first, Some("req-submit-7")).await,
            (StatusCode::OK, json!({"caseId": "CA1"}))
        );
    }
    assert_eq!(
        deliver(&app, APPLICATION, &submitted("evt-2", &[&co]), None).await,
        (StatusCode::OK, json!({"caseId": "CA1"}))
    );

    let details = case_details(&app, "CA1").await;
    let at = details["case"]["createdOn"].clone();
    let saved_at = details["events"][0]["savedAt"].clone();
    let added_at = details["application"]["evidence"][0]["addedAt"].clone();
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    let mut customers = vec![applicant(&primary, "Asha"), applicant(&co, "Ravi")];
    customers.sort_by_key(|c| c["customerId"].as_str().unwrap_or_default().to_owned());
    let entity = |id: &str, focus: &str| {
        json!({"entityCode": null, "entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
               "entityName": null, "jurisdiction": null, "focusFlag": focus, "custId": id})
    };
    assert_eq!(
        details,
        with_nothing_else(json!({
            "MESSAGE": "Case details fetched successfully.", "STATUS": "SUCCESS",
            "case": {
                "caseId": "CA1", "caseTypeCode": "KYC", "caseDescription": null,
                "caseStatusCode": "NW", "caseStatusName": "New", "caseStatusDateTime": at,
                "caseClosedFlag": "N", "createdOn": at, "createdBy": "applicant",
                "priority": "Low", "dueDate": due, "applicationId": APPLICATION,
                "assignee": null, "assignedAt": null
            },
            "application": {
                "applicationId": APPLICATION, "needsReview": ["UA1"],
                "evidence": [evidence("d1", "passport-scan.pdf", "UA1", &added_at),
                             evidence("d2", "payslip-march.pdf", "UA2", &added_at)],
                "rmRequests": []
            },
            "customers": customers,
            "nextCursor": null,
            "events": [{
                "event": {
                    "eventCode": format!("APP-{APPLICATION}"), "eventScore": null,
                    "dataOrigin": "CAM", "jurisdictionCode": null, "businessDomain": null,
                    "type": "KYC", "priority": null, "scenarioClass": null, "comments": null,
                    "entities": [entity(&primary, "Y"), entity(&co, "N")], "details": []
                },
                "suppressedBy": null, "eventDecisionCode": null, "standardCommentId": null,
                "decisionComments": null, "decidedBy": null, "decidedAt": null,
                "savedAt": saved_at, "savedBy": "applicant"
            }],
            "nextEventsCursor": null
        }))
    );
    // Each applicant finds the case.
    for party in [&primary, &co] {
        let (status, found) = post(
            &app,
            &reader(&app),
            "getCustomerCases",
            &json!({"customerId": party}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(found["cases"], json!([details["case"]]));
    }
    assert_eq!(
        outbox(&app, backend),
        vec![(
            APPLICATION.to_owned(),
            "case.opened".to_owned(),
            "req-submit-7".to_owned(),
            json!({"caseId": "CA1", "caseStatusCode": "NW"})
        )]
    );
    let trail = audit_trail(&app).await;
    let actions: Vec<(&Value, &Value)> =
        trail.iter().map(|e| (&e["actor"], &e["action"])).collect();
    let by_applicant = |action: &str| (json!("applicant"), json!(action));
    let expected = [
        by_applicant("caseCreated"),
        by_applicant("eventAdded"),
        by_applicant("customerAdded"),
        by_applicant("customerAdded"),
        by_applicant("evidenceAdded"),
        by_applicant("evidenceAdded"),
    ];
    assert_eq!(
        actions,
        expected.iter().map(|(a, b)| (a, b)).collect::<Vec<_>>()
    );
}

/// Ten deliveries of one event at once, and ten events of another
/// application at once: one case each, every answer naming it, one
/// `case.opened` each.
async fn concurrent_deliveries_open_one_case(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    let (primary, co) = applicants(&app).await;
    let same = submitted("evt-same", &[&primary]);
    let repeats = (0..10).map(|_| deliver(&app, "app-a", &same, None));
    let distinct: Vec<Value> = (0..10)
        .map(|i| submitted(&format!("evt-{i}"), &[&co]))
        .collect();
    let others = distinct.iter().map(|e| deliver(&app, "app-b", e, None));
    let (a, b) = futures_util::join!(join_all(repeats), join_all(others));
    for answers in [a, b] {
        let first = answers[0].clone();
        assert_eq!(first.0, StatusCode::OK, "{}", first.1);
        assert!(answers.iter().all(|answer| *answer == first), "{answers:?}");
    }
    let kinds: Vec<(String, String)> = outbox(&app, backend)
        .into_iter()
        .map(|(application, kind, _, _)| (application, kind))
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    for application in ["app-a", "app-b"] {
        assert!(kinds.contains(&(application.to_owned(), "case.opened".to_owned())));
    }
    for party in [&primary, &co] {
        let (_, found) = post(
            &app,
            &reader(&app),
            "getCustomerCases",
            &json!({"customerId": party}),
        )
        .await;
        assert_eq!(found["cases"].as_array().map(Vec::len), Some(1), "{found}");
    }
}

/// An applicant party-service does not know is a 422 naming it, and
/// nothing is applied (the sender retries); a bad field is a 400 naming
/// it; the internal credential is required.
async fn refusals_name_the_field(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    let (primary, _) = applicants(&app).await;
    let problem = |kind: &str, title: &str, status: u16, field: &str, message: &str| {
        json!({"type": format!("urn:onboarding:problem:{kind}"), "title": title, "status": status,
               "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]})
    };
    assert_eq!(
        deliver(
            &app,
            APPLICATION,
            &submitted("evt-1", &[&primary, "9999999999"]),
            None
        )
        .await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            problem(
                "unknown-applicant",
                "A rule was broken",
                422,
                "data.applicants",
                "party 9999999999 does not exist in party-service"
            )
        )
    );
    assert!(outbox(&app, backend).is_empty());
    let invalid = |field: &str, message: &str| {
        (
            StatusCode::BAD_REQUEST,
            problem(
                "invalid-input",
                "The request is invalid",
                400,
                field,
                message,
            ),
        )
    };
    let mut bad_hash = submitted("evt-2", &[&primary]);
    bad_hash["data"]["documents"][1]["sha256"] = json!("ABC");
    let mut long_message = event(
        "evt-3",
        "rm.notified",
        json!({"requestId": "r1", "message": "x".repeat(2001)}),
    );
    let mut no_applicant = submitted("evt-4", &[]);
    no_applicant["data"]["documents"] = json!([]);
    for (application, sent, expected) in [
        (
            APPLICATION,
            bad_hash,
            invalid(
                "data.documents[1].sha256",
                "must be 64 lowercase hex digits",
            ),
        ),
        (
            APPLICATION,
            long_message.clone(),
            invalid("data.message", "must be 1 to 2000 characters, not blank"),
        ),
        (
            APPLICATION,
            no_applicant,
            invalid("data.applicants", "must name the primary applicant"),
        ),
        (
            "a b",
            submitted("evt-5", &[&primary]),
            invalid(
                "applicationId",
                "must be 1 to 60 letters, digits, '-', '_', '.' or ':'",
            ),
        ),
    ] {
        assert_eq!(deliver(&app, application, &sent, None).await, expected);
    }
    long_message["id"] = json!("evt 6");
    long_message["data"]["message"] = json!("help");
    assert_eq!(
        deliver(&app, APPLICATION, &long_message, None).await,
        invalid(
            "id",
            "must be 1 to 64 letters, digits, '-', '_', '.' or ':'"
        )
    );
    // An event code an ECM client took for a real-time event is not the
    // application's case: an internal error, logged, nothing applied.
    let saved = crate::helpers::post_to(
        &app,
        Some(&writer(&app)),
        "/rest-api/CMRestService/RealTimeCaseCreationService/saveEvents",
        json!({"events": [{"eventCode": "APP-app-taken"}]}).to_string(),
    )
    .await;
    assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
    assert_eq!(
        deliver(&app, "app-taken", &submitted("evt-8", &[&primary]), None)
            .await
            .0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (status, _) = testkit::call(
        app.anonymous(
            reqwest::Method::POST,
            &format!("/case/v1/applications/{APPLICATION}/events"),
        )
        .json(&submitted("evt-7", &[&primary])),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(outbox(&app, backend).is_empty());
}

/// A withdrawal closes the open case `WDN` (audited, in the outbox), once;
/// without a case it is only recorded.
async fn a_withdrawal_closes_the_case(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    assert_eq!(
        deliver(
            &app,
            "app-early",
            &event("w-0", "application.withdrawn", json!({})),
            None
        )
        .await,
        (StatusCode::OK, json!({"caseId": null}))
    );
    open(&app).await;
    // A case worker's lock does not hold the applicant's withdrawal back.
    let other = token(&app, "analyst-9", &["case:write"]);
    assert_eq!(
        post(&app, &other, "lockCase", &json!({"caseId": "CA1"}))
            .await
            .0,
        StatusCode::OK
    );
    let withdrawn = event("w-1", "application.withdrawn", json!({}));
    for _ in 0..2 {
        assert_eq!(
            deliver(&app, APPLICATION, &withdrawn, Some("req-withdraw-1")).await,
            (StatusCode::OK, json!({"caseId": "CA1"}))
        );
    }
    let (_, statuses) = post(
        &app,
        &reader(&app),
        "getCaseStatusDetails",
        &json!([{"caseId": "CA1"}]),
    )
    .await;
    let result = &statuses["RESULTARRAY"][0];
    assert_eq!(
        (
            &result["caseStatusCode"],
            &result["caseStatusName"],
            &result["caseClosedFlag"]
        ),
        (&json!("WDN"), &json!("Closed – Withdrawn"), &json!("Y"))
    );
    let trail = audit_trail(&app).await;
    let last = trail.last().cloned().expect("a record");
    assert_eq!(
        (
            &last["actor"],
            &last["action"],
            &last["fromStatus"],
            &last["toStatus"]
        ),
        (
            &json!("applicant"),
            &json!("statusChanged"),
            &json!("NW"),
            &json!("WDN")
        )
    );
    let events = outbox(&app, backend);
    assert_eq!(events.len(), 2, "{events:?}");
    let at = events[1].3["occurredAt"].clone();
    assert_eq!(
        events[1],
        (
            APPLICATION.to_owned(),
            "case.status_changed".to_owned(),
            "req-withdraw-1".to_owned(),
            json!({"caseId": "CA1", "oldStatus": "NW", "newStatus": "WDN", "actor": "applicant", "occurredAt": at})
        )
    );
    // WDN is the applicant's alone.
    assert_eq!(
        post(
            &app,
            &writer(&app),
            "updateCaseStatus",
            &json!([{"caseId": "CA1", "caseStatusCode": "WDN"}])
        )
        .await
        .1["RESULTARRAY"][0],
        case_answer(
            "Invalid caseStatusCode: must be one of NW, INV, ESC, CLS, APR, REJ, RFI.",
            "FAILED",
            "CA1"
        )
    );
}

/// Requests for help are kept by application and shown on its case,
/// those sent before it was opened too, each once.
async fn rm_requests_reach_the_case(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    let early = event(
        "rm-1",
        "rm.notified",
        json!({"requestId": "req-a", "message": "Which payslips?"}),
    );
    assert_eq!(
        deliver(&app, APPLICATION, &early, None).await,
        (StatusCode::OK, json!({"caseId": null}))
    );
    open(&app).await;
    let late = event(
        "rm-2",
        "rm.notified",
        json!({"requestId": "req-b", "message": "Is my passport fine?"}),
    );
    for sent in [&late, &late, &early] {
        assert_eq!(
            deliver(&app, APPLICATION, sent, None).await,
            (StatusCode::OK, json!({"caseId": "CA1"}))
        );
    }
    let details = case_details(&app, "CA1").await;
    let requests = &details["application"]["rmRequests"];
    assert_eq!(
        requests,
        &json!([
            {"requestId": "req-a", "message": "Which payslips?", "requestedAt": requests[0]["requestedAt"]},
            {"requestId": "req-b", "message": "Is my passport fine?", "requestedAt": requests[1]["requestedAt"]}
        ])
    );
}

/// The answer of a reviewEvidence of one case.
fn reviewed(status: &str, message: &str, case_id: &str, parts: Vec<Value>) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "caseId": case_id, "evidence": parts})
}

fn part(status: &str, message: &str, document_id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "documentId": document_id})
}

/// reviewEvidence records each decision on its own (audited, in the
/// outbox, its comments only where they are sealed); every refusal names
/// the field; a lock and a closed case are respected. The decisions built
/// at delivery carry the comments.
async fn evidence_is_reviewed(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    open(&app).await;
    let analyst = writer(&app);
    let request = json!([
        {"caseId": "CA1", "evidence": [
            {"documentId": "d1", "decision": "ACCEPT"},
            {"documentId": "d2", "decision": "REJECT", "comments": "The payslip is cut off."},
            {"documentId": "d9", "decision": "ACCEPT"},
            {"documentId": "d1", "decision": "MAYBE"},
            {"documentId": "d2", "decision": "REJECT"},
            {"documentId": "d2", "decision": "REJECT", "comments": "x".repeat(2001)}
        ]},
        {"caseId": "CA404", "evidence": [{"documentId": "d1", "decision": "ACCEPT"}]}
    ]);
    assert_eq!(
        post(&app, &analyst, "reviewEvidence", &request).await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Evidence review was partially successful.", "STATUS": "PARTIALSUCCESS",
                   "RESULTARRAY": [
                reviewed("PARTIALSUCCESS", "Evidence review was partially successful.", "CA1", vec![
                    part("SUCCESS", "Evidence reviewed successfully.", "d1"),
                    part("SUCCESS", "Evidence reviewed successfully.", "d2"),
                    part("FAILED", "Invalid documentId: is not evidence on the case.", "d9"),
                    part("FAILED", "Invalid decision: must be ACCEPT or REJECT.", "d1"),
                    part("FAILED", "Invalid comments: are required to reject a document.", "d2"),
                    part("FAILED", "Invalid comments: must be at most 2000 characters.", "d2"),
                ]),
                reviewed("FAILED", "Case does not exist.", "CA404", vec![
                    part("FAILED", "Case does not exist.", "d1"),
                ]),
            ]})
        )
    );
    let details = case_details(&app, "CA1").await;
    let shown = &details["application"]["evidence"];
    let decided =
        |id: &str, name: &str, action: &str, i: usize, decision: &str, comments: Value| {
            let mut item = evidence(id, name, action, &shown[i]["addedAt"]);
            item["decision"] = json!(decision);
            item["comments"] = comments;
            item["decidedBy"] = json!(ANALYST);
            item["decidedAt"] = shown[i]["decidedAt"].clone();
            item
        };
    assert_eq!(
        shown,
        &json!([
            decided("d1", "passport-scan.pdf", "UA1", 0, "ACCEPT", Value::Null),
            decided(
                "d2",
                "payslip-march.pdf",
                "UA2",
                1,
                "REJECT",
                json!("The payslip is cut off.")
            )
        ])
    );
    let trail = audit_trail(&app).await;
    let reviews: Vec<Value> = trail
        .iter()
        .filter(|e| e["action"] == "evidenceReviewed")
        .map(|e| json!([e["actor"], e["recordId"], e["oldValue"], e["newValue"]]))
        .collect();
    assert_eq!(
        reviews,
        vec![
            json!([ANALYST, "d1", null, "ACCEPT"]),
            json!([ANALYST, "d2", null, "REJECT"])
        ]
    );
    // The outbox holds ids and decisions; the comment is built in at delivery.
    let events = outbox(&app, backend);
    let payloads: Vec<(&str, &Value)> = events[1..].iter().map(|e| (e.1.as_str(), &e.3)).collect();
    assert_eq!(
        payloads,
        vec![
            (
                "evidence.accepted",
                &json!({"caseId": "CA1", "documentId": "d1", "userActionIdentifier": "UA1", "decision": "ACCEPT"})
            ),
            (
                "evidence.rejected",
                &json!({"caseId": "CA1", "documentId": "d2", "userActionIdentifier": "UA2", "decision": "REJECT"})
            ),
        ]
    );
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let keyring = service_kit::Keyring::from_config(&config, true).expect("the app's keyring");
    let mut conn = testkit::faults::connect(backend, &app.vars["CASE_DATABASE_URL"]);
    let built: Vec<Value> = outbox_ids(&app, backend)
        .into_iter()
        .map(|(id, kind, payload)| {
            let decision =
                case::delivery::decision(&mut conn, &keyring, &id, &kind, &payload).expect("built");
            let mut value = serde_json::to_value(decision).expect("json");
            if let Some(object) = value.as_object_mut() {
                assert_eq!(object.remove("id"), Some(json!(id)));
                object.remove("occurredAt");
            }
            value
        })
        .collect();
    assert_eq!(
        built,
        vec![
            Value::Null,
            json!({"actor": ANALYST, "caseId": "CA1", "kind": "evidence.accepted",
                   "data": {"documentId": "d1", "comments": null}}),
            json!({"actor": ANALYST, "caseId": "CA1", "kind": "evidence.rejected",
                   "data": {"documentId": "d2", "comments": "The payslip is cut off."}}),
        ]
    );

    // Another user's lock refuses every decision; a closed case too.
    let other = token(&app, "analyst-9", &["case:write"]);
    assert_eq!(
        post(&app, &other, "lockCase", &json!({"caseId": "CA1"}))
            .await
            .0,
        StatusCode::OK
    );
    let again =
        json!([{"caseId": "CA1", "evidence": [{"documentId": "d1", "decision": "ACCEPT"}]}]);
    assert_eq!(
        post(&app, &analyst, "reviewEvidence", &again).await,
        (
            StatusCode::CONFLICT,
            json!({"MESSAGE": "Evidence review failed.", "STATUS": "FAILED", "RESULTARRAY": [
                reviewed("FAILED", "Case is locked by another user analyst-9.", "CA1", vec![
                    part("FAILED", "Case is locked by another user analyst-9.", "d1")])]})
        )
    );
    assert_eq!(
        post(&app, &other, "unlockCase", &json!({"caseId": "CA1"}))
            .await
            .0,
        StatusCode::OK
    );
    let closed = json!([{"caseId": "CA1", "caseStatusCode": "REJ"}]);
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &closed).await.0,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &analyst, "reviewEvidence", &again).await.1["RESULTARRAY"][0],
        reviewed(
            "FAILED",
            "Case is closed.",
            "CA1",
            vec![part("FAILED", "Case is closed.", "d1")]
        )
    );
    assert_eq!(outbox(&app, backend).len(), 4);
    // A reader may not review.
    assert_eq!(
        post(&app, &reader(&app), "reviewEvidence", &again).await.0,
        StatusCode::FORBIDDEN
    );
}

/// A document sent again after a rejection is to be reviewed again; a new
/// one joins the evidence; each event once.
async fn evidence_added_is_reviewed_again(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    open(&app).await;
    let rejected = json!([{"caseId": "CA1", "evidence": [
        {"documentId": "d2", "decision": "REJECT", "comments": "Cut off."}]}]);
    assert_eq!(
        post(&app, &writer(&app), "reviewEvidence", &rejected)
            .await
            .0,
        StatusCode::OK
    );
    let added = event(
        "ea-1",
        "evidence.added",
        json!({"documents": [document("d2", "payslip-march-full.pdf", "UA2"),
                             document("d3", "payslip-april.pdf", "UA2")]}),
    );
    for _ in 0..2 {
        assert_eq!(
            deliver(&app, APPLICATION, &added, None).await,
            (StatusCode::OK, json!({"caseId": "CA1"}))
        );
    }
    let details = case_details(&app, "CA1").await;
    let shown = &details["application"]["evidence"];
    assert_eq!(
        shown,
        &json!([
            evidence("d1", "passport-scan.pdf", "UA1", &shown[0]["addedAt"]),
            evidence("d2", "payslip-march-full.pdf", "UA2", &shown[1]["addedAt"]),
            evidence("d3", "payslip-april.pdf", "UA2", &shown[2]["addedAt"]),
        ])
    );
    let trail = audit_trail(&app).await;
    let added = trail
        .iter()
        .filter(|e| e["action"] == "evidenceAdded")
        .count();
    assert_eq!(added, 4);
}

/// `APR` waits for an accepted document for each action that needs review
/// (the refusal names them); `REJ` and `RFI` are taken; each change of an
/// application's case is in the outbox with the statuses before and after.
async fn closing_statuses(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    open(&app).await;
    let analyst = writer(&app);
    let set = |code: &str| json!([{"caseId": "CA1", "caseStatusCode": code}]);
    let answer = |message: &str, status: &str, http: StatusCode, rollup: &str| {
        (
            http,
            json!({"MESSAGE": rollup, "STATUS": status, "RESULTARRAY": [case_answer(message, status, "CA1")]}),
        )
    };
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &set("APR")).await,
        answer(
            "Case cannot be approved: no document is accepted for UA1.",
            "FAILED",
            StatusCode::BAD_REQUEST,
            "Case status update failed."
        )
    );
    // A rejected document does not count; RFI is taken meanwhile.
    let review = |decision: &str| json!([{"caseId": "CA1", "evidence": [{"documentId": "d1", "decision": decision, "comments": "Blurred."}]}]);
    assert_eq!(
        post(&app, &analyst, "reviewEvidence", &review("REJECT"))
            .await
            .0,
        StatusCode::OK
    );
    let done = |http| {
        answer(
            "Case status updated successfully.",
            "SUCCESS",
            http,
            "Case status update was successful.",
        )
    };
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &set("RFI")).await,
        done(StatusCode::OK)
    );
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &set("APR"))
            .await
            .1["RESULTARRAY"][0]["MESSAGE"],
        json!("Case cannot be approved: no document is accepted for UA1.")
    );
    assert_eq!(
        post(&app, &analyst, "reviewEvidence", &review("ACCEPT"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &set("APR")).await,
        done(StatusCode::OK)
    );
    let (_, statuses) = post(
        &app,
        &reader(&app),
        "getCaseStatusDetails",
        &json!([{"caseId": "CA1"}]),
    )
    .await;
    assert_eq!(
        (
            &statuses["RESULTARRAY"][0]["caseStatusName"],
            &statuses["RESULTARRAY"][0]["caseClosedFlag"]
        ),
        (&json!("Closed – Approved"), &json!("Y"))
    );
    assert_eq!(
        post(&app, &analyst, "updateCaseStatus", &set("REJ")).await,
        done(StatusCode::OK)
    );
    let changes: Vec<(String, String)> = outbox(&app, backend)
        .into_iter()
        .filter(|e| e.1 == "case.status_changed")
        .map(|e| {
            assert_eq!(
                (&e.3["actor"], &e.3["caseId"]),
                (&json!(ANALYST), &json!("CA1"))
            );
            (
                e.3["oldStatus"].as_str().unwrap_or_default().to_owned(),
                e.3["newStatus"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        changes,
        vec![pair("NW", "RFI"), pair("RFI", "APR"), pair("APR", "REJ")]
    );
    // A case of no application changes status without an outbox event,
    // and closes APR with nothing to review.
    crate::helpers::create_cases(&app, &["CA900"]).await;
    assert_eq!(
        post(
            &app,
            &analyst,
            "updateCaseStatus",
            &json!([{"caseId": "CA900", "caseStatusCode": "APR"}])
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(outbox(&app, backend).len(), 6);
}

/// Erasing the application (`POST /case/v1/applications/{id}/erasure`,
/// user-action's retention purge and `onboarding erase`): its evidence's
/// file names, the reviewer's comments (on the case, and in the review
/// sent back) and its requests' messages read as the tombstone, the rows
/// and decisions kept, with `applicationErased` by the actor; a second
/// call and an unknown application answer zeros; a bad id is refused
/// naming it.
async fn an_applications_values_are_erased_from_its_case(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    open(&app).await;
    let asked = event(
        "rm-1",
        "rm.notified",
        json!({"requestId": "req-a", "message": "Asha here: call me on 98450 12345"}),
    );
    assert_eq!(
        deliver(&app, APPLICATION, &asked, None).await,
        (StatusCode::OK, json!({"caseId": "CA1"}))
    );
    let review = json!([{"caseId": "CA1", "evidence": [
        {"documentId": "d2", "decision": "REJECT", "comments": "Asha's payslip is cut off."}]}]);
    let (status, answer) = post(&app, &writer(&app), "reviewEvidence", &review).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let erase = |application: &str| {
        let path = format!("/case/v1/applications/{application}/erasure");
        let request = app
            .internal(reqwest::Method::POST, &path)
            .json(&json!({"actor": "retention-purge"}));
        testkit::call(request)
    };
    assert_eq!(
        erase(APPLICATION).await,
        (
            StatusCode::OK,
            json!({"fileNames": 2, "comments": 2, "requests": 1})
        )
    );
    let details = case_details(&app, "CA1").await;
    let shown = &details["application"]["evidence"];
    let mut rejected = evidence("d2", "[erased]", "UA2", &shown[1]["addedAt"]);
    rejected["decision"] = json!("REJECT");
    rejected["comments"] = json!("[erased]");
    rejected["decidedBy"] = json!(ANALYST);
    rejected["decidedAt"] = shown[1]["decidedAt"].clone();
    assert_eq!(
        shown,
        &json!([
            evidence("d1", "[erased]", "UA1", &shown[0]["addedAt"]),
            rejected
        ])
    );
    let requests = &details["application"]["rmRequests"];
    assert_eq!(
        requests,
        &json!([{"requestId": "req-a", "message": "[erased]", "requestedAt": requests[0]["requestedAt"]}])
    );
    let erased: Vec<Value> = audit_trail(&app)
        .await
        .iter()
        .filter(|e| e["action"] == "applicationErased")
        .map(|e| json!([e["actor"], e["oldValue"], e["newValue"]]))
        .collect();
    assert_eq!(erased, vec![json!(["retention-purge", null, null])]);
    let nothing = (
        StatusCode::OK,
        json!({"fileNames": 0, "comments": 0, "requests": 0}),
    );
    assert_eq!(erase(APPLICATION).await, nothing);
    assert_eq!(erase("app-unknown").await, nothing);
    let (status, refused) = erase("app%20one").await;
    assert_eq!(
        (status, &refused["errors"]),
        (
            StatusCode::BAD_REQUEST,
            &json!([{"field": "applicationId",
                     "message": "must be 1 to 60 letters, digits, '-', '_', '.' or ':'"}])
        )
    );
}

backend_tests!(
    a_submission_opens_one_kyc_case,
    concurrent_deliveries_open_one_case,
    refusals_name_the_field,
    a_withdrawal_closes_the_case,
    rm_requests_reach_the_case,
    evidence_is_reviewed,
    evidence_added_is_reviewed_again,
    closing_statuses,
    an_applications_values_are_erased_from_its_case,
);
