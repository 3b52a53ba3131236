//! The internal erasure API (issue 17, "Retention and erasure"): a
//! customer on a case and named by an event, erased over
//! `POST /case/v1/customers/{customerId}/erasure`, reads as the tombstone
//! everywhere (the customer, its audit values, the event's entity name and
//! the event's audit value), with `customerErased` by the actor; a second
//! call and an unknown customer answer zeros; refusals are RFC 9457
//! problems naming the field.

use crate::events::real_time;
use crate::helpers::{create_cases, post, reader, spawn, writer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::{backend_tests, call, Backend, TestApp};

const PATH: &str = "/case/v1/customers/CUST-9/erasure";

/// Erases over the internal API: the status and the answer.
async fn erase(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    call(app.internal(Method::POST, path).json(body)).await
}

/// What a refusal of `field` answers.
fn refused(field: &str, message: &str) -> Value {
    json!({"type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid", "status": 400,
           "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]})
}

async fn a_customer_is_erased_from_cases_and_events(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["C1"]).await;
    let (status, added) = post(
        &app,
        &writer(&app),
        "addCustomer",
        &json!([{"caseId": "C1", "customers": [{"customerId": "CUST-9", "firstName": "Sachin",
                 "lastName": "Tendulkar", "taxId": "TX777", "pepFlagCode": "N"}]}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    let event = json!({"events": [{"eventCode": "EV9", "type": "AML",
        "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
                      "entityName": "Sachin Tendulkar", "focusFlag": "Y", "custId": "CUST-9"}],
        "details": [{"reason": "large transfer", "scenarioName": "User Defined Event"}]}],
     "entities": [{"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER", "entityName": "Sachin Tendulkar",
        "custId": "CUST-9", "customerName": "Sachin Tendulkar", "customerType": "IND", "taxID": "TX777"}]});
    let (status, promoted) = real_time(
        &app,
        Some(&writer(&app)),
        "saveEventsAndPromoteToCase",
        event.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{promoted}");

    let actor = json!({"actor": "retention-purge"});
    assert_eq!(
        erase(&app, PATH, &actor).await,
        (
            StatusCode::OK,
            json!({"customers": 2, "auditValues": 3, "events": 1})
        )
    );
    let zeros = json!({"customers": 0, "auditValues": 0, "events": 0});
    assert_eq!(
        erase(&app, PATH, &actor).await,
        (StatusCode::OK, zeros.clone())
    );
    assert_eq!(
        erase(&app, "/case/v1/customers/NOBODY/erasure", &actor).await,
        (StatusCode::OK, zeros)
    );

    for case in ["C1", "CA1"] {
        let request = json!({"caseId": case});
        let (status, details) = post(&app, &reader(&app), "getCaseDetails", &request).await;
        assert_eq!(status, StatusCode::OK, "{details}");
        let text = details.to_string();
        for value in ["Sachin", "Tendulkar", "TX777"] {
            assert!(!text.contains(value), "{case} still shows {value}: {text}");
        }
        assert_eq!(
            (
                &details["customers"][0]["firstName"],
                &details["customers"][0]["lastName"],
                &details["customers"][0]["taxId"]
            ),
            (&json!("[erased]"), &json!("[erased]"), &Value::Null),
            "{details}"
        );
        let erased: Vec<(&str, &str)> = details["audit"]
            .as_array()
            .expect("the trail")
            .iter()
            .filter(|e| e["action"] == "customerErased")
            .map(|e| {
                (
                    e["customerId"].as_str().unwrap_or(""),
                    e["actor"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(erased, vec![("CUST-9", "retention-purge")], "{details}");
    }
    let (_, promoted) = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA1"}),
    )
    .await;
    assert_eq!(
        promoted["events"][0]["event"]["entities"][0],
        json!({"entityCode": null, "entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
               "entityName": "[erased]", "jurisdiction": null, "focusFlag": "Y", "custId": "CUST-9"}),
        "{promoted}"
    );
    let added = promoted["audit"]
        .as_array()
        .and_then(|trail| trail.iter().find(|e| e["action"] == "eventAdded"))
        .and_then(|e| e["newValue"].as_str())
        .map(|v| serde_json::from_str::<Value>(v).expect("an event"))
        .unwrap_or_default();
    assert_eq!(
        added["event"]["entities"][0]["entityName"],
        json!("[erased]"),
        "{promoted}"
    );
}

async fn refusals_are_problems_naming_the_field(backend: Backend) {
    let app = spawn(backend).await;
    let (status, _) = call(
        app.anonymous(Method::POST, PATH)
            .json(&json!({"actor": "retention-purge"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        erase(&app, PATH, &json!({})).await,
        (StatusCode::BAD_REQUEST, refused("actor", "is required"))
    );
    assert_eq!(
        erase(&app, PATH, &json!({"actor": " "})).await,
        (
            StatusCode::BAD_REQUEST,
            refused("actor", "must not be blank")
        )
    );
    assert_eq!(
        erase(
            &app,
            "/case/v1/customers/%20/erasure",
            &json!({"actor": "retention-purge"})
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            refused("customerId", "must not be blank")
        )
    );
    let (status, _) = call(
        app.internal(Method::POST, PATH)
            .header("Content-Type", "text/plain")
            .body("actor"),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

backend_tests!(
    a_customer_is_erased_from_cases_and_events,
    refusals_are_problems_naming_the_field
);
