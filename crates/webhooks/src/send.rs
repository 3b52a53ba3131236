//! Sending one webhook, once, and saying how it went. The guard against
//! server-side request forgery is in the client: its resolver refuses a
//! host with any address a webhook may not reach, and the connection goes
//! to the addresses it checked (so a second answer from DNS cannot swap
//! them); redirects are never followed; a URL naming an address literally
//! is checked before sending, since no resolver sees it.

use crate::address::blocked_range;
use crate::config::{Policy, CONNECT_TIMEOUT};
use crate::payload::{envelope, MAX_BODY_BYTES};
use crate::signature::signature_header;
use crate::subscription::{literal_ip, Subscription};
use chrono::{DateTime, Utc};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;
use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The longest event id: it is a header, and part of what is signed.
pub const MAX_EVENT_ID_CHARS: usize = 128;

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The receiver answered 2xx.
    Delivered {
        /// Its status.
        status: u16,
    },
    /// It did not.
    Failed {
        /// Why, in a word for logs and the delivery log.
        class: FailureClass,
        /// The receiver's status, when it answered.
        status: Option<u16>,
        /// Whether another attempt may do better: every failure but a
        /// refused address or a malformed event.
        retryable: bool,
        /// What went wrong, for the operator: never the URL, the body or
        /// a secret.
        detail: String,
    },
}

impl SendOutcome {
    /// Whether the receiver took it (2xx).
    pub fn is_delivered(&self) -> bool {
        matches!(self, Self::Delivered { .. })
    }

    /// Whether another attempt may do better (false once delivered).
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Failed {
                retryable: true,
                ..
            }
        )
    }

    /// The receiver's status, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Delivered { status } => Some(*status),
            Self::Failed { status, .. } => *status,
        }
    }

    /// `delivered`, or the failure's class.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Delivered { .. } => "delivered",
            Self::Failed { class, .. } => class.as_str(),
        }
    }

    fn failed(class: FailureClass, status: Option<u16>, detail: impl Into<String>) -> Self {
        let retryable = !matches!(
            class,
            FailureClass::BlockedAddress | FailureClass::InvalidEvent
        );
        Self::Failed {
            class,
            status,
            retryable,
            detail: detail.into(),
        }
    }
}

/// Why an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// The receiver answered, not 2xx and not 3xx.
    HttpStatus,
    /// The receiver answered 3xx: redirects are not followed.
    Redirect,
    /// No answer within the timeout.
    Timeout,
    /// The connection could not be opened (refused, unreachable, TLS).
    Connect,
    /// The host did not resolve.
    Dns,
    /// The host is, or resolves to, an address webhooks may not reach
    /// (loopback, private, link-local, ...). Not retried.
    BlockedAddress,
    /// Sending failed otherwise (the connection broke mid-request).
    Request,
    /// The event cannot be sent to this subscription (a kind it did not
    /// subscribe to, a malformed id, a body too large). Not retried.
    InvalidEvent,
}

impl FailureClass {
    /// Its name: `http_status`, `redirect`, `timeout`, `connect`, `dns`,
    /// `blocked_address`, `request`, `invalid_event`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HttpStatus => "http_status",
            Self::Redirect => "redirect",
            Self::Timeout => "timeout",
            Self::Connect => "connect",
            Self::Dns => "dns",
            Self::BlockedAddress => "blocked_address",
            Self::Request => "request",
            Self::InvalidEvent => "invalid_event",
        }
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is sent: one event, as [`crate::Webhooks::send`] is given it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Event<'a> {
    pub(crate) id: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) occurred_at: DateTime<Utc>,
    pub(crate) data: &'a Value,
}

