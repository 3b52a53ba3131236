//! Configuration from the environment: the chassis's own [`ServerConfig`],
//! and the helper every service uses to load its own envconfig struct.

use envconfig::Envconfig;
use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;

/// A configuration error. Its message always names the variable.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl ConfigError {
    /// An invalid value of `variable`, with the reason.
    pub fn invalid(variable: &str, why: impl fmt::Display) -> Self {
        Self(format!("{variable} {why}"))
    }
}

/// Loads an envconfig struct from `vars` (the process environment when
/// `None`), turning envconfig's errors into messages that name the variable.
pub fn load_config<C: Envconfig>(vars: Option<&HashMap<String, String>>) -> Result<C, ConfigError> {
    let loaded = match vars {
        Some(vars) => C::init_from_hashmap(vars),
        None => C::init_from_env(),
    };
    loaded.map_err(|e| match e {
        envconfig::Error::EnvVarMissing { name } => {
            ConfigError::invalid(name, "is required but not set")
        }
        envconfig::Error::ParseError { name } => {
            ConfigError::invalid(name, "has a value that cannot be parsed")
        }
    })
}

/// A secret value: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the few places that must use it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// A random secret of 64 hex characters.
fn random_secret() -> String {
    uuid::Uuid::new_v4().simple().to_string() + &uuid::Uuid::new_v4().simple().to_string()
}

/// The text of `DATA_DIR/name`, created on first use (readable by the owner
/// only, in a directory that is too) as `render(a fresh random secret)`. For
/// development defaults that must survive restarts; production configures
/// its secrets instead, in `variable`.
///
/// Only a run listening on a loopback address may generate one: a server
/// others can reach must be given its secrets (and so, its operator knows
/// and keeps them), so elsewhere a missing file is an error naming
/// `variable`. A file already there is read wherever the server listens.
pub fn local_secret_file(
    config: &ServerConfig,
    variable: &str,
    name: &str,
    render: impl FnOnce(&str) -> String,
) -> Result<String, ConfigError> {
    let data_dir = &config.data_dir;
    let path = data_dir.join(name);
    let fail = |e: std::io::Error| {
        ConfigError::invalid("DATA_DIR", format!("cannot hold {}: {e}", path.display()))
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        return Ok(existing);
    }
    if !crate::files::is_loopback(&config.host) {
        return Err(ConfigError::invalid(
            variable,
            format!(
                "is required when HOST ({}) is not a loopback address: \
                 secrets are generated only for a server no one else can reach",
                config.host
            ),
        ));
    }
    crate::files::create_private_dir(data_dir).map_err(fail)?;
    let text = render(&random_secret());
    use std::io::Write;
    crate::files::create_private_file(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(fail)?;
    Ok(text)
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format {other}")),
        }
    }
}

