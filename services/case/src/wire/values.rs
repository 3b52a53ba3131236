//! The field types of the ECM requests. Each accepts exactly what the vendor
//! documents, keeps the value as it was sent, and says what is wrong with a
//! refused one (the caller adds the field name).
//!
//! Text is not trimmed and may be empty: ECM clients send `""` for "none",
//! and a value must come back exactly as it was sent.

use domain::text::longer_than;
use rust_decimal::Decimal;
use serde::de::{self, Unexpected, Visitor};
use serde::{ser, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;
use std::str::FromStr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{OneOfBuilder, RefOr};

/// Text of at most `MAX` characters, without control characters, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text<const MAX: usize>(String);

/// A code or a reference: at most 64 characters (type, status and country
/// codes, account ids, tax ids, postal codes).
pub type ShortText = Text<64>;
/// Free text: at most 255 characters (names, address lines, employer).
pub type LongText = Text<255>;

impl<const MAX: usize> Text<MAX> {
    /// Parses text, refusing over-long values and control characters.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::from_string(s.to_owned())
    }

    /// [`parse`](Self::parse), keeping `s` itself.
    fn from_string(s: String) -> Result<Self, String> {
        if longer_than(&s, MAX) {
            return Err(format!("must be at most {MAX} characters"));
        }
        if s.chars().any(char::is_control) {
            return Err("must not contain control characters".to_owned());
        }
        Ok(Self(s))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> Serialize for Text<MAX> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_string(String::deserialize(d)?).map_err(de::Error::custom)
    }
}

impl<const MAX: usize> utoipa::PartialSchema for Text<MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(MAX))
            .pattern(Some(domain::text::NO_CONTROL_PATTERN))
            .into()
    }
}

/// Each size is its own component (`Text64`, `Text255`): one name for all
/// would document every size with one size's limit.
impl<const MAX: usize> utoipa::ToSchema for Text<MAX> {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Owned(format!("Text{MAX}"))
    }
}

/// Prose of at most `MAX` characters, as sent: not blank, and free of
/// control characters other than line breaks and tabs (a narrative is
/// written in paragraphs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prose<const MAX: usize>(String);

/// Prose as an OpenAPI `pattern`: no control character but tab, line feed
/// and carriage return, and a character other than white space. (A field
/// of type `Prose` states it in its `#[schema]`: utoipa takes no schema
/// from a const-generic type.)
pub const PROSE_PATTERN: &str = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$";

impl<const MAX: usize> Prose<MAX> {
    fn from_string(s: String) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Err("must not be blank".to_owned());
        }
        if longer_than(&s, MAX) {
            return Err(format!("must be at most {MAX} characters"));
        }
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        {
            return Err(
                "must not contain control characters other than line breaks and tabs".to_owned(),
            );
        }
        Ok(Self(s))
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Prose<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_string(String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// An identifier: a [`ShortText`] that is not blank (`caseId`, `customerId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Id(String);

impl utoipa::PartialSchema for Id {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(64))
            .pattern(Some(domain::text::NOT_BLANK_PATTERN))
            .into()
    }
}

impl utoipa::ToSchema for Id {}

impl Id {
    /// Parses an identifier.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::from_string(s.to_owned())
    }

    /// [`parse`](Self::parse), keeping `s` itself.
    fn from_string(s: String) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Err("must not be blank".to_owned());
        }
        ShortText::from_string(s).map(|c| Self(c.into_string()))
    }

    /// The identifier.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_string(String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// The most digits a [`Number`] has before its decimal point.
pub const MAX_INTEGER_DIGITS: u32 = 16;
/// The most digits a [`Number`] has after its decimal point.
pub const MAX_SCALE: u32 = 8;

/// An amount, a score, a rating or a count: a JSON number, kept as the
/// decimal it was sent as, never as binary floating point. `0.1` and
/// `12345.67` come back exactly so, `10.50` keeps its trailing zero; a number
/// in exponent form (`1.5e3`) comes back as the same value written out
/// (`1500`).
///
/// At most [`MAX_INTEGER_DIGITS`] digits before the point and [`MAX_SCALE`]
/// after it (PostgreSQL's `NUMERIC(24, 8)` range; the column itself is an
/// unconstrained `numeric`, so that the scale sent is kept). Use it for every
/// new amount field (`baseAmount`, `quantity`, `riskRating`, scores): it is
/// read from the request text itself (serde_json's `arbitrary_precision`),
/// stored as `NUMERIC` on PostgreSQL and as text on SQLite
/// (`rows::decimal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number(Decimal);

