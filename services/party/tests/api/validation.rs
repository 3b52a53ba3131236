//! Every kind of bad input gets a problem+json answer naming the field, and
//! nothing is written.

use crate::helpers::{invalid, spawn, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::call;
use testkit::{backend_tests, Backend, TestApp};

/// Posts `body` (raw text) and asserts the exact answer, then that no party
/// was written.
async fn refused(app: &TestApp, body: String, status: StatusCode, expected: Value) {
    let request = app
        .internal(Method::POST, "/party/v1/parties")
        .header("content-type", "application/json")
        .body(body.clone());
    assert_eq!(call(request).await, (status, expected), "body: {body}");
    let (_, page) = call(app.internal(Method::GET, "/party/v1/parties")).await;
    assert_eq!(
        page,
        json!({"items": [], "nextCursor": null}),
        "nothing was written for {body}"
    );
}

/// `virat()` with `field` set to `value` (`null` removes it).
fn with(field: &str, value: Value) -> String {
    let mut input = virat();
    if value.is_null() {
        input.as_object_mut().expect("object").remove(field);
    } else {
        input[field] = value;
    }
    input.to_string()
}

async fn malformed_json_and_missing_fields(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    refused(
        &app,
        "{\"kind\": \"person\",".into(),
        bad,
        invalid("body", "is not valid JSON: EOF while parsing a value"),
    )
    .await;
    refused(
        &app,
        "[]".into(),
        bad,
        invalid("body", "must be a JSON object"),
    )
    .await;
    refused(
        &app,
        with("kind", Value::Null),
        bad,
        invalid("kind", "is required"),
    )
    .await;
    refused(
        &app,
        with("firstName", json!(5)),
        bad,
        invalid("firstName", "invalid type: integer `5`, expected a string"),
    )
    .await;
    refused(
        &app,
        with("nickname", json!("Cheeku")),
        bad,
        invalid("nickname", "is not a known field"),
    )
    .await;
    refused(
        &app,
        with("contactPoints", json!([{"channel": "email"}])),
        bad,
        invalid("contactPoints[0].value", "is required"),
    )
    .await;
    refused(
        &app,
        with("lastName", Value::Null),
        bad,
        invalid("lastName", "is required for a person"),
    )
    .await;
}

async fn impossible_future_and_malformed_dates(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    refused(
        &app,
        with("dateOfBirth", json!("1985-02-30")),
        bad,
        invalid("dateOfBirth", "1985-02-30 is not a real date"),
    )
    .await;
    refused(
        &app,
        with("dateOfBirth", json!("2999-01-01")),
        bad,
        invalid("dateOfBirth", "must not be in the future"),
    )
    .await;
    refused(
        &app,
        with("dateOfBirth", json!("10/10/1985")),
        bad,
        invalid("dateOfBirth", "must be a date written YYYY-MM-DD"),
    )
    .await;
}

async fn bad_email_and_phone(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    refused(
        &app,
        with(
            "contactPoints",
            json!([{"channel": "email", "value": "kanand.temenos.com"}]),
        ),
        bad,
        invalid("contactPoints[0].value", "must be a valid email address"),
    )
    .await;
    refused(
        &app,
        with("contactPoints", json!([{"channel": "email", "value": "a@b.com"}, {"channel": "phone", "value": "call me"}])),
        bad,
        invalid("contactPoints[1].value", "must be an optional + followed by 4 to 15 digits"),
    )
    .await;
}

async fn over_long_strings(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    refused(
        &app,
        with("firstName", json!("V".repeat(101))),
        bad,
        invalid("firstName", "must be at most 100 characters"),
    )
    .await;
    refused(
        &app,
        with(
            "identifiers",
            json!([{"type": "taxId", "value": "9".repeat(65)}]),
        ),
        bad,
        invalid("identifiers[0].value", "must be at most 64 characters"),
    )
    .await;
    refused(
        &app,
        with("firstName", json!("   ")),
        bad,
        invalid("firstName", "must not be blank"),
    )
    .await;
}

async fn unknown_enum_codes(backend: Backend) {
    let app = spawn(backend).await;
    let bad = StatusCode::BAD_REQUEST;
    refused(
        &app,
        with("kind", json!("robot")),
        bad,
        invalid(
            "kind",
            "unknown variant `robot`, expected `person` or `organisation`",
        ),
    )
    .await;
    refused(
        &app,
        with(
            "contactPoints",
            json!([{"channel": "fax", "value": "123456"}]),
        ),
        bad,
        invalid(
            "contactPoints[0].channel",
            "unknown variant `fax`, expected `email` or `phone`",
        ),
    )
    .await;
    refused(
        &app,
        with("nationality", json!("india")),
        bad,
        invalid(
            "nationality",
            "must be a country code of 2 or 3 upper-case letters",
        ),
    )
    .await;
}

async fn wrong_media_type_and_oversized_bodies(backend: Backend) {
    let app = spawn(backend).await;
    let request = app
        .internal(Method::POST, "/party/v1/parties")
        .header("content-type", "text/plain")
        .body(virat().to_string());
    assert_eq!(
        call(request).await,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({
                "type": "urn:onboarding:problem:unsupported-media-type",
                "title": "Unsupported media type",
                "status": 415,
                "detail": "the body must be application/json"
            })
        )
    );
    let huge = with("firstName", json!("V".repeat(300 * 1024)));
    refused(
        &app,
        huge,
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({
            "type": "urn:onboarding:problem:too-large",
            "title": "The body is too large",
            "status": 413,
            "detail": "the body exceeds 262144 bytes"
        }),
    )
    .await;
}

async fn several_rule_violations_are_all_named(backend: Backend) {
    let app = spawn(backend).await;
    let body = json!({"kind": "organisation", "firstName": "Virat", "dateOfBirth": "1985-10-10"})
        .to_string();
    refused(
        &app,
        body,
        StatusCode::BAD_REQUEST,
        json!({
            "type": "urn:onboarding:problem:invalid-input",
            "title": "The request is invalid",
            "status": 400,
            "detail": "organisationName: is required for an organisation; firstName: is not allowed for an organisation; dateOfBirth: is not allowed for an organisation",
            "errors": [
                {"field": "organisationName", "message": "is required for an organisation"},
                {"field": "firstName", "message": "is not allowed for an organisation"},
                {"field": "dateOfBirth", "message": "is not allowed for an organisation"}
            ]
        }),
    )
    .await;
}

backend_tests!(
    malformed_json_and_missing_fields,
    impossible_future_and_malformed_dates,
    bad_email_and_phone,
    over_long_strings,
    unknown_enum_codes,
    wrong_media_type_and_oversized_bodies,
    several_rule_violations_are_all_named,
);
