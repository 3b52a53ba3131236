//! `updateCaseDescription` (ECM guide 4.6): the vendor's sample and every
//! refusal it documents, each answered whole, and the change in the audit
//! trail with the old and new values.

use crate::helpers::{
    case_answer, case_details, create_cases, envelope, post, post_raw, reader, spawn, writer,
    ANALYST,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// The vendor's request sample, verbatim.
const SAMPLE: &str = r#"{"caseId":"CA100","caseDescription":"This case was created because of suspicious events reported on the customer."}"#;

/// The description `getCaseDetails` shows for `case_id`.
async fn description_of(app: &TestApp, case_id: &str) -> Value {
    case_details(app, case_id).await["case"]["caseDescription"].clone()
}

/// The audit events of `case_id` with `action`, without their ids and times.
pub async fn audited(app: &TestApp, case_id: &str, action: &str) -> Vec<Value> {
    let (status, trail) = post(
        app,
        &reader(app),
        "getCaseAudit",
        &json!({"caseId": case_id, "limit": 100}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| {
            let mut e = e.clone();
            let at = e["at"].as_str().expect("a time");
            assert!(
                chrono::DateTime::parse_from_rfc3339(at).is_ok(),
                "{at} is RFC 3339"
            );
            e.as_object_mut().expect("an event").remove("eventId");
            e.as_object_mut().expect("an event").remove("at");
            e
        })
        .collect()
}

async fn the_vendor_sample_sets_the_description_and_audits_it(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let token = writer(&app);
    let success = case_answer("Case description updated successfully.", "SUCCESS", "CA100");
    assert_eq!(
        post_raw(
            &app,
            Some(&token),
            "updateCaseDescription",
            SAMPLE.to_owned()
        )
        .await,
        (StatusCode::OK, success.clone())
    );
    let first = "This case was created because of suspicious events reported on the customer.";
    assert_eq!(description_of(&app, "CA100").await, json!(first));
    let second = "Escalated: the customer's transfers doubled.";
    assert_eq!(
        post(
            &app,
            &token,
            "updateCaseDescription",
            &json!({"caseId": "CA100", "caseDescription": second})
        )
        .await,
        (StatusCode::OK, success)
    );
    assert_eq!(description_of(&app, "CA100").await, json!(second));
    let change = |old: Value, new: &str| {
        json!({"actor": ANALYST, "action": "descriptionChanged", "customerId": null,
               "fromStatus": null, "toStatus": null, "oldValue": old, "newValue": new})
    };
    assert_eq!(
        audited(&app, "CA100", "descriptionChanged").await,
        vec![change(Value::Null, first), change(json!(first), second)]
    );
}

async fn every_documented_refusal_is_answered_whole(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;
    let token = writer(&app);
    let bad = StatusCode::BAD_REQUEST;
    let invalid = envelope("Invalid JSON Input format. Please correct the data.");
    let refusals = [
        (
            json!({"caseId": "CA100"}).to_string(),
            case_answer(
                "Input JSON data does not have caseDescription.",
                "FAILED",
                "CA100",
            ),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": null}).to_string(),
            case_answer(
                "Input JSON data does not have caseDescription.",
                "FAILED",
                "CA100",
            ),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": "  "}).to_string(),
            case_answer(
                "Input JSON data does not have caseDescription.",
                "FAILED",
                "CA100",
            ),
        ),
        (
            json!({"caseId": "CA3600", "caseDescription": "x"}).to_string(),
            case_answer("Case does not exist.", "FAILED", "CA3600"),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": "x".repeat(2001)}).to_string(),
            case_answer(
                "Invalid caseDescription: must be at most 2000 characters.",
                "FAILED",
                "CA100",
            ),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": "a\u{0}b"}).to_string(),
            case_answer(
                "Invalid caseDescription: must not contain control characters.",
                "FAILED",
                "CA100",
            ),
        ),
        (
            json!({"caseDescription": "x"}).to_string(),
            envelope("Input JSON data does not have caseId."),
        ),
        (
            json!({"caseId": " ", "caseDescription": "x"}).to_string(),
            envelope("Input JSON data does not have caseId."),
        ),
        (
            json!({"caseId": "C".repeat(65), "caseDescription": "x"}).to_string(),
            envelope("Invalid caseId: must be at most 64 characters."),
        ),
        ("{\"caseId\": \"CA100\",".to_owned(), invalid.clone()),
        (
            json!([json!({"caseId": "CA100", "caseDescription": "x"})]).to_string(),
            invalid.clone(),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": 5}).to_string(),
            invalid.clone(),
        ),
        (
            json!({"caseId": 100, "caseDescription": "x"}).to_string(),
            invalid.clone(),
        ),
        (
            json!({"caseId": "CA100", "caseDescription": "x", "note": 1}).to_string(),
            invalid.clone(),
        ),
    ];
    for (body, expected) in refusals {
        assert_eq!(
            post_raw(&app, Some(&token), "updateCaseDescription", body.clone()).await,
            (bad, expected),
            "{body}"
        );
    }
    assert_eq!(
        description_of(&app, "CA100").await,
        Value::Null,
        "nothing changed"
    );
    assert_eq!(
        audited(&app, "CA100", "descriptionChanged").await,
        Vec::<Value>::new()
    );
    let most = "é".repeat(2000);
    assert_eq!(
        post(
            &app,
            &token,
            "updateCaseDescription",
            &json!({"caseId": "CA100", "caseDescription": most})
        )
        .await
        .0,
        StatusCode::OK,
        "2000 characters are accepted"
    );
    assert_eq!(description_of(&app, "CA100").await, json!(most));
}

backend_tests!(
    the_vendor_sample_sets_the_description_and_audits_it,
    every_documented_refusal_is_answered_whole
);