impl Number {
    /// Wraps a stored value as it is (a value stored before the bounds
    /// existed is given back, not refused).
    pub fn new(value: Decimal) -> Self {
        Self(value)
    }

    /// The value.
    pub fn as_decimal(&self) -> &Decimal {
        &self.0
    }

    /// Parses a JSON number's text (`-12.50`, `1e3`), refusing a value
    /// outside the bounds. Also for numbers that a vendor format sends as
    /// text (an event's attribute `"2"`).
    pub fn parse(text: &str) -> Result<Self, String> {
        // JSON's number grammar first (rust_decimal alone would take
        // `1_000`). An over-long number fails to parse as surely as it
        // fails the bounds: both get the same answer.
        serde_json::Number::from_str(text).map_err(|_| Self::bounds())?;
        let value = Self::read(text).map_err(|_| Self::bounds())?;
        let limit = Decimal::from(10u64.pow(MAX_INTEGER_DIGITS));
        if value.abs() >= limit || value.scale() > MAX_SCALE {
            return Err(Self::bounds());
        }
        Ok(Self(value))
    }

    /// Reads a number's text, with or without an exponent, and without the
    /// bounds: a stored value is given back, not refused.
    pub fn read(text: &str) -> Result<Decimal, rust_decimal::Error> {
        if text.contains(['e', 'E']) {
            Decimal::from_scientific(text)
        } else {
            Decimal::from_str_exact(text)
        }
    }

    fn bounds() -> String {
        format!(
            "must be a number with at most {MAX_INTEGER_DIGITS} digits before the decimal point and {MAX_SCALE} after it"
        )
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // With `arbitrary_precision`, a `serde_json::Number` made from text
        // is written as that text.
        serde_json::Number::from_str(&self.0.to_string())
            .map_err(ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The value's JSON text, from the body or from a `Value` read from
        // it: the number exactly as sent, with no double in between.
        let raw = Box::<RawValue>::deserialize(d)?;
        let text = raw.get();
        if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            return Self::parse(text).map_err(de::Error::custom);
        }
        let sent: serde_json::Value = serde_json::from_str(text).map_err(de::Error::custom)?;
        let unexpected = match &sent {
            serde_json::Value::String(s) => Unexpected::Str(s),
            serde_json::Value::Bool(b) => Unexpected::Bool(*b),
            serde_json::Value::Array(_) => Unexpected::Seq,
            serde_json::Value::Object(_) => Unexpected::Map,
            serde_json::Value::Null | serde_json::Value::Number(_) => Unexpected::Unit,
        };
        Err(de::Error::invalid_type(unexpected, &"a number"))
    }
}

impl utoipa::PartialSchema for Number {
    fn schema() -> RefOr<Schema> {
        // Every value the bounds allow lies strictly between these. The
        // scale is said in words: `multipleOf: 1e-8` would be checked in
        // binary floating point, where 0.29 is no multiple of it.
        let limit = 10i64.pow(MAX_INTEGER_DIGITS);
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .exclusive_maximum(Some(limit))
            .exclusive_minimum(Some(-limit))
            .description(Some(format!(
                "A decimal: at most {MAX_INTEGER_DIGITS} digits before the point and {MAX_SCALE} after it, given back exactly as sent."
            )))
            .examples([serde_json::json!(12345.67)])
            .into()
    }
}

impl utoipa::ToSchema for Number {}

/// How a [`Digits`] value was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitsForm {
    /// As a JSON number (`1234567890`).
    Number,
    /// As a JSON string (`"+1 212-555-0100"`).
    Text,
}

impl DigitsForm {
    /// The name it is stored under.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Text => "string",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "number" => Some(Self::Number),
            "string" => Some(Self::Text),
            _ => None,
        }
    }
}

/// A phone or extension number, sent as a JSON number (as in the vendor's
/// sample) or as a string of digits with `+ - ( ) .` and spaces. It comes
/// back in the form it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits {
    text: String,
    form: DigitsForm,
}

/// The longest phone number string accepted.
const MAX_DIGITS_TEXT: usize = 30;

impl Digits {
    /// Rebuilds a stored value.
    pub fn new(text: String, form: DigitsForm) -> Self {
        Self { text, form }
    }

    /// The number as text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How it was sent.
    pub fn form(&self) -> DigitsForm {
        self.form
    }

