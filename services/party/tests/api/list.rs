//! Listing parties: filters and cursor pagination.

use crate::helpers::{create, invalid, minimal, spawn, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::call;
use testkit::{backend_tests, Backend, TestApp};

async fn page(app: &TestApp, query: &str) -> Value {
    let (status, body) =
        call(app.internal(Method::GET, &format!("/party/v1/parties?{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    body
}

async fn each_filter_finds_its_party(backend: Backend) {
    let app = spawn(backend).await;
    let virat = create(&app, &virat()).await;
    let mut rohit_input = minimal("Rohit", "Sharma");
    rohit_input["dateOfBirth"] = json!("1987-04-30");
    rohit_input["contactPoints"] =
        json!([{"channel": "email", "value": "rohit@test.com", "usage": null}]);
    rohit_input["identifiers"] =
        json!([{"type": "taxId", "formatCode": null, "value": "TX456", "issuingCountry": null}]);
    let rohit = create(&app, &rohit_input).await;
    let only = |p: &Value| json!({"items": [p], "nextCursor": null});
    let none = json!({"items": [], "nextCursor": null});

    assert_eq!(page(&app, "lastName=kohli").await, only(&virat));
    assert_eq!(page(&app, "lastName=Sharma").await, only(&rohit));
    assert_eq!(page(&app, "dateOfBirth=1985-10-10").await, only(&virat));
    assert_eq!(page(&app, "email=KANAND%40temenos.com").await, only(&virat));
    assert_eq!(page(&app, "email=rohit%40test.com").await, only(&rohit));
    assert_eq!(page(&app, "taxId=TX456").await, only(&rohit));
    assert_eq!(
        page(&app, "taxId=TX123&lastName=Kohli&dateOfBirth=1985-10-10").await,
        only(&virat)
    );
    assert_eq!(page(&app, "taxId=TX123&lastName=Sharma").await, none);
    assert_eq!(page(&app, "email=nobody%40test.com").await, none);
}

async fn pages_follow_the_cursor_to_the_end(backend: Backend) {
    let app = spawn(backend).await;
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(create(&app, &minimal(&format!("Twin{i}"), "Same")).await);
    }
    create(&app, &minimal("Other", "Family")).await;
    all.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));

    let first = page(&app, "lastName=Same&limit=2").await;
    assert_eq!(
        first,
        json!({"items": [all[0], all[1]], "nextCursor": all[1]["id"]})
    );
    let second = page(
        &app,
        &format!(
            "lastName=Same&limit=2&cursor={}",
            all[1]["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(
        second,
        json!({"items": [all[2], all[3]], "nextCursor": all[3]["id"]})
    );
    let last = page(
        &app,
        &format!(
            "lastName=Same&limit=2&cursor={}",
            all[3]["id"].as_str().expect("id")
        ),
    )
    .await;
    assert_eq!(last, json!({"items": [all[4]], "nextCursor": null}));
}

async fn bad_list_parameters_are_named(backend: Backend) {
    let app = spawn(backend).await;
    let cases = [
        ("limit=0", invalid("limit", "must be between 1 and 100")),
        ("limit=101", invalid("limit", "must be between 1 and 100")),
        (
            "limit=ten",
            invalid("limit", "invalid digit found in string"),
        ),
        (
            "dateOfBirth=1985-02-30",
            invalid("dateOfBirth", "1985-02-30 is not a real date"),
        ),
        (
            "cursor=abc",
            invalid("cursor", "is not a cursor this list returned"),
        ),
        ("surname=Kohli", invalid("surname", "is not a known field")),
    ];
    for (query, expected) in cases {
        let answer = call(app.internal(Method::GET, &format!("/party/v1/parties?{query}"))).await;
        assert_eq!(answer, (StatusCode::BAD_REQUEST, expected), "{query}");
    }
}

backend_tests!(
    each_filter_finds_its_party,
    pages_follow_the_cursor_to_the_end,
    bad_list_parameters_are_named
);
