//! A failure between writing the content and committing the metadata
//! leaves neither visible. The failure is injected in the service's own
//! database with a trigger that makes the commit statement fail.

use crate::helpers::{internal_error, json_upload, pdf, spawn, testkit_call, App, Storage, ALICE};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::Backend;

/// Makes every UPDATE (and, with `deletes`, every DELETE) of documents fail.
fn break_commits(app: &App, deletes: bool) {
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    testkit::faults::fail_on(app.app.backend, url, "documents", "UPDATE");
    if deletes {
        testkit::faults::fail_on(app.app.backend, url, "documents", "DELETE");
    }
}

fn mend_commits(app: &App) {
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    testkit::faults::mend(app.app.backend, url, "documents", "UPDATE");
    testkit::faults::mend(app.app.backend, url, "documents", "DELETE");
}

async fn a_failed_commit_leaves_nothing(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    break_commits(&app, false);
    let answer = app
        .upload(
            ALICE,
            &json_upload("ref-1", "a.pdf", "application/pdf", &pdf(10_000)),
        )
        .await;
    assert_eq!(
        answer,
        (StatusCode::INTERNAL_SERVER_ERROR, internal_error())
    );
    assert_eq!(
        app.stored_keys().await,
        Vec::<String>::new(),
        "the content was removed"
    );
    assert_eq!(app.row_count(), 0, "the pending row was removed");
    mend_commits(&app);
    let (status, _) = app
        .upload(
            ALICE,
            &json_upload("ref-1", "a.pdf", "application/pdf", &pdf(10_000)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the service works again once the database does"
    );
}

/// When even the clean-up cannot touch the database, the leftover pending
/// row stays invisible, and the sweeper removes it and its content.
async fn what_cleanup_cannot_undo_is_swept(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    break_commits(&app, true);
    let answer = app
        .upload(
            ALICE,
            &json_upload("ref-1", "a.pdf", "application/pdf", &pdf(10_000)),
        )
        .await;
    assert_eq!(
        answer,
        (StatusCode::INTERNAL_SERVER_ERROR, internal_error())
    );
    assert_eq!(app.row_count(), 1, "a pending row is left");
    let (_, page) =
        testkit_call(app.as_owner(ALICE, Method::GET, "/document/v1/documents?reference=ref-1"))
            .await;
    assert_eq!(
        page,
        json!({"items": [], "nextCursor": null}),
        "and it is not visible"
    );
    mend_commits(&app);

    let server = service_kit::ServerConfig::load(Some(&app.app.vars)).expect("config");
    let config = document::DocumentConfig::load(Some(&app.app.vars)).expect("config");
    let db = document::open_database(&server, &config).expect("database");
    let keyring = service_kit::Keyring::from_config(&server, true).expect("keys");
    let content = document::ContentStore::open(&config, &server, keyring).expect("store");
    let swept = document::sweep::sweep_once(&db, &content, std::time::Duration::ZERO)
        .await
        .expect("swept");
    assert_eq!(swept, 1);
    assert_eq!(app.row_count(), 0);
    assert_eq!(app.stored_keys().await, Vec::<String>::new());
}

storage_tests!(
    a_failed_commit_leaves_nothing,
    what_cleanup_cannot_undo_is_swept
);