    fn parse_text(s: &str) -> Result<Self, String> {
        let allowed =
            |c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | ' ');
        let ok = s.chars().count() <= MAX_DIGITS_TEXT
            && s.chars().all(allowed)
            && s.chars().any(|c| c.is_ascii_digit());
        if ok {
            Ok(Self::new(s.to_owned(), DigitsForm::Text))
        } else {
            Err(Self::RULE.to_owned())
        }
    }

    const RULE: &'static str =
        "must be a whole number, or a string of at most 30 digits, spaces, dots and + - ( )";
}

impl Serialize for Digits {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.form, self.text.parse::<u64>()) {
            (DigitsForm::Number, Ok(n)) => s.serialize_u64(n),
            _ => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for Digits {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DigitsVisitor;
        impl<'de> Visitor<'de> for DigitsVisitor {
            type Value = Digits;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a phone number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Digits, E> {
                Ok(Digits::new(v.to_string(), DigitsForm::Number))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Digits, E> {
                Err(E::custom(Digits::RULE))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Digits, E> {
                Err(E::custom(Digits::RULE))
            }
            // A number that is not a 64-bit integer, as serde_json's
            // `arbitrary_precision` hands it over (its text in a map).
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Digits, A::Error> {
                Err(de::Error::custom(Digits::RULE))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Digits, E> {
                Digits::parse_text(v).map_err(E::custom)
            }
        }
        d.deserialize_any(DigitsVisitor)
    }
}

impl utoipa::PartialSchema for Digits {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[0-9+\-(). ]{1,30}$")),
            )
            .examples([serde_json::json!(1234567890)])
            .into()
    }
}

impl utoipa::ToSchema for Digits {}

/// The largest `genericInformation` accepted, written as JSON.
pub const MAX_GENERIC_BYTES: usize = 32 * 1024;

/// `genericInformation`: any JSON object, kept and given back as sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GenericInformation(serde_json::Map<String, serde_json::Value>);

impl GenericInformation {
    /// The object.
    pub fn as_map(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }

    /// Parses the stored JSON text back.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text).map(Self)
    }

    /// The JSON text it is stored as.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("a JSON object always serializes")
    }
}

impl<'de> Deserialize<'de> for GenericInformation {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A key twice is refused here too, as in the rest of the body.
        match service_kit::body::unique_value(d)? {
            serde_json::Value::Object(map) => {
                let size = serde_json::to_vec(&map).map_or(usize::MAX, |v| v.len());
                if size > MAX_GENERIC_BYTES {
                    return Err(de::Error::custom(format!(
                        "must be at most {MAX_GENERIC_BYTES} bytes as JSON"
                    )));
                }
                Ok(Self(map))
            }
            _ => Err(de::Error::custom("must be a JSON object")),
        }
    }
}

impl utoipa::PartialSchema for GenericInformation {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some("Any JSON object; stored and given back as sent."))
            .into()
    }
}

impl utoipa::ToSchema for GenericInformation {}

/// A `T` read only from a JSON object: serde's derived structs also read a
/// JSON array of their fields' values, which no client means.
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Self)
    }
}

/// Reads a list of `T`s, each only from a JSON object (`deserialize_with`).
pub fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<Object<T>>::deserialize(d)?
        .into_iter()
        .map(|Object(t)| t)
        .collect())
}

/// Reads an optional `T`, only from a JSON object (`deserialize_with`).
pub fn optional_object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Ok(Option::<Object<T>>::deserialize(d)?.map(|Object(t)| t))
}

/// The most characters a subject (acting, or an assignee) has.
pub const MAX_SUBJECT: usize = 200;

