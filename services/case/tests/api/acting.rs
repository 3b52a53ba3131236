//! The acting scope (issue 15): a peer service (the console) calls the
//! case management operations at `/case/v1/ecm/CaseManagementService/{op}`
//! for a case worker, with the internal credential and the worker's
//! subject and roles in `X-Acting-Subject`/`X-Acting-Roles`. The same
//! handlers answer as on the public path, the worker recorded as the
//! actor; without the credential, or with bad acting headers, nothing runs.

use crate::description::audited;
use crate::helpers::{case_answer, create_cases, envelope, post_raw, reader, writer, ANALYST};
use crate::inbox::{five_cases, found};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, call, unauthorized_problem, Backend, TestApp};

/// The acting scope's path of `op`.
fn path(op: &str) -> String {
    format!("/case/v1/ecm/CaseManagementService/{op}")
}

/// Posts `body` to `op` on the acting scope with the internal credential
/// and `headers`.
async fn acting(
    app: &TestApp,
    op: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (StatusCode, Value) {
    let mut request = app.internal(Method::POST, &path(op)).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    call(request).await
}

/// The headers of a case worker `subject` with `roles`.
fn worker<'a>(subject: &'a str, roles: &'a str) -> [(&'a str, &'a str); 2] {
    [("X-Acting-Subject", subject), ("X-Acting-Roles", roles)]
}

/// The problem of a bad acting header.
fn refused(field: &str, message: &str) -> Value {
    json!({"type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid", "status": 400,
           "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]})
}

async fn a_peer_acts_for_a_case_worker(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    five_cases(&app).await;
    // Reads with case:read; `mine` is the acting worker's.
    assert_eq!(
        acting(
            &app,
            "searchCases",
            &worker(ANALYST, "case:read"),
            &json!({"assignee": "mine"})
        )
        .await,
        found(1, 25, 0, &[1])
    );
    assert_eq!(
        acting(
            &app,
            "searchCases",
            &worker("analyst-9", "case:read, case:write"),
            &json!({"assignee": "mine"})
        )
        .await,
        found(1, 25, 0, &[2])
    );
    // A change needs case:write, and is the worker's in the audit trail.
    let body = json!([{"caseId": "CA3", "assignee": "analyst-3"}]);
    assert_eq!(
        acting(&app, "assignCase", &worker("analyst-3", "case:read"), &body).await,
        (
            StatusCode::FORBIDDEN,
            envelope("The token does not allow this operation.")
        )
    );
    assert_eq!(
        acting(
            &app,
            "assignCase",
            &worker("analyst-3", "case:write"),
            &body
        )
        .await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Case assignment was successful.", "STATUS": "SUCCESS",
                   "RESULTARRAY": [case_answer("Case assigned successfully.", "SUCCESS", "CA3")]})
        )
    );
    assert_eq!(
        audited(&app, "CA3", "caseAssigned").await,
        vec![
            json!({"actor": "analyst-3", "action": "caseAssigned", "customerId": null, "fromStatus": null,
                    "toStatus": null, "oldValue": null, "newValue": "analyst-3"})
        ]
    );
    // Four eyes' recommendation too, the worker its author.
    assert_eq!(
        acting(
            &app,
            "recommendCaseStatus",
            &worker("analyst-3", "case:write"),
            &json!([{"caseId": "CA3", "caseStatusCode": "REJ", "comment": "No documents."}])
        )
        .await,
        (
            StatusCode::OK,
            json!({"MESSAGE": "Case status recommendation was successful.", "STATUS": "SUCCESS",
                   "RESULTARRAY": [case_answer("Case status recommended successfully.", "SUCCESS", "CA3")]})
        )
    );
    assert_eq!(
        audited(&app, "CA3", "statusRecommended").await,
        vec![
            json!({"actor": "analyst-3", "action": "statusRecommended", "customerId": null, "fromStatus": null,
                    "toStatus": "REJ", "oldValue": null, "newValue": "No documents."})
        ]
    );
    // The lock of another user holds on this path too.
    assert_eq!(
        acting(
            &app,
            "updateCaseDescription",
            &worker("analyst-3", "case:write"),
            &json!({"caseId": "CA2", "caseDescription": "x"})
        )
        .await,
        (
            StatusCode::CONFLICT,
            case_answer(
                &format!("Case is locked by another user {ANALYST}."),
                "FAILED",
                "CA2"
            )
        )
    );
    // Unknown operations answer in the envelope, as on the public path.
    assert_eq!(
        acting(&app, "nothing", &worker(ANALYST, "case:read"), &json!({})).await,
        post_raw(&app, Some(&reader(&app)), "nothing", "{}".into()).await
    );
}

