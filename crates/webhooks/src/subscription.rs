//! The subscriptions, as the operator writes them in `WEBHOOKS_FILE`: a
//! JSON list of `{"name", "url", "events", "secrets"}`, checked whole at
//! start so that a mistake stops the start naming the subscription and the
//! field, never a delivery days later.

use crate::address::blocked_range;
use crate::config::Policy;
use crate::signature::SigningSecret;
use domain::flow::kinds;
use reqwest::Url;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::fmt;
use std::io::Read;
use std::net::IpAddr;
use std::path::Path;

/// The largest subscriptions file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The most subscriptions one file may hold.
pub const MAX_SUBSCRIPTIONS: usize = 100;
/// The longest subscription name.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest URL.
pub const MAX_URL_CHARS: usize = 2048;
/// The most secrets a subscription has at once: the current one, and
/// during a rotation the one before or after it.
pub const MAX_SECRETS: usize = 2;

const FIELDS: [&str; 4] = ["name", "url", "events", "secrets"];

/// One receiver of webhooks: where they go, which kinds, and the secrets
/// that sign them. `Debug` shows neither the secrets nor the URL's query.
#[derive(Clone)]
pub struct Subscription {
    name: String,
    url: Url,
    events: Vec<&'static str>,
    secrets: Vec<SigningSecret>,
}

impl Subscription {
    /// Its name: unique, letters, digits, `.`, `_` and `-`; what logs,
    /// metrics and the delivery log show of it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The event kinds it receives (of `domain::flow::kinds::WEBHOOK`).
    pub fn events(&self) -> &[&'static str] {
        &self.events
    }

    /// Whether it receives events of `kind`.
    pub fn wants(&self, kind: &str) -> bool {
        self.events.contains(&kind)
    }

    /// Where its webhooks are posted. Not for logs: it may carry a token
    /// in its query.
    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    /// The secrets that sign each webhook, every one of them.
    pub(crate) fn secrets(&self) -> &[SigningSecret] {
        &self.secrets
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut url = self.url.clone();
        url.set_query(None);
        url.set_fragment(None);
        f.debug_struct("Subscription")
            .field("name", &self.name)
            .field("url", &url.as_str())
            .field("events", &self.events)
            .field("secrets", &self.secrets)
            .finish()
    }
}

/// Every subscription, in the file's order.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    all: Vec<Subscription>,
}

impl Subscriptions {
    /// None: no webhooks are sent.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads and checks the file at `path` (at most [`MAX_FILE_BYTES`]).
    pub fn load(path: &Path, policy: &Policy) -> Result<Self, String> {
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
            .map_err(|e| format!("cannot be read: {e}"))?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(format!("is larger than {MAX_FILE_BYTES} bytes"));
        }
        Self::parse(&text, policy)
    }

    /// Checks a subscriptions file's text. The error names the subscription
    /// (its position from 1, and its name once known) and the field; it
    /// never repeats a secret.
    pub fn parse(text: &str, policy: &Policy) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("is not valid JSON: {e}"))?;
        let Value::Array(items) = value else {
            return Err("must be a JSON list of subscriptions".to_owned());
        };
        if items.len() > MAX_SUBSCRIPTIONS {
            return Err(format!(
                "holds {} subscriptions, more than {MAX_SUBSCRIPTIONS}",
                items.len()
            ));
        }
        let mut names = HashSet::new();
        let mut all = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let at = |field: &str, why: String| match item.get("name").and_then(Value::as_str) {
                Some(name) if is_safe_name(name) => {
                    format!("subscription {} \"{name}\": {field}: {why}", index + 1)
                }
                _ => format!("subscription {}: {field}: {why}", index + 1),
            };
            let subscription = read_subscription(item, policy).map_err(|(f, why)| at(f, why))?;
            if !names.insert(subscription.name.to_ascii_lowercase()) {
                return Err(at("name", "is used by an earlier subscription".into()));
            }
            all.push(subscription);
        }
        Ok(Self { all })
    }

    /// The subscriptions that receive events of `kind`.
    pub fn subscribers<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Subscription> + 'a {
        self.all.iter().filter(move |s| s.wants(kind))
    }

    /// The subscription named `name`.
    pub fn get(&self, name: &str) -> Option<&Subscription> {
        self.all.iter().find(|s| s.name == name)
    }

    /// Every subscription.
    pub fn iter(&self) -> impl Iterator<Item = &Subscription> {
        self.all.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

type FieldError = (&'static str, String);

fn read_subscription(item: &Value, policy: &Policy) -> Result<Subscription, FieldError> {
    let Value::Object(fields) = item else {
        return Err(("subscription", "must be a JSON object".into()));
    };
    if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        let unknown: String = unknown.chars().take(40).collect();
        return Err((
            "subscription",
            format!("has an unknown field `{unknown}`; the fields are name, url, events, secrets"),
        ));
    }
    Ok(Subscription {
        name: read_name(fields)?,
        url: read_url(fields, policy)?,
        events: read_events(fields)?,
        secrets: read_secrets(fields)?,
    })
}

fn required<'a>(
    fields: &'a Map<String, Value>,
    field: &'static str,
) -> Result<&'a Value, FieldError> {
    fields.get(field).ok_or((field, "is required".into()))
}

