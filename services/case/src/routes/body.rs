//! Reading ECM request bodies. The shape is checked for the request as a
//! whole (a 400 refuses it all, and nothing is applied); each part's own
//! fields are then parsed on their own, so one bad customer fails alone.
//! Every handler reads its body through here.

use super::AppState;
use crate::error::EcmError;
use crate::wire::values::Id;
use crate::wire::values::Object;
use actix_web::{web, HttpRequest};
use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use service_kit::body::{is_json, read_limited};
use service_kit::body::{parse_json, parse_value, whole_number};
use service_kit::InputError;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

/// One item of a batch request: `{caseId, ...}`.
#[derive(Debug, Clone)]
pub struct Item {
    /// The case id as sent.
    pub case_id: String,
    /// The whole item, `caseId` included.
    pub fields: Map<String, Value>,
}

/// Parses a batch body: a non-empty array of objects, each with a `caseId`
/// string and no key outside `allowed`. An item without a `caseId` (absent,
/// `null` or blank) refuses the whole request with "Input JSON data does not
/// have caseId."; any other departure from the shape with "Invalid JSON
/// Input format.".
pub fn parse_items(body: &[u8], allowed: &[&str]) -> Result<Vec<Item>, EcmError> {
    let Ok(Value::Array(items)) = parse_value(body) else {
        return Err(EcmError::InvalidFormat);
    };
    if items.is_empty() {
        return Err(EcmError::InvalidFormat);
    }
    items
        .into_iter()
        .map(|item| {
            let Value::Object(fields) = item else {
                return Err(EcmError::InvalidFormat);
            };
            if fields.keys().any(|k| !allowed.contains(&k.as_str())) {
                return Err(EcmError::InvalidFormat);
            }
            let case_id = required_text(&fields, "caseId")?;
            Ok(Item { case_id, fields })
        })
        .collect()
}

/// Reads a batch body, `[{caseId, <key>: [...]}]` (`key` is `customers`,
/// `accounts`, ...), in one pass straight into `T`s, when it is the
/// documented shape and every part is a valid `T`: the common case, and no
/// JSON tree is built. `None` otherwise; the body must then be read with
/// [`parse_items`] and each part with [`parse_part`], which find and name
/// what is wrong.
pub fn parse_valid_cases<T: DeserializeOwned>(
    body: &[u8],
    key: &'static str,
) -> Option<Vec<(String, Vec<T>)>> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let cases = CasesSeed::<T> {
        key,
        parts: PhantomData,
    }
    .deserialize(&mut deserializer)
    .ok()?;
    deserializer.end().ok()?;
    if cases.is_empty() || cases.iter().any(|(case_id, _)| case_id.trim().is_empty()) {
        return None;
    }
    Some(cases)
}

