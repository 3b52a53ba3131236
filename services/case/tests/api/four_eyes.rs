//! Four eyes (issue 15): with `CASE_FOUR_EYES_RISK_THRESHOLD` set, a case
//! whose effective risk (its customers' highest, compared as decimals) is
//! at least it is set to `APR` or `REJ` only on another case worker's
//! recommendation (`recommendCaseStatus`); below it, or with it unset, the
//! status is set at once. Each step is in the audit trail; a case another
//! user holds is refused with the vendor's 409; bad items name the field.

use crate::description::audited;
use crate::helpers::{case_answer, case_details, create_cases, post, post_raw, spawn_with, token};
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend, TestApp};

/// The one who recommends.
const FIRST: &str = "analyst-1";
/// The second pair of eyes.
const SECOND: &str = "analyst-2";

const NEEDS: &str = "Case needs a second analyst's approval: recommend the status first.";
const OWN: &str = "The recommender cannot approve their own recommendation.";

/// Starts the app with the threshold `threshold` (unset when `None`).
async fn spawn(backend: Backend, threshold: Option<&str>) -> TestApp {
    match threshold {
        Some(t) => spawn_with(backend, &[("CASE_FOUR_EYES_RISK_THRESHOLD", t)]).await,
        None => spawn_with(backend, &[]).await,
    }
}

