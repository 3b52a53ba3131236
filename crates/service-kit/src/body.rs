//! Reading request bodies and queries into typed values, with every failure
//! naming the field it concerns.
//!
//! Bodies are read with a limit enforced while reading, so no request makes
//! a service buffer more than the operation accepts, and within a deadline
//! ([`deadline`]), so no client holds a connection by sending slowly.

use crate::error::{FieldError, InputError};
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::{header, ConnectionType};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest};
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Middleware for the whole app: the request body must have arrived within
/// `timeout` of the request's head, or reading it fails with
/// [`InputError::TimedOut`] (see [`read_failure`]), which each API answers
/// with a 408 in its own envelope; the connection is then closed.
///
/// Why here: actix's `client_request_timeout` covers the head only, and a
/// client that declared 100 bytes and sent one held a connection and its
/// handler for as long as it liked. Every reader of a body (`read_limited`,
/// a multipart form) reads it through this deadline, so none can forget it.
pub async fn deadline<B: MessageBody>(
    mut req: ServiceRequest,
    next: Next<B>,
    timeout: Duration,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let payload = req.take_payload();
    if matches!(payload, Payload::None) {
        return next.call(req).await;
    }
    let passed = Rc::new(Cell::new(false));
    let timed: Pin<Box<dyn Stream<Item = Result<web::Bytes, PayloadError>>>> = Box::pin(Deadline {
        inner: payload,
        sleep: Box::pin(tokio::time::sleep(timeout)),
        secs: timeout.as_secs(),
        passed: passed.clone(),
    });
    req.set_payload(Payload::from(timed));
    let mut res = next.call(req).await?;
    if passed.get() {
        // The rest of the body may never come: the connection is not kept.
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

/// A request body that ends in an error once its deadline has passed.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    secs: u64,
    /// Set when the deadline ended the body, for the response to close the
    /// connection.
    passed: Rc<Cell<bool>>,
}

impl Stream for Deadline {
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.passed.get() {
            return Poll::Ready(None);
        }
        // What has arrived is read first, even at the deadline.
        if let Poll::Ready(item) = self.inner.poll_next_unpin(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.passed.set(true);
        let passed = BodyDeadlinePassed { secs: self.secs };
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            passed,
        )))))
    }
}

/// What a body read by [`deadline`] ends with when the deadline passes.
#[derive(Debug, thiserror::Error)]
#[error("the body was not received within {secs} s")]
pub struct BodyDeadlinePassed {
    /// The deadline, in seconds.
    pub secs: u64,
}

/// Why reading a body failed, as the caller is told: its deadline passed
/// ([`InputError::TimedOut`]), or it could not be read.
pub fn read_failure(e: &PayloadError) -> InputError {
    if let PayloadError::Io(io) = e {
        if let Some(passed) = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<BodyDeadlinePassed>())
        {
            return InputError::TimedOut { secs: passed.secs };
        }
    }
    InputError::field("body", "the body could not be read")
}

/// The default limit of a JSON body: 256 KiB.
pub const DEFAULT_JSON_LIMIT: usize = 256 * 1024;

/// Reads at most `limit` bytes of the body; a longer body is refused as soon
/// as the limit is passed, without reading the rest.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::Bytes, InputError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return Err(InputError::TooLarge { limit });
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| read_failure(&e))?;
        if body.len() + chunk.len() > limit {
            return Err(InputError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// True when the request declares a JSON media type (`application/json` or
/// any `+json` type such as `application/merge-patch+json`).
pub fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| {
            let essence = essence.trim().to_ascii_lowercase();
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Reads a body of at most `limit` bytes that must be a JSON object into `T`.
pub async fn read_json<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, InputError> {
    if !is_json(req) {
        return Err(InputError::UnsupportedMediaType {
            expected: "application/json",
        });
    }
    let body = read_limited(req, payload, limit).await?;
    parse_json_object(&body)
}

/// Parses JSON bytes that must be an object into `T`. (serde would also let
/// a struct be written as an array of its fields; no API of ours means that.)
pub fn parse_json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, InputError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(
        first,
        Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9')
    ) {
        return Err(InputError::field("body", "must be a JSON object"));
    }
    parse_json(body)
}

/// Parses JSON bytes into `T`; the error names the field at fault.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, InputError> {
    // Plain serde first: tracking the path costs a little on every field
    // (a fifth of an import's parsing), and only a refusal needs it. A
    // refused body is parsed again, the same way, to name the field.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = json_message(&inner);
        if inner.is_syntax() || inner.is_eof() {
            return InputError::field("body", format!("is not valid JSON: {message}"));
        }
        InputError::Invalid(vec![field_error(&path, &message)])
    })?;
    de.end().map_err(|e| {
        let message = json_message(&e);
        InputError::field("body", format!("is not valid JSON: {message}"))
    })?;
    Ok(value)
}

