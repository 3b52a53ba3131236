//! Fifty uploads at once are all stored, each intact.

use crate::helpers::{download, json_upload, pdf, sha256, spawn, Storage, ALICE};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use std::collections::HashSet;
use testkit::call;
use testkit::Backend;

async fn fifty_concurrent_uploads(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let uploads: Vec<_> = (0..50)
        .map(|i| {
            let mut content = pdf(20_000 + i * 37);
            content[100] = i as u8;
            (
                json_upload(
                    "ref-many",
                    &format!("file{i}.pdf"),
                    "application/pdf",
                    &content,
                ),
                content,
            )
        })
        .collect();
    let answers =
        futures_util::future::join_all(uploads.iter().map(|(body, _)| app.upload(ALICE, body)))
            .await;
    let mut ids = HashSet::new();
    for ((_, content), (status, stored)) in uploads.iter().zip(&answers) {
        assert_eq!(*status, StatusCode::CREATED, "{stored}");
        assert_eq!(stored["sha256"].as_str(), Some(sha256(content).as_str()));
        ids.insert(stored["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 50);
    let (_, page) = call(app.as_owner(
        ALICE,
        Method::GET,
        "/document/v1/documents?reference=ref-many&limit=100",
    ))
    .await;
    assert_eq!(page["items"].as_array().expect("items").len(), 50);
    assert_eq!(app.stored_keys().await.len(), 50);
    for ((_, content), (_, stored)) in uploads.iter().zip(&answers).take(5) {
        let id = stored["id"].as_str().expect("id");
        let (_, _, bytes) = download(&app, id).await;
        assert!(bytes == *content);
    }
}

storage_tests!(fifty_concurrent_uploads);
