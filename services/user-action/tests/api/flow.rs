//! The applicant's side of the flow to the bank (SPEC §D, issue 14):
//! signalProcess Submit and Withdraw, notifyRM, the application's status
//! in getUserActions, and the reviewer's reason on a rejected action.

use crate::helpers::{database_lines, fabric, pdf_b64, profile, spawn, spawn_with, upload, User};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::{backend_tests, Backend, TestApp};

const SUBMIT: &str = "UserAction/signalProcess";

fn signal(signal: &str) -> Value {
    json!({"Signal": signal})
}

/// signalProcess's answer for `application` in `status`.
fn signalled(application: &str, status: &str) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({"Application_id": application, "ApplicationStatus": status, "opstatus": 0, "httpStatusCode": 200}),
    )
}

/// Submit's refusal on a withdrawn application.
fn withdrawn() -> (StatusCode, Value) {
    (
        StatusCode::CONFLICT,
        fabric(
            409,
            10301,
            "Signal: the application is Withdrawn and cannot be submitted",
        ),
    )
}

fn pending(identifiers: &[&str]) -> (StatusCode, Value) {
    (
        StatusCode::CONFLICT,
        fabric(
            409,
            10309,
            &format!(
                "Signal: Submit needs every required user action Submitted or Reviewed; pending: {}",
                identifiers.join(", ")
            ),
        ),
    )
}

/// The application-status changes in the caller's audit trail: (subject,
/// old, new).
async fn status_changes(user: &User<'_>) -> Vec<(String, String, String)> {
    let (status, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "application-status")
        .map(|e| {
            let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (
                text(&e["subject"]),
                text(&e["oldValue"]),
                text(&e["newValue"]),
            )
        })
        .collect()
}

