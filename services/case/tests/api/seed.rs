//! The vendor's request samples, verbatim: a case born of the appendix C
//! event (`saveEventsAndPromoteToCase`), the seed's customer added to it,
//! each answered in the sample's shape and read back field for field.

use crate::events::{promote_sample, sample_customer, sample_event};
use crate::helpers::{
    added, all_added, all_failed, case_details, failed, post_raw, seed_customer, spawn, writer,
    ANALYST, SEED_REQUEST,
};
use reqwest::StatusCode;
use serde_json::json;
use testkit::{backend_tests, Backend};

async fn the_seed_sample_is_accepted_and_read_back_field_for_field(backend: Backend) {
    let app = spawn(backend).await;
    promote_sample(&app).await;
    // The seed names case CA100: the case the event opened is CA1.
    let seed = SEED_REQUEST.replace("\"CA100\"", "\"CA1\"");

    let answer = post_raw(&app, Some(&writer(&app)), "addCustomer", seed.clone()).await;
    assert_eq!(answer, all_added("CA1", vec![added("CUST123")]));

    let details = case_details(&app, "CA1").await;
    let at = details["case"]["createdOn"]
        .as_str()
        .expect("createdOn")
        .to_owned();
    assert_ecm_time(&at);
    let saved_at = details["events"][0]["savedAt"].as_str().expect("savedAt");
    let due = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    assert_eq!(
        details,
        json!({
            "MESSAGE": "Case details fetched successfully.",
            "STATUS": "SUCCESS",
            "case": {
                "caseId": "CA1", "caseTypeCode": "AML", "caseDescription": null,
                "caseStatusCode": "NW", "caseStatusName": "New", "caseStatusDateTime": at,
                "caseClosedFlag": "N", "createdOn": at, "createdBy": ANALYST,
                "priority": "Low", "dueDate": due, "assignee": null, "assignedAt": null
            },
            "lock": null,
            "effectiveRisk": "10", "fourEyesRequired": false, "recommendation": null,
            "customers": [sample_customer(), seed_customer()],
            "nextCursor": null,
            "events": [sample_event("POSTARJ1", saved_at)],
            "nextEventsCursor": null,
            "narratives": [],
            "nextNarrativesCursor": null,
            "accounts": [], "nextAccountsCursor": null,
            "externalEntities": [], "nextExternalEntitiesCursor": null,
            "transactions": [], "nextTransactionsCursor": null
        }),
        "every field of the sample comes back as sent"
    );

    let again = post_raw(&app, Some(&writer(&app)), "addCustomer", seed).await;
    assert_eq!(
        again,
        all_failed(
            StatusCode::BAD_REQUEST,
            "CA1",
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
