//! document-service's object store, reached behind the app's back: to see
//! what it holds, and to tamper with it (a local directory or a bucket on
//! the test S3 server, as the app's variables say).

use object_store::ObjectStoreExt;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where an app's documents are stored.
#[derive(Debug, Clone)]
pub enum Objects {
    /// `DATA_DIR/documents`, the default.
    Local(PathBuf),
    /// A bucket on the test S3 server.
    S3(String),
}

/// The variables that store documents in `bucket` on the test S3 server.
pub fn s3_vars(bucket: &str) -> Vec<(String, String)> {
    let endpoint = crate::s3::endpoint().expect("S3 server");
    [
        ("DOCUMENT_STORE_URL", format!("s3://{bucket}")),
        ("DOCUMENT_S3_ENDPOINT", endpoint.to_owned()),
        ("DOCUMENT_S3_ALLOW_HTTP", "true".to_owned()),
        ("DOCUMENT_S3_ACCESS_KEY_ID", "test".to_owned()),
        ("DOCUMENT_S3_SECRET_ACCESS_KEY", "test".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

impl Objects {
    /// The store an app with `vars` uses.
    pub fn of(vars: &HashMap<String, String>) -> Self {
        match vars
            .get("DOCUMENT_STORE_URL")
            .and_then(|url| url.strip_prefix("s3://"))
        {
            Some(bucket) => Self::S3(bucket.to_owned()),
            None => Self::Local(PathBuf::from(&vars["DATA_DIR"]).join("documents")),
        }
    }

    /// The stored bytes of document `id`.
    pub async fn document(&self, id: &str) -> Vec<u8> {
        self.read(&format!("documents/{id}")).await
    }

    /// Replaces the stored bytes of document `id`.
    pub async fn replace_document(&self, id: &str, bytes: Vec<u8>) {
        let key = format!("documents/{id}");
        match self {
            Self::S3(bucket) => drop(
                client(bucket)
                    .put(&key.as_str().into(), bytes.into())
                    .await
                    .expect("put"),
            ),
            Self::Local(root) => std::fs::write(root.join(key), bytes).expect("write"),
        }
    }

    /// The bytes of the object at `key`.
    pub async fn read(&self, key: &str) -> Vec<u8> {
        match self {
            // Signed: moto refuses anonymous reads of objects.
            Self::S3(bucket) => {
                let object = client(bucket).get(&key.into()).await.expect("get object");
                object.bytes().await.expect("object bytes").to_vec()
            }
            Self::Local(root) => std::fs::read(root.join(key)).expect("object"),
        }
    }

    /// Every key in the store.
    pub async fn keys(&self) -> Vec<String> {
        match self {
            Self::S3(bucket) => crate::s3::keys(bucket).await,
            Self::Local(root) => {
                let mut keys = Vec::new();
                let mut dirs = vec![root.clone()];
                while let Some(dir) = dirs.pop() {
                    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                        let path = entry.path();
                        if path.is_dir() {
                            dirs.push(path);
                        } else {
                            let key = path.strip_prefix(root).expect("under root");
                            keys.push(key.display().to_string());
                        }
                    }
                }
                keys
            }
        }
    }
}

/// A client of the test S3 server's `bucket`.
fn client(bucket: &str) -> object_store::aws::AmazonS3 {
    object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_endpoint(crate::s3::endpoint().expect("S3 server"))
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .expect("S3 client")
}
