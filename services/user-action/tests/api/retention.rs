//! The retention purge (issue 17, "Retention and erasure"): with
//! `USER_ACTION_RETENTION_DAYS` set, the sweep erases a Rejected or
//! Withdrawn application unchanged for that long (its parties and
//! documents in their services, its personal values here, with the
//! `application-erased` event) and leaves any other alone. No API sets
//! these statuses yet (the server alone will, SPEC "Application
//! statuses"), so the test puts the status and an old `updated_at` into
//! the database directly, as the future transition would leave them.

use crate::helpers::{pdf_b64, spawn_with, upload, User};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use testkit::{backend_tests, call, faults, Backend};

async fn a_rejected_application_past_its_retention_is_erased(backend: Backend) {
    let app = spawn_with(
        backend,
        &[
            ("USER_ACTION_SWEEP_INTERVAL_SECS", "1"),
            ("USER_ACTION_RETENTION_DAYS", "30"),
        ],
    )
    .await;
    let rejected = User::new(&app, "rejected-1");
    let (application, party) = rejected.application("Anil", "Kumble").await;
    let income = format!("ProofOfIncomeEmployed_{party}_{application}");
    let (status, uploaded) = rejected
        .call(
            "UserAction/uploadDocument",
            &upload(&income, &[("kumble.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{uploaded}");
    let kept = User::new(&app, "in-progress-1");
    let (kept_application, kept_party) = kept.application("Rahul", "Dravid").await;
    let url = &app.vars["USER_ACTION_DATABASE_URL"];
    // Rejected 40 days ago; the other application is as old, but in progress.
    faults::execute(
        backend,
        url,
        &format!(
            "UPDATE applications SET status = 'Rejected' WHERE id = '{application}';\
             UPDATE applications SET updated_at = '2000-01-01T00:00:00.000000Z'"
        ),
    );
    let started = Instant::now();
    loop {
        let (status, _) =
            call(app.internal(reqwest::Method::GET, &format!("/party/v1/parties/{party}"))).await;
        if status == StatusCode::NOT_FOUND {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never purged");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The user-action step comes last; give it its moment.
    let mut listing = rejected.actions().await.to_string();
    while !listing.contains("[erased]") {
        assert!(started.elapsed() < Duration::from_secs(20), "{listing}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        listing = rejected.actions().await.to_string();
    }
    assert!(
        !listing.contains("Kumble") && !listing.contains("Anil"),
        "{listing}"
    );
    let (status, documents) = rejected
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": income}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{documents}");
    assert!(!documents.to_string().contains("kumble.pdf"), "{documents}");
    let (status, trail) = rejected.call("Audit/getAuditEvents", &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{trail}");
    let last = trail["AuditEvents"]
        .as_array()
        .and_then(|e| e.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (&last["kind"], &last["target"]),
        (&json!("application-erased"), &json!(application))
    );
    // The application in progress is untouched.
    let (status, _) = call(app.internal(
        reqwest::Method::GET,
        &format!("/party/v1/parties/{kept_party}"),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    let listing = kept.actions().await.to_string();
    assert!(
        listing.contains("Dravid") && !listing.contains("[erased]"),
        "{kept_application}: {listing}"
    );
}

backend_tests!(a_rejected_application_past_its_retention_is_erased);
