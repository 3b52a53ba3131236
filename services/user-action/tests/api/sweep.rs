//! The sweep removes what a crash leaves (issue 17, finding 13): a party
//! made for an application never written, a document stored but never
//! attached. The crash is stood in for by a write that fails and an undo
//! that fails too (the other service refuses the delete): the request
//! leaves its intent behind, as a killed process would. Once the other
//! service works again and the grace period is over, the sweep removes
//! the party or document, logs it by id and counts it.

use crate::helpers::{fabric, pdf_b64, profile, spawn_with, stored_documents, upload, User};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use testkit::{backend_tests, call, faults, Backend, TestApp};

/// Sweeps every second, anything older than three seconds.
const QUICK_SWEEP: &[(&str, &str)] = &[
    ("USER_ACTION_SWEEP_INTERVAL_SECS", "1"),
    ("USER_ACTION_SWEEP_GRACE_SECS", "3"),
];

/// How many things of `kind` user-action's sweeps removed, in this process.
async fn swept(app: &TestApp, kind: &str) -> u64 {
    let response = app
        .internal(reqwest::Method::GET, "/metrics")
        .send()
        .await
        .expect("sent");
    let text = response.text().await.expect("text");
    text.lines()
        .filter(|l| l.starts_with("sweep_removed_total{"))
        .filter(|l| {
            l.contains("service=\"user-action\"") && l.contains(&format!("kind=\"{kind}\""))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Waits (at most 20 s) until `done` holds.
async fn eventually<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn parties(app: &TestApp, last_name: &str) -> usize {
    let path = format!("/party/v1/parties?lastName={last_name}");
    let (_, page) = call(app.internal(reqwest::Method::GET, &path)).await;
    page["items"].as_array().map_or(0, Vec::len)
}

async fn a_party_whose_application_was_never_written_is_swept(backend: Backend) {
    let app = spawn_with(backend, QUICK_SWEEP).await;
    let before = swept(&app, "party").await;
    let (own, party_db) = (
        &app.vars["USER_ACTION_DATABASE_URL"],
        &app.vars["PARTY_DATABASE_URL"],
    );
    faults::fail_on(backend, own, "applicants", "INSERT");
    faults::fail_on(backend, party_db, "parties", "DELETE");
    let user = User::new(&app, "crashed");
    assert_eq!(
        user.call(
            "PersonalInfo/createProspectProfile",
            &profile("Left", "Behind")
        )
        .await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            fabric(500, 10500, "an internal error occurred")
        )
    );
    assert_eq!(parties(&app, "Behind").await, 1, "the undo failed");
    faults::mend(backend, party_db, "parties", "DELETE");
    eventually("the party is swept", || async {
        parties(&app, "Behind").await == 0
    })
    .await;
    assert!(swept(&app, "party").await > before, "counted");
}

async fn a_document_never_attached_is_swept(backend: Backend) {
    let app = spawn_with(backend, QUICK_SWEEP).await;
    let before = swept(&app, "document").await;
    let user = User::new(&app, "crashed");
    let (application, main) = user.application("Virat", "Kohli").await;
    let proof = format!("ProofOfIncomeEmployed_{main}_{application}");
    let (own, document_db) = (
        &app.vars["USER_ACTION_DATABASE_URL"],
        &app.vars["DOCUMENT_DATABASE_URL"],
    );
    faults::fail_on(backend, own, "action_documents", "INSERT");
    // Its deletion is refused; its upload is not.
    faults::fail_on_rows(
        backend,
        document_db,
        "documents",
        "UPDATE",
        "NEW.state = 'deleting'",
    );
    assert_eq!(
        user.call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("a.pdf", "application/pdf", &pdf_b64())]),
        )
        .await,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            fabric(500, 10500, "an internal error occurred")
        )
    );
    assert_eq!(
        stored_documents(&app, "crashed", &proof).await,
        1,
        "the undo failed"
    );
    faults::mend(backend, document_db, "documents", "UPDATE");
    eventually("the document is swept", || async {
        stored_documents(&app, "crashed", &proof).await == 0
    })
    .await;
    assert!(swept(&app, "document").await > before, "counted");
    let (_, read) = user
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": proof}),
        )
        .await;
    assert_eq!(read["Response"], json!([]), "nothing attached: {read}");
}

backend_tests!(
    a_party_whose_application_was_never_written_is_swept,
    a_document_never_attached_is_swept,
);