/// The HTTP client webhooks are sent with, and its policy.
#[derive(Debug, Clone)]
pub(crate) struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub(crate) fn new(policy: &Policy) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .dns_resolver(GuardedResolver {
                allow_private: policy.allow_private,
            })
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would be resolved instead of the receiver.
            .no_proxy()
            .https_only(!policy.allow_http)
            .connect_timeout(CONNECT_TIMEOUT.min(policy.timeout))
            .timeout(policy.timeout)
            .user_agent(concat!("onboarding-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private: policy.allow_private,
        })
    }

    /// One attempt; see [`crate::Webhooks::send`].
    pub(crate) async fn send(
        &self,
        subscription: &Subscription,
        event: &Event<'_>,
        now: DateTime<Utc>,
    ) -> SendOutcome {
        let outcome = self.attempt(subscription, event, now).await;
        let name = subscription.name();
        let Event {
            id: event_id, kind, ..
        } = *event;
        match &outcome {
            SendOutcome::Delivered { status } => {
                tracing::info!(
                    subscription = name,
                    event_id,
                    kind,
                    status,
                    "webhook delivered"
                )
            }
            SendOutcome::Failed {
                class,
                status,
                retryable,
                detail,
            } => tracing::warn!(
                subscription = name,
                event_id,
                kind,
                class = class.as_str(),
                status,
                retryable,
                detail = detail.as_str(),
                "webhook not delivered"
            ),
        }
        outcome
    }

    async fn attempt(
        &self,
        subscription: &Subscription,
        event: &Event<'_>,
        now: DateTime<Utc>,
    ) -> SendOutcome {
        use FailureClass::*;
        let Event {
            id: event_id,
            kind,
            occurred_at,
            data,
        } = *event;
        if !subscription.wants(kind) {
            return SendOutcome::failed(
                InvalidEvent,
                None,
                "the subscription does not receive this kind",
            );
        }
        if !is_valid_event_id(event_id) {
            return SendOutcome::failed(
                InvalidEvent,
                None,
                format!(
                    "the event id must be 1 to {MAX_EVENT_ID_CHARS} letters, digits, `_` or `-`"
                ),
            );
        }
        let body = envelope(kind, occurred_at, data);
        if body.len() > MAX_BODY_BYTES {
            return SendOutcome::failed(
                InvalidEvent,
                None,
                format!(
                    "the body is {} bytes, more than {MAX_BODY_BYTES}",
                    body.len()
                ),
            );
        }
        if let Some(blocked) = literal_ip(subscription.url()).and_then(|ip| self.refuses(ip)) {
            return SendOutcome::failed(BlockedAddress, None, blocked.to_string());
        }
        let timestamp = now.timestamp();
        let signature = signature_header(subscription.secrets(), event_id, timestamp, &body);
        let sent = self
            .client
            .post(subscription.url().clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await;
        // The response's body is never read: nothing in it is needed, and
        // a receiver could make it as large or as slow as it likes.
        match sent {
            Ok(response) => {
                let status = response.status();
                let code = status.as_u16();
                if status.is_success() {
                    SendOutcome::Delivered { status: code }
                } else if status.is_redirection() {
                    SendOutcome::failed(Redirect, Some(code), "redirects are not followed")
                } else {
                    SendOutcome::failed(
                        HttpStatus,
                        Some(code),
                        format!("the receiver answered {code}"),
                    )
                }
            }
            Err(error) => classify(error),
        }
    }

    fn refuses(&self, ip: IpAddr) -> Option<Blocked> {
        refuses(self.allow_private, ip)
    }
}

/// An event id is a header, and part of the signed text, whose `.`s it
/// must not add to (Standard Webhooks).
fn is_valid_event_id(id: &str) -> bool {
    (1..=MAX_EVENT_ID_CHARS).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn refuses(allow_private: bool, ip: IpAddr) -> Option<Blocked> {
    if allow_private {
        return None;
    }
    blocked_range(ip).map(|range| Blocked { ip, range })
}

/// A send that failed before any answer, by the innermost cause that
/// says why. The detail leaves the URL out.
fn classify(error: reqwest::Error) -> SendOutcome {
    use FailureClass::*;
    let error = error.without_url();
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(blocked) = cause.downcast_ref::<Blocked>() {
            return SendOutcome::failed(BlockedAddress, None, blocked.to_string());
        }
        if let Some(dns) = cause.downcast_ref::<DnsFailure>() {
            return SendOutcome::failed(Dns, None, dns.to_string());
        }
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    let class = if error.is_timeout() {
        Timeout
    } else if error.is_connect() {
        Connect
    } else {
        Request
    };
    SendOutcome::failed(class, None, detail)
}

/// The resolver of the webhook client: the system's, refusing a name with
/// any address webhooks may not reach. The client connects to exactly the
/// addresses returned here.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| DnsFailure(e.to_string()))?
                .collect();
            if addrs.is_empty() {
                return Err(DnsFailure("no address".into()).into());
            }
            // Any bad address refuses the name: a receiver's DNS does not
            // get to pick which of its answers we try.
            if let Some(blocked) = addrs.iter().find_map(|a| refuses(allow_private, a.ip())) {
                return Err(blocked.into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A host that is, or resolves to, an address webhooks may not reach.
#[derive(Debug)]
struct Blocked {
    ip: IpAddr,
    range: &'static str,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the host is or resolves to {}, a {} address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)",
            self.ip, self.range
        )
    }
}

impl StdError for Blocked {}

/// A host that did not resolve.
#[derive(Debug)]
struct DnsFailure(String);

impl fmt::Display for DnsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the host did not resolve: {}", self.0)
    }
}

impl StdError for DnsFailure {}
