//! Starting party-service and the parties the tests use.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use service_kit::server::Context;
use service_kit::Service;
use std::collections::HashMap;
use testkit::{Backend, TestApp};

/// Starts party-service alone on `backend`.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &[]).await
}

/// Starts party-service alone on `backend` with `extra` variables.
pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    TestApp::spawn(backend, &["party"], extra, &build).await
}

/// What the tests serve: party-service alone.
pub fn build(ctx: &Context, vars: &HashMap<String, String>) -> anyhow::Result<Vec<Service>> {
    Ok(vec![party::service(ctx, Some(vars))?])
}

/// The seed's main applicant, as a full party input.
pub fn virat() -> Value {
    json!({
        "kind": "person",
        "firstName": "Virat",
        "middleName": null,
        "lastName": "Kohli",
        "organisationName": null,
        "dateOfBirth": "1985-10-10",
        "nationality": "IN",
        "contactPoints": [
            {"channel": "email", "value": "kanand@temenos.com", "usage": "home"},
            {"channel": "phone", "value": "+919994305648", "usage": "mobile"}
        ],
        "identifiers": [
            {"type": "taxId", "formatCode": "S", "value": "TX123", "issuingCountry": "IN"}
        ],
        "addresses": [
            {"lines": ["Wall Street 101", "College Road"], "city": "New York", "state": "North",
             "postalCode": "12345-123", "countryCode": "US", "usage": "home"}
        ],
        "employment": {"status": "employed", "employer": "ORACLE", "occupation": "Engineer"}
    })
}

/// A minimal person: only what is required.
pub fn minimal(first: &str, last: &str) -> Value {
    json!({"kind": "person", "firstName": first, "lastName": last})
}

/// What the service answers for `input` stored under `id`: every writable
/// field (absent ones as `null` or `[]`) plus the id and timestamps.
pub fn stored(input: &Value, id: &str, created_at: &str, updated_at: &str) -> Value {
    let mut full = json!({
        "id": id,
        "kind": null, "firstName": null, "middleName": null, "lastName": null,
        "organisationName": null, "dateOfBirth": null, "nationality": null,
        "contactPoints": [], "identifiers": [], "addresses": [], "employment": null,
        "createdAt": created_at, "updatedAt": updated_at,
    });
    for (key, value) in input.as_object().expect("an object") {
        full[key] = value.clone();
    }
    full
}

/// Creates a party, asserting a 201 whose body is exactly the stored
/// `input`; returns the body.
pub async fn create(app: &TestApp, input: &Value) -> Value {
    let response = app
        .internal(Method::POST, "/party/v1/parties")
        .json(input)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"]
        .to_str()
        .expect("text")
        .to_owned();
    let body: Value = response.json().await.expect("json");
    let id = body["id"].as_str().expect("an id");
    assert_eq!(location, format!("/party/v1/parties/{id}"));
    assert_party_id(id);
    let created = body["createdAt"].as_str().expect("createdAt");
    assert_timestamp(created);
    assert_eq!(body, stored(input, id, created, created));
    body
}

/// Reads a party, asserting a 200.
pub async fn read(app: &TestApp, id: &str) -> Value {
    let response = app
        .internal(Method::GET, &format!("/party/v1/parties/{id}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// The problem+json body of a 400 naming `field`.
pub fn invalid(field: &str, message: &str) -> Value {
    json!({
        "type": "urn:onboarding:problem:invalid-input",
        "title": "The request is invalid",
        "status": 400,
        "detail": format!("{field}: {message}"),
        "errors": [{"field": field, "message": message}]
    })
}

/// Asserts the documented party id format.
pub fn assert_party_id(id: &str) {
    assert!(
        id.len() == 10 && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'),
        "{id}"
    );
}

/// Asserts the documented timestamp format.
pub fn assert_timestamp(at: &str) {
    assert!(chrono_like(at), "{at}");
}

fn chrono_like(at: &str) -> bool {
    // 2026-11-22T06:47:53.205402Z
    at.len() == 27 && at.ends_with('Z') && at.as_bytes()[10] == b'T' && at.as_bytes()[19] == b'.'
}
