//! The vendor's request sample, verbatim: accepted, answered in the
//! sample's shape, and read back field for field.

use crate::helpers::{
    added, all_added, all_failed, create_cases, failed, post, post_raw, reader, seed_customer,
    spawn, writer, ANALYST, SEED_REQUEST,
};
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend};

async fn the_seed_sample_is_accepted_and_read_back_field_for_field(backend: Backend) {
    let app = spawn(backend).await;
    create_cases(&app, &["CA100"]).await;

    let answer = post_raw(
        &app,
        Some(&writer(&app)),
        "addCustomer",
        SEED_REQUEST.to_owned(),
    )
    .await;
    assert_eq!(answer, all_added("CA100", vec![added("CUST123")]));

    let (status, details) = post(
        &app,
        &reader(&app),
        "getCaseDetails",
        &json!({"caseId": "CA100"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let at = details["case"]["createdOn"]
        .as_str()
        .expect("createdOn")
        .to_owned();
    assert_ecm_time(&at);
    assert_eq!(
        details,
        json!({
            "MESSAGE": "Case details fetched successfully.",
            "STATUS": "SUCCESS",
            "case": {
                "caseId": "CA100", "caseTypeCode": null, "caseDescription": null,
                "caseStatusCode": "NW", "caseStatusName": "New", "caseStatusDateTime": at,
                "caseClosedFlag": "N", "createdOn": at, "createdBy": ANALYST
            },
            "lock": null,
            "customers": [seed_customer()],
            "nextCursor": null,
            "narratives": [],
            "narrativesNextCursor": null
        }),
        "every field of the sample comes back as sent"
    );

    let again = post_raw(
        &app,
        Some(&writer(&app)),
        "addCustomer",
        SEED_REQUEST.to_owned(),
    )
    .await;
    assert_eq!(
        again,
        all_failed(
            StatusCode::BAD_REQUEST,
            "CA100",
            vec![failed("CUST123", "Customer already exists.")]
        )
    );
}

/// Asserts ECM's `YYYY-MM-DD HH:MM:SS`.
pub fn assert_ecm_time(at: &str) {
    assert!(
        domain::DateTimeSeconds::parse(at).is_ok(),
        "{at} is written YYYY-MM-DD HH:MM:SS"
    );
}

backend_tests!(the_seed_sample_is_accepted_and_read_back_field_for_field);
