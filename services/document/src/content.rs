//! Where document content lives: an `object_store` — a local directory by
//! default, or any S3-compatible store. Objects are keyed `documents/<id>`
//! and sealed with the keyring's STREAM construction, bound to that key:
//! the store never sees plaintext, and reads decrypt chunk by chunk.
//! Every read is checked against the size and SHA-256 recorded at upload
//! ([`crate::integrity`]). Objects written before sealing (no header) are
//! read only when they are exactly the content recorded, until
//! `onboarding rekey` seals them; any other object without our header is
//! refused.

use crate::config::DocumentConfig;
use crate::integrity::{Expected, Mismatch};
use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt};
use service_kit::keyring::stream::{self as sealing, StreamOpener};
use service_kit::{ConfigError, CryptoError, Keyring, ServerConfig};
use std::sync::Arc;

/// The content store.
#[derive(Clone, Debug)]
pub struct ContentStore {
    inner: Arc<dyn ObjectStore>,
    keyring: Keyring,
}

fn key(id: &str) -> Path {
    Path::from(format!("documents/{id}"))
}

/// Why content could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The object store failed.
    #[error("content store: {0}")]
    Store(#[from] object_store::Error),
    /// The object does not decrypt: a missing key, or damaged content.
    #[error("document content: {0}")]
    Crypto(#[from] CryptoError),
    /// The object is not the content its metadata records.
    #[error("document content: {0}")]
    Mismatch(#[from] Mismatch),
}

impl ContentError {
    /// Logs a failure of document `id`'s content by its id alone, and
    /// counts those that say the stored object is not ours (damaged,
    /// replaced or not sealed) in `document_integrity_failures_total`.
    pub fn report(&self, id: &str) {
        let reason = match self {
            Self::Store(e) => {
                tracing::warn!(document_id = %id, error = %e, "document content could not be read");
                return;
            }
            Self::Crypto(CryptoError::UnknownKey(_)) => {
                tracing::error!(document_id = %id, error = %self, "document content needs a key that is not configured");
                return;
            }
            Self::Crypto(_) => "unauthentic",
            Self::Mismatch(mismatch) => mismatch.reason(),
        };
        metrics::counter!("document_integrity_failures_total", "reason" => reason).increment(1);
        tracing::error!(document_id = %id, reason, "document content failed its integrity check");
    }
}

/// Plaintext chunks of one document.
pub type ContentStream = BoxStream<'static, Result<Bytes, ContentError>>;

impl ContentStore {
    /// Opens the store the configuration names.
    pub fn open(
        config: &DocumentConfig,
        server: &ServerConfig,
        keyring: Keyring,
    ) -> Result<Self, ConfigError> {
        let invalid = |why: String| ConfigError::invalid("DOCUMENT_STORE_URL", why);
        let url = config
            .store_url
            .clone()
            .unwrap_or_else(|| format!("file://{}", server.data_dir.join("documents").display()));
        let inner: Arc<dyn ObjectStore> = if let Some(dir) = url.strip_prefix("file://") {
            // The owner's alone; the files and directories the store makes
            // inside are too, through the binary's umask (0077).
            service_kit::files::create_private_dir(std::path::Path::new(dir))
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
        Ok(Self { inner, keyring })
    }

    /// Writes a document's content, sealed under the active key. The
    /// plaintext is dropped once sealed, so only one copy waits on the store.
    pub async fn put(&self, id: &str, content: Bytes) -> object_store::Result<()> {
        let sealed = self.keyring.seal_stream(key(id).as_ref(), &content);
        drop(content);
        self.inner.put(&key(id), sealed.into()).await.map(drop)
    }

    /// Streams a document's plaintext, checked against `expected` (see
    /// `Expected::verify`). The first piece is decrypted before this
    /// returns, so a missing key, damaged or replaced content, or (for a
    /// small document) any mismatch fails here, before a response has
    /// started; a failure further on ends the stream in error. Failures
    /// are reported (`ContentError::report`).
    pub async fn get(&self, id: &str, expected: &Expected) -> Result<ContentStream, ContentError> {
        let opened = self.open_verified(id, expected).await;
        if let Err(e) = &opened {
            e.report(id);
        }
        let id = id.to_owned();
        Ok(opened?
            .map(move |piece| piece.inspect_err(|e| e.report(&id)))
            .boxed())
    }

    async fn open_verified(
        &self,
        id: &str,
        expected: &Expected,
    ) -> Result<ContentStream, ContentError> {
        let (start, stored) = self.open_object(id).await?;
        if sealing::sealed_with(&start).is_none() {
            let legacy = read_legacy(stored, expected).await?;
            return Ok(stream::iter([Ok(legacy)]).boxed());
        }
        let opener = self.keyring.open_stream(key(id).as_ref());
        let plaintext = stream::try_unfold((stored, Some(opener)), next_plaintext).boxed();
        let mut verified = expected.verify(plaintext);
        let first = verified.next().await.transpose()?;
        Ok(stream::iter(first.map(Ok)).chain(verified).boxed())
    }

    /// Seals a document's content again under the active key, unless it
    /// already is; true when it was rewritten. The content is checked
    /// against `expected` first, so an object that is not the document's
    /// is never sealed as if it were. Readers see the old object or the
    /// new one, both readable while the old key is configured.
    pub async fn reseal(&self, id: &str, expected: &Expected) -> Result<bool, ContentError> {
        let (start, _) = self.open_object(id).await?;
        if sealing::sealed_with(&start) == Some(self.keyring.active_key_id()) {
            return Ok(false);
        }
        let mut plaintext = Vec::new();
        let mut content = self.get(id, expected).await?;
        while let Some(piece) = content.next().await {
            plaintext.extend_from_slice(&piece?);
        }
        self.put(id, plaintext.into()).await?;
        Ok(true)
    }

    /// Opens an object and reads enough of its start to tell a sealed one
    /// (and its key) from a legacy one: that start, and the whole object.
    async fn open_object(&self, id: &str) -> Result<(Bytes, Stored), ContentError> {
        let mut stored = self.inner.get(&key(id)).await?.into_stream();
        let mut start = Vec::new();
        while start.len() < sealing::MAX_HEADER {
            match stored.next().await {
                Some(piece) => start.extend_from_slice(&piece?),
                None => break,
            }
        }
        let start = Bytes::from(start);
        let whole = stream::iter([Ok(start.clone())]).chain(stored).boxed();
        Ok((start, whole))
    }

    /// Removes a document's content; content already gone is not an error.
    pub async fn delete(&self, id: &str) -> object_store::Result<()> {
        match self.inner.delete(&key(id)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other,
        }
    }
}

/// A legacy object (plaintext, written before sealing), read whole but no
/// further than one byte past its recorded size, and accepted only when it
/// is exactly the content recorded.
async fn read_legacy(mut stored: Stored, expected: &Expected) -> Result<Bytes, ContentError> {
    let limit = usize::try_from(expected.size).unwrap_or(usize::MAX);
    let mut whole = Vec::new();
    while let Some(piece) = stored.next().await {
        whole.extend_from_slice(&piece?);
        if whole.len() > limit {
            return Err(Mismatch::Unsealed.into());
        }
    }
    expected.check(&whole).map_err(|_| Mismatch::Unsealed)?;
    Ok(whole.into())
}

/// An object's bytes as stored.
type Stored = BoxStream<'static, object_store::Result<Bytes>>;

/// A sealed object being read, and its decryptor until the end.
type Reading = (Stored, Option<StreamOpener>);

/// The next plaintext of a sealed object: reads until a chunk decrypts, or
/// at the end of the object decrypts the last one.
async fn next_plaintext(
    (mut sealed, mut opener): Reading,
) -> Result<Option<(Bytes, Reading)>, ContentError> {
    loop {
        let Some(open) = opener.as_mut() else {
            return Ok(None);
        };
        match sealed.next().await {
            Some(piece) => {
                let plaintext = open.push(&piece?)?;
                if !plaintext.is_empty() {
                    return Ok(Some((plaintext, (sealed, opener))));
                }
            }
            None => {
                let last = opener.take().expect("checked above").finish()?;
                return Ok(Some((last, (sealed, None))));
            }
        }
    }
}