/// Reads `[{caseId, <key>: [T, ...]}, ...]`, and nothing else: every key
/// exactly once, each part an object.
struct CasesSeed<T> {
    key: &'static str,
    parts: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for CasesSeed<T> {
    type Value = Vec<(String, Vec<T>)>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CasesSeed<T> {
    type Value = Vec<(String, Vec<T>)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of cases")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut cases = Vec::new();
        while let Some(case) = seq.next_element_seed(CaseSeed::<T> {
            key: self.key,
            parts: PhantomData,
        })? {
            cases.push(case);
        }
        Ok(cases)
    }
}

/// Reads one `{caseId, <key>: [T, ...]}`.
struct CaseSeed<T> {
    key: &'static str,
    parts: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for CaseSeed<T> {
    type Value = (String, Vec<T>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for CaseSeed<T> {
    type Value = (String, Vec<T>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an object of caseId and {}", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut case_id, mut parts) = (None, None);
        while let Some(name) = map.next_key::<String>()? {
            if name == "caseId" && case_id.is_none() {
                case_id = Some(map.next_value::<String>()?);
            } else if name == self.key && parts.is_none() {
                let objects: Vec<Object<T>> = map.next_value()?;
                parts = Some(objects.into_iter().map(|Object(part)| part).collect());
            } else {
                return Err(de::Error::custom(format!("unexpected key {name}")));
            }
        }
        match (case_id, parts) {
            (Some(case_id), Some(parts)) => Ok((case_id, parts)),
            _ => Err(de::Error::custom("a key is missing")),
        }
    }
}

/// Parses a body that is one object with no key outside `allowed`.
pub fn parse_object(body: &[u8], allowed: &[&str]) -> Result<Map<String, Value>, EcmError> {
    match parse_value(body) {
        Ok(Value::Object(fields)) if fields.keys().all(|k| allowed.contains(&k.as_str())) => {
            Ok(fields)
        }
        _ => Err(EcmError::InvalidFormat),
    }
}

/// The text field `name` of `fields`: absent, `null` or blank is
/// [`EcmError::Missing`], anything but a string is not the documented shape.
pub fn required_text(fields: &Map<String, Value>, name: &'static str) -> Result<String, EcmError> {
    match fields.get(name) {
        None | Some(Value::Null) => Err(EcmError::Missing(name)),
        Some(Value::String(s)) if s.trim().is_empty() => Err(EcmError::Missing(name)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(EcmError::InvalidFormat),
    }
}

/// The `caseId` of a single-case body: present, not blank, and an
/// identifier (at most 64 characters, no control characters).
pub fn case_id_of(fields: &Map<String, Value>) -> Result<String, EcmError> {
    let case_id = required_text(fields, "caseId")?;
    Id::parse(&case_id).map_err(|why| EcmError::Invalid(invalid("caseId", &why)))?;
    Ok(case_id)
}

/// Takes the list of objects under `name` (`customers`) out of `fields`: it
/// must be present and an array whose entries are all objects.
pub fn take_objects(fields: &mut Map<String, Value>, name: &str) -> Result<Vec<Value>, EcmError> {
    match fields.remove(name) {
        Some(Value::Array(entries)) if entries.iter().all(Value::is_object) => Ok(entries),
        _ => Err(EcmError::InvalidFormat),
    }
}

/// The string under `name`, if it is one (to echo ids back as sent).
pub fn text_of(value: &Value, name: &str) -> Option<String> {
    value.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// Parses one part of a request into `T`. A refusal is a vendor-style
/// sentence naming the field: "Invalid dateOfBirth: 1990-02-30 is not a
/// real date." or "Input JSON data does not have customerId.".
///
/// A valid part is read straight from the parsed body. Only a refused one
/// is written out and parsed again as text, for the error that names the
/// field at fault.
pub fn parse_part<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    if let Ok(part) = T::deserialize(value) {
        return Ok(part);
    }
    let bytes = serde_json::to_vec(value).map_err(|e| e.to_string())?;
    parse_json(&bytes).map_err(|e| match e {
        InputError::Invalid(errors) => match errors.first() {
            Some(error) if error.message == "is required" => {
                format!("Input JSON data does not have {}.", error.field)
            }
            Some(error) => invalid(&error.field, &error.message),
            None => crate::error::INVALID_FORMAT.to_owned(),
        },
        other => other.to_string(),
    })
}

/// The message of an invalid field.
pub fn invalid(field: &str, message: &str) -> String {
    format!("Invalid {field}: {message}.")
}

/// Reads a JSON body of at most the configured size.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<web::Bytes, EcmError> {
    if !is_json(req) {
        return Err(EcmError::UnsupportedMediaType);
    }
    Ok(read_limited(req, payload, state.max_body).await?)
}

/// Reads a batch of case items, at most as many as customers are allowed.
pub async fn items(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    allowed: &[&str],
) -> Result<Vec<Item>, EcmError> {
    let body = read_body(req, payload, state).await?;
    let items = parse_items(&body, allowed)?;
    if items.len() > state.max_customers {
        return Err(EcmError::TooLarge(format!(
            "The request carries {} cases; at most {} are accepted per request.",
            items.len(),
            state.max_customers
        )));
    }
    Ok(items)
}

/// The default and the largest page size.
const DEFAULT_LIMIT: i64 = 20;
/// The largest page of any list.
pub const MAX_LIMIT: i64 = 100;

/// The refusal of a page size out of `1..=MAX_LIMIT`.
pub fn bad_limit() -> EcmError {
    EcmError::Invalid(invalid(
        "limit",
        &format!("must be a whole number from 1 to {MAX_LIMIT}"),
    ))
}

/// A page request: the key field, `limit`, `cursor`, and the cursors of
/// the other lists the read pages.
pub struct PageRequest {
    /// The key field's value.
    pub key: String,
    /// The page size (of every list the read pages).
    pub limit: i64,
    /// Where the page starts: the previous page's `nextCursor`.
    pub cursor: Option<String>,
    /// The other lists' cursors, by field name, for those sent.
    pub list_cursors: HashMap<&'static str, String>,
}

impl PageRequest {
    /// The cursor `name` (`cursor`, or one of the other lists'), as sent.
    pub fn text_cursor(&self, name: &'static str) -> Option<&str> {
        if name == "cursor" {
            self.cursor.as_deref()
        } else {
            self.list_cursors.get(name).map(String::as_str)
        }
    }

    /// The cursor `name`, read as the id of the last item of the previous
    /// page.
    pub fn id_cursor(&self, name: &'static str) -> Result<Option<i64>, EcmError> {
        self.text_cursor(name)
            .map(|c| c.parse::<i64>().map_err(|_| bad_cursor(name)))
            .transpose()
    }
}

fn bad_cursor(name: &str) -> EcmError {
    EcmError::Invalid(invalid(name, "must be the nextCursor of the previous page"))
}

/// Reads `{<key>, limit, cursor}`, and the cursors named in `lists` (of
/// the other lists the read pages, each a string or `null`); one page size
/// for all.
pub async fn page_request(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    key: &'static str,
    lists: &[&'static str],
) -> Result<PageRequest, EcmError> {
    let body = read_body(req, payload, state).await?;
    let mut allowed = vec![key, "limit", "cursor"];
    allowed.extend_from_slice(lists);
    let fields: Map<String, Value> = parse_object(&body, &allowed)?;
    let key_value = required_text(&fields, key)?;
    let limit = match fields.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        // A whole number may be written `13.0`: JSON Schema's `integer`
        // (as the document says) takes it, and a generated client may send it.
        Some(value) => whole_number(value, 1..=MAX_LIMIT).ok_or_else(bad_limit)?,
    };
    let cursor_of = |name: &'static str| match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_cursor(name)),
    };
    let cursor = cursor_of("cursor")?;
    let mut list_cursors = HashMap::new();
    for &name in lists {
        if let Some(value) = cursor_of(name)? {
            list_cursors.insert(name, value);
        }
    }
    Ok(PageRequest {
        key: key_value,
        limit,
        cursor,
        list_cursors,
    })
}

/// Each item's id as sent, and the item parsed as `T` (or why not).
pub fn parsed<T: DeserializeOwned>(items: Vec<Item>) -> Vec<(String, Result<T, String>)> {
    items
        .into_iter()
        .map(|item| {
            let value = parse_part(&Value::Object(item.fields));
            (item.case_id, value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_is_checked_before_anything() {
        let allowed = ["caseId", "customers"];
        for body in [
            "",
            "{}",
            "[]",
            "[1]",
            r#"[{"caseId": 5}]"#,
            r#"[{"caseId": "CA1", "other": 1}]"#,
            r#"[{"caseId": "CA1"}"#,
        ] {
            assert!(
                matches!(
                    parse_items(body.as_bytes(), &allowed),
                    Err(EcmError::InvalidFormat)
                ),
                "{body}"
            );
        }
        for body in [
            r#"[{"customers": []}]"#,
            r#"[{"caseId": null}]"#,
            r#"[{"caseId": " "}]"#,
        ] {
            assert!(
                matches!(
                    parse_items(body.as_bytes(), &allowed),
                    Err(EcmError::Missing("caseId"))
                ),
                "{body}"
            );
        }
        let items = parse_items(br#"[{"caseId": "CA1", "customers": []}]"#, &allowed)
            .expect("the documented shape");
        assert_eq!(items[0].case_id, "CA1");
    }
}
