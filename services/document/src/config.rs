//! document-service's configuration.

use envconfig::Envconfig;
use service_kit::{load_config, ConfigError, Secret};
use std::collections::HashMap;
use std::time::Duration;

service_kit::own_database!(crate::NAME);

/// document-service's configuration.
#[derive(Debug, Clone, Envconfig)]
pub struct DocumentConfig {
    /// Where content is kept: `file:///PATH` or `s3://BUCKET[/PREFIX]`; by
    /// default the directory `DATA_DIR/documents`.
    #[envconfig(from = "DOCUMENT_STORE_URL")]
    pub store_url: Option<String>,
    /// The S3 endpoint, for S3-compatible stores (MinIO, Ceph, ...).
    #[envconfig(from = "DOCUMENT_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// The S3 region.
    #[envconfig(from = "DOCUMENT_S3_REGION", default = "us-east-1")]
    pub s3_region: String,
    /// The S3 access key id.
    #[envconfig(from = "DOCUMENT_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    /// The S3 secret access key.
    #[envconfig(from = "DOCUMENT_S3_SECRET_ACCESS_KEY")]
    pub s3_secret_access_key: Option<Secret>,
    /// Allow a plain-HTTP S3 endpoint (a store on the same host or network).
    #[envconfig(from = "DOCUMENT_S3_ALLOW_HTTP", default = "false")]
    pub s3_allow_http: bool,
    /// The largest content accepted, in bytes (the seed's 2 MB, read as MiB).
    #[envconfig(from = "DOCUMENT_MAX_BYTES", default = "2097152")]
    pub max_bytes: usize,
    /// The media types accepted, comma-separated.
    #[envconfig(
        from = "DOCUMENT_ALLOWED_TYPES",
        default = "application/pdf,image/jpeg,image/png"
    )]
    pub allowed_types: String,
    /// `HOST:PORT` of a ClamAV `clamd` to scan every upload with; no
    /// scanning when unset.
    #[envconfig(from = "DOCUMENT_CLAMD_ADDRESS")]
    pub clamd_address: Option<String>,
    /// How often unfinished uploads and deletions are cleaned up, in seconds.
    #[envconfig(from = "DOCUMENT_SWEEP_INTERVAL_SECS", default = "60")]
    pub sweep_interval_secs: u64,
    /// How old an unfinished upload must be before it is cleaned up, in
    /// seconds (longer than any upload takes).
    #[envconfig(from = "DOCUMENT_PENDING_GRACE_SECS", default = "300")]
    pub pending_grace_secs: u64,
}

impl DocumentConfig {
    /// Loads and checks the configuration.
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let config: Self = load_config(vars)?;
        if config.max_bytes == 0 {
            return Err(ConfigError::invalid(
                "DOCUMENT_MAX_BYTES",
                "must be at least 1",
            ));
        }
        if config.allowed().is_empty() {
            return Err(ConfigError::invalid(
                "DOCUMENT_ALLOWED_TYPES",
                "must name at least one media type",
            ));
        }
        if config.sweep_interval_secs == 0 {
            return Err(ConfigError::invalid(
                "DOCUMENT_SWEEP_INTERVAL_SECS",
                "must be at least 1",
            ));
        }
        Ok(config)
    }

    /// The accepted media types.
    pub fn allowed(&self) -> Vec<String> {
        self.allowed_types
            .split(',')
            .map(|t| t.trim().to_ascii_lowercase())
            .filter(|t| !t.is_empty())
            .collect()
    }

    /// The sweep interval.
    pub fn sweep_interval(&self) -> Duration {
        Duration::from_secs(self.sweep_interval_secs)
    }
}
