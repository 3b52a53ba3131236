//! Every file rule refuses with its own status and body, and stores nothing.

use crate::helpers::{b64, json_upload, pdf, png, rule_problem, spawn_with, App, Storage, ALICE};
use crate::storage_tests;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::call;
use testkit::Backend;

/// Uploads `body`, asserts the exact refusal, and that nothing was stored.
async fn refused(app: &App, body: Value, status: StatusCode, expected: Value) {
    assert_eq!(
        app.upload(ALICE, &body).await,
        (status, expected),
        "{}",
        body["fileName"]
    );
    assert_nothing_stored(app).await;
}

async fn assert_nothing_stored(app: &App) {
    assert_eq!(app.stored_keys().await, Vec::<String>::new());
    assert_eq!(app.row_count(), 0);
}

const LIMIT: usize = 64 * 1024;

async fn each_file_rule_is_named(backend: Backend, storage: Storage) {
    let app = spawn_with(backend, storage, &[("DOCUMENT_MAX_BYTES", "65536")]).await;
    let bad = StatusCode::BAD_REQUEST;
    let doc = |name: &str, file_type: &str, content: &[u8]| {
        json_upload("ref-1", name, file_type, content)
    };
    let characters = "cannot contain any of these characters: , * | : \" < > ? / \\ [ ] % = ;";
    let forbidden = [
        "income,2021.pdf",
        "a*b.pdf",
        "a|b.pdf",
        "a:b.pdf",
        "a\"b.pdf",
        "a<b.pdf",
        "a>b.pdf",
        "a?b.pdf",
        "a/b.pdf",
        "a\\b.pdf",
        "a[1].pdf",
        "100%.pdf",
        "a=b.pdf",
        "a;b.pdf",
        "../../etc/passwd.pdf",
        // Characters that pass for a slash, a backslash or a colon.
        "..\u{2215}..\u{2215}etc.pdf",
        "a\u{FF3C}b.pdf",
        "c\u{FF1A}report.pdf",
    ];
    // What changes how a name reads without being seen: a right-to-left
    // override (this one reads as "payslipexe.pdf"), a line separator, a
    // zero-width space.
    let hidden =
        "must be 1 to 255 characters without control, bidirectional or invisible characters";
    let extension = "must have an extension (for example .pdf, .jpg, .png)";
    let name_rules: [(&[&str], &str, &str); 3] = [
        (&forbidden, "file-name-characters", characters),
        (
            &["payslip\u{202E}fdp.exe", "a\u{2028}b.pdf", "a\u{200B}b.pdf"],
            "file-name-invalid",
            hidden,
        ),
        (
            &["payslip", "payslip.", ".pdf"],
            "file-name-extension",
            extension,
        ),
    ];
    for (names, slug, message) in name_rules {
        for name in names {
            refused(
                &app,
                doc(name, "application/pdf", &pdf(100)),
                bad,
                rule_problem(slug, 400, "fileName", message),
            )
            .await;
        }
    }
    refused(
        &app,
        doc(" payslip.pdf", "application/pdf", &pdf(100)),
        bad,
        rule_problem(
            "file-name-leading-space",
            400,
            "fileName",
            "cannot begin with a space",
        ),
    )
    .await;
    refused(
        &app,
        doc("big.pdf", "application/pdf", &pdf(LIMIT + 1)),
        StatusCode::PAYLOAD_TOO_LARGE,
        rule_problem(
            "file-too-large",
            413,
            "fileContents",
            "must not exceed 65536 bytes",
        ),
    )
    .await;
    refused(
        &app,
        doc("huge.pdf", "application/pdf", &pdf(LIMIT * 4)),
        StatusCode::PAYLOAD_TOO_LARGE,
        rule_problem(
            "file-too-large",
            413,
            "fileContents",
            "must not exceed 65536 bytes",
        ),
    )
    .await;
    refused(
        &app,
        doc("empty.pdf", "application/pdf", b""),
        bad,
        rule_problem("file-empty", 400, "fileContents", "must not be empty"),
    )
    .await;
    let mut not_base64 = doc("broken.pdf", "application/pdf", b"x");
    not_base64["fileContents"] = json!("%%% not base64 %%%");
    refused(
        &app,
        not_base64,
        bad,
        rule_problem(
            "file-bad-base64",
            400,
            "fileContents",
            "must be valid base64",
        ),
    )
    .await;
    refused(
        &app,
        doc("notes.txt", "text/plain", b"plain words"),
        bad,
        rule_problem(
            "file-type-not-allowed",
            400,
            "fileType",
            "text/plain is not an allowed type",
        ),
    )
    .await;
    refused(
        &app,
        doc("photo.pdf", "application/pdf", &png(500)),
        bad,
        rule_problem(
            "file-type-mismatch",
            400,
            "fileType",
            "is application/pdf but the content is image/png",
        ),
    )
    .await;
    refused(
        &app,
        doc("fake.pdf", "application/pdf", b"this is not a pdf at all"),
        bad,
        rule_problem(
            "file-type-mismatch",
            400,
            "fileType",
            "is application/pdf but the content is not of a recognisable type",
        ),
    )
    .await;
    let metrics = app
        .app
        .internal(Method::GET, "/metrics")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"document_uploads_refused_total{rule="file-type-mismatch"}"#),
        "{metrics}"
    );
}

