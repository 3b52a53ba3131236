//! Parsed text values: each newtype accepts only well-formed input, and its
//! error message says what the rule is (the caller adds the field name).

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Declares a newtype over `String` that is trimmed, non-empty, free of
/// control characters and at most `$max` characters long.
macro_rules! bounded_text {
    ($(#[$doc:meta])* $name:ident, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        pub struct $name(String);

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                string_schema(1, $max)
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            /// The longest value accepted, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Parses a value, refusing blank, over-long or control-character text.
            pub fn parse(s: &str) -> Result<Self, String> {
                bounded(s, $max).map(Self)
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

bounded_text!(
    /// A personal or organisation name, or an employer: up to 100 characters.
    Name,
    100
);
bounded_text!(
    /// A line of an address, a city or a region: up to 100 characters.
    AddressText,
    100
);
bounded_text!(
    /// A short code or reference (a postal code, a tax id format code, an
    /// identifier value): up to 64 characters.
    Code,
    64
);

/// Text without control characters (Unicode `Cc`, what `char::is_control`
/// refuses), as an OpenAPI `pattern`.
pub const NO_CONTROL_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// Text without control characters that is not blank (holds a character
/// other than white space), as an OpenAPI `pattern`.
pub const NOT_BLANK_PATTERN: &str =
    "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The OpenAPI schema of a non-blank string of `min..=max` characters
/// without control characters.
fn string_schema(
    min: usize,
    max: usize,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(min))
        .max_length(Some(max))
        .pattern(Some(NOT_BLANK_PATTERN))
        .into()
}

/// Whether `text` has more than `max` characters. Characters are counted
/// only when it has more than `max` bytes: a text of at most `max` bytes
/// cannot have more characters than that.
pub fn longer_than(text: &str, max: usize) -> bool {
    text.len() > max && text.chars().count() > max
}

fn bounded(s: &str, max: usize) -> Result<String, String> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err("must not be blank".to_owned());
    }
    if longer_than(trimmed, max) {
        return Err(format!("must be at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(trimmed.to_owned())
}

/// A calendar date written `YYYY-MM-DD` that is real and not in the future
/// (a date of birth).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
#[schema(value_type = String, format = Date, example = "1985-10-10")]
pub struct PastDate(NaiveDate);

impl PastDate {
    /// Parses `YYYY-MM-DD`, refusing impossible dates (`2023-02-30`) and
    /// dates after today (UTC).
    pub fn parse(s: &str) -> Result<Self, String> {
        let date = parse_iso_date(s)?;
        if date > Utc::now().date_naive() {
            return Err("must not be in the future".to_owned());
        }
        Ok(Self(date))
    }

    /// The date itself.
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

/// Parses a strict `YYYY-MM-DD` date, telling a malformed value from an
/// impossible one.
pub fn parse_iso_date(s: &str) -> Result<NaiveDate, String> {
    let shape_ok = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err("must be a date written YYYY-MM-DD".to_owned());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s} is not a real date"))
}

/// `Display` as `YYYY-MM-DD`, and serde as that string, read with `parse`.
macro_rules! iso_date_text {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.format("%Y-%m-%d"))
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
iso_date_text!(PastDate);
iso_date_text!(Date);

/// A calendar date written `YYYY-MM-DD` that is real, past or future (an
/// expiry date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
#[schema(value_type = String, format = Date, example = "2030-01-31")]
pub struct Date(NaiveDate);

impl Date {
    /// Parses `YYYY-MM-DD`, refusing impossible dates (`2023-02-30`).
    pub fn parse(s: &str) -> Result<Self, String> {
        parse_iso_date(s).map(Self)
    }

    /// The date itself.
    pub fn date(&self) -> NaiveDate {
        self.0
    }
}

/// An email address (RFC 5321 syntax, at most 254 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, format = Email, example = "kanand@temenos.com")]
pub struct Email(String);

impl Email {
    /// Parses an email address.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if longer_than(s, 254) {
            return Err("must be at most 254 characters".to_owned());
        }
        email_address::EmailAddress::parse_with_options(s, email_address::Options::default())
            .map(|_| Self(s.to_owned()))
            .map_err(|_| "must be a valid email address".to_owned())
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A phone number: an optional `+` and 4 to 15 digits (the E.164 length).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^\\+?[0-9]{4,15}$", example = "+919994305648")]
pub struct Phone(String);

impl Phone {
    /// Parses a phone number.
    pub fn parse(s: &str) -> Result<Self, String> {
        let digits = s.strip_prefix('+').unwrap_or(s);
        if (4..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be an optional + followed by 4 to 15 digits".to_owned())
        }
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Phone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A country code: two or three upper-case letters (ISO 3166-1 alpha-2 or
/// alpha-3; the vendor samples use both, `UK` and `IND`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^[A-Z]{2,3}$", example = "GB")]
pub struct CountryCode(String);

impl CountryCode {
    /// Parses a country code.
    pub fn parse(s: &str) -> Result<Self, String> {
        if (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be a country code of 2 or 3 upper-case letters".to_owned())
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert_eq!(
            PastDate::parse("1985-10-10").map(|d| d.to_string()),
            Ok("1985-10-10".into())
        );
        assert_eq!(
            PastDate::parse("2023-02-30"),
            Err("2023-02-30 is not a real date".into())
        );
        assert_eq!(
            PastDate::parse("10/10/1985"),
            Err("must be a date written YYYY-MM-DD".into())
        );
        assert_eq!(
            PastDate::parse("9999-01-01"),
            Err("must not be in the future".into())
        );
        assert_eq!(
            Date::parse("9999-01-01").map(|d| d.to_string()),
            Ok("9999-01-01".into())
        );
        assert_eq!(
            Date::parse("2023-02-30"),
            Err("2023-02-30 is not a real date".into())
        );
    }

    #[test]
    fn text_is_bounded_and_trimmed() {
        assert_eq!(
            Name::parse("  Virat ").map(|n| n.to_string()),
            Ok("Virat".into())
        );
        assert!(Name::parse(&"x".repeat(101)).is_err());
        assert!(Name::parse(&"é".repeat(100)).is_ok());
        assert_eq!(Name::parse("   "), Err("must not be blank".into()));
        assert!(Name::parse("a\u{0}b").is_err());
    }

    #[test]
    fn contact_values() {
        assert!(Email::parse("kanand@temenos.com").is_ok());
        assert!(Email::parse("not-an-email").is_err());
        assert!(Phone::parse("+919994305648").is_ok());
        assert!(Phone::parse("99-94").is_err());
        assert!(CountryCode::parse("IND").is_ok());
        assert!(CountryCode::parse("in").is_err());
    }
}
