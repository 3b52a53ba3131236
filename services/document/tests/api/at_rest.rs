//! Content at rest: the store holds only ciphertext, downloads give back the
//! plaintext byte for byte, old keys keep decrypting after a rotation, and
//! a missing key is a clean 500.

use crate::helpers::{
    build, download, internal_error, json_upload, pdf, spawn_with, App, Storage, ALICE,
};
use crate::storage_tests;
use reqwest::StatusCode;
use testkit::call;
use testkit::{Backend, KEY_A, KEY_B};

/// Header (`OBE1`, id length, a one-letter id, nonce prefix) and one tag per
/// 64 KiB chunk.
fn sealed_len(plaintext: usize) -> usize {
    4 + 1 + 1 + 7 + plaintext + 16 * plaintext.div_ceil(64 * 1024).max(1)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn upload(app: &App, content: &[u8]) -> String {
    let body = json_upload("ref-1", "a.pdf", "application/pdf", content);
    let (status, stored) = app.upload(ALICE, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    stored["id"].as_str().expect("id").to_owned()
}

async fn assert_downloads(app: &App, id: &str, content: &[u8]) {
    let (status, _, bytes) = download(app, id).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == content, "the download differs from the upload");
}

async fn content_is_sealed_at_rest_and_survives_rotation(backend: Backend, storage: Storage) {
    let mut app = spawn_with(backend, storage, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let first = pdf(200_000);
    let first_id = upload(&app, &first).await;
    let objects = app.stored_objects().await;
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].len(), sealed_len(first.len()));
    assert!(objects[0].starts_with(b"OBE1\x01a"));
    for offset in [0, 1000, 70_000, 199_950] {
        let sample = &first[offset..offset + 32];
        assert!(
            !contains(&objects[0], sample),
            "plaintext at {offset} is stored"
        );
    }
    assert_downloads(&app, &first_id, &first).await;

    let rotated = format!("{KEY_B},{KEY_A}");
    app.app
        .restart(&[("ENCRYPTION_KEYS", Some(&rotated))], &build)
        .await;
    assert_downloads(&app, &first_id, &first).await;
    let second = pdf(10);
    let second_id = upload(&app, &second).await;
    assert_downloads(&app, &second_id, &second).await;
    let objects = app.stored_objects().await;
    assert!(objects.iter().any(|o| o.starts_with(b"OBE1\x01b")));

    app.app
        .restart(&[("ENCRYPTION_KEYS", Some(KEY_B))], &build)
        .await;
    assert_downloads(&app, &second_id, &second).await;
    let path = format!("/document/v1/documents/{first_id}/content");
    let answer = call(app.as_owner(ALICE, reqwest::Method::GET, &path)).await;
    assert_eq!(
        answer,
        (StatusCode::INTERNAL_SERVER_ERROR, internal_error())
    );
}

async fn content_stored_before_sealing_is_served_as_it_is(backend: Backend, storage: Storage) {
    let app = spawn_with(backend, storage, &[("ENCRYPTION_KEYS", KEY_A)]).await;
    let content = pdf(100_000);
    let id = upload(&app, &content).await;
    // What the store held before sealing was introduced: the file itself.
    app.overwrite_object(&id, content.clone()).await;
    assert_downloads(&app, &id, &content).await;
}

storage_tests!(
    content_is_sealed_at_rest_and_survives_rotation,
    content_stored_before_sealing_is_served_as_it_is
);
