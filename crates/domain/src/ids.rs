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

/// Random characters from `alphabet`.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_HEX: &[u8] = b"0123456789abcdef";

/// Checks that `s` is `len` characters of `alphabet`.
fn is_of(s: &str, alphabet: &[u8], len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| alphabet.contains(&b))
}

/// An application id: 7 characters of `[A-Z0-9]` (`3X88WLM`).
pub fn new_application_id() -> String {
    random_from(UPPER_ALNUM, 7)
}

/// Whether `s` is an application id.
pub fn is_application_id(s: &str) -> bool {
    is_of(s, UPPER_ALNUM, 7)
}

/// An entity id or an update id: 24 lower-case hex characters
/// (`60fe1abbdecbb711d1e76620`).
pub fn new_hex24() -> String {
    random_from(LOWER_HEX, 24)
}

/// Whether `s` is 24 lower-case hex characters.
pub fn is_hex24(s: &str) -> bool {
    is_of(s, LOWER_HEX, 24)
}

/// A user action id: `CA` and 12 digits (`CA202243101763`).
pub fn new_user_action_id() -> String {
    format!("CA{}", random_from(b"0123456789", 12))
}

/// Whether `s` is a user action id.
pub fn is_user_action_id(s: &str) -> bool {
    s.strip_prefix("CA")
        .is_some_and(|digits| is_of(digits, b"0123456789", 12))
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
    fn generated_ids_have_the_documented_formats() {
        for _ in 0..200 {
            assert!(is_application_id(&new_application_id()));
            assert!(is_hex24(&new_hex24()));
            assert!(is_user_action_id(&new_user_action_id()));
        }
        assert!(is_application_id("3X88WLM") && !is_application_id("3x88wlm"));
        assert!(is_hex24("60fe1abbdecbb711d1e76620") && !is_hex24("60FE1ABBDECBB711D1E76620"));
        assert!(is_user_action_id("CA202243101763") && !is_user_action_id("CA2022431017"));
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
