//! The operator's settings: where the subscriptions are, and the sending
//! policy.

use envconfig::Envconfig;
use std::path::PathBuf;
use std::time::Duration;

/// The most seconds `WEBHOOKS_TIMEOUT_SECS` may be.
pub const MAX_TIMEOUT_SECS: u64 = 60;
/// The longest a connection may take to open, within the timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The webhook settings, from the environment.
#[derive(Debug, Clone, Envconfig)]
pub struct WebhooksConfig {
    /// The subscriptions (JSON); no webhooks when unset. Read once, at
    /// start: a change takes a restart.
    #[envconfig(from = "WEBHOOKS_FILE")]
    pub file: Option<PathBuf>,
    /// Whether a webhook may go to a loopback, private, link-local or other
    /// non-public address (an in-cluster receiver; the tests).
    #[envconfig(from = "WEBHOOKS_ALLOW_PRIVATE", default = "false")]
    pub allow_private: bool,
    /// Whether a subscription may use plain `http` (its payloads and
    /// signatures then travel unencrypted).
    #[envconfig(from = "WEBHOOKS_ALLOW_HTTP", default = "false")]
    pub allow_http: bool,
    /// How long one attempt may take, from connecting to the response's
    /// status, in seconds: 1 to 60. Standard Webhooks suggests 15 to 30.
    #[envconfig(from = "WEBHOOKS_TIMEOUT_SECS", default = "15")]
    pub timeout_secs: u64,
}

/// How webhooks are sent, and which subscriptions are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// `WEBHOOKS_ALLOW_PRIVATE`.
    pub allow_private: bool,
    /// `WEBHOOKS_ALLOW_HTTP`.
    pub allow_http: bool,
    /// `WEBHOOKS_TIMEOUT_SECS`: one attempt's whole time.
    pub timeout: Duration,
}

impl Default for Policy {
    /// Public https receivers only, 15 s an attempt.
    fn default() -> Self {
        Self {
            allow_private: false,
            allow_http: false,
            timeout: Duration::from_secs(15),
        }
    }
}

/// A setting that stops the start: the variable, and what is wrong (a
/// subscription's error names the subscription and the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} {why}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: &'static str,
    /// What is wrong with it; never a secret's value.
    pub why: String,
}

impl WebhooksConfig {
    /// The sending policy these settings make.
    pub fn policy(&self) -> Result<Policy, ConfigError> {
        if !(1..=MAX_TIMEOUT_SECS).contains(&self.timeout_secs) {
            return Err(ConfigError {
                variable: "WEBHOOKS_TIMEOUT_SECS",
                why: format!("must be 1 to {MAX_TIMEOUT_SECS}"),
            });
        }
        Ok(Policy {
            allow_private: self.allow_private,
            allow_http: self.allow_http,
            timeout: Duration::from_secs(self.timeout_secs),
        })
    }
}