fn changes(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// The outbox events of `application`, in order: (kind, payload, whether
/// the request id was kept).
fn outbox(app: &TestApp, backend: Backend, application: &str) -> Vec<(String, Value, bool)> {
    let sql = format!(
        "SELECT kind || '|' || (CASE WHEN request_id IS NULL THEN 'none' ELSE 'kept' END) || '|' || payload AS line \
         FROM outbox WHERE aggregate_id = '{application}' ORDER BY seq"
    );
    database_lines(app, backend, &sql)
        .into_iter()
        .map(|line| {
            let mut parts = line.splitn(3, '|');
            let kind = parts.next().expect("kind").to_owned();
            let kept = parts.next() == Some("kept");
            let payload = serde_json::from_str(parts.next().expect("payload")).expect("json");
            (kind, payload, kept)
        })
        .collect()
}

fn listing_status(listing: &Value) -> (&Value, &Value) {
    (&listing["Application_id"], &listing["ApplicationStatus"])
}

/// Submit waits for every required action (pre-requirements not made yet
/// included), names each one pending, then submits once: a repeat answers
/// the same and changes nothing. Withdraw follows, and Submit is refused
/// after it. Each change is audited once and recorded in the outbox in its
/// transaction.
async fn submit_waits_for_every_required_action(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "applicant");
    let (status, created) = user
        .call(
            "PersonalInfo/createProspectProfile",
            &profile("Virat", "Kohli"),
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
    let all_three = pending(&[&income, &licence, &time]);
    assert_eq!(
        user.call(SUBMIT, &signal("Submit")).await,
        all_three,
        "pre-requirements not made yet are pending too"
    );
    let (status, _) = user
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let listing = user.actions().await;
    assert_eq!(
        listing_status(&listing),
        (&json!(application), &json!("InProgress"))
    );
    assert_eq!(user.call(SUBMIT, &signal("Submit")).await, all_three);

    for action in [&income, &licence] {
        let (status, body) = user
            .call(
                "UserAction/uploadDocument",
                &upload(action, &[("proof.pdf", "application/pdf", &pdf_b64())]),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = user
            .call(
                "UserAction/updateUserAction",
                &json!({"UserActionIdentifier": action, "Response": "", "Status": "Submitted"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        user.call(
            SUBMIT,
            &json!({"Signal": "Submit", "Application_id": application})
        )
        .await,
        pending(&[&time]),
        "the skippable OptionalQuestion holds nothing up"
    );
    let (status, body) = user
        .call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        status_changes(&user).await.is_empty(),
        "nothing changed yet"
    );

    assert_eq!(
        user.call(SUBMIT, &signal("Submit")).await,
        signalled(&application, "Submitted")
    );
    assert_eq!(
        user.call(SUBMIT, &signal("Submit")).await,
        signalled(&application, "Submitted"),
        "a second Submit answers the same"
    );
    let listing = user.actions().await;
    assert_eq!(
        listing_status(&listing),
        (&json!(application), &json!("Submitted"))
    );
    let mut co_applicant = profile("Rohit", "Sharma");
    co_applicant["ApplicantType"] = json!("CoApplicant");
    assert_eq!(
        user.call("PersonalInfo/updateProspectProfile", &co_applicant)
            .await,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10301,
                "Application_id: the application is Submitted; its applicants no longer change"
            )
        ),
        "the case is opened on the applicants submitted"
    );
    assert_eq!(listing["count"], json!(4));
    assert_eq!(
        status_changes(&user).await,
        changes(&[("applicant", "InProgress", "Submitted")])
    );
    let submitted = (
        "application.submitted".to_owned(),
        json!({"Application_id": application, "ApplicationStatus": "Submitted"}),
        true,
    );
    assert_eq!(outbox(&app, backend, &application), vec![submitted.clone()]);

    assert_eq!(
        user.call(SUBMIT, &signal("Withdraw")).await,
        signalled(&application, "Withdrawn")
    );
    assert_eq!(
        user.call(SUBMIT, &signal("Withdraw")).await,
        signalled(&application, "Withdrawn"),
        "a second Withdraw answers the same"
    );
    assert_eq!(user.call(SUBMIT, &signal("Submit")).await, withdrawn());
    assert_eq!(
        listing_status(&user.actions().await),
        (&json!(application), &json!("Withdrawn"))
    );
    let closed = (
        StatusCode::CONFLICT,
        fabric(
            409,
            10301,
            "Application_id: the application is Withdrawn; its actions no longer change",
        ),
    );
    let optional = id("OptionalQuestion");
    assert_eq!(
        user.call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": optional, "Response": "", "Status": "Skipped"}),
        )
        .await,
        closed
    );
    assert_eq!(
        user.call(
            "UserAction/uploadDocument",
            &upload(&optional, &[("late.pdf", "application/pdf", &pdf_b64())]),
        )
        .await,
        closed
    );
    assert_eq!(
        status_changes(&user).await,
        changes(&[
            ("applicant", "InProgress", "Submitted"),
            ("applicant", "Submitted", "Withdrawn"),
        ])
    );
    assert_eq!(
        outbox(&app, backend, &application),
        vec![
            submitted,
            (
                "application.withdrawn".to_owned(),
                json!({"Application_id": application, "ApplicationStatus": "Withdrawn"}),
                true
            )
        ]
    );
}

/// An application withdrawn before it was submitted cannot be submitted,
/// pending actions or not; a bad signal is refused naming the field.
async fn withdrawn_before_submission_stays_withdrawn(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "hesitant");
    let (application, _) = user.application("Anushka", "Sharma").await;
    assert_eq!(
        user.call(SUBMIT, &json!({})).await,
        (
            StatusCode::BAD_REQUEST,
            fabric(400, 10002, "Signal: is required")
        )
    );
    assert_eq!(
        user.call(SUBMIT, &signal("Approve")).await,
        (
            StatusCode::BAD_REQUEST,
            fabric(
                400,
                10003,
                "Signal: unknown variant `Approve`, expected `Submit` or `Withdraw`"
            )
        )
    );
    assert_eq!(
        user.call(SUBMIT, &signal("Withdraw")).await,
        signalled(&application, "Withdrawn")
    );
    assert_eq!(user.call(SUBMIT, &signal("Submit")).await, withdrawn());
    assert_eq!(
        status_changes(&user).await,
        changes(&[("hesitant", "InProgress", "Withdrawn")])
    );
}

