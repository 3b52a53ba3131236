//! Value formats the vendor APIs write as text: `Y`/`N` flags and
//! `YYYY-MM-DD HH:MM:SS` times. Each parses strictly and writes itself back
//! exactly as it was read, so a value a client sent is the value it reads.

use chrono::NaiveDateTime;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A yes/no flag written `"Y"` or `"N"` (ECM's `pepFlagCode`,
/// `businessAdd`, ...). Nothing else is accepted: not `"y"`, not `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum YesNo {
    /// `"Y"`.
    Yes,
    /// `"N"`.
    No,
}

impl YesNo {
    /// Parses `"Y"` or `"N"`.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "Y" => Ok(Self::Yes),
            "N" => Ok(Self::No),
            _ => Err("must be Y or N".to_owned()),
        }
    }

    /// The flag as written: `"Y"` or `"N"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "Y",
            Self::No => "N",
        }
    }

    /// True for `"Y"`.
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

impl utoipa::PartialSchema for YesNo {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(["Y", "N"]))
            .examples([serde_json::json!("Y")])
            .into()
    }
}

impl utoipa::ToSchema for YesNo {}

impl fmt::Display for YesNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for YesNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for YesNo {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A date and time written `YYYY-MM-DD HH:MM:SS` (24-hour clock, no zone),
/// as ECM writes `addedOn` and `relationshipDate` ("YYYY-MM-DD HH24:MI:SS").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, utoipa::ToSchema)]
#[schema(
    value_type = String,
    pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
    example = "2012-12-01 10:30:00"
)]
pub struct DateTimeSeconds(NaiveDateTime);

impl DateTimeSeconds {
    /// The format, for chrono.
    pub const FORMAT: &'static str = "%Y-%m-%d %H:%M:%S";

    /// Parses `YYYY-MM-DD HH:MM:SS`, telling a malformed value from an
    /// impossible one (`2023-02-30 10:00:00`, `2023-01-01 24:00:00`).
    pub fn parse(s: &str) -> Result<Self, String> {
        let shape_ok = s.len() == 19
            && s.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                10 => b == b' ',
                13 | 16 => b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err("must be a date and time written YYYY-MM-DD HH:MM:SS".to_owned());
        }
        // The shape is checked: every field is ASCII digits at its place, so
        // reading them by position is exact (and far cheaper than chrono's
        // format parser, which bulk loads of records feel).
        let number = |at: std::ops::Range<usize>| {
            s.as_bytes()[at]
                .iter()
                .fold(0u32, |n, digit| n * 10 + u32::from(digit - b'0'))
        };
        let year = i32::try_from(number(0..4)).unwrap_or(i32::MAX);
        chrono::NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
            .and_then(|date| date.and_hms_opt(number(11..13), number(14..16), number(17..19)))
            .map(Self)
            .ok_or_else(|| format!("{s} is not a real date and time"))
    }

    /// Wraps a time (its fraction of a second is dropped when written).
    pub fn new(at: NaiveDateTime) -> Self {
        Self(at)
    }

    /// The time itself.
    pub fn value(&self) -> NaiveDateTime {
        self.0
    }
}

impl fmt::Display for DateTimeSeconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::{Datelike, Timelike};
        let at = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            at.year(),
            at.month(),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }
}

impl Serialize for DateTimeSeconds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTimeSeconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_exactly_y_or_n() {
        assert_eq!(YesNo::parse("Y"), Ok(YesNo::Yes));
        assert_eq!(YesNo::parse("N").map(YesNo::as_str), Ok("N"));
        for bad in ["y", "Yes", "", "true", " Y"] {
            assert_eq!(YesNo::parse(bad), Err("must be Y or N".into()), "{bad}");
        }
        assert!(serde_json::from_str::<YesNo>("true").is_err());
    }

    #[test]
    fn times_are_strict_and_written_back_unchanged() {
        let at = DateTimeSeconds::parse("2012-12-01 10:30:00").expect("valid");
        assert_eq!(at.to_string(), "2012-12-01 10:30:00");
        assert_eq!(
            DateTimeSeconds::parse("2012-02-30 10:30:00"),
            Err("2012-02-30 10:30:00 is not a real date and time".into())
        );
        assert_eq!(
            DateTimeSeconds::parse("2012-12-01 24:00:00"),
            Err("2012-12-01 24:00:00 is not a real date and time".into())
        );
        for bad in ["2012-12-01T10:30:00", "2012-12-01 10:30", "2012-12-01"] {
            assert_eq!(
                DateTimeSeconds::parse(bad),
                Err("must be a date and time written YYYY-MM-DD HH:MM:SS".into()),
                "{bad}"
            );
        }
    }
}
