//! Every operation needs a valid bearer token; changes need `case:write`,
//! reads `case:read` (or `case:write`).

use crate::helpers::{
    case_customers, create_cases, customer, envelope, mint, post_raw, reader, signed, spawn, token,
    OPS, SECRET,
};
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, edge_token_claims, refused_token_claims, Backend};

const CHANGES: [&str; 9] = [
    "addCustomer",
    "reviewEvidence",
    "removeCustomer",
    "createCase",
    "updateCaseStatus",
    "updateCaseDescription",
    "addNarrative",
    "lockCase",
    "unlockCase",
];
const READS: [&str; 4] = [
    "getCaseStatusDetails",
    "getCaseDetails",
    "getCustomerCases",
    "getCaseAudit",
];

/// A body each operation accepts.
fn body(op: &str) -> String {
    match op {
        "addCustomer" => json!([{"caseId": "CA500", "customers": [customer("CUST-AUTH")]}]),
        "removeCustomer" => json!([{"caseId": "CA500", "customers": [{"customerId": "CUST-1"}]}]),
        "createCase" => json!([{"caseId": "CA501"}]),
        "reviewEvidence" => {
            json!([{"caseId": "CA500", "evidence": [{"documentId": "D-1", "decision": "ACCEPT"}]}])
        }
        "updateCaseStatus" => json!([{"caseId": "CA500", "caseStatusCode": "CLS"}]),
        "updateCaseDescription" => json!({"caseId": "CA500", "caseDescription": "x"}),
        "addNarrative" => json!([{"caseId": "CA500", "narrative": "x"}]),
        "getCaseStatusDetails" => json!([{"caseId": "CA500"}]),
        "getCustomerCases" => json!({"customerId": "CUST-1"}),
        _ => json!({"caseId": "CA500"}),
    }
    .to_string()
}

async fn a_missing_or_invalid_token_is_refused_in_the_ecm_envelope(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA500"]).await;
    let other_secret = {
        let mut vars = app.vars.clone();
        vars.insert("JWT_HS256_SECRET".into(), SECRET.replace('0', "1"));
        mint(&vars, "intruder", &["case:write"], 600)
    };
    let expired = mint(&app.vars, "late", &["case:write"], -120);
    let mut tampered = token(&app, "analyst", &["case:read"]);
    tampered.pop();
    let refused = envelope("Authentication failed. A valid bearer token is required.");
    for op in CHANGES.iter().chain(&READS) {
        for bad in [
            None,
            Some("not-a-jwt"),
            Some(other_secret.as_str()),
            Some(expired.as_str()),
            Some(tampered.as_str()),
        ] {
            assert_eq!(
                post_raw(&app, bad, op, body(op)).await,
                (StatusCode::UNAUTHORIZED, refused.clone()),
                "{op} with {bad:?}"
            );
        }
    }
    let response = app
        .anonymous(reqwest::Method::POST, &format!("{OPS}/getCaseDetails"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .header("content-type", "application/json")
        .body(body("getCaseDetails"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        case_customers(&app, "CA500").await,
        Vec::<serde_json::Value>::new()
    );
}

/// Issue 17, findings 6 and 7: a token issued for the CAM API (or the
/// console), one not valid yet, one issued in the future and one that lives
/// for years are each refused in the ECM envelope, though signed with the
/// right key and carrying `case:write`.
async fn a_token_for_another_api_or_out_of_its_time_is_refused(backend: Backend) {
    let app = spawn(backend).await;
    let refused = envelope("Authentication failed. A valid bearer token is required.");
    let roles = ["case:write"];
    for (what, claims) in refused_token_claims(
        "onboarding-ecm",
        &["onboarding-cam", "onboarding-console"],
        &roles,
    ) {
        assert_eq!(
            post_raw(
                &app,
                Some(&signed(&app, &claims)),
                "createCase",
                body("createCase")
            )
            .await,
            (StatusCode::UNAUTHORIZED, refused.clone()),
            "{what}"
        );
    }
    assert_eq!(
        post_raw(
            &app,
            Some(&reader(&app)),
            "getCaseDetails",
            json!({"caseId": "CA501"}).to_string()
        )
        .await,
        (StatusCode::NOT_FOUND, envelope("Case does not exist.")),
        "no case was created"
    );
    // Within the leeway and the lifetime, the same shape is let in.
    let fine = signed(&app, &edge_token_claims("onboarding-ecm", &roles));
    let (status, answer) = post_raw(&app, Some(&fine), "createCase", body("createCase")).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn a_read_only_role_reads_but_cannot_change(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA500"]).await;
    let read_only = reader(&app);
    let forbidden = envelope("The token does not allow this operation.");
    for op in CHANGES {
        assert_eq!(
            post_raw(&app, Some(&read_only), op, body(op)).await,
            (StatusCode::FORBIDDEN, forbidden.clone()),
            "{op}"
        );
    }
    for op in READS {
        let (status, answer) = post_raw(&app, Some(&read_only), op, body(op)).await;
        assert_eq!(
            (status, &answer["STATUS"]),
            (StatusCode::OK, &json!("SUCCESS")),
            "{op}: {answer}"
        );
    }
    let no_roles = token(&app, "nobody", &[]);
    for op in CHANGES.iter().chain(&READS) {
        assert_eq!(
            post_raw(&app, Some(&no_roles), op, body(op)).await,
            (StatusCode::FORBIDDEN, forbidden.clone()),
            "{op}"
        );
    }
    let (_, status) = post_raw(
        &app,
        Some(&read_only),
        "getCaseStatusDetails",
        body("getCaseStatusDetails"),
    )
    .await;
    assert_eq!(
        status["RESULTARRAY"][0]["caseStatusCode"], "NW",
        "nothing changed"
    );
    assert_eq!(
        case_customers(&app, "CA500").await,
        Vec::<serde_json::Value>::new()
    );
}

backend_tests!(
    a_missing_or_invalid_token_is_refused_in_the_ecm_envelope,
    a_read_only_role_reads_but_cannot_change,
    a_token_for_another_api_or_out_of_its_time_is_refused
);