async fn the_acting_scope_refuses_strangers_and_bad_headers(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    create_cases(&app, &["CA1"]).await;
    let body = json!([{"caseId": "CA1", "assignee": "intruder"}]);
    // Without the internal credential nothing runs, bearer token or not.
    for bearer in [None, Some(writer(&app))] {
        let mut request = app
            .anonymous(Method::POST, &path("assignCase"))
            .header("X-Acting-Subject", "intruder")
            .header("X-Acting-Roles", "case:write")
            .json(&body);
        if let Some(bearer) = &bearer {
            request = request.bearer_auth(bearer);
        }
        assert_eq!(
            call(request).await,
            (StatusCode::UNAUTHORIZED, unauthorized_problem())
        );
    }
    let subject_rule = "must be 1 to 200 printable characters, not blank";
    let roles_rule = "must be a comma-separated list of case:read, case:write";
    let long = "x".repeat(201);
    let cases: Vec<(Vec<(&str, &str)>, Value)> = vec![
        (
            vec![("X-Acting-Roles", "case:write")],
            refused("X-Acting-Subject", "is required"),
        ),
        (
            vec![("X-Acting-Subject", ANALYST)],
            refused("X-Acting-Roles", "is required"),
        ),
        (
            worker("", "case:write").to_vec(),
            refused("X-Acting-Subject", subject_rule),
        ),
        (
            worker("   ", "case:write").to_vec(),
            refused("X-Acting-Subject", subject_rule),
        ),
        (
            worker(&long, "case:write").to_vec(),
            refused("X-Acting-Subject", subject_rule),
        ),
        (
            worker(ANALYST, "").to_vec(),
            refused("X-Acting-Roles", roles_rule),
        ),
        (
            worker(ANALYST, "case:admin").to_vec(),
            refused("X-Acting-Roles", roles_rule),
        ),
        (
            worker(ANALYST, "case:write,").to_vec(),
            refused("X-Acting-Roles", roles_rule),
        ),
        (
            worker(ANALYST, "case:write;case:read").to_vec(),
            refused("X-Acting-Roles", roles_rule),
        ),
    ];
    for (headers, problem) in cases {
        assert_eq!(
            acting(&app, "assignCase", &headers, &body).await,
            (StatusCode::BAD_REQUEST, problem),
            "{headers:?}"
        );
    }
    let bytes = app
        .internal(Method::POST, &path("assignCase"))
        .header(
            "X-Acting-Subject",
            reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").expect("a value"),
        )
        .header("X-Acting-Roles", "case:write")
        .json(&body);
    assert_eq!(
        call(bytes).await,
        (
            StatusCode::BAD_REQUEST,
            refused("X-Acting-Subject", "must be printable ASCII characters")
        )
    );
    // The public path takes no acting identity: the token decides.
    for (bearer, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(reader(&app)), StatusCode::FORBIDDEN),
    ] {
        let mut request = app
            .anonymous(Method::POST, &format!("{}/assignCase", crate::helpers::OPS))
            .header("X-Acting-Subject", ANALYST)
            .header("X-Acting-Roles", "case:write")
            .json(&body);
        if let Some(bearer) = &bearer {
            request = request.bearer_auth(bearer);
        }
        assert_eq!(call(request).await.0, status);
    }
    assert_eq!(
        audited(&app, "CA1", "caseAssigned").await,
        Vec::<Value>::new()
    );
}

backend_tests!(
    a_peer_acts_for_a_case_worker,
    the_acting_scope_refuses_strangers_and_bad_headers
);
