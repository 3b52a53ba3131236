//! uploadDocument's limits (documents per action, bytes per application)
//! and getDocument written one document at a time (issue 17, finding 2),
//! and getDocument of content that fails document-service's check (issue
//! 17, finding 4).

use crate::helpers::{fabric, spawn_with, stored_documents, upload, User};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use testkit::objects::Objects;
use testkit::{Backend, TestApp};

/// A PDF of `size` bytes whose filler depends on `seed`.
fn pdf(size: usize, seed: u8) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend((0..size.saturating_sub(9)).map(|i| (i as u8).wrapping_mul(31) ^ seed));
    bytes
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Alice's application and its ProofOfIncomeEmployed action.
async fn proof_action(user: &User<'_>) -> String {
    let (application, party) = user.application("Alice", "Smith").await;
    format!("ProofOfIncomeEmployed_{party}_{application}")
}

async fn upload_pdfs(user: &User<'_>, action: &str, files: &[Vec<u8>]) -> (StatusCode, Value) {
    let encoded: Vec<String> = files.iter().map(|f| b64(f)).collect();
    let names: Vec<String> = (0..files.len()).map(|i| format!("f{i}.pdf")).collect();
    let items: Vec<(&str, &str, &str)> = names
        .iter()
        .zip(&encoded)
        .map(|(n, c)| (n.as_str(), "application/pdf", c.as_str()))
        .collect();
    user.call("UserAction/uploadDocument", &upload(action, &items))
        .await
}

fn too_many_documents(max: usize) -> Value {
    fabric(
        409,
        10307,
        &format!("Response: an action holds at most {max} documents"),
    )
}

async fn documents_per_action_are_bounded(backend: Backend) {
    let app = spawn_with(backend, &[("USER_ACTION_MAX_DOCUMENTS_PER_ACTION", "3")]).await;
    let alice = User::new(&app, "alice");
    let action = proof_action(&alice).await;
    let two = [pdf(1000, 1), pdf(1000, 2)];
    assert_eq!(upload_pdfs(&alice, &action, &two).await.0, StatusCode::OK);
    assert_eq!(
        upload_pdfs(&alice, &action, &two).await,
        (StatusCode::CONFLICT, too_many_documents(3))
    );
    assert_eq!(stored_documents(&app, "alice", &action).await, 2);
    assert_eq!(
        upload_pdfs(&alice, &action, &two[..1]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        upload_pdfs(&alice, &action, &two[..1]).await,
        (StatusCode::CONFLICT, too_many_documents(3))
    );
    assert_eq!(stored_documents(&app, "alice", &action).await, 3);
}

async fn bytes_per_application_are_bounded(backend: Backend) {
    let app = spawn_with(
        backend,
        &[("USER_ACTION_MAX_BYTES_PER_APPLICATION", "10000")],
    )
    .await;
    let alice = User::new(&app, "alice");
    let action = proof_action(&alice).await;
    let files = [pdf(4000, 1), pdf(4000, 2)];
    assert_eq!(upload_pdfs(&alice, &action, &files).await.0, StatusCode::OK);
    let refused = fabric(
        413,
        10308,
        "Response: an application's documents hold at most 10000 bytes",
    );
    assert_eq!(
        upload_pdfs(&alice, &action, &[pdf(2001, 3)]).await,
        (StatusCode::PAYLOAD_TOO_LARGE, refused)
    );
    assert_eq!(stored_documents(&app, "alice", &action).await, 2);
    assert_eq!(
        upload_pdfs(&alice, &action, &[pdf(2000, 3)]).await.0,
        StatusCode::OK
    );
}

/// Uploads at once are counted one after the other where they are
/// attached: the limit holds, and the refused files are not kept.
async fn uploads_at_once_stop_at_the_limit(backend: Backend) {
    let app = spawn_with(backend, &[("USER_ACTION_MAX_DOCUMENTS_PER_ACTION", "3")]).await;
    let alice = User::new(&app, "alice");
    let action = proof_action(&alice).await;
    let (alice, action) = (&alice, &action);
    let answers = futures_util::future::join_all(
        (0..8u8).map(|n| async move { upload_pdfs(alice, action, &[pdf(1000, n)]).await }),
    )
    .await;
    let stored = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(stored, 3, "{answers:?}");
    for answer in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(answer, &(StatusCode::CONFLICT, too_many_documents(3)));
    }
    let (status, documents) = alice
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": action}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(documents["Response"].as_array().map(Vec::len), Some(3));
    assert_eq!(stored_documents(&app, "alice", action).await, 3);
}

/// The answer getDocument gave when it was rendered whole (a JSON map,
/// keys sorted), with the documents in the order of `answered` ids.
fn rendered_whole(
    action: &str,
    uploaded: &[Value],
    files: &[Vec<u8>],
    answered: &Value,
) -> Vec<u8> {
    let order: Vec<&Value> = answered["Response"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| &d["documentId"])
        .collect();
    assert_eq!(order.len(), uploaded.len());
    let response: Vec<Value> = order
        .into_iter()
        .map(|id| {
            let at = uploaded
                .iter()
                .position(|u| &u["documentId"] == id)
                .expect("uploaded");
            (&uploaded[at], &files[at])
        })
        .map(|(stored, file)| {
            json!({"documentId": stored["documentId"], "fileClientId": stored["fileClientId"],
                   "fileContents": b64(file), "fileInfo": "", "fileName": stored["fileName"],
                   "fileType": "application/pdf"})
        })
        .collect();
    let whole = json!({"Response": response, "UserActionIdentifier": action,
                       "httpStatusCode": 200, "opstatus": 0});
    serde_json::to_vec(&whole).expect("json")
}

