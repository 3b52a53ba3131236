//! When party-service or document-service is down, slow or failing, the
//! caller gets a clear 503 or 504, and nothing is left half-done. The peers
//! are the real services, stopped or broken for the test.

use crate::helpers::{fabric, pdf_b64, profile, spawn_user_action, stored_documents, upload, User};
use reqwest::StatusCode;
use serde_json::json;
use testkit::call;
use testkit::{backend_tests, Backend, TestApp};

async fn party_alone(backend: Backend) -> TestApp {
    TestApp::spawn(backend, &["party"], &[], &|ctx, vars| {
        Ok(vec![party::service(ctx, Some(vars))?])
    })
    .await
}

async fn document_alone(backend: Backend) -> TestApp {
    TestApp::spawn(backend, &["document"], &[], &|ctx, vars| {
        Ok(vec![document::service(ctx, Some(vars))?])
    })
    .await
}

async fn a_stopped_party_service_creates_nothing(backend: Backend) {
    let mut party = party_alone(backend).await;
    let documents = document_alone(backend).await;
    let app = spawn_user_action(backend, &party.url, &documents.url, &[]).await;
    let user = User::new(&app, "applicant");
    party.take_server().stop(true).await;
    let answer = user
        .call(
            "PersonalInfo/createProspectProfile",
            &profile("Virat", "Kohli"),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            fabric(503, 10501, "party-service is unavailable; try again later")
        )
    );
    let (status, _) = user.call("UserAction/getUserActions", &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no application was created");
}

/// Sets up an application whose peers run apart, and returns the pieces.
async fn with_application(
    backend: Backend,
    document_url: Option<&str>,
    extra: &[(&str, &str)],
) -> (TestApp, TestApp, TestApp, String) {
    let party = party_alone(backend).await;
    let documents = document_alone(backend).await;
    let app = spawn_user_action(
        backend,
        &party.url,
        document_url.unwrap_or(&documents.url),
        extra,
    )
    .await;
    let user = User::new(&app, "applicant");
    let (application, main) = user.application("Virat", "Kohli").await;
    (
        party,
        documents,
        app,
        format!("ProofOfIncomeEmployed_{main}_{application}"),
    )
}

async fn assert_nothing_attached(app: &TestApp, proof: &str) {
    let user = User::new(app, "applicant");
    let submit = user
        .call(
            "UserAction/updateUserAction",
            &json!({"UserActionIdentifier": proof, "Response": "", "Status": "Submitted"}),
        )
        .await;
    assert_eq!(
        submit.1["dbpErrCode"],
        json!("10303"),
        "the action has no documents, so it cannot be answered: {}",
        submit.1
    );
}

async fn a_stopped_document_service_stores_nothing(backend: Backend) {
    let (_party, mut documents, app, proof) = with_application(backend, None, &[]).await;
    documents.take_server().stop(true).await;
    let user = User::new(&app, "applicant");
    let answer = user
        .call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("a.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            fabric(
                503,
                10501,
                "document-service is unavailable; try again later"
            )
        )
    );
    assert_nothing_attached(&app, &proof).await;
}

async fn a_slow_document_service_times_out(backend: Backend) {
    // A listener that accepts connections and never answers.
    let hole = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hole_url = format!("http://{}", hole.local_addr().expect("addr"));
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hole.accept().await {
            open.push(socket);
        }
    });
    let (_party, documents, app, proof) = with_application(
        backend,
        Some(&hole_url),
        &[("INTERNAL_CALL_TIMEOUT_MS", "500")],
    )
    .await;
    let user = User::new(&app, "applicant");
    let answer = user
        .call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("a.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::GATEWAY_TIMEOUT,
            fabric(
                504,
                10502,
                "document-service did not answer in time; try again"
            )
        )
    );
    assert_nothing_attached(&app, &proof).await;
    assert_eq!(stored_documents(&documents, "applicant", &proof).await, 0);
    held.abort();
}

async fn a_failing_document_service_stores_nothing(backend: Backend) {
    let (_party, documents, app, proof) = with_application(backend, None, &[]).await;
    testkit::faults::fail_on(
        backend,
        &documents.vars["DOCUMENT_DATABASE_URL"],
        "documents",
        "INSERT",
    );
    let user = User::new(&app, "applicant");
    let answer = user
        .call(
            "UserAction/uploadDocument",
            &upload(&proof, &[("a.pdf", "application/pdf", &pdf_b64())]),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            fabric(503, 10501, "document-service is failing; try again later")
        )
    );
    assert_nothing_attached(&app, &proof).await;
}

/// The party is created, then the application cannot be written: the party
/// is deleted again.
async fn a_failed_application_write_removes_its_party(backend: Backend) {
    let party = party_alone(backend).await;
    let documents = document_alone(backend).await;
    let app = spawn_user_action(backend, &party.url, &documents.url, &[]).await;
    testkit::faults::fail_on(
        backend,
        &app.vars["USER_ACTION_DATABASE_URL"],
        "applicants",
        "INSERT",
    );
    let user = User::new(&app, "applicant");
    let answer = user
        .call(
            "PersonalInfo/createProspectProfile",
            &profile("Orphan", "Candidate"),
        )
        .await;
    assert_eq!(
        answer,
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            fabric(500, 10500, "an internal error occurred")
        )
    );
    let (_, parties) =
        call(party.internal(reqwest::Method::GET, "/party/v1/parties?lastName=Candidate")).await;
    assert_eq!(
        parties,
        json!({"items": [], "nextCursor": null}),
        "the party was removed again"
    );
}

backend_tests!(
    a_stopped_party_service_creates_nothing,
    a_stopped_document_service_stores_nothing,
    a_slow_document_service_times_out,
    a_failing_document_service_stores_nothing,
    a_failed_application_write_removes_its_party,
);