/// Submits at once make one submission: one audit event, one outbox event.
async fn concurrent_submits_submit_once(backend: Backend) {
    let catalog_dir = tempfile::tempdir().expect("tempdir");
    let catalog = text_catalog(&catalog_dir, "false");
    let app = spawn_with(backend, &[("USER_ACTION_CATALOG_FILE", &catalog)]).await;
    let user = User::new(&app, "eager");
    let (application, party) = user.application("Virat", "Kohli").await;
    let (status, _) = user
        .call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": format!("SourceOfFunds_{party}_{application}"), "Response": "salary", "Status": "Submitted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let user = &user;
    let answers = futures_util::future::join_all(
        (0..6).map(|_| async move { user.call(SUBMIT, &signal("Submit")).await }),
    )
    .await;
    for answer in answers {
        assert_eq!(answer, signalled(&application, "Submitted"));
    }
    assert_eq!(
        status_changes(user).await,
        changes(&[("eager", "InProgress", "Submitted")])
    );
    assert_eq!(outbox(&app, backend, &application).len(), 1);
}

/// A catalog of one Text pre-requirement, `SourceOfFunds`, whose
/// `NeedsReview` is `needs_review`; its path.
fn text_catalog(dir: &tempfile::TempDir, needs_review: &str) -> String {
    let catalog = dir.path().join("catalog.json");
    std::fs::write(
        &catalog,
        json!({"actions": [{
            "UserActionName": "SourceOfFunds", "AppliesTo": ["Applicant"],
            "ActionMetaData": {"Group": "Income", "Title": "Source of funds", "ActionLevel": "Application", "UserActionType": "Text",
                               "Skippable": "false", "NeedsReview": needs_review, "isPreRequirement": "true"}
        }]})
        .to_string(),
    )
    .expect("catalog written");
    catalog.to_str().expect("path").to_owned()
}

/// notifyRM keeps the request with the application, its message sealed,
/// audited and in the outbox; an Idempotency-Key makes one request of
/// repeats, and a missing, blank or long message is refused.
async fn notify_rm_keeps_the_request(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "asker");
    let (application, _) = user.application("Virat", "Kohli").await;
    let message = "Which payslips do you need from my employer?";
    let ask = || {
        user.request("UserAction/notifyRM")
            .header("Idempotency-Key", "ask-1")
            .json(&json!({"Message": message}))
    };
    let (status, answer) = testkit::call(ask()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["id"].as_str().expect("id").to_owned();
    assert!(domain::ids::is_hex24(&id), "{id}");
    assert_eq!(
        answer,
        json!({"id": id, "opstatus": 0, "httpStatusCode": 200})
    );
    assert_eq!(
        testkit::call(ask()).await,
        (StatusCode::OK, answer.clone()),
        "a repeat with the key is the same request"
    );
    for (body, expected) in [
        (json!({}), fabric(400, 10002, "Message: is required")),
        (
            json!({"Message": "  "}),
            fabric(400, 10002, "Message: is required"),
        ),
        (
            json!({"Message": "x".repeat(2001)}),
            fabric(400, 10003, "Message: must be at most 2000 characters"),
        ),
    ] {
        assert_eq!(
            user.call("UserAction/notifyRM", &body).await,
            (StatusCode::BAD_REQUEST, expected)
        );
    }
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    let asked: Vec<&Value> = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "rm-notified")
        .collect();
    assert_eq!(asked.len(), 1, "{audit}");
    assert_eq!(
        (
            &asked[0]["target"],
            &asked[0]["subject"],
            &asked[0]["newValue"]
        ),
        (&json!(id), &json!("asker"), &Value::Null)
    );
    let stored = database_lines(
        &app,
        backend,
        &format!("SELECT id || '|' || subject || '|' || application_id AS line FROM rm_requests WHERE application_id = '{application}'"),
    );
    assert_eq!(stored, vec![format!("{id}|asker|{application}")]);
    assert_eq!(
        outbox(&app, backend, &application),
        vec![(
            "rm.notified".to_owned(),
            json!({"Application_id": application, "ApplicationStatus": "InProgress", "id": id}),
            true
        )]
    );
    let at_rest = database_text(backend, &app.vars["USER_ACTION_DATABASE_URL"]);
    assert!(!at_rest.contains("payslips"), "the message is sealed");
}

