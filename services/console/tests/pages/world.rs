//! The console with the services behind its case screens (party-service
//! and case-service), and cases made in them over their own APIs.

use crate::helpers::{post, Page, Session};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use testkit::{Backend, TestApp};

/// The HS256 secret case-service verifies the events' tokens with.
const SECRET: &str = "console-case-tests-secret-0123456789abcdef";

/// Starts party-service, case-service and the console on `backend`, with
/// `extra` variables.
pub async fn spawn(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("DEV_MODE", "true"), ("JWT_HS256_SECRET", SECRET)];
    vars.extend_from_slice(extra);
    TestApp::spawn(backend, &["party", "case", "console"], &vars, &build).await
}

/// What these tests serve.
fn build(ctx: &Context, vars: &HashMap<String, String>) -> anyhow::Result<Vec<Service>> {
    Ok(vec![
        party::service(ctx, Some(vars))?,
        case::service(ctx, Some(vars))?,
        console::service(ctx, Some(vars))?,
    ])
}

/// Calls case management operation `op` for `subject` with `roles`
/// (comma-separated), as the console does: the acting scope.
pub async fn ecm(
    app: &TestApp,
    subject: &str,
    roles: &str,
    op: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let request = app
        .internal(
            Method::POST,
            &format!("/case/v1/ecm/CaseManagementService/{op}"),
        )
        .header("X-Acting-Subject", subject)
        .header("X-Acting-Roles", roles)
        .json(body);
    testkit::call(request).await
}

/// `op` as `setup` (a case worker), asserting it succeeded.
pub async fn done(app: &TestApp, op: &str, body: &Value) -> Value {
    let (status, answer) = ecm(app, "setup", "case:write", op, body).await;
    assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    answer
}

/// A case's details, as case-service has them.
pub async fn details(app: &TestApp, case_id: &str) -> Value {
    done(app, "getCaseDetails", &json!({"caseId": case_id})).await
}

/// Runs `sql` on case-service's database.
pub fn case_sql(app: &TestApp, sql: &str) {
    testkit::faults::execute(app.backend, &app.vars["CASE_DATABASE_URL"], sql);
}

/// Cases `CA01` to `CA{n}` (two digits), `KYC` but `CA02` (`AML`), due in
/// 2099 but `CA01` (overdue since 2020, High, assigned to `analyst-1`).
pub async fn cases(app: &TestApp, n: usize) {
    let items: Vec<Value> = (1..=n)
        .map(|i| {
            let kind = if i == 2 { "AML" } else { "KYC" };
            json!({"caseId": format!("CA{i:02}"), "caseTypeCode": kind})
        })
        .collect();
    done(app, "createCase", &Value::Array(items)).await;
    done(
        app,
        "assignCase",
        &json!([{"caseId": "CA01", "assignee": "analyst-1"}]),
    )
    .await;
    case_sql(
        app,
        "UPDATE cases SET due_date = '2099-01-01', priority = 'Low', priority_rank = 1;
         UPDATE cases SET due_date = '2020-01-01', priority = 'High', priority_rank = 3 WHERE case_id = 'CA01';",
    );
}

/// A minted ECM token of case-service's audience (for the real-time
/// operations, which the acting scope does not serve).
fn token(app: &TestApp) -> String {
    let config = service_kit::ServerConfig::load(Some(&app.vars)).expect("config");
    let audience = case::token_policy(Some(&app.vars))
        .expect("policy")
        .audience;
    service_kit::auth::mint_dev_token(&config, &audience, "feed", &["case:write".to_owned()], 600)
        .expect("a token")
}

/// Promotes event `EV1` (on customer `CUST-1`) to a new case, `CA1` on a
/// fresh database.
pub async fn promoted_case(app: &TestApp) {
    let body = json!({
        "events": [{"eventCode": "EV1", "type": "AML", "scenarioClass": "AML",
                    "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
                                  "focusFlag": "Y", "custId": "CUST-1"}]}],
        "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "custId": "CUST-1",
                      "customerName": "Ada Lovelace", "customerType": "IND"}]
    });
    let response = app
        .anonymous(
            Method::POST,
            "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase",
        )
        .bearer_auth(token(app))
        .json(&body);
    let (status, answer) = testkit::call(response).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["cases"][0]["caseId"], "CA1", "{answer}");
}

/// Opens an application's case (`CA1` on a fresh database) with two
/// documents, `d1` (for `UA1`, which needs review) and `d2`, as
/// user-action's submission does.
pub async fn application_case(app: &TestApp) {
    let response = app
        .internal(Method::POST, "/party/v1/parties")
        .json(&json!({"kind": "person", "firstName": "Asha", "lastName": "Verma"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let party: Value = response.json().await.expect("json");
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let document = |id: &str, name: &str, action: &str| {
        json!({"documentId": id, "fileName": name, "fileType": "application/pdf", "size": 2048,
               "sha256": sha, "userActionIdentifier": action})
    };
    let event = json!({"id": "evt-1", "occurredAt": "2026-12-07T10:00:00Z", "kind": "application.submitted",
        "data": {"applicants": [party["id"]],
                 "documents": [document("d1", "passport-scan.pdf", "UA1"), document("d2", "payslip.pdf", "UA2")],
                 "needsReview": ["UA1"]}});
    let request = app
        .internal(Method::POST, "/case/v1/applications/app-1/events")
        .json(&event);
    assert_eq!(
        testkit::call(request).await,
        (StatusCode::OK, json!({"caseId": "CA1"}))
    );
}

/// The region of `body` from the element with `id="{id}"` to its closing
/// `</{tag}>`, white space squeezed.
pub fn region(body: &str, tag: &str, id: &str) -> String {
    let start = body
        .find(&format!("<{tag} id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {body}"));
    let end = body[start..].find(&format!("</{tag}>")).expect("its end") + start;
    crate::helpers::squeeze(&body[start..end + tag.len() + 3])
}

/// POSTs `fields` (with the session's token) to case CA1's `action`.
pub async fn act(app: &TestApp, who: &Session, action: &str, fields: &[(&str, &str)]) -> Page {
    let mut all = vec![("csrf", who.csrf.as_str())];
    all.extend_from_slice(fields);
    post(
        app,
        &format!("/console/cases/CA1/{action}"),
        &who.cookie,
        &[],
        &all,
    )
    .await
}

/// Asserts `page` is the 303 back to CA1's `tab`.
pub fn back(page: &Page, tab: &str) {
    assert_eq!(
        (page.status, page.header("location")),
        (
            StatusCode::SEE_OTHER,
            format!("/console/cases/CA1?tab={tab}").as_str()
        ),
        "{}",
        page.body
    );
}

/// The alert of a refused action on `page`.
pub fn alert(message: &str) -> String {
    format!("<div class=\"error\" role=\"alert\" id=\"action-error\"> <p>The change was not made: {message}</p> </div>")
}
