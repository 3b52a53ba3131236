//! updateEventRiskDecision (ECM guide 4.17): decisions on a case's events.

use crate::events::{promoted, real_time, sample_as};
use crate::helpers::{envelope, post, post_raw, reader, token, writer};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

const OP: &str = "updateEventRiskDecision";

/// The vendor's sample, for `case_id` and `event_code`.
fn decision(case_id: &str, event_code: &str) -> Value {
    json!([{"caseId": case_id, "events": [{
        "eventCode": event_code, "eventTypeCode": "AML", "dataOrigin": "DLY",
        "eventDecisionCode": 1, "standardCommentId": "8151,8152",
        "comments": "This event is suspicious."
    }]}])
}

fn line(status: &str, message: &str, event_code: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "eventCode": event_code})
}

/// Promotes the appendix C sample as `event_code`, opening `case_id`.
async fn promote(app: &TestApp, event_code: &str, case_id: &str) {
    assert_eq!(
        real_time(
            app,
            Some(&writer(app)),
            "saveEventsAndPromoteToCase",
            sample_as(event_code).to_string()
        )
        .await,
        promoted(case_id, &[event_code])
    );
}

async fn event_of(app: &TestApp, case_id: &str) -> Value {
    let (status, details) = post(
        app,
        &reader(app),
        "getCaseDetails",
        &json!({"caseId": case_id}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{details}");
    details["events"][0].clone()
}

async fn the_vendors_sample_records_a_decision(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    promote(&app, "ECMRT1662738331135", "CA1").await;
    let done = "Event Decision updation was successful.";
    assert_eq!(
        post(
            &app,
            &writer(&app),
            OP,
            &decision("CA1", "ECMRT1662738331135")
        )
        .await,
        (
            StatusCode::OK,
            json!({"MESSAGE": done, "STATUS": "SUCCESS", "RESULTARRAY": [
                {"MESSAGE": done, "STATUS": "SUCCESS", "caseId": "CA1", "events": [
                    line("SUCCESS", "Event Decision updated successfully.", "ECMRT1662738331135")
                ]}
            ]})
        )
    );
    let event = event_of(&app, "CA1").await;
    assert_eq!(
        (
            &event["eventDecisionCode"],
            &event["standardCommentId"],
            &event["decisionComments"],
            &event["decidedBy"]
        ),
        (
            &json!(1),
            &json!("8151,8152"),
            &json!("This event is suspicious."),
            &json!("analyst-7")
        )
    );
    assert!(event["decidedAt"].is_string(), "{event}");

    // A second decision replaces the first; the audit trail keeps both.
    let mut again = decision("CA1", "ECMRT1662738331135");
    again[0]["events"][0]["eventDecisionCode"] = json!(2);
    let (status, _) = post(&app, &token(&app, "analyst-9", &["case:write"]), OP, &again).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(event_of(&app, "CA1").await["eventDecisionCode"], json!(2));
    let (_, trail) = post(
        &app,
        &reader(&app),
        "getCaseAudit",
        &json!({"caseId": "CA1"}),
    )
    .await;
    let decided: Vec<(Value, Value, Value)> = trail["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == json!("eventDecided"))
        .map(|e| {
            (
                e["actor"].clone(),
                e["oldValue"].clone(),
                e["newValue"].clone(),
            )
        })
        .collect();
    assert_eq!(
        decided,
        vec![
            (json!("analyst-7"), Value::Null, json!("1")),
            (json!("analyst-9"), json!("1"), json!("2"))
        ]
    );
}

async fn partly_done_and_nothing_done(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    promote(&app, "EV1", "CA1").await;
    let token = writer(&app);
    let mut bad_ids = decision("CA1", "EV1")[0]["events"][0].clone();
    bad_ids["standardCommentId"] = json!("81,x");
    let mut wrong_type = decision("CA1", "EV1")[0]["events"][0].clone();
    wrong_type["eventTypeCode"] = json!("FRAUD");
    let request = json!([
        {"caseId": "CA1", "events": [decision("CA1", "EV1")[0]["events"][0], bad_ids, wrong_type,
                                     {"eventCode": "EV-NONE", "eventDecisionCode": 1}]},
        {"caseId": "CA3600", "events": [{"eventCode": "EV1", "eventDecisionCode": 1}]}
    ]);
    let partial = "Event Decision updation was partially successful.";
    let failed = "Event Decision updation failed.";
    assert_eq!(
        post(&app, &token, OP, &request).await,
        (
            StatusCode::OK,
            json!({"MESSAGE": partial, "STATUS": "PARTIALSUCCESS", "RESULTARRAY": [
                {"MESSAGE": partial, "STATUS": "PARTIALSUCCESS", "caseId": "CA1", "events": [
                    line("SUCCESS", "Event Decision updated successfully.", "EV1"),
                    line("FAILED", "Invalid standardCommentId: must be comment ids (digits) separated by commas.", "EV1"),
                    line("FAILED", "Event does not exist in case.", "EV1"),
                    line("FAILED", "Event does not exist in case.", "EV-NONE")
                ]},
                {"MESSAGE": "Case does not exist.", "STATUS": "FAILED", "caseId": "CA3600", "events": [
                    line("FAILED", "Case does not exist.", "EV1")
                ]}
            ]})
        )
    );
    assert_eq!(
        post(
            &app,
            &token,
            OP,
            &json!([{"caseId": "CA1", "events": [{"eventCode": "EV1"}]}])
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            json!({"MESSAGE": failed, "STATUS": "FAILED", "RESULTARRAY": [
                {"MESSAGE": failed, "STATUS": "FAILED", "caseId": "CA1", "events": [
                    line("FAILED", "Input JSON data does not have eventDecisionCode.", "EV1")
                ]}
            ]})
        )
    );
    assert_eq!(
        post_raw(
            &app,
            Some(&token),
            OP,
            r#"[{"caseId": "CA1", "events": [], "note": 1}]"#.to_owned()
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            envelope("Invalid JSON Input format. Please correct the data.")
        )
    );
    // Another analyst's lock refuses the decision, and nothing changes.
    let holder = crate::helpers::token(&app, "analyst-2", &["case:write"]);
    let (status, _) = post(&app, &holder, "lockCase", &json!({"caseId": "CA1"})).await;
    assert_eq!(status, StatusCode::OK);
    let mut later = decision("CA1", "EV1");
    later[0]["events"][0]["eventDecisionCode"] = json!(7);
    assert_eq!(
        post(&app, &token, OP, &later).await,
        (
            StatusCode::CONFLICT,
            json!({"MESSAGE": failed, "STATUS": "FAILED", "RESULTARRAY": [
                {"MESSAGE": "Case is locked by another user analyst-2.", "STATUS": "FAILED", "caseId": "CA1", "events": [
                    line("FAILED", "Case is locked by another user analyst-2.", "EV1")
                ]}
            ]})
        )
    );
    assert_eq!(event_of(&app, "CA1").await["eventDecisionCode"], json!(1));
    let (status, _) = post_raw(&app, None, OP, later.to_string()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = post_raw(&app, Some(&reader(&app)), OP, later.to_string()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

backend_tests!(
    the_vendors_sample_records_a_decision,
    partly_done_and_nothing_done
);