/// A reviewer's reason for sending an action back is the applicant's to
/// see, as `ActionMetaData.ReviewComment`, until the action is submitted
/// again; it is sealed at rest.
async fn a_rejected_action_carries_the_reviewers_reason(backend: Backend) {
    let catalog_dir = tempfile::tempdir().expect("tempdir");
    let catalog = text_catalog(&catalog_dir, "true");
    let app = spawn_with(backend, &[("USER_ACTION_CATALOG_FILE", &catalog)]).await;
    let user = User::new(&app, "applicant");
    let reviewer = User::with_roles(&app, "reviewer-1", &["cam:review"]);
    let (application, party) = user.application("Virat", "Kohli").await;
    let funds = format!("SourceOfFunds_{party}_{application}");
    let set = |status: &str| json!({"UserActionIdentifier": funds, "Response": "salary", "Status": status});
    let reason = "Name the employer that pays the salary";
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    let mut with_reason = set("Submitted");
    with_reason["ReviewComment"] = json!(reason);
    assert_eq!(
        reviewer
            .call("UserAction/updateUserAction", &with_reason)
            .await,
        (
            StatusCode::BAD_REQUEST,
            fabric(
                400,
                10003,
                "ReviewComment: is sent only with Status Rejected"
            )
        )
    );
    with_reason["Status"] = json!("Rejected");
    assert_eq!(
        reviewer
            .call("UserAction/updateUserAction", &with_reason)
            .await
            .0,
        StatusCode::OK
    );
    let listed = |status: &str, comment: Option<&str>| {
        let mut metadata = json!({
            "Group": "Income", "Title": "Source of funds", "ActionLevel": "Application", "UserActionType": "Text",
            "Skippable": "false", "NeedsReview": "true", "isPreRequirement": "true",
            "CategoryMetadata": {"identifier": application, "type": "Application"}
        });
        if let Some(comment) = comment {
            metadata["ReviewComment"] = json!(comment);
        }
        json!({"Income": [{
            "UserActionName": "SourceOfFunds", "UserActionId": "[id]", "UserActionStatus": status,
            "PartyId": party, "ActionMetaData": metadata, "UserActionIdentifier": funds, "ProductId": "ALL"
        }], "count": 1, "Application_id": application, "ApplicationStatus": "InProgress",
            "opstatus": 0, "httpStatusCode": 200})
    };
    let pinned = |mut listing: Value| {
        listing["Income"][0]["UserActionId"] = json!("[id]");
        listing
    };
    assert_eq!(
        pinned(user.actions().await),
        listed("Rejected", Some(reason))
    );
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Created"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        pinned(user.actions().await),
        listed("Created", Some(reason)),
        "kept in view while the applicant answers again"
    );
    let at_rest = database_text(backend, &app.vars["USER_ACTION_DATABASE_URL"]);
    assert!(
        !at_rest.contains("employer that pays"),
        "the reason is sealed"
    );
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(pinned(user.actions().await), listed("Submitted", None));
}

