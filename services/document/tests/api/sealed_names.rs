//! A document's file name, note and client id at rest (issue 17, finding
//! 5): the database holds them sealed only, every read answers them as
//! sent, and rows written before sealing are sealed when the service
//! starts.

use crate::helpers::{build, download, pdf, spawn, App, Storage, ALICE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::at_rest::{database_columns, database_text};
use testkit::{backend_tests, call, faults, Backend};

/// Personal values no key, id or ciphertext holds by chance.
const NAME: &str = "Kohli-Virat-payslip-QZ-2026.pdf";
const INFO: &str = "Payslip of Virat Kohli for March QZ";
const CLIENT_ID: &str = "CLIENT-FILE-QZ-7731";
const PERSONAL: [&str; 3] = [NAME, INFO, CLIENT_ID];

/// Uploads a document named [`NAME`]; its metadata as answered.
async fn upload_personal(app: &App) -> Value {
    let body = json!({
        "reference": "ProofOfIncomeEmployed_1778258145_3X88WLM",
        "fileName": NAME,
        "fileType": "application/pdf",
        "fileInfo": INFO,
        "fileClientId": CLIENT_ID,
        "fileContents": crate::helpers::b64(&pdf(1000)),
    });
    let (status, stored) = app.upload(ALICE, &body).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(
        (
            &stored["fileName"],
            &stored["fileInfo"],
            &stored["fileClientId"]
        ),
        (&json!(NAME), &json!(INFO), &json!(CLIENT_ID))
    );
    stored
}

/// Every read of `stored` answers it as uploaded: its metadata, the list,
/// and the download's Content-Disposition.
async fn assert_reads(app: &App, stored: &Value) {
    let id = stored["id"].as_str().expect("id");
    let path = format!("/document/v1/documents/{id}");
    let (status, metadata) = call(app.as_owner(ALICE, Method::GET, &path)).await;
    assert_eq!((status, &metadata), (StatusCode::OK, stored));
    let (status, page) = call(app.as_owner(ALICE, Method::GET, "/document/v1/documents")).await;
    assert_eq!(
        (status, page),
        (
            StatusCode::OK,
            json!({"items": [stored], "nextCursor": null})
        )
    );
    let (status, headers, _) = download(app, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"{NAME}\"").as_str()
    );
}

/// Every column of the documents database, as text.
fn columns(app: &App) -> String {
    let url = &app.app.vars["DOCUMENT_DATABASE_URL"];
    database_columns(app.app.backend, url)
        .into_iter()
        .map(|(column, text)| format!("{column}: {text}\n"))
        .collect()
}

async fn file_names_are_sealed_at_rest(backend: Backend) {
    let app = spawn(backend, Storage::Local).await;
    let stored = upload_personal(&app).await;
    assert_reads(&app, &stored).await;
    testkit::assert_absent("the documents database", &columns(&app), &PERSONAL);
}

async fn rows_written_before_sealing_are_sealed_at_start(backend: Backend) {
    let mut app = spawn(backend, Storage::Local).await;
    let stored = upload_personal(&app).await;
    // What the table held before sealing: the values in plaintext (the
    // client id as JSON text).
    let plaintext = format!(
        "UPDATE documents SET file_name = '{NAME}', file_info = '{INFO}',
             file_client_id = '\"{CLIENT_ID}\"', sealed = FALSE"
    );
    let url = app.app.vars["DOCUMENT_DATABASE_URL"].clone();
    faults::execute(backend, &url, &plaintext);
    assert!(columns(&app).contains(NAME));
    app.app.restart(&[], &build).await;
    assert_reads(&app, &stored).await;
    testkit::assert_absent("the documents database", &columns(&app), &PERSONAL);
    if backend == Backend::Postgres {
        // (A SQLite file may keep the overwritten text in a free page.)
        let raw = database_text(backend, &url);
        testkit::assert_absent("the documents database", &raw, &PERSONAL);
    }
}

backend_tests!(
    file_names_are_sealed_at_rest,
    rows_written_before_sealing_are_sealed_at_start,
);