/// The chassis's configuration, shared by every service in the process.
#[derive(Debug, Clone, Envconfig)]
pub struct ServerConfig {
    /// The address to listen on.
    #[envconfig(from = "HOST", default = "127.0.0.1")]
    pub host: String,
    /// The port to listen on.
    #[envconfig(from = "PORT", default = "8080")]
    pub port: u16,
    /// A port of its own for `/metrics`, served there without a credential
    /// (for a scraper that cannot send one) and then not on `PORT` at all.
    /// Unset, `/metrics` is on `PORT` and needs the internal credential.
    #[envconfig(from = "METRICS_PORT")]
    pub metrics_port: Option<u16>,
    /// Whether `/docs/` (the Swagger UI) and `/openapi/{service}.json` are
    /// served. On by default for local runs; deployments switch them off
    /// (the same documents are checked in under `proto-docs/`).
    #[envconfig(from = "API_DOCS", default = "true")]
    pub api_docs: bool,
    /// Where embedded SQLite databases, local documents and generated dev
    /// secrets live.
    #[envconfig(from = "DATA_DIR", default = "./data")]
    pub data_dir: PathBuf,
    /// The credential internal APIs require (header `X-Service-Credential`).
    /// When every service runs in one process it may be left unset: one is
    /// generated and kept in `DATA_DIR/internal-credential`.
    #[envconfig(from = "INTERNAL_CREDENTIAL")]
    pub internal_credential: Option<Secret>,
    /// Encryption keys for data at rest, `ID:HEX64[,ID:HEX64...]`: the first
    /// encrypts, all decrypt (see [`crate::keyring`]). Generated into
    /// `DATA_DIR/encryption-keys` when every service runs in one process.
    #[envconfig(from = "ENCRYPTION_KEYS")]
    pub encryption_keys: Option<Secret>,
    /// The HMAC key of blind indexes (64 hex characters). Generated into
    /// `DATA_DIR/blind-index-key` when every service runs in one process.
    #[envconfig(from = "BLIND_INDEX_KEY")]
    pub blind_index_key: Option<Secret>,
    /// The HS256 secret that end-user tokens are signed with (development).
    #[envconfig(from = "JWT_HS256_SECRET")]
    pub jwt_hs256_secret: Option<Secret>,
    /// A PEM file with the RS256 public key end-user tokens are verified with
    /// (production).
    #[envconfig(from = "JWT_RS256_PUBLIC_KEY_FILE")]
    pub jwt_rs256_public_key_file: Option<PathBuf>,
    /// The `iss` that end-user tokens must carry.
    #[envconfig(from = "JWT_ISSUER", default = "onboarding")]
    pub jwt_issuer: String,
    /// No longer read, and refused when set: each public API has its own
    /// audience (`USER_ACTION_JWT_AUDIENCE`, `CASE_JWT_AUDIENCE`), so that a
    /// token for one opens no other. A deployment that still sets it learns
    /// so at start, rather than by every token being refused.
    #[envconfig(from = "JWT_AUDIENCE")]
    pub retired_jwt_audience: Option<String>,
    /// Development mode: allows `onboarding token`, and HS256 tokens (with
    /// `JWT_HS256_SECRET`). Never on in production.
    #[envconfig(from = "DEV_MODE", default = "false")]
    pub dev_mode: bool,
    /// `text` or `json`.
    #[envconfig(from = "LOG_FORMAT", default = "text")]
    pub log_format: LogFormat,
    /// How long a request body may take to arrive, in seconds from the
    /// request's head; a slower one is refused with a 408 in the API's
    /// envelope and its connection closed.
    #[envconfig(from = "REQUEST_BODY_TIMEOUT_SECS", default = "30")]
    pub request_body_timeout_secs: u64,
    /// How long a stopping server waits for requests in flight, in seconds.
    #[envconfig(from = "SHUTDOWN_TIMEOUT_SECS", default = "30")]
    pub shutdown_timeout_secs: u64,
    /// HTTP worker threads; the number of cores when unset.
    #[envconfig(from = "WORKERS")]
    pub workers: Option<usize>,
    /// Timeout of one internal call, in milliseconds.
    #[envconfig(from = "INTERNAL_CALL_TIMEOUT_MS", default = "10000")]
    pub internal_call_timeout_ms: u64,
    /// Whether requests to the APIs are rate limited per client.
    #[envconfig(from = "RATE_LIMIT_ENABLED", default = "true")]
    pub rate_limit_enabled: bool,
    /// The requests per second a client (a CAM app, a bearer token's
    /// subject, or an unauthenticated peer address) may make, sustained.
    #[envconfig(from = "RATE_LIMIT_PER_SECOND", default = "100")]
    pub rate_limit_per_second: NonZeroU32,
    /// The requests a client may make at once, beyond the sustained rate,
    /// after a quiet spell.
    #[envconfig(from = "RATE_LIMIT_BURST", default = "200")]
    pub rate_limit_burst: NonZeroU32,
    /// The requests per second (and burst) of the internal credential's
    /// holders together: the peer services, calling for all their clients.
    #[envconfig(from = "RATE_LIMIT_INTERNAL_PER_SECOND", default = "5000")]
    pub rate_limit_internal_per_second: NonZeroU32,
}