/// Another applicant, a reviewer and a token for another API reach
/// neither signalProcess nor notifyRM of an application; nothing changes.
async fn only_the_applicant_signals(backend: Backend) {
    let app = spawn(backend).await;
    let alice = User::new(&app, "alice");
    let (application, _) = alice.application("Alice", "Smith").await;
    let before = alice.actions().await;
    let (_, audit_before) = alice.call("Audit/getAuditEvents", &json!({})).await;
    let no_application = (
        StatusCode::NOT_FOUND,
        fabric(
            404,
            10201,
            "Application_id: no such application of the caller",
        ),
    );
    let attempts = [
        (
            SUBMIT,
            json!({"Signal": "Withdraw", "Application_id": application}),
        ),
        (
            SUBMIT,
            json!({"Signal": "Submit", "Application_id": application}),
        ),
        (
            "UserAction/notifyRM",
            json!({"Message": "let me in", "Application_id": application}),
        ),
    ];
    for caller in [
        User::new(&app, "mallory"),
        User::with_roles(&app, "reviewer-1", &["cam:review"]),
    ] {
        for (operation, body) in &attempts {
            assert_eq!(
                caller.call(operation, body).await,
                no_application,
                "{operation}"
            );
        }
    }
    let no_user = (
        StatusCode::UNAUTHORIZED,
        fabric(
            401,
            10102,
            "X-Kony-Authorization: a valid end-user token is required",
        ),
    );
    for (what, claims) in testkit::refused_token_claims(
        "onboarding-cam",
        &["onboarding-ecm", "onboarding-console"],
        &["case:read", "case:write"],
    ) {
        let mut claims = claims;
        claims["sub"] = json!("alice");
        let stranger = User::with_token(&app, crate::helpers::signed(&claims));
        for (operation, body) in &attempts {
            assert_eq!(
                stranger.call(operation, body).await,
                no_user,
                "{what}: {operation}"
            );
        }
    }
    assert_eq!(alice.actions().await, before);
    assert_eq!(
        alice.call("Audit/getAuditEvents", &json!({})).await.1,
        audit_before
    );
    assert!(outbox(&app, backend, &application).is_empty());
}

/// Only the server sets an application's status: a `Status` in either
/// profile operation is read and ignored, never stored.
async fn a_profiles_status_sets_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "claimant");
    let mut claimed = profile("Claire", "Mant");
    claimed["Status"] = json!("Approved");
    let (status, created) = user
        .call("PersonalInfo/createProspectProfile", &claimed)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let application = created["Application_id"].as_str().expect("id").to_owned();
    assert_eq!(
        listing_status(&user.actions().await),
        (&json!(application), &json!("InProgress")),
        "createProspectProfile's Status is not the application's"
    );
    let mut co_applicant = profile("Co", "Mant");
    co_applicant["ApplicantType"] = json!("CoApplicant");
    co_applicant["Status"] = json!("Approved");
    let (status, body) = user
        .call("PersonalInfo/updateProspectProfile", &co_applicant)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        listing_status(&user.actions().await),
        (&json!(application), &json!("InProgress"))
    );
    assert!(status_changes(&user).await.is_empty());
    let stored = database_text(backend, &app.vars["USER_ACTION_DATABASE_URL"]);
    assert!(!stored.contains("Approved"), "Approved is stored");
}

/// The outbox's delivery log is user-action's internal API: the internal
/// credential, problems naming the parameter; with no destination
/// configured it is empty (events wait in the outbox for one).
async fn the_delivery_log_is_internal(backend: Backend) {
    let app = spawn(backend).await;
    let path = "/user-action/v1/outbox/deliveries";
    let (status, body) = testkit::call(app.anonymous(reqwest::Method::GET, path)).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, testkit::unauthorized_problem())
    );
    let (status, body) = testkit::call(app.internal(reqwest::Method::GET, path)).await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({"items": [], "nextCursor": null}))
    );
    let (status, body) =
        testkit::call(app.internal(reqwest::Method::GET, &format!("{path}?limit=500"))).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({"type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid",
                   "status": 400, "detail": "limit: must be between 1 and 200",
                   "errors": [{"field": "limit", "message": "must be between 1 and 200"}]})
        )
    );
    let retry = "/user-action/v1/outbox/deliveries/e1/case-service/retry";
    let (status, body) = testkit::call(app.internal(reqwest::Method::POST, retry)).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404,
                   "detail": "delivery not found"})
        )
    );
}

backend_tests!(
    the_delivery_log_is_internal,
    submit_waits_for_every_required_action,
    withdrawn_before_submission_stays_withdrawn,
    concurrent_submits_submit_once,
    notify_rm_keeps_the_request,
    a_rejected_action_carries_the_reviewers_reason,
    only_the_applicant_signals,
    a_profiles_status_sets_nothing
);
