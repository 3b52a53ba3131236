//! Content is checked against its metadata on every read (issue 17,
//! finding 4): an object that is not sealed by the service (unless it is
//! exactly the legacy plaintext recorded), another document's object, a
//! truncated or altered one, or content of another size or SHA-256 than
//! recorded is never served as the document. Found before the answer
//! starts, it is a 500; found later, the answer stops short of its
//! Content-Length and the connection is dropped.

use crate::helpers::{internal_error, json_upload, pdf, spawn, App, Storage, ALICE};
use crate::storage_tests;
use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use testkit::{call, Backend};

/// Small enough to be one sealed chunk: every check runs before the answer.
const SMALL: usize = 10_000;
/// Four sealed chunks: damage at the end is found after the answer starts.
const LARGE: usize = 200_000;

async fn upload(app: &App, content: &[u8]) -> String {
    let body = json_upload("ref-1", "a.pdf", "application/pdf", content);
    let (status, stored) = app.upload(ALICE, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    stored["id"].as_str().expect("id").to_owned()
}

fn content_path(id: &str) -> String {
    format!("/document/v1/documents/{id}/content")
}

/// `document_integrity_failures_total`, over every reason. The counter is
/// the process's, which other tests running at once also raise: a check
/// can only ask that it rose.
async fn integrity_failures(app: &App) -> f64 {
    let metrics = call_text(app.app.internal(Method::GET, "/metrics")).await;
    metrics
        .lines()
        .filter(|line| line.starts_with("document_integrity_failures_total{"))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

async fn call_text(request: reqwest::RequestBuilder) -> String {
    let response = request.send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("text")
}

/// The download is refused before it starts: the problem+json 500, and the
/// failure counted.
async fn assert_refused(app: &App, id: &str) {
    let before = integrity_failures(app).await;
    let answer = call(app.as_owner(ALICE, Method::GET, &content_path(id))).await;
    assert_eq!(
        answer,
        (StatusCode::INTERNAL_SERVER_ERROR, internal_error()),
        "document {id}"
    );
    let after = integrity_failures(app).await;
    assert!(after > before, "counted: {before} -> {after}");
}

/// The download starts (200, the recorded Content-Length) and is cut short:
/// reading it whole fails, so no reader takes it for the document; the
/// failure is counted.
async fn assert_cut_short(app: &App, id: &str, size: usize) {
    let before = integrity_failures(app).await;
    let response = app
        .as_owner(ALICE, Method::GET, &content_path(id))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.content_length(), Some(size as u64));
    let read = response.bytes().await;
    assert!(
        read.is_err(),
        "the damaged download ended cleanly: {read:?}"
    );
    // Counted as the stream fails, which the server may finish a moment
    // after the client saw the connection drop.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while integrity_failures(app).await <= before {
        assert!(std::time::Instant::now() < deadline, "counted");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn an_object_without_our_header_is_refused(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let content = pdf(SMALL);
    let id = upload(&app, &content).await;
    // Another file, as plaintext; then the document's own content with more
    // after it (once served cut to the recorded length).
    let mut longer = content.clone();
    longer.extend_from_slice(b"appended");
    for replacement in [pdf(SMALL + 1), pdf(SMALL - 1), longer, Vec::new()] {
        app.overwrite_object(&id, replacement).await;
        assert_refused(&app, &id).await;
    }
    // Exactly the content recorded, as before sealing: served.
    app.overwrite_object(&id, content.clone()).await;
    let (status, _, bytes) = crate::helpers::download(&app, &id).await;
    assert_eq!((status, bytes == content), (StatusCode::OK, true));
}

async fn another_documents_object_is_refused(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let first = upload(&app, &pdf(SMALL)).await;
    let second = upload(&app, &pdf(LARGE)).await;
    let objects = app.objects();
    let (first_object, second_object) = (
        objects.document(&first).await,
        objects.document(&second).await,
    );
    app.overwrite_object(&first, second_object).await;
    app.overwrite_object(&second, first_object).await;
    assert_refused(&app, &first).await;
    assert_refused(&app, &second).await;
}

async fn a_truncated_object_is_refused(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let small = upload(&app, &pdf(SMALL)).await;
    let large = upload(&app, &pdf(LARGE)).await;
    let objects = app.objects();
    let sealed = objects.document(&small).await;
    app.overwrite_object(&small, sealed[..sealed.len() - 1].to_vec())
        .await;
    assert_refused(&app, &small).await;
    let sealed = objects.document(&large).await;
    // A byte short, and the whole last chunk gone.
    let last_chunk = LARGE % (64 * 1024) + 16;
    for cut in [1, last_chunk] {
        app.overwrite_object(&large, sealed[..sealed.len() - cut].to_vec())
            .await;
        assert_cut_short(&app, &large, LARGE).await;
    }
}

async fn a_flipped_byte_is_refused(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let small = upload(&app, &pdf(SMALL)).await;
    let large = upload(&app, &pdf(LARGE)).await;
    let objects = app.objects();
    let mut sealed = objects.document(&small).await;
    sealed[SMALL / 2] ^= 1;
    app.overwrite_object(&small, sealed).await;
    assert_refused(&app, &small).await;
    let original = objects.document(&large).await;
    let mut sealed = original.clone();
    sealed[100] ^= 1;
    app.overwrite_object(&large, sealed).await;
    assert_refused(&app, &large).await;
    let mut sealed = original;
    let end = sealed.len() - 5;
    sealed[end] ^= 1;
    app.overwrite_object(&large, sealed).await;
    assert_cut_short(&app, &large, LARGE).await;
}

/// Sets a column of document `id`'s row, as a change behind the service's
/// back would.
fn set_recorded(app: &App, id: &str, assignment: &str) {
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    let sql = format!("UPDATE documents SET {assignment} WHERE id = '{id}'");
    diesel::sql_query(sql)
        .execute(&mut testkit::faults::connect(app.app.backend, url))
        .expect("update");
}

async fn content_unlike_its_record_is_refused(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let small = upload(&app, &pdf(SMALL)).await;
    let large = upload(&app, &pdf(LARGE)).await;
    let other = "0".repeat(64);
    set_recorded(&app, &small, &format!("sha256 = '{other}'"));
    assert_refused(&app, &small).await;
    set_recorded(&app, &large, &format!("sha256 = '{other}'"));
    assert_cut_short(&app, &large, LARGE).await;
    let small_sized = upload(&app, &pdf(SMALL)).await;
    set_recorded(&app, &small_sized, &format!("size = {}", SMALL + 1));
    assert_refused(&app, &small_sized).await;
    set_recorded(&app, &small_sized, &format!("size = {}", SMALL - 1));
    assert_refused(&app, &small_sized).await;
}

storage_tests!(
    an_object_without_our_header_is_refused,
    another_documents_object_is_refused,
    a_truncated_object_is_refused,
    a_flipped_byte_is_refused,
    content_unlike_its_record_is_refused
);
