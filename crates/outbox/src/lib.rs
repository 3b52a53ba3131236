//! Reliable delivery from a service's own outbox table (issue 14; SPEC §D,
//! "Delivery between services" and "Webhooks out").
//!
//! A service writes an event into its `outbox` table in the transaction of
//! the change it records. This crate delivers it, at least once, to every
//! [`Destination`] that wants its kind (an internal peer, a webhook
//! subscription):
//!
//! - **fan-out**: each new event gets one `outbox_deliveries` row per
//!   destination that wants it, in one transaction, and the event is marked
//!   fanned out (`outbox.delivered_at`);
//! - **order**: only the lowest pending event of a (destination,
//!   aggregate) is eligible, so an application's events reach each
//!   destination in the order they were written; different aggregates go
//!   concurrently, up to a bound;
//! - **leases**: a dispatcher claims a delivery for a while before it
//!   sends it, so several replicas never send one at once; a dispatcher
//!   that died leaves a lease that expires, and another takes over;
//! - **retries**: a failure is tried again with exponential backoff and
//!   jitter, capped; a destination that gives up (a webhook) marks the
//!   delivery `failed` after the retry window, and the aggregate's next
//!   events proceed; an internal destination never gives up;
//! - **wake-up**: PostgreSQL `LISTEN outbox` (a trigger NOTIFYs at commit),
//!   or on SQLite the writers' [`Waker::wake`] after their commit; a poll
//!   interval as the safety net, which also finds due retries and expired
//!   leases;
//! - **the delivery log**: [`api`], an internal API over the same table, to
//!   read deliveries and send a failed one again.
//!
//! Tables: a service's migrations create `outbox` and `outbox_deliveries`
//! in the shape user-action's do (`2026-12-07-000001_application_flow` and
//! `2026-12-07-000002_outbox_deliveries`), and on PostgreSQL the trigger.

pub mod api;
mod dispatch;
mod listen;
mod schema;
mod settings;
mod store;
mod wake;
pub mod webhook;

pub use dispatch::{Outbox, Running};
pub use settings::Settings;
pub use store::{Delivery, DeliveryPage, DeliveryStatus, ListFilter};
pub use wake::Waker;

/// The future a [`Destination`] answers: boxed, so that destinations of
/// different types sit in one list.
pub use futures_util::future::BoxFuture;

/// An event of the outbox, as a destination is given it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// Its place in the outbox: events of one aggregate are delivered in
    /// this order.
    pub seq: i64,
    /// Its id (a UUID): the receiver applies it once by this id, and a
    /// webhook sends it as `webhook-id`.
    pub id: String,
    /// What it is about (an application's id).
    pub aggregate_id: String,
    /// Its kind (`application.submitted`, ...; `domain::flow::kind`).
    pub kind: String,
    /// Its payload as written: ids and statuses, never personal values (a
    /// destination reads those where they live when it builds its body).
    pub payload: serde_json::Value,
    /// The request that wrote it: an internal destination sends it as
    /// `X-Request-Id` (the delivery runs with it as the current request's
    /// id, so `service_kit::client` calls forward it by themselves).
    pub request_id: Option<String>,
    /// When it was written (RFC 3339, UTC).
    pub created_at: String,
    /// Which attempt this is, from 1.
    pub attempt: i32,
}

/// Why a delivery failed: whether trying again may help, the HTTP status
/// if there was an answer, and a short class for the log. Never a body,
/// a URL or personal data: it is stored and shown to the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// Whether a later attempt may succeed (a timeout, a 5xx, a 429). A
    /// refusal no retry changes (a 400, a 404) is not: the delivery fails
    /// at once, and the aggregate's next events proceed.
    pub retryable: bool,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<u16>,
    /// A short class: `timeout`, `connect`, `http-503`, `refused-address`.
    pub class: String,
}

impl DeliveryError {
    /// A failure worth retrying, of `class`.
    pub fn retryable(class: impl Into<String>) -> Self {
        Self {
            retryable: true,
            status: None,
            class: class.into(),
        }
    }

    /// A failure no retry changes, of `class`.
    pub fn permanent(class: impl Into<String>) -> Self {
        Self {
            retryable: false,
            ..Self::retryable(class)
        }
    }

    /// The failure an HTTP answer of `status` (not 2xx) is: retryable for
    /// 408, 425, 429 and 5xx, permanent for any other; class `http-NNN`.
    pub fn from_status(status: u16) -> Self {
        let retryable = matches!(status, 408 | 425 | 429) || status >= 500;
        Self {
            retryable,
            status: Some(status),
            class: format!("http-{status}"),
        }
    }
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.retryable {
            "retryable"
        } else {
            "permanent"
        };
        write!(f, "{} ({kind})", self.class)
    }
}

/// Where events go: an internal peer, a webhook subscription, or (for a
/// bank that has one) a broker. Its `name` is kept in each delivery row, so
/// it must stay the same across restarts and be unique among a service's
/// destinations.
pub trait Destination: Send + Sync + 'static {
    /// Its name, unique among the service's destinations (`case-service`,
    /// a subscription's id): at most 100 printable ASCII characters.
    fn name(&self) -> &str;

    /// What sort of destination it is, for the metrics' labels
    /// (`internal`, `webhook`): fixed, never configured.
    fn family(&self) -> &'static str;

    /// Whether it wants events of `kind`.
    fn wants(&self, kind: &str) -> bool;

    /// Whether it gives up on an event after the retry window
    /// ([`Settings::retry_window`]): a webhook does; an internal peer never
    /// does (`false`, the default), so that nothing between services is
    /// lost.
    fn gives_up(&self) -> bool {
        false
    }

    /// Delivers `event`. Success means the receiver has it (a 2xx); it may
    /// be sent again after a crash, so the receiver applies it once by id.
    fn deliver<'a>(&'a self, event: &'a OutboxEvent) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

impl From<&service_kit::client::CallError> for DeliveryError {
    /// An internal peer's failure: unreachable or slow is retried; an
    /// answer is as [`DeliveryError::from_status`] says, but a 409 is
    /// retried too, since our internal APIs answer it for a change that
    /// raced another and is worth sending again.
    fn from(error: &service_kit::client::CallError) -> Self {
        use service_kit::client::CallError;
        match error {
            CallError::Unavailable { .. } => Self::retryable("unavailable"),
            CallError::Timeout { .. } => Self::retryable("timeout"),
            CallError::Status { status, .. } if status.as_u16() == 409 => Self {
                retryable: true,
                ..Self::from_status(409)
            },
            CallError::Status { status, .. } => Self::from_status(status.as_u16()),
            CallError::Protocol { .. } => Self::permanent("protocol"),
        }
    }
}