/// Creates `case_id` with a customer of each effective risk in `risks`.
async fn case_with_risks(app: &TestApp, case_id: &str, risks: &[Value]) {
    create_cases(app, &[case_id]).await;
    let customers: Vec<Value> = risks
        .iter()
        .enumerate()
        .map(|(i, risk)| json!({"customerId": format!("{case_id}-C{i}"), "effectiveRisk": risk}))
        .collect();
    let (status, answer) = post(
        app,
        &token(app, FIRST, &["case:write"]),
        "addCustomer",
        &json!([{"caseId": case_id, "customers": customers}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// `subject` posts `body` to `op`.
async fn by(app: &TestApp, subject: &str, op: &str, body: Value) -> (StatusCode, Value) {
    post(app, &token(app, subject, &["case:write"]), op, &body).await
}

/// A batch answer of one case.
fn one(
    status: StatusCode,
    rollup: (&str, &str),
    message: &str,
    case_id: &str,
) -> (StatusCode, Value) {
    let line = if rollup.1 == "SUCCESS" {
        case_answer(message, "SUCCESS", case_id)
    } else {
        case_answer(message, "FAILED", case_id)
    };
    (
        status,
        json!({"MESSAGE": rollup.0, "STATUS": rollup.1, "RESULTARRAY": [line]}),
    )
}

const RECOMMENDED: (&str, &str) = ("Case status recommendation was successful.", "SUCCESS");
const NOT_RECOMMENDED: (&str, &str) = ("Case status recommendation failed.", "FAILED");
const SET: (&str, &str) = ("Case status update was successful.", "SUCCESS");
const NOT_SET: (&str, &str) = ("Case status update failed.", "FAILED");

/// `subject` sets `case_id` to `code`.
async fn set_status(
    app: &TestApp,
    subject: &str,
    case_id: &str,
    code: &str,
) -> (StatusCode, Value) {
    by(
        app,
        subject,
        "updateCaseStatus",
        json!([{"caseId": case_id, "caseStatusCode": code}]),
    )
    .await
}

/// `subject` recommends `code` for `case_id`, saying `comment`.
async fn recommend(
    app: &TestApp,
    subject: &str,
    case_id: &str,
    code: &str,
    comment: &str,
) -> (StatusCode, Value) {
    by(
        app,
        subject,
        "recommendCaseStatus",
        json!([{"caseId": case_id, "caseStatusCode": code, "comment": comment}]),
    )
    .await
}

/// What getCaseDetails shows of four eyes: `effectiveRisk`,
/// `fourEyesRequired` and the recommendation without its time (checked to
/// be RFC 3339).
async fn four_eyes_of(app: &TestApp, case_id: &str) -> Value {
    let details = case_details(app, case_id).await;
    let mut recommendation = details["recommendation"].clone();
    if let Some(open) = recommendation.as_object_mut() {
        let at = open.remove("recommendedAt").expect("a time");
        let at = at.as_str().expect("a string");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    json!({"effectiveRisk": details["effectiveRisk"], "fourEyesRequired": details["fourEyesRequired"],
           "recommendation": recommendation, "status": details["case"]["caseStatusCode"]})
}

/// An audit entry without its id and time.
fn entry(actor: &str, action: &str, from: Value, to: Value, old: Value, new: Value) -> Value {
    json!({"actor": actor, "action": action, "customerId": null, "fromStatus": from,
           "toStatus": to, "oldValue": old, "newValue": new})
}

async fn a_second_analyst_approves_the_recommendation(backend: Backend) {
    let app = spawn(backend, Some("70")).await;
    // As text, "9" sorts above "70": the risks are compared as decimals.
    case_with_risks(&app, "CA1", &[json!(9), json!(70)]).await;
    assert_eq!(
        four_eyes_of(&app, "CA1").await,
        json!({"effectiveRisk": "70", "fourEyesRequired": true, "recommendation": null, "status": "NW"})
    );
    for code in ["APR", "REJ"] {
        assert_eq!(
            set_status(&app, SECOND, "CA1", code).await,
            one(StatusCode::BAD_REQUEST, NOT_SET, NEEDS, "CA1")
        );
    }
    let done = "Case status recommended successfully.";
    assert_eq!(
        recommend(&app, FIRST, "CA1", "REJ", "Adverse media.").await,
        one(StatusCode::OK, RECOMMENDED, done, "CA1")
    );
    // A new recommendation replaces the open one.
    assert_eq!(
        recommend(
            &app,
            FIRST,
            "CA1",
            "APR",
            "Documents verified.\nNo adverse media after all."
        )
        .await,
        one(StatusCode::OK, RECOMMENDED, done, "CA1")
    );
    assert_eq!(
        four_eyes_of(&app, "CA1").await,
        json!({"effectiveRisk": "70", "fourEyesRequired": true, "status": "NW",
               "recommendation": {"caseStatusCode": "APR", "recommendedBy": FIRST,
                                  "comment": "Documents verified.\nNo adverse media after all."}})
    );
    assert_eq!(
        set_status(&app, FIRST, "CA1", "APR").await,
        one(StatusCode::BAD_REQUEST, NOT_SET, OWN, "CA1")
    );
    // Another status than the one recommended needs its own.
    assert_eq!(
        set_status(&app, SECOND, "CA1", "REJ").await,
        one(StatusCode::BAD_REQUEST, NOT_SET, NEEDS, "CA1")
    );
    assert_eq!(
        set_status(&app, SECOND, "CA1", "APR").await,
        one(
            StatusCode::OK,
            SET,
            "Case status updated successfully.",
            "CA1"
        )
    );
    assert_eq!(
        four_eyes_of(&app, "CA1").await,
        json!({"effectiveRisk": "70", "fourEyesRequired": true, "recommendation": null, "status": "APR"})
    );
    assert_eq!(
        audited(&app, "CA1", "statusRecommended").await,
        vec![
            entry(
                FIRST,
                "statusRecommended",
                Value::Null,
                json!("REJ"),
                Value::Null,
                json!("Adverse media.")
            ),
            entry(
                FIRST,
                "statusRecommended",
                json!("REJ"),
                json!("APR"),
                json!("Adverse media."),
                json!("Documents verified.\nNo adverse media after all.")
            ),
        ]
    );
    assert_eq!(
        audited(&app, "CA1", "statusChanged").await,
        vec![entry(
            SECOND,
            "statusChanged",
            json!("NW"),
            json!("APR"),
            Value::Null,
            Value::Null
        )]
    );
    assert_eq!(
        audited(&app, "CA1", "recommendationApproved").await,
        vec![entry(
            SECOND,
            "recommendationApproved",
            Value::Null,
            json!("APR"),
            json!(FIRST),
            json!(SECOND)
        )]
    );
    // A closed case takes no recommendation.
    assert_eq!(
        recommend(&app, FIRST, "CA1", "REJ", "Too late.").await,
        one(
            StatusCode::BAD_REQUEST,
            NOT_RECOMMENDED,
            "Case is closed: its status cannot be recommended.",
            "CA1"
        )
    );
}

async fn below_the_threshold_or_without_one_a_status_is_set_at_once(backend: Backend) {
    let app = spawn(backend, Some("70.5")).await;
    case_with_risks(&app, "CA1", &[json!(70.49), json!(12)]).await;
    // A case none of whose customers has a risk needs no four eyes.
    case_with_risks(&app, "CA2", &[Value::Null]).await;
    assert_eq!(
        four_eyes_of(&app, "CA1").await,
        json!({"effectiveRisk": "70.49", "fourEyesRequired": false, "recommendation": null, "status": "NW"})
    );
    assert_eq!(
        four_eyes_of(&app, "CA2").await,
        json!({"effectiveRisk": null, "fourEyesRequired": false, "recommendation": null, "status": "NW"})
    );
    for case_id in ["CA1", "CA2"] {
        assert_eq!(
            set_status(&app, FIRST, case_id, "APR").await,
            one(
                StatusCode::OK,
                SET,
                "Case status updated successfully.",
                case_id
            )
        );
    }
    let app = spawn(backend, None).await;
    case_with_risks(&app, "CA1", &[json!(99)]).await;
    assert_eq!(
        four_eyes_of(&app, "CA1").await,
        json!({"effectiveRisk": "99", "fourEyesRequired": false, "recommendation": null, "status": "NW"})
    );
    assert_eq!(
        set_status(&app, FIRST, "CA1", "REJ").await,
        one(
            StatusCode::OK,
            SET,
            "Case status updated successfully.",
            "CA1"
        )
    );
    assert_eq!(
        audited(&app, "CA1", "recommendationApproved").await,
        Vec::<Value>::new()
    );
}

async fn a_case_locked_by_another_user_takes_no_recommendation(backend: Backend) {
    let app = spawn(backend, Some("1")).await;
    case_with_risks(&app, "CA1", &[json!(5)]).await;
    let (status, locked) = by(&app, SECOND, "lockCase", json!({"caseId": "CA1"})).await;
    assert_eq!(status, StatusCode::OK, "{locked}");
    let held = format!("Case is locked by another user {SECOND}.");
    assert_eq!(
        recommend(&app, FIRST, "CA1", "APR", "Fine.").await,
        one(StatusCode::CONFLICT, NOT_RECOMMENDED, &held, "CA1")
    );
    assert_eq!(
        audited(&app, "CA1", "statusRecommended").await,
        Vec::<Value>::new()
    );
    // The holder may; and the lock is checked before four eyes.
    let (status, _) = recommend(&app, SECOND, "CA1", "APR", "Fine.").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        set_status(&app, FIRST, "CA1", "APR").await,
        one(StatusCode::CONFLICT, NOT_SET, &held, "CA1")
    );
    assert_eq!(four_eyes_of(&app, "CA1").await["status"], json!("NW"));
}

async fn bad_recommendations_are_refused_naming_the_field(backend: Backend) {
    let app = spawn(backend, Some("1")).await;
    create_cases(&app, &["CA1"]).await;
    let writer = token(&app, FIRST, &["case:write"]);
    let long = "x".repeat(2001);
    let comment = "Invalid comment: must be at most 2000 characters.";
    let table: Vec<(String, &str)> = vec![
        (
            r#"[{"caseId": "CA1", "caseStatusCode": "APR"}]"#.into(),
            "Input JSON data does not have comment.",
        ),
        (
            r#"[{"caseId": "CA1", "comment": "Fine."}]"#.into(),
            "Input JSON data does not have caseStatusCode.",
        ),
        (
            r#"[{"caseId": "CA1", "caseStatusCode": "CLS", "comment": "Fine."}]"#.into(),
            "Invalid caseStatusCode: must be one of APR, REJ.",
        ),
        (
            r#"[{"caseId": "CA1", "caseStatusCode": "APR", "comment": " \n "}]"#.into(),
            "Invalid comment: must not be blank.",
        ),
        (
            json!([{"caseId": "CA1", "caseStatusCode": "APR", "comment": long}]).to_string(),
            comment,
        ),
        (
            r#"[{"caseId": "CA1", "caseStatusCode": "APR", "comment": "a\u0000"}]"#.into(),
            "Invalid comment: must not contain control characters other than line breaks and tabs.",
        ),
        (
            r#"[{"caseId": "CA404", "caseStatusCode": "APR", "comment": "Fine."}]"#.into(),
            "Case does not exist.",
        ),
    ];
    for (body, message) in table {
        let case_id = if body.contains("CA404") {
            "CA404"
        } else {
            "CA1"
        };
        assert_eq!(
            post_raw(&app, Some(&writer), "recommendCaseStatus", body.clone()).await,
            one(StatusCode::BAD_REQUEST, NOT_RECOMMENDED, message, case_id),
            "{body}"
        );
    }
    assert_eq!(
        audited(&app, "CA1", "statusRecommended").await,
        Vec::<Value>::new()
    );
    // 2000 characters are taken.
    let (status, _) = recommend(&app, FIRST, "CA1", "REJ", &"x".repeat(2000)).await;
    assert_eq!(status, StatusCode::OK);
    // Reading is not enough.
    let reader = token(&app, FIRST, &["case:read"]);
    let body = json!([{"caseId": "CA1", "caseStatusCode": "APR", "comment": "Fine."}]);
    assert_eq!(
        post(&app, &reader, "recommendCaseStatus", &body).await.0,
        StatusCode::FORBIDDEN
    );
}

backend_tests!(
    a_second_analyst_approves_the_recommendation,
    below_the_threshold_or_without_one_a_status_is_set_at_once,
    a_case_locked_by_another_user_takes_no_recommendation,
    bad_recommendations_are_refused_naming_the_field,
);
