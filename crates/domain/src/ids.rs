//! Identifiers and their documented formats.

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A party id: ten digits, random (never sequential), first digit non-zero,
/// as in the vendor samples (`1778258145`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(value_type = String, pattern = "^[1-9][0-9]{9}$", example = "1778258145")]
pub struct PartyId(String);

impl PartyId {
    /// Draws a fresh random id. Uniqueness is enforced by the store, which
    /// draws again on a collision.
    pub fn random() -> Self {
        let n: u64 = rand::rng().random_range(1_000_000_000..=9_999_999_999);
        Self(n.to_string())
    }

    /// Parses a party id, refusing anything that is not ten digits.
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err("must be a party id of 10 digits".to_owned())
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PartyId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_have_ten_digits_and_parse_back() {
        for _ in 0..1000 {
            let id = PartyId::random();
            assert_eq!(PartyId::parse(id.as_str()), Ok(id.clone()));
        }
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "123",
            "01234567890",
            "0123456789",
            "12345abcde",
            "12345678901",
        ] {
            assert!(PartyId::parse(bad).is_err(), "{bad}");
        }
    }
}
