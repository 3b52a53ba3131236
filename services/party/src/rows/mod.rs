//! The rows a party is stored as, and the conversions between them and the
//! wire types. Enums and newtypes are stored as the same text they have on
//! the wire, so one mapping (serde's) serves both directions: that codec is
//! here, the rows of each table group beside it.

pub mod parties;

use serde::de::DeserializeOwned;
use serde::Serialize;
use service_kit::CryptoError;

/// A stored value that no longer parses: the database was changed behind
/// the service's back.
#[derive(Debug, thiserror::Error)]
#[error("stored party data is corrupt: {0}")]
pub struct Corrupt(String);

impl From<CryptoError> for Corrupt {
    fn from(e: CryptoError) -> Self {
        Self(e.to_string())
    }
}

/// The text a value is stored as: its JSON string form.
pub fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("stored values serialize to strings, not {other:?}"),
    }
}

/// Parses stored text back into its type.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, Corrupt> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| Corrupt(e.to_string()))
}

fn decode_opt<T: DeserializeOwned>(text: Option<&str>) -> Result<Option<T>, Corrupt> {
    text.map(decode).transpose()
}
