//! The status rules: allowed changes pass, others get a 409 and change
//! nothing; reviews need a reviewer and a definition that needs review.

use crate::helpers::{fabric, pdf_b64, spawn, spawn_with, upload, User};
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend};

async fn forbidden_transitions_are_conflicts(backend: Backend) {
    let app = spawn(backend).await;
    let user = User::new(&app, "applicant");
    let (application, party) = user.application("Virat", "Kohli").await;
    let licence = format!("DriverLicense_{party}_{application}");
    let time = format!("TimeOnCurrentAddress_{party}_{application}");
    let update = |identifier: &str, status: &str| json!({"UserActionIdentifier": identifier, "Response": "", "Status": status});

    let answer = user
        .call(
            "UserAction/updateUserAction",
            &update(&licence, "Submitted"),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10303,
                &format!("Status: upload the documents of {licence} before submitting it")
            )
        )
    );
    let answer = user
        .call("UserAction/updateUserAction", &update(&licence, "Skipped"))
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10301,
                "Status: a DriverLicense action cannot go from Created to Skipped"
            )
        )
    );
    let answer = user
        .call("UserAction/updateUserAction", &update(&time, "Reviewed"))
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::FORBIDDEN,
            fabric(
                403,
                10103,
                "Status: only a reviewer may set Reviewed or Rejected"
            )
        )
    );

    let (status, _) = user
        .call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": time, "Response": "2015-06", "Status": "Submitted"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let answer = user
        .call("UserAction/updateUserAction", &update(&time, "Created"))
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10301,
                "Status: a TimeOnCurrentAddress action cannot go from Submitted to Created"
            )
        )
    );
    let reviewer = User::with_roles(&app, "reviewer-1", &["cam:review"]);
    let answer = reviewer
        .call("UserAction/updateUserAction", &update(&time, "Reviewed"))
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10301,
                "Status: a TimeOnCurrentAddress action cannot go from Submitted to Reviewed"
            )
        ),
        "the default catalog needs no review"
    );

    let (status, _) = user
        .call(
            "UserAction/uploadDocument",
            &upload(&licence, &[("licence.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = user
        .call(
            "UserAction/updateUserAction",
            &update(&licence, "Submitted"),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "with its document it can be submitted"
    );
    let answer = user
        .call(
            "UserAction/uploadDocument",
            &upload(&licence, &[("late.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(
        answer,
        (StatusCode::CONFLICT, fabric(409, 10301, &format!("UserActionIdentifier: documents are added while an action is Created or Rejected, and {licence} is Submitted")))
    );
    // A bulk call with one forbidden change applies none of them.
    let optional = format!("OptionalQuestion_{party}_{application}");
    let bulk = json!({"UserActions": [
        {"UserActionIdentifier": optional, "Response": "", "Status": "Skipped"},
        {"UserActionIdentifier": licence, "Response": "", "Status": "Created"}
    ]});
    let answer = user.call("UserAction/updateUserActionBulk", &bulk).await;
    assert_eq!(
        answer,
        (
            StatusCode::CONFLICT,
            fabric(
                409,
                10301,
                "UserActions[1].Status: a DriverLicense action cannot go from Submitted to Created"
            )
        )
    );
    let listing = user.actions().await;
    let optional_status = listing["Documents"]
        .as_array()
        .expect("group")
        .iter()
        .find(|a| a["UserActionIdentifier"] == optional.as_str())
        .expect("listed")["UserActionStatus"]
        .clone();
    assert_eq!(
        optional_status,
        json!("Created"),
        "the allowed half of the bulk call was not applied"
    );
}

async fn reviews_follow_the_catalog(backend: Backend) {
    let catalog_dir = tempfile::tempdir().expect("tempdir");
    let catalog = catalog_dir.path().join("catalog.json");
    std::fs::write(
        &catalog,
        json!({"actions": [{
            "UserActionName": "SourceOfFunds", "AppliesTo": ["Applicant"],
            "ActionMetaData": {"Group": "Income", "Title": "Source of funds", "ActionLevel": "Application", "UserActionType": "Text",
                               "Skippable": "false", "NeedsReview": "true", "isPreRequirement": "true"}
        }]})
        .to_string(),
    )
    .expect("catalog written");
    let app = spawn_with(
        backend,
        &[("USER_ACTION_CATALOG_FILE", catalog.to_str().expect("path"))],
    )
    .await;
    let user = User::new(&app, "applicant");
    let (application, party) = user.application("Virat", "Kohli").await;
    let funds = format!("SourceOfFunds_{party}_{application}");
    let set = |status: &str| json!({"UserActionIdentifier": funds, "Response": "salary", "Status": status});
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    let reviewer = User::with_roles(&app, "reviewer-1", &["cam:review"]);
    assert_eq!(
        reviewer
            .call("UserAction/updateUserAction", &set("Rejected"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Created"))
            .await
            .0,
        StatusCode::OK,
        "a rejected action is answered again"
    );
    assert_eq!(
        user.call("UserAction/updateUserAction", &set("Submitted"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        reviewer
            .call("UserAction/updateUserAction", &set("Reviewed"))
            .await
            .0,
        StatusCode::OK
    );
    let listing = user.actions().await;
    assert_eq!(listing["count"], json!(1));
    assert_eq!(listing["Income"][0]["UserActionStatus"], json!("Reviewed"));
    let (_, audit) = user.call("Audit/getAuditEvents", &json!({})).await;
    let changes: Vec<(String, String, String)> = audit["AuditEvents"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "status-change")
        .map(|e| {
            (
                e["subject"].as_str().unwrap_or("").to_owned(),
                e["oldValue"].as_str().unwrap_or("").to_owned(),
                e["newValue"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String)> = [
        ("applicant", "Created", "Submitted"),
        // The reviewer's identity is not the applicant's to see.
        ("bank", "Submitted", "Rejected"),
        ("applicant", "Rejected", "Created"),
        ("applicant", "Created", "Submitted"),
        ("bank", "Submitted", "Reviewed"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(changes, expected);
}

backend_tests!(
    forbidden_transitions_are_conflicts,
    reviews_follow_the_catalog
);
