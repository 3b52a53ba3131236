//! Creating and reading parties.

use crate::helpers::{assert_party_id, create, minimal, read, spawn, virat};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashSet;
use testkit::call;
use testkit::{backend_tests, Backend};

async fn creates_a_person_and_reads_it_back(backend: Backend) {
    let app = spawn(backend).await;
    let created = create(&app, &virat()).await;
    assert_eq!(
        read(&app, created["id"].as_str().expect("id")).await,
        created
    );
}

async fn creates_an_organisation(backend: Backend) {
    let app = spawn(backend).await;
    let org = json!({
        "kind": "organisation",
        "organisationName": "ABC Trust",
        "identifiers": [{"type": "companyRegistration", "formatCode": null, "value": "RC-778899", "issuingCountry": "GB"}],
        "contactPoints": [{"channel": "email", "value": "ops@abc.example", "usage": "work"}]
    });
    let created = create(&app, &org).await;
    assert_eq!(
        read(&app, created["id"].as_str().expect("id")).await,
        created
    );
}

async fn ids_are_unique_and_not_sequential_under_concurrent_creates(backend: Backend) {
    let app = spawn(backend).await;
    let inputs: Vec<_> = (0..25)
        .map(|i| minimal("Test", &format!("Person{i}")))
        .collect();
    let creates = inputs.iter().map(|input| create(&app, input));
    let bodies = futures_util::future::join_all(creates).await;
    let ids: Vec<u64> = bodies
        .iter()
        .map(|b| {
            let id = b["id"].as_str().expect("id");
            assert_party_id(id);
            id.parse().expect("digits")
        })
        .collect();
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        25,
        "ids are unique"
    );
    let mut sorted = ids.clone();
    sorted.sort();
    assert!(
        sorted.windows(2).any(|w| w[1] - w[0] > 1_000),
        "ids are spread out, not counted: {sorted:?}"
    );
    for body in &bodies {
        let id = body["id"].as_str().expect("id");
        assert_eq!(&read(&app, id).await, body);
    }
}

async fn unknown_and_malformed_ids_are_not_found(backend: Backend) {
    let app = spawn(backend).await;
    let not_found = json!({
        "type": "urn:onboarding:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": "party not found"
    });
    for id in ["1234567890", "12", "abcdefghij", "0123456789"] {
        let (status, body) =
            call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
        assert_eq!(
            (status, body),
            (StatusCode::NOT_FOUND, not_found.clone()),
            "{id}"
        );
    }
}

backend_tests!(
    creates_a_person_and_reads_it_back,
    creates_an_organisation,
    ids_are_unique_and_not_sequential_under_concurrent_creates,
    unknown_and_malformed_ids_are_not_found,
);
