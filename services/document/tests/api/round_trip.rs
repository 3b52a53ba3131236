//! Storing, reading, downloading, listing and deleting, byte for byte.

use crate::helpers::{
    download, expected_metadata, json_upload, not_found, pdf, png, sha256, spawn, Storage, ALICE,
};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::call;
use testkit::Backend;

async fn a_json_upload_round_trips_byte_for_byte(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let content = pdf(1024 * 1024);
    let upload = json_upload(
        "ProofOfIncomeEmployed_1778258145_3X88WLM",
        "techspectemplate.pdf",
        "application/pdf",
        &content,
    );
    let (status, stored) = app.upload(ALICE, &upload).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let id = stored["id"].as_str().expect("id");
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let created_at = stored["createdAt"].as_str().expect("createdAt");
    assert_eq!(
        stored,
        expected_metadata(ALICE, &upload, &content, id, created_at)
    );

    let (status, metadata) =
        call(app.as_owner(ALICE, Method::GET, &format!("/document/v1/documents/{id}"))).await;
    assert_eq!((status, &metadata), (StatusCode::OK, &stored));

    let (status, headers, bytes) = download(&app, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"techspectemplate.pdf\""
    );
    assert_eq!(
        headers["content-length"],
        content.len().to_string().as_str()
    );
    assert_eq!(sha256(&bytes), stored["sha256"].as_str().expect("sha"));
    assert!(bytes == content, "the content comes back byte for byte");

    let reference = "/document/v1/documents?reference=ProofOfIncomeEmployed_1778258145_3X88WLM";
    let (_, page) = call(app.as_owner(ALICE, Method::GET, reference)).await;
    assert_eq!(page, json!({"items": [stored], "nextCursor": null}));
    assert_eq!(app.stored_keys().await, vec![format!("documents/{id}")]);

    let deleted = app
        .as_owner(
            ALICE,
            Method::DELETE,
            &format!("/document/v1/documents/{id}"),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let (status, body) =
        call(app.as_owner(ALICE, Method::GET, &format!("/document/v1/documents/{id}"))).await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, not_found()));
    assert_eq!(download(&app, id).await.0, StatusCode::NOT_FOUND);
    let (_, page) = call(app.as_owner(ALICE, Method::GET, reference)).await;
    assert_eq!(page, json!({"items": [], "nextCursor": null}));
    assert_eq!(app.stored_keys().await, Vec::<String>::new());
    assert_eq!(app.row_count(), 0);
}

async fn a_multipart_upload_round_trips(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let content = png(300_000);
    let form = reqwest::multipart::Form::new()
        .text("reference", "DriverLicense_1778258145_3X88WLM")
        .text("fileInfo", "front side")
        .text("fileClientId", "client-7")
        .part(
            "file",
            reqwest::multipart::Part::bytes(content.clone())
                .file_name("licence front.png")
                .mime_str("image/png")
                .expect("mime"),
        );
    let (status, stored) = call(
        app.as_owner(ALICE, Method::POST, "/document/v1/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let id = stored["id"].as_str().expect("id");
    let expected_upload = json!({
        "reference": "DriverLicense_1778258145_3X88WLM", "fileName": "licence front.png", "fileType": "image/png",
        "fileInfo": "front side", "fileClientId": "client-7"
    });
    assert_eq!(
        stored,
        expected_metadata(
            ALICE,
            &expected_upload,
            &content,
            id,
            stored["createdAt"].as_str().expect("at")
        )
    );
    let (status, headers, bytes) = download(&app, id).await;
    assert_eq!(
        (status, &headers["content-type"]),
        (StatusCode::OK, &"image/png".parse().expect("header"))
    );
    assert!(bytes == content);
}

async fn lists_page_by_cursor_and_filter_by_reference(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let mut mine = Vec::new();
    for i in 0..5 {
        let (_, stored) = app
            .upload(
                ALICE,
                &json_upload(
                    "ref-a",
                    &format!("doc{i}.pdf"),
                    "application/pdf",
                    &pdf(2000),
                ),
            )
            .await;
        mine.push(stored);
    }
    app.upload(
        ALICE,
        &json_upload("ref-b", "other.pdf", "application/pdf", &pdf(2000)),
    )
    .await;
    mine.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    let mut seen: Vec<Value> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/document/v1/documents?reference=ref-a&limit=2&cursor={c}"),
            None => "/document/v1/documents?reference=ref-a&limit=2".to_owned(),
        };
        let (status, page) = call(app.as_owner(ALICE, Method::GET, &path)).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, mine);
    let (_, all) = call(app.as_owner(ALICE, Method::GET, "/document/v1/documents?limit=100")).await;
    assert_eq!(all["items"].as_array().expect("items").len(), 6);
}

/// A name beyond ASCII is downloaded as RFC 6266 says: an ASCII stand-in
/// as `filename`, the name itself as `filename*` (UTF-8, percent-encoded).
async fn a_name_beyond_ascii_is_downloaded_as_rfc_6266_says(backend: Backend, storage: Storage) {
    let app = spawn(backend, storage).await;
    let upload = json_upload(
        "ProofOfAddress_1778258145_3X88WLM",
        "relevé de compte \u{8A3C}.pdf",
        "application/pdf",
        &pdf(1000),
    );
    let (status, stored) = app.upload(ALICE, &upload).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["fileName"], "relevé de compte \u{8A3C}.pdf");
    let (status, headers, _) = download(&app, stored["id"].as_str().expect("id")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"relev_ de compte _.pdf\"; \
         filename*=UTF-8''relev%C3%A9%20de%20compte%20%E8%A8%BC.pdf"
    );
}

storage_tests!(
    a_name_beyond_ascii_is_downloaded_as_rfc_6266_says,
    a_json_upload_round_trips_byte_for_byte,
    a_multipart_upload_round_trips,
    lists_page_by_cursor_and_filter_by_reference,
);
