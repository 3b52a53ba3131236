//! Creates and updates happen once, however often they are sent.

use crate::helpers::{fabric, profile, spawn, User};
use reqwest::StatusCode;
use serde_json::json;
use testkit::call;
use testkit::{backend_tests, Backend};

async fn concurrent_creates_with_one_key_make_one_application(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "twice");
    let body = profile("Concurrent", "Creator");
    let send_once = || {
        call(
            user.request("PersonalInfo/createProspectProfile")
                .header("Idempotency-Key", "key-1")
                .json(&body),
        )
    };
    let answers = futures_util::future::join_all((0..8).map(|_| send_once())).await;
    for (status, answer) in &answers {
        assert_eq!((*status, answer), (StatusCode::OK, &answers[0].1));
    }
    let (_, parties) =
        call(app.internal(reqwest::Method::GET, "/party/v1/parties?lastName=Creator")).await;
    assert_eq!(
        parties["items"].as_array().map(Vec::len),
        Some(1),
        "one party"
    );
    assert_eq!(parties["items"][0]["id"], answers[0].1["Party_Id"]);
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(
        audit["AuditEvents"].as_array().map(|e| e
            .iter()
            .filter(|e| e["kind"] == "application-created")
            .count()),
        Some(1)
    );

    let mut other = body.clone();
    other["FirstName"] = json!("Different");
    let reused = call(
        user.request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "key-1")
            .json(&other),
    )
    .await;
    assert_eq!(
        reused,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10305,
                "Idempotency-Key: was used for a different request"
            )
        )
    );
    let fresh = call(
        user.request("PersonalInfo/createProspectProfile")
            .header("Idempotency-Key", "key-2")
            .json(&body),
    )
    .await;
    assert_ne!(
        fresh.1["Application_id"], answers[0].1["Application_id"],
        "another key is another application"
    );
}

async fn updates_apply_once(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "retrier");
    let (application, party) = user.application("Virat", "Kohli").await;
    let time = format!("TimeOnCurrentAddress_{party}_{application}");
    let update =
        json!({"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"});
    let answers = futures_util::future::join_all(
        (0..4).map(|_| user.call("UserAction/updateUserAction", &update)),
    )
    .await;
    let ok: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    assert!(!ok.is_empty());
    for (_, answer) in &ok {
        assert_eq!(
            answer["id"], ok[0].1["id"],
            "every success names the one change"
        );
    }
    for (status, answer) in &answers {
        assert!(
            *status == StatusCode::OK || answer["dbpErrCode"] == "10301",
            "{answer}"
        );
    }
    let retried = user.call("UserAction/updateUserAction", &update).await;
    assert_eq!(retried, (StatusCode::OK, ok[0].1.clone()));
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    let changes = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "status-change")
        .count();
    assert_eq!(changes, 1, "one change recorded");
    let (status, pre) = user
        .call("UserAction/createPreRequirements", &json!({}))
        .await;
    assert_eq!(
        (status, pre["count"].clone()),
        (StatusCode::OK, json!(4)),
        "pre-requirements are not created twice"
    );
}

backend_tests!(
    concurrent_creates_with_one_key_make_one_application,
    updates_apply_once
);
