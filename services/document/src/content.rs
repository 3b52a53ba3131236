//! Where document content lives: an `object_store` — a local directory by
//! default, or any S3-compatible store. Objects are keyed `documents/<id>`.

use crate::config::DocumentConfig;
use bytes::Bytes;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use service_kit::{ConfigError, ServerConfig};
use std::sync::Arc;

/// The content store.
#[derive(Clone, Debug)]
pub struct ContentStore {
    inner: Arc<dyn ObjectStore>,
}

fn key(id: &str) -> Path {
    Path::from(format!("documents/{id}"))
}

impl ContentStore {
    /// Opens the store the configuration names.
    pub fn open(config: &DocumentConfig, server: &ServerConfig) -> Result<Self, ConfigError> {
        let invalid = |why: String| ConfigError::invalid("DOCUMENT_STORE_URL", why);
        let url = config
            .store_url
            .clone()
            .unwrap_or_else(|| format!("file://{}", server.data_dir.join("documents").display()));
        let inner: Arc<dyn ObjectStore> = if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)
                .map_err(|e| invalid(format!("cannot create {dir}: {e}")))?;
            // fsync before a write returns, so that content is as durable as
            // on S3 before its metadata says it is stored.
            let local =
                LocalFileSystem::new_with_prefix(dir).map_err(|e| invalid(e.to_string()))?;
            Arc::new(local.with_fsync(true))
        } else if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(invalid(
                    "must name a bucket: s3://BUCKET[/PREFIX]".to_owned(),
                ));
            }
            let mut builder = AmazonS3Builder::new()
                .with_bucket_name(bucket)
                .with_region(&config.s3_region)
                .with_allow_http(config.s3_allow_http);
            if let Some(endpoint) = &config.s3_endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            if let Some(key) = &config.s3_access_key_id {
                builder = builder.with_access_key_id(key);
            }
            if let Some(secret) = &config.s3_secret_access_key {
                builder = builder.with_secret_access_key(secret.expose());
            }
            let s3 = builder.build().map_err(|e| invalid(e.to_string()))?;
            match prefix.trim_matches('/') {
                "" => Arc::new(s3),
                prefix => Arc::new(PrefixStore::new(s3, prefix)),
            }
        } else {
            return Err(invalid("must start with file:// or s3://".to_owned()));
        };
        Ok(Self { inner })
    }

    /// Writes a document's content.
    pub async fn put(&self, id: &str, content: Bytes) -> object_store::Result<()> {
        self.inner
            .put(&key(id), PutPayload::from_bytes(content))
            .await
            .map(drop)
    }

    /// Streams a document's content.
    pub async fn get(
        &self,
        id: &str,
    ) -> object_store::Result<BoxStream<'static, object_store::Result<Bytes>>> {
        Ok(self.inner.get(&key(id)).await?.into_stream())
    }

    /// Removes a document's content; content already gone is not an error.
    pub async fn delete(&self, id: &str) -> object_store::Result<()> {
        match self.inner.delete(&key(id)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}
