//! Webhooks out to the bank's other systems (SPEC §D, issue 14 point 4):
//! the subscriptions the operator configures in a file
//! (`WEBHOOKS_FILE`), Standard Webhooks' payload and signature (two
//! secrets at once during a rotation), and one attempt at sending, guarded
//! against server-side request forgery.
//!
//! This crate sends one webhook once and says how it went; it knows
//! nothing of tables or retries. Reliable delivery (an outbox, retries
//! with backoff, the delivery log) calls [`Webhooks::send`] once per
//! attempt, with the same event id each time.

mod address;
mod config;
mod payload;
mod send;
mod signature;
mod subscription;

pub use address::blocked_range;
pub use config::{ConfigError, Policy, WebhooksConfig, CONNECT_TIMEOUT, MAX_TIMEOUT_SECS};
pub use payload::{envelope, MAX_BODY_BYTES};
pub use send::{FailureClass, SendOutcome, MAX_EVENT_ID_CHARS};
pub use signature::{signature_header, SigningSecret};
pub use subscription::{Subscription, Subscriptions, MAX_FILE_BYTES, MAX_SUBSCRIPTIONS};

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The subscriptions and the client that sends to them.
#[derive(Debug, Clone)]
pub struct Webhooks {
    subscriptions: Subscriptions,
    sender: send::Sender,
}

impl Webhooks {
    /// From the environment's settings: reads and checks `WEBHOOKS_FILE`
    /// (none when unset). Called once at start; the file is not read
    /// again, so a change takes a restart.
    pub fn from_config(config: &WebhooksConfig) -> Result<Self, ConfigError> {
        let policy = config.policy()?;
        let subscriptions = match &config.file {
            Some(path) => Subscriptions::load(path, &policy).map_err(|why| ConfigError {
                variable: "WEBHOOKS_FILE",
                why,
            })?,
            None => Subscriptions::none(),
        };
        Self::new(subscriptions, &policy)
    }

    /// These subscriptions, sent to under `policy`.
    pub fn new(subscriptions: Subscriptions, policy: &Policy) -> Result<Self, ConfigError> {
        let sender = send::Sender::new(policy).map_err(|e| ConfigError {
            variable: "WEBHOOKS_FILE",
            why: format!("cannot be served: the HTTP client did not start: {e}"),
        })?;
        Ok(Self {
            subscriptions,
            sender,
        })
    }

    /// The subscriptions that receive events of `kind`.
    pub fn subscribers<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Subscription> + 'a {
        self.subscriptions.subscribers(kind)
    }

    /// The subscription named `name` (a delivery recorded under its name).
    pub fn subscription(&self, name: &str) -> Option<&Subscription> {
        self.subscriptions.get(name)
    }

    /// Every subscription.
    pub fn subscriptions(&self) -> &Subscriptions {
        &self.subscriptions
    }

    /// One attempt at sending the event `event_id` of `kind`, which
    /// happened at `occurred_at` and says `data`, to `subscription`, at
    /// `now`. The body is `{"type", "timestamp", "data"}`; the headers are
    /// `webhook-id: event_id` (the same on every attempt),
    /// `webhook-timestamp: now` (unix seconds) and `webhook-signature`, one
    /// `v1,` signature per secret. Logs name the subscription, never its
    /// URL, the body or a secret.
    pub async fn send(
        &self,
        subscription: &Subscription,
        event_id: &str,
        kind: &str,
        occurred_at: DateTime<Utc>,
        data: &Value,
        now: DateTime<Utc>,
    ) -> SendOutcome {
        let event = send::Event {
            id: event_id,
            kind,
            occurred_at,
            data,
        };
        self.sender.send(subscription, &event, now).await
    }
}