/// The shortest internal credential accepted.
pub const MIN_CREDENTIAL_LEN: usize = 24;

impl ServerConfig {
    /// Loads and checks the configuration.
    pub fn load(vars: Option<&HashMap<String, String>>) -> Result<Self, ConfigError> {
        let config: Self = load_config(vars)?;
        config.check()?;
        Ok(config)
    }

    /// Checks the values envconfig cannot.
    pub fn check(&self) -> Result<(), ConfigError> {
        if let Some(credential) = &self.internal_credential {
            if credential.expose().len() < MIN_CREDENTIAL_LEN {
                return Err(ConfigError::invalid(
                    "INTERNAL_CREDENTIAL",
                    format!("must be at least {MIN_CREDENTIAL_LEN} characters"),
                ));
            }
        }
        if let Some(secret) = &self.jwt_hs256_secret {
            if secret.expose().len() < 32 {
                return Err(ConfigError::invalid(
                    "JWT_HS256_SECRET",
                    "must be at least 32 characters",
                ));
            }
        }
        if self.retired_jwt_audience.is_some() {
            return Err(ConfigError::invalid(
                "JWT_AUDIENCE",
                "is no longer read: each API has its own audience \
                 (USER_ACTION_JWT_AUDIENCE, CASE_JWT_AUDIENCE)",
            ));
        }
        if self.shutdown_timeout_secs == 0 {
            return Err(ConfigError::invalid(
                "SHUTDOWN_TIMEOUT_SECS",
                "must be at least 1",
            ));
        }
        if self.request_body_timeout_secs == 0 {
            return Err(ConfigError::invalid(
                "REQUEST_BODY_TIMEOUT_SECS",
                "must be at least 1",
            ));
        }
        if let Some(metrics_port) = self.metrics_port {
            if metrics_port == 0 {
                return Err(ConfigError::invalid(
                    "METRICS_PORT",
                    "must be from 1 to 65535",
                ));
            }
            if metrics_port == self.port {
                return Err(ConfigError::invalid(
                    "METRICS_PORT",
                    "must differ from PORT (unset it to serve /metrics on PORT)",
                ));
            }
        }
        if self.workers == Some(0) {
            return Err(ConfigError::invalid("WORKERS", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Variables from pairs, as tests configure the chassis.
    pub(crate) fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_standalone() {
        let config = ServerConfig::load(Some(&vars(&[]))).expect("defaults load");
        assert_eq!(config.port, 8080);
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(!config.dev_mode);
        assert_eq!(config.metrics_port, None);
        assert!(config.api_docs);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err = ServerConfig::load(Some(&vars(&[("PORT", "eighty")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: PORT has a value that cannot be parsed"
        );
        let err = ServerConfig::load(Some(&vars(&[("INTERNAL_CREDENTIAL", "short")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: INTERNAL_CREDENTIAL must be at least 24 characters"
        );
        let err = ServerConfig::load(Some(&vars(&[("JWT_AUDIENCE", "onboarding")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: JWT_AUDIENCE is no longer read: each API has its own audience \
             (USER_ACTION_JWT_AUDIENCE, CASE_JWT_AUDIENCE)"
        );
        let err =
            ServerConfig::load(Some(&vars(&[("REQUEST_BODY_TIMEOUT_SECS", "0")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: REQUEST_BODY_TIMEOUT_SECS must be at least 1"
        );
        let err = ServerConfig::load(Some(&vars(&[("PORT", "9000"), ("METRICS_PORT", "9000")])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: METRICS_PORT must differ from PORT (unset it to serve /metrics on PORT)"
        );
        let err = ServerConfig::load(Some(&vars(&[("METRICS_PORT", "0")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: METRICS_PORT must be from 1 to 65535"
        );
        let err = ServerConfig::load(Some(&vars(&[("API_DOCS", "maybe")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: API_DOCS has a value that cannot be parsed"
        );
        let err = ServerConfig::load(Some(&vars(&[("LOG_FORMAT", "xml")]))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: LOG_FORMAT has a value that cannot be parsed"
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
