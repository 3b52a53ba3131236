//! The bank's side of the flow (SPEC §D, issue 14): the events a delivery
//! builds for case-service from user-action's outbox, case-service's answer
//! applied, and its decisions received on the internal API, each once.

use crate::bank::{
    answered, applied, client_of, decide, decision, flow, in_db, rejected, status_changed,
    submitted, upload_passport, Flow, CASE,
};
use crate::helpers::{database_lines, pdf_b64, User};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};
use user_action::delivery::{self, CaseOpened, Outgoing};

/// The whole audit trail, without the events' ids and times: (subject,
/// kind, target, old, new).
async fn trail(user: &User<'_>) -> Vec<Value> {
    let (status, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            json!([
                e["subject"],
                e["kind"],
                e["target"],
                e["oldValue"],
                e["newValue"]
            ])
        })
        .collect()
}

/// The trail of an application [`submitted`]: created, document attached,
/// both actions submitted, the application submitted.
fn submitted_trail(application: &str, passport: &str, document: &str, funds: &str) -> Vec<Value> {
    vec![
        json!([
            "applicant",
            "application-created",
            application,
            null,
            "InProgress"
        ]),
        json!(["applicant", "document-attached", passport, null, document]),
        json!([
            "applicant",
            "status-change",
            passport,
            "Created",
            "Submitted"
        ]),
        json!(["applicant", "status-change", funds, "Created", "Submitted"]),
        json!([
            "applicant",
            "application-status",
            application,
            "InProgress",
            "Submitted"
        ]),
    ]
}

/// The outbox rows of `application`, in order.
struct Row {
    id: String,
    kind: String,
    payload: String,
    created_at: String,
}

fn outbox(app: &TestApp, application: &str) -> Vec<Row> {
    let sql = format!(
        "SELECT id || '|' || kind || '|' || created_at || '|' || payload AS line \
         FROM outbox WHERE aggregate_id = '{application}' ORDER BY seq"
    );
    database_lines(app, app.backend, &sql)
        .into_iter()
        .map(|line| {
            let mut parts = line.splitn(4, '|');
            let mut next = || parts.next().expect("part").to_owned();
            Row {
                id: next(),
                kind: next(),
                created_at: next(),
                payload: next(),
            }
        })
        .collect()
}

/// The event a delivery builds from `row`, as JSON.
fn built(flow: &Flow, application: &str, row: &Row) -> Value {
    let catalog = user_action::catalog::Catalog::load(Some(std::path::Path::new(&flow.catalog)))
        .expect("catalog");
    let event = in_db(&flow.app, |conn, keyring| {
        delivery::application_event(
            conn,
            keyring,
            &catalog,
            &Outgoing {
                id: &row.id,
                kind: &row.kind,
                application_id: application,
                payload: &row.payload,
                created_at: &row.created_at,
            },
        )
    });
    serde_json::to_value(event).expect("json")
}

/// What the tests' PDF is as evidence: (size, sha256).
fn pdf_facts() -> (usize, String) {
    use base64::Engine;
    use sha2::Digest;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(pdf_b64())
        .expect("base64");
    (bytes.len(), hex::encode(sha2::Sha256::digest(&bytes)))
}

fn evidence(document: &str, name: &str, action: &str) -> Value {
    let (size, sha256) = pdf_facts();
    json!({"documentId": document, "fileName": name, "fileType": "application/pdf", "size": size,
           "sha256": sha256, "userActionIdentifier": action})
}

