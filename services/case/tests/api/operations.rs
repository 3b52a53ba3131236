//! createCase, updateCaseStatus, getCaseStatusDetails and removeCustomer.

use crate::helpers::{
    added, case_customers, create_cases, customer, failed, line, post, reader, spawn, stored,
    writer,
};
use crate::seed::assert_ecm_time;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::{backend_tests, Backend};

fn case_line(status: &str, message: &str, case_id: &str) -> Value {
    json!({"MESSAGE": message, "STATUS": status, "caseId": case_id})
}

async fn cases_are_created_once_each(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA600"]).await;
    let request = json!([
        {"caseId": "CA601", "caseTypeCode": "AML", "caseDescription": "Unusual cash deposits"},
        {"caseId": "CA600"},
        {"caseId": "CA602", "caseTypeCode": "x".repeat(65)},
        {"caseId": "CA603", "priority": "high"}
    ]);
    assert_eq!(
        post(&app, &writer(&app), "createCase", &request).await,
        (
            StatusCode::BAD_REQUEST,
            json!({"MESSAGE": "Invalid JSON Input format. Please correct the data.", "STATUS": "FAILED"})
        ),
        "an undocumented key refuses the whole request"
    );
    let request = json!([
        {"caseId": "CA601", "caseTypeCode": "AML", "caseDescription": "Unusual cash deposits"},
        {"caseId": "CA600"},
        {"caseId": "CA602", "caseTypeCode": "x".repeat(65)}
    ]);
    assert_eq!(
        post(&app, &writer(&app), "createCase", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Cases creation was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    case_line("SUCCESS", "Case created successfully.", "CA601"),
                    case_line("FAILED", "Case already exists.", "CA600"),
                    case_line("FAILED", "Invalid caseTypeCode: must be at most 64 characters.", "CA602")
                ]
            })
        )
    );
    let (_, details) = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA601"}),
    )
    .await;
    assert_eq!(
        (
            &details["case"]["caseTypeCode"],
            &details["case"]["caseDescription"]
        ),
        (&json!("AML"), &json!("Unusual cash deposits"))
    );
}

async fn statuses_change_and_read_back(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA610", "CA611"]).await;
    let token = writer(&app);
    let request = json!([
        {"caseId": "CA610", "caseStatusCode": "INV"},
        {"caseId": "CA611", "caseStatusCode": "NW"},
        {"caseId": "CA612", "caseStatusCode": "INV"},
        {"caseId": "CA611", "caseStatusCode": "DONE"},
        {"caseId": "CA611"}
    ]);
    assert_eq!(
        post(&app, &token, "updateCaseStatus", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Case status update was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    case_line("SUCCESS", "Case status updated successfully.", "CA610"),
                    case_line("SUCCESS", "Case status is unchanged.", "CA611"),
                    case_line("FAILED", "Case does not exist.", "CA612"),
                    case_line("FAILED", "Invalid caseStatusCode: must be one of NW, INV, ESC, CLS, APR, REJ, RFI.", "CA611"),
                    case_line("FAILED", "Input JSON data does not have caseStatusCode.", "CA611")
                ]
            })
        )
    );
    let (status, answer) = post(
        &app,
        &reader(&app),
        "getCaseStatusDetails",
        &json!([{"caseId": "CA610"}, {"caseId": "CA699"}]),
    )
    .await;
    let at = answer["RESULTARRAY"][0]["caseStatusDateTime"].clone();
    assert_ecm_time(at.as_str().expect("a time"));
    assert_eq!(
        (status, answer),
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Case Status fetch was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    {"MESSAGE": "Case status fetched successfully.", "STATUS": "SUCCESS", "caseId": "CA610",
                     "caseStatusCode": "INV", "caseStatusName": "Investigation",
                     "caseStatusDateTime": at, "caseClosedFlag": "N"},
                    {"MESSAGE": "Case does not exist.", "STATUS": "FAILED", "caseId": "CA699",
                     "caseStatusCode": null, "caseStatusName": null,
                     "caseStatusDateTime": null, "caseClosedFlag": null}
                ]
            })
        )
    );

    // A closed case takes no customers.
    let (status, _) = post(
        &app,
        &token,
        "updateCaseStatus",
        &json!([{"caseId": "CA610", "caseStatusCode": "CLS"}]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, answer) = post(
        &app,
        &reader(&app),
        "getCaseStatusDetails",
        &json!([{"caseId": "CA610"}]),
    )
    .await;
    assert_eq!(answer["RESULTARRAY"][0]["caseClosedFlag"], "Y");
    assert_eq!(
        post(
            &app,
            &token,
            "addCustomer",
            &json!([{"caseId": "CA610", "customers": [customer("CUST-1")]}])
        )
        .await,
        (
            StatusCode::BAD_REQUEST,
            json!({
                "MESSAGE": "Customers addition failed.", "STATUS": "FAILED",
                "RESULTARRAY": [{"MESSAGE": "Case is closed.", "STATUS": "FAILED", "caseId": "CA610",
                                 "customers": [failed("CUST-1", "Case is closed.")]}]
            })
        )
    );
}