/// Checks a case worker's subject (acting, or an assignee): 1 to
/// [`MAX_SUBJECT`] characters, not blank, without control characters.
pub fn check_subject(subject: &str) -> Result<(), String> {
    if subject.trim().is_empty()
        || subject.chars().count() > MAX_SUBJECT
        || subject.chars().any(char::is_control)
    {
        return Err(format!(
            "must be 1 to {MAX_SUBJECT} printable characters, not blank"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    #[test]
    fn generic_information_names_each_key_once() {
        let twice = r#"{"genericInformation": {"a": 1, "a": 2}}"#;
        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Holder {
            generic_information: GenericInformation,
        }
        let err = serde_json::from_str::<Holder>(twice).unwrap_err();
        assert!(err.to_string().starts_with("duplicate field `a`"), "{err}");
    }

    #[test]
    fn numbers_come_back_exactly_as_sent() {
        let sent = [
            "10",
            "-3",
            "12.5",
            "0.1",
            "12345.67",
            "10.50",
            "-0.00000001",
        ];
        for text in sent {
            // Straight from the text, and from a `Value` read from it.
            let n: Number = serde_json::from_str(text).expect("a number");
            assert_eq!(serde_json::to_string(&n).expect("json"), text);
            let value: serde_json::Value = serde_json::from_str(text).expect("json");
            let n: Number = serde_json::from_value(value).expect("a number");
            assert_eq!(serde_json::to_string(&n).expect("json"), text);
        }
        for text in ["1.5e3", "1.5e+3", "15E2"] {
            let n: Number = serde_json::from_str(text).expect("a number");
            assert_eq!(serde_json::to_string(&n).expect("json"), "1500");
        }
    }

    #[test]
    fn prose_keeps_line_breaks_and_refuses_other_control_characters() {
        let text = "First paragraph.\r\n\n\tSecond.";
        let prose: Prose<40> = parse(json!(text)).expect("prose");
        assert_eq!(prose.into_string(), text);
        for (sent, why) in [
            (" \n ", "must not be blank"),
            (
                "a\u{0}b",
                "must not contain control characters other than line breaks and tabs",
            ),
            ("x".repeat(41).as_str(), "must be at most 40 characters"),
        ] {
            assert_eq!(parse::<Prose<40>>(json!(sent)), Err(why.to_owned()));
        }
    }

    #[test]
    fn numbers_are_bounded() {
        let rule =
            "must be a number with at most 16 digits before the decimal point and 8 after it";
        for text in [
            "9999999999999999.99999999",
            "-9999999999999999",
            "0.00000001",
        ] {
            assert!(Number::parse(text).is_ok(), "{text}");
        }
        // Text that is no JSON number (as an attribute might send).
        for text in ["1_000", " 1", "+1", "1."] {
            assert_eq!(Number::parse(text), Err(rule.to_owned()), "{text}");
        }
        for text in [
            "10000000000000000",
            "0.000000001",
            "1e400",
            "1e-9",
            "99999999999999999999999999999999",
        ] {
            assert_eq!(Number::parse(text), Err(rule.to_owned()), "{text}");
            let sent = serde_json::from_str::<Number>(text).map_err(|e| e.to_string());
            assert!(sent.is_err_and(|e| e.starts_with(rule)), "{text}");
        }
        assert_eq!(
            parse::<Number>(json!("10")),
            Err("invalid type: string \"10\", expected a number".into())
        );
        assert_eq!(
            parse::<Number>(json!(true)),
            Err("invalid type: boolean `true`, expected a number".into())
        );
    }

    #[test]
    fn phone_numbers_keep_their_form() {
        for sent in [json!(1234567890), json!("+1 (212) 555-0100")] {
            let d: Digits = parse(sent.clone()).expect("a phone number");
            assert_eq!(serde_json::to_value(d).expect("json"), sent);
        }
        for bad in [
            json!(-5),
            json!(1.5),
            json!("call me"),
            json!(""),
            json!(true),
        ] {
            assert!(parse::<Digits>(bad.clone()).is_err(), "{bad}");
        }
        // Read from the text, a fraction comes as `arbitrary_precision`'s map.
        for text in ["1.5", "123456789012345678901234567890"] {
            let err = serde_json::from_str::<Digits>(text).map_err(|e| e.to_string());
            assert!(err.is_err_and(|e| e.starts_with(Digits::RULE)), "{text}");
        }
    }

    #[test]
    fn text_is_bounded_but_kept_as_sent() {
        assert_eq!(
            ShortText::parse(" A ").map(|c| c.into_string()),
            Ok(" A ".into())
        );
        assert!(ShortText::parse("").is_ok());
        assert!(ShortText::parse(&"x".repeat(65)).is_err());
        assert!(ShortText::parse("a\nb").is_err());
        assert_eq!(Id::parse("  "), Err("must not be blank".into()));
    }

    #[test]
    fn generic_information_must_be_an_object() {
        assert!(parse::<GenericInformation>(json!({"a": [1, {"b": null}]})).is_ok());
        assert_eq!(
            parse::<GenericInformation>(json!("text")),
            Err("must be a JSON object".into())
        );
    }
}