async fn an_oversized_multipart_file_is_refused_while_reading(backend: Backend, storage: Storage) {
    let app = spawn_with(backend, storage, &[("DOCUMENT_MAX_BYTES", "65536")]).await;
    let form = reqwest::multipart::Form::new()
        .text("reference", "ref-1")
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf(LIMIT * 8))
                .file_name("big.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let answer = call(
        app.as_owner(ALICE, Method::POST, "/document/v1/documents")
            .multipart(form),
    )
    .await;
    assert_eq!(
        answer,
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            rule_problem(
                "file-too-large",
                413,
                "fileContents",
                "must not exceed 65536 bytes"
            )
        )
    );
    assert_nothing_stored(&app).await;
}

async fn malformed_requests_name_the_field(backend: Backend, storage: Storage) {
    let app = spawn_with(backend, storage, &[]).await;
    let invalid = |field: &str, message: &str| {
        json!({
            "type": "urn:onboarding:problem:invalid-input", "title": "The request is invalid", "status": 400,
            "detail": format!("{field}: {message}"), "errors": [{"field": field, "message": message}]
        })
    };
    let mut no_reference = json_upload("r", "a.pdf", "application/pdf", &pdf(100));
    no_reference
        .as_object_mut()
        .expect("object")
        .remove("reference");
    refused(
        &app,
        no_reference,
        StatusCode::BAD_REQUEST,
        invalid("reference", "is required"),
    )
    .await;
    let mut odd_client_id = json_upload("r", "a.pdf", "application/pdf", &pdf(100));
    odd_client_id["fileClientId"] = json!({"nested": true});
    refused(
        &app,
        odd_client_id,
        StatusCode::BAD_REQUEST,
        invalid("fileClientId", "must be a number or a string"),
    )
    .await;
    // Notes and client ids are bounded: a note of 1,001 characters, a
    // client id of 65 (as text, and as a number's digits) are refused.
    let long_texts = [
        (
            "fileInfo",
            json!("é".repeat(1_001)),
            "must be at most 1000 characters",
        ),
        (
            "fileClientId",
            json!("x".repeat(65)),
            "must be at most 64 characters",
        ),
        (
            "fileClientId",
            serde_json::from_str::<Value>(&"9".repeat(65)).expect("a number"),
            "must be at most 64 characters",
        ),
    ];
    for (field, value, message) in long_texts {
        let mut long = json_upload("r", "a.pdf", "application/pdf", &pdf(100));
        long[field] = value;
        refused(&app, long, StatusCode::BAD_REQUEST, invalid(field, message)).await;
    }
    let no_owner = call(
        app.app
            .internal(Method::POST, "/document/v1/documents")
            .json(&json_upload("r", "a.pdf", "application/pdf", &pdf(100))),
    )
    .await;
    assert_eq!(
        no_owner,
        (
            StatusCode::BAD_REQUEST,
            invalid(
                "X-Owner-System",
                "must name the owner (1 to 256 characters)"
            )
        )
    );
    let text = call(
        app.as_owner(ALICE, Method::POST, "/document/v1/documents")
            .header("content-type", "text/plain")
            .body(b64(b"x")),
    )
    .await;
    assert_eq!(
        text,
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"type": "urn:onboarding:problem:unsupported-media-type", "title": "Unsupported media type", "status": 415,
                   "detail": "the body must be application/json or multipart/form-data"})
        )
    );
    assert_nothing_stored(&app).await;
    // At the limits, the same upload is stored.
    let mut at_the_limits = json_upload("r", "a.pdf", "application/pdf", &pdf(100));
    at_the_limits["fileInfo"] = json!("é".repeat(1_000));
    at_the_limits["fileClientId"] = json!("x".repeat(64));
    assert_eq!(
        app.upload(ALICE, &at_the_limits).await.0,
        StatusCode::CREATED
    );
}

storage_tests!(
    each_file_rule_is_named,
    an_oversized_multipart_file_is_refused_while_reading,
    malformed_requests_name_the_field
);
