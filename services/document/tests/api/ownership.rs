//! Only a document's owner reads, lists, downloads or deletes it; to anyone
//! else it does not exist.

use crate::helpers::{json_upload, not_found, pdf, spawn, Storage, ALICE, MALLORY};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::call;
use testkit::Backend;

async fn another_owner_sees_nothing(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let (_, stored) = app
        .upload(
            ALICE,
            &json_upload("ref-1", "a.pdf", "application/pdf", &pdf(5000)),
        )
        .await;
    let id = stored["id"].as_str().expect("id");
    let unknown = uuid::Uuid::new_v4().to_string();
    for target in [id, unknown.as_str(), "not-a-uuid"] {
        for (method, path) in [
            (Method::GET, format!("/document/v1/documents/{target}")),
            (
                Method::GET,
                format!("/document/v1/documents/{target}/content"),
            ),
            (Method::DELETE, format!("/document/v1/documents/{target}")),
        ] {
            let answer = call(app.as_owner(MALLORY, method.clone(), &path)).await;
            assert_eq!(
                answer,
                (StatusCode::NOT_FOUND, not_found()),
                "{method} {path}: indistinguishable"
            );
        }
    }
    let other_system = ("case", "alice");
    let answer = call(app.as_owner(
        other_system,
        Method::GET,
        &format!("/document/v1/documents/{id}"),
    ))
    .await;
    assert_eq!(
        answer,
        (StatusCode::NOT_FOUND, not_found()),
        "the same subject in another system is another owner"
    );
    let (_, theirs) = call(app.as_owner(
        MALLORY,
        Method::GET,
        "/document/v1/documents?reference=ref-1",
    ))
    .await;
    assert_eq!(theirs, json!({"items": [], "nextCursor": null}));
    let (status, still) =
        call(app.as_owner(ALICE, Method::GET, &format!("/document/v1/documents/{id}"))).await;
    assert_eq!(
        (status, still),
        (StatusCode::OK, stored),
        "the owner's document is untouched"
    );
}

async fn the_internal_credential_is_required(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let answer = call(
        app.app
            .anonymous(Method::POST, "/document/v1/documents")
            .header("X-Owner-System", ALICE.0)
            .header("X-Owner-Subject", ALICE.1)
            .json(&json_upload("r", "a.pdf", "application/pdf", &pdf(100))),
    )
    .await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.row_count(), 0);
}

storage_tests!(
    another_owner_sees_nothing,
    the_internal_credential_is_required
);
