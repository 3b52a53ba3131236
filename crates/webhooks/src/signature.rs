//! Standard Webhooks' symmetric signature: `v1,` and the base64 of
//! HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with
//! the secret's bytes, one per secret, space-separated.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// How a secret is written: `whsec_` and the base64 of its bytes.
pub const SECRET_PREFIX: &str = "whsec_";
/// The fewest bytes a secret may have (Standard Webhooks: 24 to 64).
pub const SECRET_MIN_BYTES: usize = 24;
/// The most bytes a secret may have.
pub const SECRET_MAX_BYTES: usize = 64;

/// A subscription's signing key. Never printed: `Debug` shows `whsec_***`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret {
    key: Vec<u8>,
}

impl SigningSecret {
    /// Reads `whsec_<base64>` of 24 to 64 bytes; the error says what is
    /// wrong without repeating the value.
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| format!("must start with `{SECRET_PREFIX}`"))?;
        let key = BASE64
            .decode(encoded)
            .map_err(|_| format!("must be `{SECRET_PREFIX}` and standard base64"))?;
        if !(SECRET_MIN_BYTES..=SECRET_MAX_BYTES).contains(&key.len()) {
            return Err(format!(
                "must decode to {SECRET_MIN_BYTES} to {SECRET_MAX_BYTES} bytes, not {}",
                key.len()
            ));
        }
        Ok(Self { key })
    }

    /// This secret's signature of one attempt, `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key)
            .expect("HMAC-SHA256 takes a key of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SECRET_PREFIX}***")
    }
}

/// The `webhook-signature` header of one attempt: every secret's
/// signature, space-separated, so a receiver that knows either secret of
/// a rotation accepts it.
pub fn signature_header(
    secrets: &[SigningSecret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|secret| secret.sign(id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors the Standard Webhooks reference libraries test against
    /// (github.com/standard-webhooks/standard-webhooks, commit b2fa7b8:
    /// libraries/rust/src/lib.rs `test_sign`, libraries/javascript/src/
    /// webhook.test.ts "sign function works").
    #[test]
    fn the_specs_test_vectors() {
        let secret = SigningSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        assert_eq!(
            secret.sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            secret.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_secrets_sign_in_order() {
        let old = SigningSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        let new = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let header = signature_header(&[old.clone(), new.clone()], "id", 1, b"{}");
        assert_eq!(
            header,
            format!("{} {}", old.sign("id", 1, b"{}"), new.sign("id", 1, b"{}"))
        );
    }

    #[test]
    fn bad_secrets() {
        for (text, why) in [
            (
                "C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "must start with `whsec_`",
            ),
            ("whsec_not base64!", "must be `whsec_` and standard base64"),
            ("whsec_c2hvcnQ=", "must decode to 24 to 64 bytes, not 5"),
            (
                &format!("whsec_{}", BASE64.encode([7u8; 65])),
                "must decode to 24 to 64 bytes, not 65",
            ),
        ] {
            assert_eq!(SigningSecret::parse(text).unwrap_err(), why, "{text}");
        }
        assert!(SigningSecret::parse(&format!("whsec_{}", BASE64.encode([7u8; 64]))).is_ok());
    }

    #[test]
    fn debug_hides_the_key() {
        let secret = SigningSecret::parse("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD").unwrap();
        assert_eq!(format!("{secret:?}"), "whsec_***");
    }
}
