//! Identifiers at rest: sealed in the database, found by their blind index,
//! still readable after a key rotation, and a missing key fails cleanly.

use crate::helpers::{build, create, read, spawn_with, virat};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::at_rest::database_text;
use testkit::call;
use testkit::{backend_tests, faults, Backend, TestApp, KEY_A, KEY_B};

fn raw(app: &TestApp) -> String {
    database_text(app.backend, &app.vars["PARTY_DATABASE_URL"])
}

async fn by_tax_id(app: &TestApp, tax_id: &str) -> Value {
    let path = format!("/party/v1/parties?taxId={tax_id}");
    let (status, body) = call(app.internal(Method::GET, &path)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn tax_ids_are_sealed_and_found_by_blind_index(backend: Backend) {
    let app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let stored = raw(&app);
    testkit::assert_absent("the database", &stored, &["TX123"]);
    assert!(stored.contains("enc1:a:"), "no sealed value is stored");
    let id = virat["id"].as_str().unwrap();
    assert_eq!(read(&app, id).await, virat);
    let only = json!({"items": [virat], "nextCursor": null});
    // The blind index is of the normalised tax id.
    assert_eq!(by_tax_id(&app, "TX123").await, only);
    assert_eq!(by_tax_id(&app, "tx-1%2023").await, only);
    assert_eq!(
        by_tax_id(&app, "TX124").await,
        json!({"items": [], "nextCursor": null})
    );
}

async fn old_keys_keep_decrypting_and_a_missing_key_fails_cleanly(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let id = virat["id"].as_str().unwrap().to_owned();

    let rotated = format!("{KEY_B},{KEY_A}");
    app.restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build)
        .await;
    assert_eq!(read(&app, &id).await, virat);
    let again = create(&app, &crate::helpers::virat()).await;
    assert!(
        raw(&app).contains("enc1:b:"),
        "the new key does not encrypt"
    );
    let both = by_tax_id(&app, "TX123").await;
    assert_eq!(both["items"].as_array().unwrap().len(), 2, "{both}");
    assert!(both["items"].as_array().unwrap().contains(&again));

    app.restart(&[("ENCRYPTION_KEYS", Some(KEY_B))], &build)
        .await;
    let (status, body) = call(app.internal(Method::GET, &format!("/party/v1/parties/{id}"))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({"type": "urn:onboarding:problem:internal", "title": "Internal error",
               "status": 500, "detail": "an internal error occurred"})
    );
}

async fn rows_written_before_encryption_are_sealed_at_start(backend: Backend) {
    let mut app = spawn_with(backend, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let virat = create(&app, &virat()).await;
    let url = app.vars["PARTY_DATABASE_URL"].clone();
    // What the table held before the migration that introduced sealing.
    faults::execute(
        backend,
        &url,
        "UPDATE party_identifiers SET value = 'TX123', value_key = NULL",
    );
    app.restart(&[], &build).await;
    let id = virat["id"].as_str().unwrap();
    assert_eq!(read(&app, id).await, virat);
    assert_eq!(
        by_tax_id(&app, "TX123").await,
        json!({"items": [virat], "nextCursor": null})
    );
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        testkit::assert_absent("the database", &raw(&app), &["TX123"]);
    }
}

backend_tests!(
    tax_ids_are_sealed_and_found_by_blind_index,
    old_keys_keep_decrypting_and_a_missing_key_fails_cleanly,
    rows_written_before_encryption_are_sealed_at_start,
);