/// The whole flow on user-action's side: the submission's event as
/// case-service receives it; the case's answer (UnderReview, once); a
/// rejected document back with the applicant, with its reason; the
/// re-upload's `evidence.added` (ids only) and its event; the new document
/// accepted; RFI shown pending with the customer; APR approving the
/// application, with `application.approved` in the outbox. Every step is in
/// the application's trail by whom it was done, and each decision repeated
/// changes nothing.
async fn decisions_reach_the_applicant(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, passport, first) = submitted(&user).await;
    let party = passport.split('_').nth(1).expect("party").to_owned();
    let funds = format!("SourceOfFunds_{party}_{application}");
    let rows = outbox(app, &application);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        built(&flow, &application, &rows[0]),
        json!({"id": rows[0].id, "occurredAt": rows[0].created_at, "kind": "application.submitted",
               "data": {"applicants": [party], "documents": [evidence(&first, "passport.pdf", &passport)],
                        "needsReview": [passport]}})
    );

    // case-service's answer, twice: one change.
    let answers: Vec<CaseOpened> = (0..2)
        .map(|_| {
            in_db(app, |conn, _| {
                delivery::case_opened(conn, &application, CASE)
            })
        })
        .collect();
    assert_eq!(
        answers,
        [
            CaseOpened::UnderReview,
            CaseOpened::Unchanged("UnderReview".to_owned())
        ]
    );
    let under_review = user.actions().await;
    assert_eq!(under_review["ApplicationStatus"], json!("UnderReview"));
    let mut expected_trail = submitted_trail(&application, &passport, &first, &funds);
    expected_trail.push(json!([
        "bank",
        "application-status",
        application,
        "Submitted",
        "UnderReview"
    ]));
    assert_eq!(trail(&user).await, expected_trail);

    // Rejected: back with the applicant, with the reason; once.
    let reason = "The scan is unreadable";
    let reject = rejected("d-1", &first, reason);
    assert_eq!(
        decide(app, &application, &reject).await,
        applied("d-1", "applied")
    );
    assert_eq!(
        decide(app, &application, &reject).await,
        applied("d-1", "applied")
    );
    let mut expected = under_review.clone();
    expected["Identity"][0]["UserActionStatus"] = json!("Rejected");
    expected["Identity"][0]["ActionMetaData"]["ReviewComment"] = json!(reason);
    assert_eq!(user.actions().await, expected);
    expected_trail.push(json!([
        "bank",
        "status-change",
        passport,
        "Submitted",
        "Rejected"
    ]));
    assert_eq!(trail(&user).await, expected_trail);
    let at_rest = testkit::at_rest::database_text(backend, &app.vars["USER_ACTION_DATABASE_URL"]);
    assert!(!at_rest.contains("unreadable"), "the reason is sealed");

    // The re-upload reaches the case: ids only in the outbox.
    let set =
        |status: &str| json!({"UserActionIdentifier": passport, "Response": "", "Status": status});
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Created"))
            .await
            .0,
        StatusCode::OK
    );
    let second = upload_passport(&user, &passport, "passport-again.pdf").await;
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    let rows = outbox(app, &application);
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (
            rows[1].kind.as_str(),
            serde_json::from_str::<Value>(&rows[1].payload).expect("json")
        ),
        (
            "evidence.added",
            json!({"Application_id": application, "UserActionIdentifier": passport, "documentIds": [second]})
        )
    );
    assert_eq!(
        built(&flow, &application, &rows[1]),
        json!({"id": rows[1].id, "occurredAt": rows[1].created_at, "kind": "evidence.added",
               "data": {"documents": [evidence(&second, "passport-again.pdf", &passport)]}})
    );
    expected_trail.extend([
        json!([
            "applicant",
            "status-change",
            passport,
            "Rejected",
            "Created"
        ]),
        json!(["applicant", "document-attached", passport, null, second]),
        json!([
            "applicant",
            "status-change",
            passport,
            "Created",
            "Submitted"
        ]),
    ]);

    // Accepted: Reviewed, the reason cleared.
    let accept = decision(
        "d-2",
        "evidence.accepted",
        json!({"documentId": second, "comments": null}),
    );
    assert_eq!(
        decide(app, &application, &accept).await,
        applied("d-2", "applied")
    );
    let mut expected = under_review.clone();
    expected["Identity"][0]["UserActionStatus"] = json!("Reviewed");
    assert_eq!(user.actions().await, expected);
    expected_trail.push(json!([
        "bank",
        "status-change",
        passport,
        "Submitted",
        "Reviewed"
    ]));

    // RFI: pending with the customer, the status unchanged; then APR.
    assert_eq!(
        decide(app, &application, &status_changed("d-3", "NEW", "RFI")).await,
        applied("d-3", "applied")
    );
    let mut pending = expected.clone();
    pending["PendingWithCustomer"] = json!(true);
    assert_eq!(user.actions().await, pending);
    assert_eq!(
        decide(app, &application, &status_changed("d-4", "RFI", "APR")).await,
        applied("d-4", "applied")
    );
    assert_eq!(
        decide(app, &application, &status_changed("d-4", "RFI", "APR")).await,
        applied("d-4", "applied"),
        "a repeat answers the same"
    );
    let mut approved = expected.clone();
    approved["ApplicationStatus"] = json!("Approved");
    assert_eq!(user.actions().await, approved);
    expected_trail.extend([
        json!(["bank", "case-status", CASE, "NEW", "RFI"]),
        json!(["bank", "case-status", CASE, "RFI", "APR"]),
        json!([
            "bank",
            "application-status",
            application,
            "UnderReview",
            "Approved"
        ]),
    ]);
    assert_eq!(trail(&user).await, expected_trail);
    // The applicant sees the bank; the trail keeps who it was.
    let stored = database_lines(
        app,
        backend,
        &format!(
            "SELECT subject || '|' || kind || '|' || COALESCE(new_value, '') AS line FROM audit_events \
             WHERE application_id = '{application}' AND subject <> 'applicant' ORDER BY at, id"
        ),
    );
    assert_eq!(
        stored,
        [
            "case-service|application-status|UnderReview",
            "analyst-1|status-change|Rejected",
            "analyst-1|status-change|Reviewed",
            "analyst-1|case-status|RFI",
            "analyst-1|case-status|APR",
            "analyst-1|application-status|Approved",
        ]
    );
    let rows = outbox(app, &application);
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (
            rows[2].kind.as_str(),
            serde_json::from_str::<Value>(&rows[2].payload).expect("json")
        ),
        (
            "application.approved",
            json!({"Application_id": application, "ApplicationStatus": "Approved", "caseId": CASE})
        )
    );
    assert_eq!(
        built(&flow, &application, &rows[2]),
        Value::Null,
        "for webhooks, not for case-service"
    );
    // Decided: later decisions are recorded and change nothing.
    assert_eq!(
        decide(app, &application, &rejected("d-5", &second, "too late")).await,
        applied("d-5", "ignored")
    );
    assert_eq!(user.actions().await, approved);
    assert_eq!(trail(&user).await, expected_trail);
}

