//! A failure between writing the content and committing the metadata
//! leaves neither visible. The failure is injected in the service's own
//! database with a trigger that makes the commit statement fail.

use crate::helpers::{download, internal_error, json_upload, pdf, spawn, App, Storage, ALICE};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use testkit::call;
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
        call(app.as_owner(ALICE, Method::GET, "/document/v1/documents?reference=ref-1")).await;
    assert_eq!(
        page,
        json!({"items": [], "nextCursor": null}),
        "and it is not visible"
    );
    mend_commits(&app);

    let (db, content) = sweeper_of(&app);
    let swept = document::sweep::sweep_once(&db, &content, Duration::ZERO)
        .await
        .expect("swept");
    assert_eq!(swept, 1);
    assert_eq!(app.row_count(), 0);
    assert_eq!(app.stored_keys().await, Vec::<String>::new());
}

/// The database and content store the app's sweeper works on.
fn sweeper_of(app: &App) -> (service_kit::Database, document::ContentStore) {
    let server = service_kit::ServerConfig::load(Some(&app.app.vars)).expect("config");
    let config = document::DocumentConfig::load(Some(&app.app.vars)).expect("config");
    let db = document::DATABASE
        .open(&server, Some(&app.app.vars))
        .expect("database");
    let keyring = service_kit::Keyring::from_config(&server, true).expect("keys");
    let content = document::ContentStore::open(&config, &server, keyring).expect("store");
    (db, content)
}

/// An upload that finishes after the sweeper listed it as pending keeps
/// its document: the sweeper claims each document before removing it, and
/// a stored one is no longer its to claim. (The sweeper used to remove
/// what it had listed, so an upload answered 201 could lose its document.)
async fn an_upload_finished_after_the_sweep_listed_it_is_kept(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let bytes = pdf(3000);
    let (status, body) = app
        .upload(
            ALICE,
            &json_upload("ref-1", "a.pdf", "application/pdf", &bytes),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().expect("an id").to_owned();
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    let set_state = |state: &str| {
        testkit::faults::execute(
            backend,
            url,
            &format!("UPDATE documents SET state = '{state}' WHERE id = '{id}'"),
        )
    };

    // The moment before the upload's last step: content written, row pending.
    set_state("pending");
    let (db, content) = sweeper_of(&app);
    let sweep = document::sweep::Sweep::find(&db, Duration::ZERO)
        .await
        .expect("listed");
    assert_eq!(sweep.ids(), std::slice::from_ref(&id));
    // The upload finishes before the sweeper gets to it.
    set_state("stored");
    assert_eq!(sweep.finish(&db, &content).await.expect("swept"), 0);

    assert_eq!(app.row_count(), 1);
    assert_eq!(app.stored_keys().await.len(), 1);
    let (status, _, downloaded) = download(&app, &id).await;
    assert_eq!((status, downloaded), (StatusCode::OK, bytes));
}

/// A caller that lost an upload's answer deletes it by the id it chose
/// (`X-Document-Id`): the document goes, whether it was stored before the
/// delete or arrives after it (the delete leaves a tombstone, and the late
/// upload is refused), and the id cannot be used twice.
async fn a_chosen_id_can_be_deleted_before_or_after_the_upload(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let upload = json_upload("ref-1", "a.pdf", "application/pdf", &pdf(2000));
    let send = |id: &str| {
        call(
            app.as_owner(ALICE, Method::POST, "/document/v1/documents")
                .header("X-Document-Id", id)
                .json(&upload),
        )
    };
    let delete = |id: &str| {
        call(app.as_owner(
            ALICE,
            Method::DELETE,
            &format!("/document/v1/documents/{id}"),
        ))
    };
    let taken = json!({"type": "urn:onboarding:problem:conflict", "title": "Conflict", "status": 409,
                       "detail": "X-Document-Id: the id is taken, or was deleted"});

    let stored = uuid::Uuid::new_v4().to_string();
    let (status, body) = send(&stored).await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::CREATED, Some(stored.as_str())),
        "{body}"
    );
    assert_eq!(send(&stored).await, (StatusCode::CONFLICT, taken.clone()));
    assert_eq!(delete(&stored).await.0, StatusCode::NO_CONTENT);

    let late = uuid::Uuid::new_v4().to_string();
    assert_eq!(delete(&late).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(&late).await, (StatusCode::CONFLICT, taken));
    assert_eq!(app.stored_keys().await, Vec::<String>::new());

    let (status, body) = call(
        app.as_owner(ALICE, Method::POST, "/document/v1/documents")
            .header("X-Document-Id", "../../etc/passwd")
            .json(&upload),
    )
    .await;
    assert_eq!(
        (status, body["detail"].clone()),
        (
            StatusCode::BAD_REQUEST,
            json!("X-Document-Id: must be a UUID")
        )
    );
}

storage_tests!(
    a_failed_commit_leaves_nothing,
    what_cleanup_cannot_undo_is_swept,
    an_upload_finished_after_the_sweep_listed_it_is_kept,
    a_chosen_id_can_be_deleted_before_or_after_the_upload
);

/// A database connection lost as an upload is recorded is the database
/// being unavailable: a 503 worth a retry, no content or row left behind,
/// and the retry stores the document. PostgreSQL only: an SQLite
/// connection cannot be lost.
#[tokio::test]
async fn a_connection_lost_while_recording_an_upload_is_a_503() {
    if !Backend::postgres_available() {
        return;
    }
    let app = spawn(Backend::Postgres, Storage::Local).await;
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    let upload = json_upload("ref-1", "a.pdf", "application/pdf", &pdf(10_000));
    testkit::faults::lose_connection_on(url, "documents", "INSERT");
    assert_eq!(
        app.upload(ALICE, &upload).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"type": "urn:onboarding:problem:unavailable", "title": "Service unavailable",
                   "status": 503, "detail": "a dependency is unavailable; try again later"})
        )
    );
    assert_eq!(app.stored_keys().await, Vec::<String>::new());
    testkit::faults::keep_connection_on(url, "documents", "INSERT");
    assert_eq!(app.row_count(), 0);
    let (status, body) = app.upload(ALICE, &upload).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.row_count(), 1);
}