fn read_name(fields: &Map<String, Value>) -> Result<String, FieldError> {
    let name = required(fields, "name")?
        .as_str()
        .ok_or(("name", "must be a string".into()))?;
    if !is_safe_name(name) {
        return Err((
            "name",
            format!(
                "must be 1 to {MAX_NAME_CHARS} letters, digits, `.`, `_` or `-`, starting with a letter or digit"
            ),
        ));
    }
    Ok(name.to_owned())
}

/// Whether `name` may be shown in logs and metrics as it is.
fn is_safe_name(name: &str) -> bool {
    name.len() <= MAX_NAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn read_url(fields: &Map<String, Value>, policy: &Policy) -> Result<Url, FieldError> {
    let text = required(fields, "url")?
        .as_str()
        .ok_or(("url", "must be a string".into()))?;
    if text.len() > MAX_URL_CHARS {
        return Err(("url", format!("is longer than {MAX_URL_CHARS} characters")));
    }
    let url = Url::parse(text).map_err(|_| ("url", "is not an absolute URL".to_owned()))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        "http" => {
            return Err((
                "url",
                "must be https (plain http only with WEBHOOKS_ALLOW_HTTP=true)".into(),
            ))
        }
        _ => return Err(("url", "must be an https URL".into())),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(("url", "must name a host".into()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err((
            "url",
            "must not carry credentials (`user:password@`); the signature authenticates the sender"
                .into(),
        ));
    }
    if let Some(range) = literal_ip(&url)
        .and_then(blocked_range)
        .filter(|_| !policy.allow_private)
    {
        return Err((
            "url",
            format!("is a {range} address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)"),
        ));
    }
    Ok(url)
}

/// The address a URL names literally (`https://10.0.0.5/`, `https://[::1]/`),
/// which no resolver sees, so it is checked on its own.
pub(crate) fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn read_events(fields: &Map<String, Value>) -> Result<Vec<&'static str>, FieldError> {
    let one_of = || kinds::WEBHOOK.join(", ");
    let items = required(fields, "events")?
        .as_array()
        .ok_or(("events", "must be a list of event kinds".into()))?;
    if items.is_empty() {
        return Err(("events", format!("must name at least one of {}", one_of())));
    }
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let kind = item
            .as_str()
            .and_then(|text| kinds::WEBHOOK.iter().find(|k| **k == text))
            .ok_or_else(|| {
                (
                    "events",
                    format!("item {}: must be one of {}", i + 1, one_of()),
                )
            })?;
        if events.contains(kind) {
            return Err(("events", format!("item {}: names {kind} twice", i + 1)));
        }
        events.push(*kind);
    }
    Ok(events)
}

fn read_secrets(fields: &Map<String, Value>) -> Result<Vec<SigningSecret>, FieldError> {
    let items = required(fields, "secrets")?
        .as_array()
        .filter(|items| (1..=MAX_SECRETS).contains(&items.len()))
        .ok_or((
            "secrets",
            "must be a list of 1 or 2 secrets (2 during a rotation)".into(),
        ))?;
    let mut secrets = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let secret = item
            .as_str()
            .ok_or_else(|| "must be a string".to_owned())
            .and_then(SigningSecret::parse)
            .map_err(|why| ("secrets", format!("item {}: {why}", i + 1)))?;
        if secrets.contains(&secret) {
            return Err(("secrets", format!("item {}: repeats the one before", i + 1)));
        }
        secrets.push(secret);
    }
    Ok(secrets)
}