/// REJ rejects a submitted application even before its case's answer
/// arrived (the case id is recorded from the decision); a later answer
/// leaves it rejected.
async fn rej_rejects_the_application(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, _, _) = submitted(&user).await;
    assert_eq!(
        decide(app, &application, &status_changed("r-1", "NEW", "REJ")).await,
        applied("r-1", "applied")
    );
    assert_eq!(user.actions().await["ApplicationStatus"], json!("Rejected"));
    let opened = in_db(app, |conn, _| {
        delivery::case_opened(conn, &application, CASE)
    });
    assert_eq!(opened, CaseOpened::Unchanged("Rejected".to_owned()));
    let case = database_lines(
        app,
        backend,
        &format!("SELECT case_id || '|' || case_status AS line FROM applications WHERE id = '{application}'"),
    );
    assert_eq!(case, vec![format!("{CASE}|REJ")]);
    let kinds: Vec<String> = outbox(app, &application)
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["application.submitted", "application.rejected"]);
    assert_eq!(
        trail(&user).await.last(),
        Some(&json!([
            "bank",
            "application-status",
            application,
            "Submitted",
            "Rejected"
        ]))
    );
}

/// Eight deliveries of one decision at once apply it once: one audit event,
/// and every answer the same.
async fn a_decision_applies_once(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, passport, document) = submitted(&user).await;
    let before = trail(&user).await;
    let reject = rejected("once-1", &document, "Blurred");
    let answers =
        futures_util::future::join_all((0..8).map(|_| decide(app, &application, &reject))).await;
    for answer in answers {
        assert_eq!(answer, applied("once-1", "applied"));
    }
    let mut expected = before;
    expected.push(json!([
        "bank",
        "status-change",
        passport,
        "Submitted",
        "Rejected"
    ]));
    assert_eq!(trail(&user).await, expected);
    let recorded = database_lines(
        app,
        backend,
        &format!("SELECT id || '|' || kind || '|' || outcome AS line FROM applied_decisions WHERE application_id = '{application}'"),
    );
    assert_eq!(
        recorded,
        vec!["once-1|evidence.rejected|applied".to_owned()]
    );
}

