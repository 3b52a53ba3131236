//! Starting document-service on each storage backend, and what the tests send.

use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Digest;
use testkit::objects::Objects;
use testkit::{call, Backend, TestApp};

/// Where content is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// The default: a directory under the data directory.
    Local,
    /// A bucket on the test S3 server.
    S3,
}

/// A running document-service and its store.
pub struct App {
    /// The app.
    pub app: TestApp,
}

/// Runs each listed `async fn(Backend, Storage)` on every database and
/// storage backend: `local::sqlite::name`, `s3::postgres::name`, ...
#[macro_export]
macro_rules! storage_tests {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                async fn $name(backend: testkit::Backend) {
                    super::$name(backend, $crate::helpers::Storage::Local).await
                }
            )*
            testkit::backend_tests!($($name),*);
        }
        mod s3 {
            $(
                async fn $name(backend: testkit::Backend) {
                    if testkit::s3::available() {
                        super::$name(backend, $crate::helpers::Storage::S3).await
                    }
                }
            )*
            testkit::backend_tests!($($name),*);
        }
    };
}

/// Starts document-service on `backend` and `storage`, with `extra` variables.
pub async fn spawn_with(backend: Backend, storage: Storage, extra: &[(&str, &str)]) -> App {
    let bucket = match storage {
        Storage::Local => None,
        Storage::S3 => Some(testkit::s3::create_bucket().await),
    };
    let mut vars: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Some(bucket) = &bucket {
        vars.extend(testkit::objects::s3_vars(bucket));
    }
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn(backend, &["document"], &pairs, &build).await;
    App { app }
}

/// What the tests serve: document-service alone.
pub fn build(
    ctx: &service_kit::server::Context,
    vars: &std::collections::HashMap<String, String>,
) -> anyhow::Result<Vec<service_kit::Service>> {
    Ok(vec![document::service(ctx, Some(vars))?])
}

/// Starts document-service with the default limits.
pub async fn spawn(backend: Backend, storage: Storage) -> App {
    spawn_with(backend, storage, &[]).await
}

/// The owner most tests act as.
pub const ALICE: (&str, &str) = ("user-action", "alice");
/// Another owner.
pub const MALLORY: (&str, &str) = ("user-action", "mallory");

impl App {
    /// A request as `owner`, with the internal credential.
    pub fn as_owner(
        &self,
        owner: (&str, &str),
        method: Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.app
            .internal(method, path)
            .header("X-Owner-System", owner.0)
            .header("X-Owner-Subject", owner.1)
    }

    /// Uploads a JSON body as `owner`; returns status and body.
    pub async fn upload(&self, owner: (&str, &str), body: &Value) -> (StatusCode, Value) {
        call(
            self.as_owner(owner, Method::POST, "/document/v1/documents")
                .json(body),
        )
        .await
    }

    /// The app's object store.
    pub fn objects(&self) -> Objects {
        Objects::of(&self.app.vars)
    }

    /// The bytes of every object in the store, as stored.
    pub async fn stored_objects(&self) -> Vec<Vec<u8>> {
        let objects = self.objects();
        let mut stored = Vec::new();
        for key in objects.keys().await {
            stored.push(objects.read(&key).await);
        }
        stored
    }

    /// Replaces the stored bytes of document `id`'s object.
    pub async fn overwrite_object(&self, id: &str, bytes: Vec<u8>) {
        self.objects().replace_document(id, bytes).await
    }

    /// The object keys in the store.
    pub async fn stored_keys(&self) -> Vec<String> {
        self.objects().keys().await
    }

    /// Every row of the documents table, whatever its state.
    pub fn row_count(&self) -> i64 {
        let sql = "SELECT COUNT(*) AS n FROM documents";
        let url = &self.app.vars["DOCUMENT_DATABASE_URL"];
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let counted: Vec<Count> = diesel::sql_query(sql)
            .load(&mut testkit::faults::connect(self.app.backend, url))
            .expect("count");
        counted[0].n
    }
}

/// A PDF of `size` bytes (a real PDF header, then varied filler).
pub fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut x: u32 = 2463534242;
    while bytes.len() < size {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.push(x as u8);
    }
    bytes.truncate(size);
    bytes
}

/// A PNG header followed by filler.
pub fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.resize(size, 7);
    bytes
}

/// Base64 of `bytes`.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A JSON upload in the seed's shape.
pub fn json_upload(reference: &str, name: &str, file_type: &str, content: &[u8]) -> Value {
    json!({
        "reference": reference,
        "fileName": name,
        "fileType": file_type,
        "fileInfo": "",
        "fileClientId": 1627265913230_u64,
        "fileContents": b64(content),
    })
}

/// The metadata the service must answer for an upload by `owner`.
pub fn expected_metadata(
    owner: (&str, &str),
    upload: &Value,
    content: &[u8],
    id: &str,
    created_at: &str,
) -> Value {
    json!({
        "id": id,
        "owner": {"system": owner.0, "subject": owner.1},
        "reference": upload["reference"],
        "fileName": upload["fileName"],
        "fileInfo": upload["fileInfo"],
        "fileClientId": upload["fileClientId"],
        "declaredType": upload["fileType"],
        "sniffedType": upload["fileType"],
        "size": content.len(),
        "sha256": sha256(content),
        "createdAt": created_at,
    })
}

/// The problem+json body of a broken file rule.
pub fn rule_problem(rule: &str, status: u16, field: &str, message: &str) -> Value {
    json!({
        "type": format!("urn:onboarding:problem:{rule}"),
        "title": "A rule was broken",
        "status": status,
        "detail": format!("{field}: {message}"),
        "errors": [{"field": field, "message": message}]
    })
}

/// The 404 of a document that does not exist (or is not the caller's).
pub fn not_found() -> Value {
    json!({"type": "urn:onboarding:problem:not-found", "title": "Not found", "status": 404, "detail": "document not found"})
}

/// Downloads a document of ALICE's: status, headers and bytes.
pub async fn download(app: &App, id: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app
        .as_owner(
            ALICE,
            Method::GET,
            &format!("/document/v1/documents/{id}/content"),
        )
        .send()
        .await
        .expect("sent");
    (
        response.status(),
        response.headers().clone(),
        response.bytes().await.expect("bytes").to_vec(),
    )
}

/// The problem+json body of a 500.
pub fn internal_error() -> serde_json::Value {
    json!({"type": "urn:onboarding:problem:internal", "title": "Internal error", "status": 500, "detail": "an internal error occurred"})
}
