//! How field values are stored: as the same text they have on the wire, so
//! one parser serves the request and the read-back.

use crate::wire::customer::EmailAddress;
use crate::wire::values::{Id, Text};
use domain::text::PastDate;
use domain::{DateTimeSeconds, YesNo};

/// A stored value that no longer parses: the database was changed behind
/// the service's back.
#[derive(Debug, thiserror::Error)]
#[error("stored case data is corrupt: {0}")]
pub struct Corrupt(pub String);

/// A value stored as text.
pub trait Stored: Sized {
    /// The text it is stored as.
    fn to_stored(&self) -> String;
    /// Parses stored text back.
    fn from_stored(text: &str) -> Result<Self, String>;
}

impl<const MAX: usize> Stored for Text<MAX> {
    fn to_stored(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl Stored for Id {
    fn to_stored(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl Stored for YesNo {
    fn to_stored(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl Stored for PastDate {
    fn to_stored(&self) -> String {
        self.to_string()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl Stored for DateTimeSeconds {
    fn to_stored(&self) -> String {
        self.to_string()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl Stored for EmailAddress {
    fn to_stored(&self) -> String {
        self.as_str().to_owned()
    }
    fn from_stored(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

/// The stored text of an optional value.
pub fn put<T: Stored>(value: &Option<T>) -> Option<String> {
    value.as_ref().map(Stored::to_stored)
}

/// Parses an optional stored value back.
pub fn get<T: Stored>(text: Option<String>) -> Result<Option<T>, Corrupt> {
    text.map(|t| T::from_stored(&t).map_err(Corrupt))
        .transpose()
}