/// Parses JSON bytes into a [`serde_json::Value`], refusing an object that
/// names a key twice: `Value` alone would keep the last silently, where
/// every typed body of ours refuses it ("duplicate field").
pub fn parse_value(body: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_slice::<UniqueKeys>(body).map(|v| v.0)
}

/// `value` as a whole number within `range`: an integer, or a number with
/// no fraction (`20.0`, which JSON Schema's `integer` accepts and generated
/// clients send). `None` for anything else: a page size or count out of
/// range, a fraction, a string.
pub fn whole_number(
    value: &serde_json::Value,
    range: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .filter(|f| (*range.start() as f64..=*range.end() as f64).contains(f))
                .map(|f| f as i64)
        })
        .filter(|n| range.contains(n))
}

/// Deserializes a [`serde_json::Value`] the way [`parse_value`] parses one,
/// for a free-form field of a typed body (`deserialize_with`, or inside a
/// `Deserialize` impl).
pub fn unique_value<'de, D: serde::Deserializer<'de>>(d: D) -> Result<serde_json::Value, D::Error> {
    <UniqueKeys as serde::Deserialize>::deserialize(d).map(|v| v.0)
}

/// A JSON value read with no key twice in any object.
struct UniqueKeys(serde_json::Value);

/// With serde_json's `arbitrary_precision` (on in this workspace, so that
/// amounts stay exact), a number that is not a 64-bit integer reaches a
/// `deserialize_any` visitor as a one-entry map from this key to the
/// number's text. serde_json's own `Value`, and the decimal crates, read it
/// the same way.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, SeqAccess, Visitor};
        use serde_json::Value;
        use std::str::FromStr;
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value::from(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(Value::from(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value::from(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Value, E> {
                Ok(Value::from(v))
            }
            fn visit_string<E>(self, v: String) -> Result<Value, E> {
                Ok(Value::String(v))
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(UniqueKeys(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Value::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let mut object = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if object.is_empty() && key == NUMBER_TOKEN {
                        // A number, handed over as its text (see NUMBER_TOKEN).
                        let text: String = map.next_value()?;
                        return serde_json::Number::from_str(&text)
                            .map(Value::Number)
                            .map_err(A::Error::custom);
                    }
                    if object.contains_key(&key) {
                        return Err(A::Error::custom(format!("duplicate field `{key}`")));
                    }
                    let UniqueKeys(value) = map.next_value()?;
                    object.insert(key, value);
                }
                Ok(Value::Object(object))
            }
        }
        d.deserialize_any(Any).map(UniqueKeys)
    }
}

/// Parses a query string into `T`; the error names the parameter at fault.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, InputError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        InputError::Invalid(vec![field_error(&path, &e.into_inner().to_string())])
    })
}

/// serde_json's message for `e`, without the " at line L column C" it
/// appends: the field path says more to a caller.
pub fn json_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    message.strip_suffix(&suffix).unwrap_or(&message).to_owned()
}