/// Refusals, each in a problem naming what is wrong, and nothing changed:
/// no credential, no such application, a document not on the application,
/// malformed bodies; a decision on a withdrawn application is recorded and
/// changes nothing.
async fn decisions_are_refused_or_recorded(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, _, document) = submitted(&user).await;
    let before = (user.actions().await, trail(&user).await);
    let reject = rejected("x-1", &document, "Blurred");
    let path = format!("/user-action/v1/applications/{application}/decisions");
    assert_eq!(
        testkit::call(app.anonymous(Method::POST, &path).json(&reject)).await,
        (StatusCode::UNAUTHORIZED, testkit::unauthorized_problem())
    );
    assert_eq!(
        decide(app, "NOSUCHAPP", &reject).await,
        (
            StatusCode::NOT_FOUND,
            json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404,
                   "detail": "application not found"})
        )
    );
    assert_eq!(
        decide(
            app,
            &application,
            &rejected("x-2", "not-a-document", "Blurred")
        )
        .await,
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"type": "urn:onboarding:problem:document-not-on-application", "title": "A rule was broken",
                   "status": 422, "detail": "data.documentId: is not attached to this application",
                   "errors": [{"field": "data.documentId", "message": "is not attached to this application"}]})
        )
    );
    let invalid = |field: &str, message: &str| {
        (
            StatusCode::BAD_REQUEST,
            json!({"type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid", "status": 400,
                   "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]}),
        )
    };
    let mut blank_actor = reject.clone();
    blank_actor["actor"] = json!(" ");
    assert_eq!(
        decide(app, &application, &blank_actor).await,
        invalid("actor", "is required")
    );
    let mut long_comment = reject.clone();
    long_comment["data"]["comments"] = json!("x".repeat(4001));
    assert_eq!(
        decide(app, &application, &long_comment).await,
        invalid("data.comments", "must be at most 4000 characters")
    );
    let mut bad_time = reject.clone();
    bad_time["occurredAt"] = json!("yesterday");
    assert_eq!(
        decide(app, &application, &bad_time).await,
        invalid("occurredAt", "must be an RFC 3339 date and time")
    );
    let mut no_document = reject.clone();
    no_document["data"] = json!({"comments": "Blurred"});
    let (status, problem) = decide(app, &application, &no_document).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let named = problem["errors"][0]["field"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    assert!(named.starts_with("data"), "{problem}");
    let (status, problem) = decide(app, &application, &json!({"id": "x-3"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(
        problem["type"],
        json!("urn:onboarding:problem:invalid-input")
    );
    assert_eq!(
        testkit::call(
            app.internal(Method::POST, &path)
                .header("content-type", "application/json")
                .body(vec![b' '; 33 * 1024])
        )
        .await
        .0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert_eq!((user.actions().await, trail(&user).await), before);

    // Withdrawn: recorded, nothing changed.
    let (status, _) = user
        .call("UserAction/signalProcess", &json!({"Signal": "Withdraw"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let withdrawn = (user.actions().await, trail(&user).await);
    assert_eq!(
        decide(app, &application, &reject).await,
        applied("x-1", "ignored")
    );
    assert_eq!(
        decide(app, &application, &status_changed("x-4", "NEW", "APR")).await,
        applied("x-4", "ignored")
    );
    assert_eq!((user.actions().await, trail(&user).await), withdrawn);
    let opened = in_db(app, |conn, _| {
        delivery::case_opened(conn, &application, CASE)
    });
    assert_eq!(opened, CaseOpened::Unchanged("Withdrawn".to_owned()));
    assert_eq!(
        user.actions().await["ApplicationStatus"],
        json!("Withdrawn")
    );
}

/// The events built for case-service read sealed values where they live:
/// notifyRM's message; a withdrawal carries nothing; and once the
/// application is erased, what is left: its applicants' ids, no documents,
/// the message's tombstone.
async fn events_are_built_from_sealed_values(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, passport, _) = submitted(&user).await;
    let party = passport.split('_').nth(1).expect("party").to_owned();
    let message = "Which payslips do you need?";
    let (status, asked) = user
        .call("UserAction/notifyRM", &json!({"Message": message}))
        .await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    let request = asked["id"].as_str().expect("id").to_owned();
    let (status, _) = user
        .call("UserAction/signalProcess", &json!({"Signal": "Withdraw"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = outbox(app, &application);
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "application.submitted",
            "rm.notified",
            "application.withdrawn"
        ]
    );
    let rm = |message: &str| {
        json!({"id": rows[1].id, "occurredAt": rows[1].created_at, "kind": "rm.notified",
               "data": {"requestId": request, "message": message}})
    };
    assert_eq!(built(&flow, &application, &rows[1]), rm(message));
    assert_eq!(
        built(&flow, &application, &rows[2]),
        json!({"id": rows[2].id, "occurredAt": rows[2].created_at, "kind": "application.withdrawn", "data": {}})
    );
    // The case's answer reaches the requests for help not on a case yet.
    in_db(app, |conn, _| {
        delivery::case_opened(conn, &application, CASE)
    });
    let on_case = database_lines(
        app,
        backend,
        &format!("SELECT id || '|' || case_id AS line FROM rm_requests WHERE application_id = '{application}'"),
    );
    assert_eq!(on_case, vec![format!("{request}|{CASE}")]);

    let vars = app.vars.clone();
    let config = service_kit::ServerConfig::load(Some(&vars)).expect("config");
    let ctx = service_kit::server::Context::new(config, 0, true).expect("context");
    let plan = user_action::erasure_plan(
        &ctx,
        Some(&vars),
        user_action::Target::Application(&application),
    )
    .expect("plan")
    .expect("an application");
    user_action::erase(&ctx, Some(&vars), &plan, "dpo").expect("erased");
    assert_eq!(
        built(&flow, &application, &rows[0]),
        json!({"id": rows[0].id, "occurredAt": rows[0].created_at, "kind": "application.submitted",
               "data": {"applicants": [party], "documents": [], "needsReview": [passport]}})
    );
    assert_eq!(built(&flow, &application, &rows[1]), rm("[erased]"));
}

/// Answered before the application's submission, a rejected action
/// submitted again writes nothing to the outbox: the submission carries
/// every document.
async fn no_evidence_event_before_submission(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let reviewer = User::with_roles(app, "reviewer-1", &["cam:review"]);
    let (application, passport, _) = answered(&user).await;
    let set =
        |status: &str| json!({"UserActionIdentifier": passport, "Response": "", "Status": status});
    assert_eq!(
        reviewer
            .call("UserAction/updateUserAction", &set("Rejected"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Created"))
            .await
            .0,
        StatusCode::OK
    );
    upload_passport(&user, &passport, "again.pdf").await;
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    assert!(outbox(app, &application).is_empty());
    assert_eq!(
        decide(app, &application, &status_changed("n-1", "NEW", "APR")).await,
        applied("n-1", "ignored"),
        "an application in progress takes no decision"
    );
}

/// `clients::UserActionClient` delivers a decision with the internal
/// credential: applied, then a repeat; an unknown application is an error
/// for the caller to report.
async fn the_client_delivers_a_decision(backend: Backend) {
    let flow = flow(backend).await;
    let app = &flow.app;
    let user = User::new(app, "applicant");
    let (application, _, document) = submitted(&user).await;
    let client = client_of(app);
    let decision: domain::flow::CaseDecision =
        serde_json::from_value(rejected("c-1", &document, "Blurred")).expect("decision");
    client
        .decision(&application, &decision)
        .await
        .expect("applied");
    service_kit::observe::with_request_id(
        "req-c-1".to_owned(),
        client.decision(&application, &decision),
    )
    .await
    .expect("a repeat is applied");
    assert_eq!(
        user.actions().await["Identity"][0]["UserActionStatus"],
        json!("Rejected")
    );
    match client.decision("NOSUCHAPP", &decision).await {
        Err(clients::CallError::Status { status, .. }) => assert_eq!(status, StatusCode::NOT_FOUND),
        other => panic!("{other:?}"),
    }
}

backend_tests!(
    the_client_delivers_a_decision,
    decisions_reach_the_applicant,
    rej_rejects_the_application,
    a_decision_applies_once,
    decisions_are_refused_or_recorded,
    events_are_built_from_sealed_values,
    no_evidence_event_before_submission
);