async fn get_document_of_many_files_answers_the_same_bytes(backend: Backend) {
    let app = spawn_with(backend, &[]).await;
    let alice = User::new(&app, "alice");
    let action = proof_action(&alice).await;
    // Sizes around the 48 KiB base64 pieces, in uploads of up to 10.
    let files: Vec<Vec<u8>> = (0..14)
        .map(|i| {
            pdf(
                [1, 2, 3, 49_151, 49_152, 49_153, 150_001][i % 7] + 9,
                i as u8,
            )
        })
        .collect();
    let mut uploaded = Vec::new();
    for batch in files.chunks(10) {
        let (status, answer) = upload_pdfs(&alice, &action, batch).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        uploaded.extend(answer["Response"].as_array().expect("files").clone());
    }
    let response = alice
        .request("UserAction/getDocument")
        .json(&json!({"UserActionIdentifier": action}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/json")
    );
    let body = response.bytes().await.expect("a whole answer");
    let answered: Value = serde_json::from_slice(&body).expect("json");
    assert!(
        body == rendered_whole(&action, &uploaded, &files, &answered),
        "getDocument's bytes changed"
    );
    let one = &uploaded[7];
    let (status, only) = alice
        .call(
            "UserAction/getDocument",
            &json!({"UserActionIdentifier": action, "documentId": one["documentId"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let expected = rendered_whole(&action, &uploaded[7..8], &files[7..8], &only);
    assert_eq!(
        only,
        serde_json::from_slice::<Value>(&expected).expect("json")
    );
}

/// Where the app's documents are: a local directory, or a bucket on the
/// test S3 server.
async fn spawn_on(backend: Backend, s3: bool) -> Option<TestApp> {
    if !s3 {
        return Some(spawn_with(backend, &[]).await);
    }
    if !testkit::s3::available() {
        return None;
    }
    let vars = testkit::objects::s3_vars(&testkit::s3::create_bucket().await);
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Some(spawn_with(backend, &pairs).await)
}

async fn get_document_refuses_content_that_fails_its_check_on(backend: Backend, s3: bool) {
    let Some(app) = spawn_on(backend, s3).await else {
        return;
    };
    let alice = User::new(&app, "alice");
    let action = proof_action(&alice).await;
    // Two uploads, so that the small one is answered first.
    let mut ids = Vec::new();
    for file in [pdf(5000, 1), pdf(200_000, 2)] {
        let (status, uploaded) = upload_pdfs(&alice, &action, &[file]).await;
        assert_eq!(status, StatusCode::OK, "{uploaded}");
        ids.push(
            uploaded["Response"][0]["documentId"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let objects = Objects::of(&app.vars);
    let (first, second) = (ids[0].clone(), ids[1].clone());
    let sealed_second = objects.document(&second).await;

    // The first document not sealed by the service: refused in the envelope.
    objects.replace_document(&first, pdf(5000, 9)).await;
    let failing = fabric(503, 10501, "document-service is failing; try again later");
    let query = json!({"UserActionIdentifier": action});
    assert_eq!(
        alice.call("UserAction/getDocument", &query).await,
        (StatusCode::SERVICE_UNAVAILABLE, failing.clone())
    );
    let only_first = json!({"UserActionIdentifier": action, "documentId": first});
    assert_eq!(
        alice.call("UserAction/getDocument", &only_first).await,
        (StatusCode::SERVICE_UNAVAILABLE, failing)
    );
    // The second, large one truncated: found once the answer has started,
    // which then stops short of its end, the connection dropped.
    objects.replace_document(&first, pdf(5000, 1)).await;
    objects
        .replace_document(&second, sealed_second[..sealed_second.len() - 1].to_vec())
        .await;
    let response = alice
        .request("UserAction/getDocument")
        .json(&query)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let read = response.bytes().await;
    assert!(read.is_err(), "a damaged getDocument ended cleanly");
    // The document alone: document-service cuts its download short, which
    // user-action reads whole, so it fails before answering.
    let only_second = json!({"UserActionIdentifier": action, "documentId": second});
    assert_eq!(
        alice.call("UserAction/getDocument", &only_second).await,
        (
            StatusCode::SERVICE_UNAVAILABLE,
            fabric(
                503,
                10501,
                "document-service is unavailable; try again later"
            )
        )
    );
}

async fn get_document_refuses_content_that_fails_its_check_local(backend: Backend) {
    get_document_refuses_content_that_fails_its_check_on(backend, false).await
}

async fn get_document_refuses_content_that_fails_its_check_s3(backend: Backend) {
    get_document_refuses_content_that_fails_its_check_on(backend, true).await
}

testkit::backend_tests!(
    documents_per_action_are_bounded,
    bytes_per_application_are_bounded,
    uploads_at_once_stop_at_the_limit,
    get_document_of_many_files_answers_the_same_bytes,
    get_document_refuses_content_that_fails_its_check_local,
    get_document_refuses_content_that_fails_its_check_s3
);