/// Turns serde's error at `path` into a field error. serde reports a missing
/// or unknown field at its parent's path, so the field's own name is taken
/// from the message and joined to the path.
fn field_error(path: &str, message: &str) -> FieldError {
    let parent = if path == "." { "" } else { path };
    let join = |name: &str| {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if let Some(name) = message.strip_prefix("missing field ").and_then(quoted) {
        return FieldError::new(join(&name), "is required");
    }
    if let Some(name) = message.strip_prefix("unknown field ").and_then(quoted) {
        // Here the path already ends with the unknown key.
        let field = if parent.rsplit('.').next() == Some(name.as_str()) {
            parent.to_owned()
        } else {
            join(&name)
        };
        return FieldError::new(field, "is not a known field");
    }
    let field = if parent.is_empty() {
        "body".to_owned()
    } else {
        parent.to_owned()
    };
    // serde names our Rust types ("expected struct PartyInput") and lets a
    // struct be written as an array; callers only need to know an object is due.
    if message.contains("expected struct ") || message.ends_with("expected a JSON object") {
        return FieldError::new(field, "must be a JSON object");
    }
    if message.starts_with("invalid type: ") && message.ends_with("expected a sequence") {
        return FieldError::new(field, "must be an array");
    }
    FieldError::new(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn whole_numbers_in_a_range() {
        let read = |json: &str| whole_number(&serde_json::from_str(json).expect("json"), 1..=100);
        for (json, expected) in [("1", Some(1)), ("100", Some(100)), ("20.0", Some(20))] {
            assert_eq!(read(json), expected, "{json}");
        }
        for json in ["0", "101", "-1", "2.5", "1e300", "\"10\"", "true", "null"] {
            assert_eq!(read(json), None, "{json}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        value: u8,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        #[serde(default)]
        items: Vec<Inner>,
    }

    fn error_of(body: &str) -> InputError {
        parse_json_object::<Outer>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            error_of(r#"{"items":[]}"#),
            InputError::field("name", "is required")
        );
        assert_eq!(
            error_of(r#"{"name":"a","extra":1}"#),
            InputError::field("extra", "is not a known field")
        );
        assert_eq!(
            error_of(r#"{"name":"a","items":[{"value":1},{"value":"x"}]}"#),
            InputError::field("items[1].value", "invalid type: string \"x\", expected u8")
        );
        assert_eq!(
            error_of(r#"{"name":"a","items":[{}]}"#),
            InputError::field("items[0].value", "is required")
        );
        assert_eq!(
            error_of(r#"{"name": 5}"#),
            InputError::field("name", "invalid type: integer `5`, expected a string")
        );
        assert_eq!(
            error_of("[1]"),
            InputError::field("body", "must be a JSON object")
        );
        assert_eq!(
            error_of("[]"),
            InputError::field("body", "must be a JSON object")
        );
        assert_eq!(
            error_of(r#"{"name":"a","items":[5]}"#),
            InputError::field("items[0]", "must be a JSON object")
        );
        assert_eq!(
            error_of(r#"{"name":"a","items":{"value":1}}"#),
            InputError::field("items", "must be an array")
        );
    }

    #[test]
    fn a_value_names_each_key_once() {
        let err = parse_value(br#"{"a": {"b": 1, "b": 2}}"#).unwrap_err();
        assert_eq!(json_message(&err), "duplicate field `b`");
        assert_eq!(
            parse_value(br#"[{"a": 1.5, "b": [null, true, "x", -2]}]"#).expect("valid"),
            serde_json::json!([{"a": 1.5, "b": [null, true, "x", -2]}])
        );
        let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(
            parse_value(deep.as_bytes()).is_err(),
            "the recursion limit holds"
        );
    }

    #[test]
    fn a_value_keeps_each_number_as_sent() {
        // (serde_json writes an exponent with its sign: `1e3` as `1e+3`.)
        let sent = r#"[0.1,12345.67,10.50,1e+3,-0,18446744073709551616,{"a":0.30000000000000004}]"#;
        let value = parse_value(sent.as_bytes()).expect("valid");
        assert_eq!(serde_json::to_string(&value).expect("json"), sent);
    }

    #[test]
    fn syntax_errors_name_the_body() {
        assert_eq!(
            error_of("{\"name\":"),
            InputError::field("body", "is not valid JSON: EOF while parsing a value")
        );
        assert_eq!(
            error_of(r#"{"name":"a"} trailing"#),
            InputError::field("body", "is not valid JSON: trailing characters")
        );
    }
}
