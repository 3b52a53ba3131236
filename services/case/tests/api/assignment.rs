//! `assignCase` (ours, issue 15): assign, reassign and unassign, per case,
//! each change in the case's audit trail with the assignees before and
//! after; refused with the vendor's 409 while another user holds the
//! case's lock, and each bad field refused naming it.

use crate::description::audited;
use crate::helpers::{
    case_answer, case_details, create_cases, envelope, post, post_raw, reader, token, writer,
    ANALYST,
};
use crate::inbox::OTHER;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

/// The whole answer of an assignCase: `message`, `status` and each case's
/// line.
fn answer(
    status: StatusCode,
    message: &str,
    rollup: &str,
    lines: Vec<Value>,
) -> (StatusCode, Value) {
    (
        status,
        json!({"MESSAGE": message, "STATUS": rollup, "RESULTARRAY": lines}),
    )
}

/// An audit entry of `caseAssigned` by `actor`, without its id and time.
fn assigned(actor: &str, old: Value, new: Value) -> Value {
    json!({"actor": actor, "action": "caseAssigned", "customerId": null, "fromStatus": null,
           "toStatus": null, "oldValue": old, "newValue": new})
}

async fn cases_are_assigned_reassigned_and_unassigned_with_an_audit_trail(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    create_cases(&app, &["CA1", "CA2"]).await;
    let token = writer(&app);
    assert_eq!(
        post(
            &app,
            &token,
            "assignCase",
            &json!([{"caseId": "CA1", "assignee": ANALYST}, {"caseId": "CA404", "assignee": ANALYST},
                    {"caseId": "CA2", "assignee": null}])
        )
        .await,
        answer(
            StatusCode::OK,
            "Case assignment was partially successful.",
            "PARTIALSUCCESS",
            vec![
                case_answer("Case assigned successfully.", "SUCCESS", "CA1"),
                case_answer("Case does not exist.", "FAILED", "CA404"),
                case_answer("Case assignment is unchanged.", "SUCCESS", "CA2"),
            ]
        )
    );
    let case = case_details(&app, "CA1").await["case"].clone();
    assert_eq!(case["assignee"], json!(ANALYST));
    let at = case["assignedAt"].as_str().expect("a time");
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    for (assignee, message) in [
        (json!(ANALYST), "Case assignment is unchanged."),
        (json!(OTHER), "Case assigned successfully."),
        (Value::Null, "Case unassigned successfully."),
    ] {
        assert_eq!(
            post(
                &app,
                &token,
                "assignCase",
                &json!([{"caseId": "CA1", "assignee": assignee}])
            )
            .await,
            answer(
                StatusCode::OK,
                "Case assignment was successful.",
                "SUCCESS",
                vec![case_answer(message, "SUCCESS", "CA1")]
            )
        );
    }
    let case = case_details(&app, "CA1").await["case"].clone();
    assert_eq!(
        (&case["assignee"], &case["assignedAt"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(
        audited(&app, "CA1", "caseAssigned").await,
        vec![
            assigned(ANALYST, Value::Null, json!(ANALYST)),
            assigned(ANALYST, json!(ANALYST), json!(OTHER)),
            assigned(ANALYST, json!(OTHER), Value::Null),
        ]
    );
    assert_eq!(
        audited(&app, "CA2", "caseAssigned").await,
        Vec::<Value>::new()
    );
}

async fn a_case_locked_by_another_user_is_not_assigned(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    create_cases(&app, &["CA1"]).await;
    let holder = token(&app, OTHER, &["case:write"]);
    let (status, locked) = post(&app, &holder, "lockCase", &json!({"caseId": "CA1"})).await;
    assert_eq!(status, StatusCode::OK, "{locked}");
    let refused = case_answer(
        &format!("Case is locked by another user {OTHER}."),
        "FAILED",
        "CA1",
    );
    assert_eq!(
        post(
            &app,
            &writer(&app),
            "assignCase",
            &json!([{"caseId": "CA1", "assignee": ANALYST}])
        )
        .await,
        answer(
            StatusCode::CONFLICT,
            "Case assignment failed.",
            "FAILED",
            vec![refused]
        )
    );
    assert_eq!(
        case_details(&app, "CA1").await["case"]["assignee"],
        Value::Null
    );
    assert_eq!(
        audited(&app, "CA1", "caseAssigned").await,
        Vec::<Value>::new()
    );
    // The holder assigns it.
    assert_eq!(
        post(
            &app,
            &holder,
            "assignCase",
            &json!([{"caseId": "CA1", "assignee": ANALYST}])
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        audited(&app, "CA1", "caseAssigned").await,
        vec![assigned(OTHER, Value::Null, json!(ANALYST))]
    );
}

async fn bad_assignments_are_refused_naming_the_field(backend: Backend) {
    let app = crate::helpers::spawn(backend).await;
    create_cases(&app, &["CA1"]).await;
    let token = writer(&app);
    let subject = "Invalid assignee: must be 1 to 200 printable characters, not blank.";
    let long = "x".repeat(201);
    let table: Vec<(String, &str)> = vec![
        (
            r#"[{"caseId": "CA1"}]"#.into(),
            "Input JSON data does not have assignee.",
        ),
        (r#"[{"caseId": "CA1", "assignee": " "}]"#.into(), subject),
        (
            r#"[{"caseId": "CA1", "assignee": "a\u0000"}]"#.into(),
            subject,
        ),
        (
            json!([{"caseId": "CA1", "assignee": long}]).to_string(),
            subject,
        ),
        (
            r#"[{"caseId": "CA1", "assignee": 5}]"#.into(),
            "Invalid assignee: invalid type: integer `5`, expected a string.",
        ),
        (
            r#"[{"caseId": "CA1", "assignee": ["x"]}]"#.into(),
            "Invalid assignee: invalid type: sequence, expected a string.",
        ),
    ];
    for (body, message) in table {
        assert_eq!(
            post_raw(&app, Some(&token), "assignCase", body.clone()).await,
            answer(
                StatusCode::BAD_REQUEST,
                "Case assignment failed.",
                "FAILED",
                vec![case_answer(message, "FAILED", "CA1")]
            ),
            "{body}"
        );
    }
    // 200 characters are taken.
    let (status, body) = post(
        &app,
        &token,
        "assignCase",
        &json!([{"caseId": "CA1", "assignee": "y".repeat(200)}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (body, message) in [
        (
            r#"[]"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"{"caseId": "CA1", "assignee": null}"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"[{"caseId": "CA1", "assignee": null, "x": 1}]"#,
            "Invalid JSON Input format. Please correct the data.",
        ),
        (
            r#"[{"assignee": null}]"#,
            "Input JSON data does not have caseId.",
        ),
    ] {
        assert_eq!(
            post_raw(&app, Some(&token), "assignCase", body.into()).await,
            (StatusCode::BAD_REQUEST, envelope(message)),
            "{body}"
        );
    }
    assert_eq!(
        post_raw(
            &app,
            Some(&reader(&app)),
            "assignCase",
            r#"[{"caseId": "CA1", "assignee": null}]"#.into()
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
}

backend_tests!(
    cases_are_assigned_reassigned_and_unassigned_with_an_audit_trail,
    a_case_locked_by_another_user_is_not_assigned,
    bad_assignments_are_refused_naming_the_field
);