async fn customers_are_removed_with_everything_stored_for_them(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA620", "CA621"]).await;
    let token = writer(&app);
    let mut rich = crate::helpers::seed_customer();
    rich["customerId"] = json!("CUST-RICH");
    let (status, _) = post(
        &app,
        &token,
        "addCustomer",
        &json!([
            {"caseId": "CA620", "customers": [rich.clone(), customer("CUST-KEEP")]},
            {"caseId": "CA621", "customers": [rich.clone()]}
        ]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let request = json!([
        {"caseId": "CA620", "customers": [{"customerId": "CUST-RICH"}, {"customerId": "CUST-GONE"}, {"id": "x"}]},
        {"caseId": "CA629", "customers": [{"customerId": "CUST-RICH"}]}
    ]);
    assert_eq!(
        post(&app, &token, "removeCustomer", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Customers removal was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    {"MESSAGE": "Customers removal was partially successful.", "STATUS": "PARTIALSUCCESS",
                     "caseId": "CA620", "customers": [
                        line("SUCCESS", "Customer removed successfully.", "CUST-RICH"),
                        failed("CUST-GONE", "Customer does not exist in case."),
                        {"MESSAGE": "Invalid id: is not a known field.", "STATUS": "FAILED", "customerId": null}
                     ]},
                    {"MESSAGE": "Case does not exist.", "STATUS": "FAILED", "caseId": "CA629",
                     "customers": [failed("CUST-RICH", "Case does not exist.")]}
                ]
            })
        )
    );
    assert_eq!(
        case_customers(&app, "CA620").await,
        vec![stored(&customer("CUST-KEEP"))]
    );
    assert_eq!(
        case_customers(&app, "CA621").await,
        vec![rich.clone()],
        "other cases keep theirs"
    );

    // Removed means gone: adding again starts afresh.
    assert_eq!(
        post(
            &app,
            &token,
            "addCustomer",
            &json!([{"caseId": "CA620", "customers": [rich.clone()]}])
        )
        .await
        .1["RESULTARRAY"][0]["customers"],
        json!([added("CUST-RICH")])
    );
    assert_eq!(
        case_customers(&app, "CA620").await,
        vec![stored(&customer("CUST-KEEP")), rich]
    );
}

/// A status change's comment (optional, at most 2000 characters) is kept
/// in its audit entry; a longer one is refused, naming the field, and
/// changes nothing.
async fn a_status_change_keeps_its_comment(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA620"]).await;
    let token = writer(&app);
    let request = json!([
        {"caseId": "CA620", "caseStatusCode": "INV", "comment": "x".repeat(2001)},
        {"caseId": "CA620", "caseStatusCode": "ESC", "comment": " "},
        {"caseId": "CA620", "caseStatusCode": "INV", "comment": "Deposits to check.\nCalled the branch."},
        {"caseId": "CA620", "caseStatusCode": "ESC"}
    ]);
    assert_eq!(
        post(&app, &token, "updateCaseStatus", &request).await,
        (
            StatusCode::OK,
            json!({
                "MESSAGE": "Case status update was partially successful.", "STATUS": "PARTIALSUCCESS",
                "RESULTARRAY": [
                    case_line("FAILED", "Invalid comment: must be at most 2000 characters.", "CA620"),
                    case_line("FAILED", "Invalid comment: must not be blank.", "CA620"),
                    case_line("SUCCESS", "Case status updated successfully.", "CA620"),
                    case_line("SUCCESS", "Case status updated successfully.", "CA620")
                ]
            })
        )
    );
    let (status, audit) = post(
        &app,
        &reader(&app),
        "getCaseAudit",
        &json!({"caseId": "CA620"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let changes: Vec<_> = audit["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "statusChanged")
        .map(|e| {
            (
                e["fromStatus"].clone(),
                e["toStatus"].clone(),
                e["newValue"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                json!("NW"),
                json!("INV"),
                json!("Deposits to check.\nCalled the branch.")
            ),
            (json!("INV"), json!("ESC"), Value::Null)
        ]
    );
}

backend_tests!(
    a_status_change_keeps_its_comment,
    cases_are_created_once_each,
    statuses_change_and_read_back,
    customers_are_removed_with_everything_stored_for_them
);
