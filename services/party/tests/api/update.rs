//! Updating parties with JSON merge patches.

use crate::helpers::{create, invalid, read, spawn, stored, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::call;
use testkit::{backend_tests, Backend, TestApp};

async fn patch(app: &TestApp, id: &str, body: &Value) -> (StatusCode, Value) {
    let request = app
        .internal(Method::PATCH, &format!("/party/v1/parties/{id}"))
        .header("content-type", "application/merge-patch+json")
        .body(body.to_string());
    call(request).await
}

async fn a_patch_sets_clears_and_replaces(backend: Backend) {
    let app = spawn(backend).await;
    let before = create(&app, &virat()).await;
    let id = before["id"].as_str().expect("id");
    let (status, after) = patch(
        &app,
        id,
        &json!({
            "middleName": "Prem",
            "nationality": null,
            "contactPoints": [{"channel": "email", "value": "virat@example.com"}],
            "employment": {"occupation": "Captain"}
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let mut expected_input = virat();
    expected_input["middleName"] = json!("Prem");
    expected_input["nationality"] = Value::Null;
    expected_input["contactPoints"] =
        json!([{"channel": "email", "value": "virat@example.com", "usage": null}]);
    expected_input["employment"]["occupation"] = json!("Captain");
    let updated_at = after["updatedAt"].as_str().expect("updatedAt");
    assert!(updated_at >= before["updatedAt"].as_str().expect("updatedAt"));
    assert_eq!(
        after,
        stored(
            &expected_input,
            id,
            before["createdAt"].as_str().expect("createdAt"),
            updated_at
        )
    );
    assert_eq!(read(&app, id).await, after);
}

async fn an_invalid_patch_changes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let before = create(&app, &virat()).await;
    let id = before["id"].as_str().expect("id");
    let cases = [
        (
            json!({"dateOfBirth": "1985-13-01"}),
            invalid("dateOfBirth", "1985-13-01 is not a real date"),
        ),
        (
            json!({"lastName": null}),
            invalid("lastName", "is required for a person"),
        ),
        (
            json!({"id": "1111111111"}),
            invalid("id", "is not a known field"),
        ),
        (
            json!({"contactPoints": [{"channel": "email", "value": "nope"}]}),
            invalid("contactPoints[0].value", "must be a valid email address"),
        ),
        (
            json!(["not", "a", "patch"]),
            invalid("body", "must be a JSON object"),
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            patch(&app, id, &body).await,
            (StatusCode::BAD_REQUEST, expected),
            "{body}"
        );
    }
    assert_eq!(read(&app, id).await, before);
}

async fn patching_an_unknown_party_is_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let (status, body) = patch(&app, "1234567890", &json!({"middleName": "X"})).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::NOT_FOUND,
            json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404, "detail": "party not found"})
        )
    );
}

/// Concurrent patches of different fields: each one that succeeds is kept
/// (no lost update), and a patch that loses every race gets a 409.
async fn concurrent_patches_lose_no_update(backend: Backend) {
    let app = spawn(backend).await;
    let before = create(
        &app,
        &json!({"kind": "person", "firstName": "Rohit", "lastName": "Sharma"}),
    )
    .await;
    let id = before["id"].as_str().expect("id");
    let patches = [
        ("middleName", json!("Gurunath")),
        ("nationality", json!("IN")),
        ("dateOfBirth", json!("1987-04-30")),
        (
            "employment",
            json!({"status": "employed", "employer": "BCCI", "occupation": null}),
        ),
        (
            "identifiers",
            json!([{"type": "taxId", "formatCode": null, "value": "TX999", "issuingCountry": null}]),
        ),
        (
            "addresses",
            json!([{"lines": ["1 Marine Drive"], "city": null, "state": null, "postalCode": null, "countryCode": "IN", "usage": null}]),
        ),
    ];
    let bodies: Vec<Value> = patches
        .iter()
        .map(|(field, value)| json!({ *field: value }))
        .collect();
    let sent = bodies.iter().map(|body| patch(&app, id, body));
    let answers = futures_util::future::join_all(sent).await;
    let after = read(&app, id).await;
    let mut applied = 0;
    for ((field, value), (status, _)) in patches.iter().zip(&answers) {
        match status {
            &StatusCode::OK => {
                applied += 1;
                assert_eq!(
                    &after[*field], value,
                    "{field} was applied and must be kept"
                );
            }
            &StatusCode::CONFLICT => {
                assert_eq!(after[*field], before[*field], "{field} was refused")
            }
            other => panic!("unexpected {other} for {field}"),
        }
    }
    assert!(applied >= 1);
}

async fn a_deleted_party_is_gone_with_its_details(backend: Backend) {
    let app = spawn(backend).await;
    let party = create(&app, &virat()).await;
    let id = party["id"].as_str().expect("id");
    let deleted = app
        .internal(Method::DELETE, &format!("/party/v1/parties/{id}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let not_found = json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404, "detail": "party not found"});
    for method in [Method::GET, Method::DELETE] {
        let answer = call(app.internal(method, &format!("/party/v1/parties/{id}"))).await;
        assert_eq!(answer, (StatusCode::NOT_FOUND, not_found.clone()));
    }
    let (_, page) = call(app.internal(Method::GET, "/party/v1/parties?taxId=TX123")).await;
    assert_eq!(
        page,
        json!({"items": [], "nextCursor": null}),
        "its identifiers went with it"
    );
}

backend_tests!(
    a_deleted_party_is_gone_with_its_details,
    a_patch_sets_clears_and_replaces,
    an_invalid_patch_changes_nothing,
    patching_an_unknown_party_is_not_found,
    concurrent_patches_lose_no_update,
);
