//! Reading: a case's customers a page at a time, the cases of a customer,
//! and a case's audit trail.

use crate::helpers::{
    create_cases, customer, envelope, post, reader, seed_customer, spawn, stored, token, writer,
    ANALYST,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

async fn page(app: &testkit::TestApp, op: &str, body: Value) -> Value {
    let (status, answer) = post(app, &reader(app), op, &body).await;
    assert_eq!(status, StatusCode::OK, "{op}: {answer}");
    answer
}

async fn customers_and_cases_page_by_cursor(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA702", "CA700", "CA701", "CA703"]).await;
    let token = writer(&app);
    let request = json!([
        {"caseId": "CA700", "customers": [customer("C3"), customer("C1"), customer("C2"), customer("SHARED")]},
        {"caseId": "CA702", "customers": [customer("SHARED")]},
        {"caseId": "CA701", "customers": [customer("SHARED")]}
    ]);
    assert_eq!(
        post(&app, &token, "addCustomer", &request).await.0,
        StatusCode::OK
    );

    let ids = |answer: &Value, list: &str, key: &str| -> Vec<String> {
        answer[list]
            .as_array()
            .expect("a list")
            .iter()
            .map(|c| c[key].as_str().expect("an id").to_owned())
            .collect()
    };
    let first = page(
        &app,
        "getCaseDetails",
        json!({"caseId": "CA700", "limit": 3}),
    )
    .await;
    assert_eq!(
        (ids(&first, "customers", "customerId"), &first["nextCursor"]),
        (vec!["C1".into(), "C2".into(), "C3".into()], &json!("C3"))
    );
    // A whole number written `3.0` is the same limit (JSON Schema's
    // `integer`, as the document says, takes it).
    assert_eq!(
        page(
            &app,
            "getCaseDetails",
            json!({"caseId": "CA700", "limit": 3.0}),
        )
        .await,
        first
    );
    let last = page(
        &app,
        "getCaseDetails",
        json!({"caseId": "CA700", "limit": 3, "cursor": "C3"}),
    )
    .await;
    assert_eq!(
        (ids(&last, "customers", "customerId"), &last["nextCursor"]),
        (vec!["SHARED".into()], &Value::Null)
    );

    let first = page(
        &app,
        "getCustomerCases",
        json!({"customerId": "SHARED", "limit": 2}),
    )
    .await;
    let summary = first["cases"][0].clone();
    assert_eq!(
        first,
        json!({
            "MESSAGE": "Cases fetched successfully.", "STATUS": "SUCCESS", "customerId": "SHARED",
            "cases": [summary, first["cases"][1]], "nextCursor": "CA701"
        })
    );
    assert_eq!(ids(&first, "cases", "caseId"), vec!["CA700", "CA701"]);
    assert_eq!(
        (
            &summary["caseStatusCode"],
            &summary["createdBy"],
            &summary["caseClosedFlag"]
        ),
        (&json!("NW"), &json!(ANALYST), &json!("N"))
    );
    let last = page(
        &app,
        "getCustomerCases",
        json!({"customerId": "SHARED", "limit": 2, "cursor": "CA701"}),
    )
    .await;
    assert_eq!(
        (ids(&last, "cases", "caseId"), &last["nextCursor"]),
        (vec!["CA702".into()], &Value::Null)
    );
    assert_eq!(
        page(&app, "getCustomerCases", json!({"customerId": "NOBODY"})).await,
        json!({"MESSAGE": "Cases fetched successfully.", "STATUS": "SUCCESS", "customerId": "NOBODY", "cases": [], "nextCursor": null})
    );

    for (body, message) in [
        (
            json!({"caseId": "CA700", "limit": 0}),
            "Invalid limit: must be a whole number from 1 to 100.",
        ),
        (
            json!({"caseId": "CA700", "limit": "10"}),
            "Invalid limit: must be a whole number from 1 to 100.",
        ),
        (
            json!({"caseId": "CA700", "cursor": 5}),
            "Invalid cursor: must be the nextCursor of the previous page.",
        ),
    ] {
        assert_eq!(
            post(&app, &reader(&app), "getCaseDetails", &body).await,
            (StatusCode::BAD_REQUEST, envelope(message))
        );
    }
    assert_eq!(
        post(
            &app,
            &reader(&app),
            "getCaseDetails",
            &json!({"caseId": "CA799"})
        )
        .await,
        (StatusCode::NOT_FOUND, envelope("Case does not exist."))
    );
    assert_eq!(
        post(&app, &reader(&app), "getCaseDetails", &json!({"limit": 5})).await,
        (
            StatusCode::BAD_REQUEST,
            envelope("Input JSON data does not have caseId.")
        )
    );
}

async fn every_change_is_in_the_audit_trail(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA710"]).await;
    let other = token(&app, "supervisor-1", &["case:write"]);
    let analyst = writer(&app);
    post(
        &app,
        &analyst,
        "addCustomer",
        &json!([{"caseId": "CA710", "customers": [customer("C1"), customer("C2")]}]),
    )
    .await;
    post(
        &app,
        &other,
        "updateCaseStatus",
        &json!([{"caseId": "CA710", "caseStatusCode": "ESC"}]),
    )
    .await;
    post(
        &app,
        &other,
        "removeCustomer",
        &json!([{"caseId": "CA710", "customers": [{"customerId": "C1"}]}]),
    )
    .await;

    let mut events = Vec::new();
    let mut cursor = Value::Null;
    loop {
        let answer = page(
            &app,
            "getCaseAudit",
            json!({"caseId": "CA710", "limit": 2, "cursor": cursor}),
        )
        .await;
        events.extend(answer["events"].as_array().expect("events").iter().cloned());
        cursor = answer["nextCursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    // A customer's values are the customer as getCaseDetails showed it.
    let (c1, c2) = (stored(&customer("C1")), stored(&customer("C2")));
    let none = Value::Null;
    let expected = [
        (ANALYST, "caseCreated", None, None, Some("NW"), &none, &none),
        (ANALYST, "customerAdded", Some("C1"), None, None, &none, &c1),
        (ANALYST, "customerAdded", Some("C2"), None, None, &none, &c2),
        (
            "supervisor-1",
            "statusChanged",
            None,
            Some("NW"),
            Some("ESC"),
            &none,
            &none,
        ),
        (
            "supervisor-1",
            "customerRemoved",
            Some("C1"),
            None,
            None,
            &c1,
            &none,
        ),
    ];
    assert_eq!(events.len(), expected.len(), "{events:#?}");
    for (event, (actor, action, customer, from, to, old, new)) in events.iter().zip(expected) {
        let at = event["at"].as_str().expect("at");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
        // The values are JSON text, in a string.
        let mut event = event.clone();
        for key in ["oldValue", "newValue"] {
            if let Some(text) = event[key].as_str() {
                event[key] = serde_json::from_str(text).expect("JSON");
            }
        }
        assert_eq!(
            event,
            json!({
                "eventId": event["eventId"], "at": at, "actor": actor, "action": action,
                "customerId": customer, "fromStatus": from, "toStatus": to,
                "oldValue": old, "newValue": new
            })
        );
    }
    let ids: Vec<i64> = events
        .iter()
        .map(|e| e["eventId"].as_i64().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    assert_eq!(
        post(
            &app,
            &reader(&app),
            "getCaseAudit",
            &json!({"caseId": "CA799"})
        )
        .await,
        (StatusCode::NOT_FOUND, envelope("Case does not exist."))
    );
}

/// A whole getCaseDetails answer, pinned: the seed's customer with every
/// field and list, and a customer with a few. Times change with each run.
async fn case_details_whole_answer(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA710"]).await;
    let request = json!([{"caseId": "CA710", "customers": [seed_customer(), customer("C1")]}]);
    assert_eq!(
        post(&app, &writer(&app), "addCustomer", &request).await.0,
        StatusCode::OK
    );
    let mut answer = page(&app, "getCaseDetails", json!({"caseId": "CA710"})).await;
    answer["case"]["caseStatusDateTime"] = json!("[time]");
    answer["case"]["createdOn"] = json!("[time]");
    for entry in answer["audit"].as_array_mut().expect("audit") {
        entry["at"] = json!("[time]");
    }
    // serde_json writes the numbers as they came (the workspace turns on its
    // `arbitrary_precision`); insta's own JSON writer would write each as
    // the map serde_json hands it over as.
    // Keys sorted, as the snapshot has always listed them: their order on
    // the wire is not part of the contract.
    answer.sort_all_objects();
    let text = serde_json::to_string_pretty(&answer).expect("JSON");
    insta::assert_snapshot!("get_case_details", text);
}

backend_tests!(
    customers_and_cases_page_by_cursor,
    every_change_is_in_the_audit_trail,
    case_details_whole_answer
);
