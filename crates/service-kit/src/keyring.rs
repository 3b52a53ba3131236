//! Encryption at rest: a keyring of AES-256-GCM keys and a blind-index key.
//!
//! * **Rotation.** `ENCRYPTION_KEYS` lists keys as `ID:HEX64[,ID:HEX64...]`.
//!   The first encrypts; every one decrypts, so a new key goes in front and
//!   the old ones stay until `onboarding rekey` has re-encrypted what they
//!   sealed.
//! * **Self-describing ciphertexts.** A field is stored as
//!   `enc1:ID:BASE64(nonce ‖ ciphertext ‖ tag)`: the format version and the
//!   key id travel with the value, so any key of the ring can open it.
//! * **Bound to their place.** Every seal takes a context (table, field and
//!   row id) as associated data: a value copied into another row or field
//!   no longer opens.
//! * **Blind index.** Exact-match filters on encrypted values (tax ids) use
//!   an HMAC-SHA256 of the normalised value under `BLIND_INDEX_KEY`. That key
//!   is not rotated with the others: changing it means recomputing every
//!   index column (`onboarding rekey` does).
//!
//! Standalone runs generate both into `DATA_DIR` on first use (like the
//! internal credential); services in separate processes must be given them.
//! Keys are held as [`Secret`]s and key material is never logged.

pub mod stream;

use crate::config::local_secret_file;
use crate::config::{ConfigError, Secret, ServerConfig};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD_NO_PAD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::sync::Arc;

/// The prefix of a sealed field: format version 1.
const FIELD_PREFIX: &str = "enc1";
/// How every sealed field starts (`enc1:`), whatever its key: text without
/// it was written before sealing.
pub const SEALED: &str = "enc1:";
/// AES-GCM's nonce length.
const NONCE_LEN: usize = 12;
/// The file a standalone run keeps its generated encryption key in.
pub const KEYS_FILE: &str = "encryption-keys";
/// The file a standalone run keeps its generated blind-index key in.
pub const BLIND_INDEX_FILE: &str = "blind-index-key";

/// Why a value could not be opened. Deliberately says nothing of the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The stored text is not a ciphertext of a format we know.
    #[error("stored ciphertext is malformed")]
    Malformed,
    /// The ciphertext names a key the ring does not hold.
    #[error("stored ciphertext needs encryption key {0:?}, which is not configured")]
    UnknownKey(String),
    /// Wrong key, tampered data, or a value moved from another place.
    #[error("stored ciphertext does not authenticate (wrong key, tampering or moved value)")]
    Unauthentic,
}

/// A value that does not open fails the read as a row that cannot be
/// decoded; the error names neither the value nor the row.
impl From<CryptoError> for diesel::result::Error {
    fn from(e: CryptoError) -> Self {
        diesel::result::Error::DeserializationError(Box::new(e))
    }
}

struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The configured keys. Cheap to clone.
#[derive(Clone)]
pub struct Keyring {
    keys: Arc<[Key]>,
    index: Arc<Hmac<Sha256>>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// The keyring the configuration names. With `standalone` (every service
    /// in one process) unset keys are generated into `DATA_DIR`; otherwise
    /// they are required.
    pub fn from_config(config: &ServerConfig, standalone: bool) -> Result<Self, ConfigError> {
        let keys = configured_or_local(
            &config.encryption_keys,
            "ENCRYPTION_KEYS",
            config,
            standalone,
            KEYS_FILE,
            |secret| format!("local:{secret}"),
        )?;
        let index = configured_or_local(
            &config.blind_index_key,
            "BLIND_INDEX_KEY",
            config,
            standalone,
            BLIND_INDEX_FILE,
            str::to_owned,
        )?;
        Self::parse(&keys, &index)
    }

    /// A keyring from `ENCRYPTION_KEYS` and `BLIND_INDEX_KEY` values.
    pub fn parse(keys: &Secret, blind_index_key: &Secret) -> Result<Self, ConfigError> {
        let invalid = |why: &str| ConfigError::invalid("ENCRYPTION_KEYS", why);
        let mut parsed: Vec<Key> = Vec::new();
        for entry in keys.expose().trim().split(',') {
            let (id, hex) = entry
                .trim()
                .split_once(':')
                .ok_or_else(|| invalid("must be ID:HEX64[,ID:HEX64...]"))?;
            if id.is_empty()
                || id.len() > 32
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(invalid(
                    "key ids must be 1 to 32 letters, digits, '-' or '_'",
                ));
            }
            if parsed.iter().any(|k| k.id == id) {
                return Err(invalid("names a key id twice"));
            }
            let bytes = key_bytes(hex).ok_or_else(|| {
                invalid("keys must be 64 hex characters (32 bytes, e.g. `openssl rand -hex 32`)")
            })?;
            parsed.push(Key {
                id: id.to_owned(),
                cipher: Aes256Gcm::new(&bytes.into()),
            });
        }
        let index_bytes = key_bytes(blind_index_key.expose().trim()).ok_or_else(|| {
            ConfigError::invalid("BLIND_INDEX_KEY", "must be 64 hex characters (32 bytes)")
        })?;
        let index =
            <Hmac<Sha256> as Mac>::new_from_slice(&index_bytes).expect("HMAC takes any key");
        Ok(Self {
            keys: parsed.into(),
            index: Arc::new(index),
        })
    }

    /// The id of the key that encrypts.
    pub fn active_key_id(&self) -> &str {
        &self.keys[0].id
    }

    /// Encrypts `plaintext` under the active key, bound to `context`.
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        let key = &self.keys[0];
        let nonce: [u8; NONCE_LEN] = rand::random();
        let sealed = key
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encrypts any message under 64 GiB");
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&sealed);
        format!("{FIELD_PREFIX}:{}:{}", key.id, BASE64.encode(raw))
    }

    /// Decrypts what [`Keyring::seal`] made for the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<String, CryptoError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(FIELD_PREFIX), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Malformed);
        };
        let raw = BASE64.decode(body).map_err(|_| CryptoError::Malformed)?;
        if raw.len() < NONCE_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ciphertext) = raw.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().expect("split at the nonce length");
        let plaintext = self
            .cipher(id)?
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Unauthentic)?;
        String::from_utf8(plaintext).map_err(|_| CryptoError::Malformed)
    }

    /// `value` of `column` (`table.column`) in row `row`, sealed: the
    /// binding every service uses for its columns (`table.column:row`), so
    /// a value copied to another column or row does not open.
    pub fn seal_field(&self, column: &str, row: &str, value: &str) -> String {
        self.seal(&format!("{column}:{row}"), value)
    }

    /// What [`Keyring::seal_field`] made for the same `column` and `row`,
    /// opened.
    pub fn open_field(&self, column: &str, row: &str, sealed: &str) -> Result<String, CryptoError> {
        self.open(&format!("{column}:{row}"), sealed)
    }

    /// How every field sealed under the active key starts (`enc1:ID:`):
    /// others need `rekey`.
    pub fn current_prefix(&self) -> String {
        format!("{FIELD_PREFIX}:{}:", self.active_key_id())
    }

    /// `stored` sealed again under the active key for `context`: a value
    /// under an older key is opened first, legacy plaintext (without the
    /// [`SEALED`] prefix: written before sealing) is sealed as it is.
    pub fn reseal(&self, context: &str, stored: &str) -> Result<String, CryptoError> {
        let plaintext = if stored.starts_with(SEALED) {
            self.open(context, stored)?
        } else {
            stored.to_owned()
        };
        Ok(self.seal(context, &plaintext))
    }

    /// The blind index of an already normalised value for `purpose` (e.g.
    /// `party.taxId`): 64 hex characters, equal for equal inputs, useless
    /// without the key.
    pub fn blind_index(&self, purpose: &str, normalised: &str) -> String {
        let mut mac = (*self.index).clone();
        // The purpose is length-prefixed so ("a", "bc") and ("ab", "c") differ.
        mac.update(&(purpose.len() as u64).to_be_bytes());
        mac.update(purpose.as_bytes());
        mac.update(normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn cipher(&self, id: &str) -> Result<&Aes256Gcm, CryptoError> {
        self.keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| &k.cipher)
            .ok_or_else(|| CryptoError::UnknownKey(id.to_owned()))
    }
}

/// 32 bytes from 64 hex characters.
fn key_bytes(hex: &str) -> Option<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex.trim(), &mut bytes).ok()?;
    Some(bytes)
}

/// The configured secret, or in a standalone run one generated into
/// `DATA_DIR/file`; services in separate processes must share a configured one.
fn configured_or_local(
    configured: &Option<Secret>,
    variable: &str,
    config: &ServerConfig,
    standalone: bool,
    file: &str,
    render: impl FnOnce(&str) -> String,
) -> Result<Secret, ConfigError> {
    match (configured, standalone) {
        (Some(secret), _) => Ok(secret.clone()),
        (None, true) => {
            local_secret_file(config, variable, file, render).map(|text| Secret::new(text.trim()))
        }
        (None, false) => Err(ConfigError::invalid(
            variable,
            "is required when services run in separate processes",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn ring(keys: &str) -> Keyring {
        Keyring::parse(&Secret::new(keys), &Secret::new("11".repeat(32))).expect("valid keys")
    }

    const A: &str = "a:0000000000000000000000000000000000000000000000000000000000000001";
    const B: &str = "b:0000000000000000000000000000000000000000000000000000000000000002";

    #[test]
    fn values_round_trip_and_survive_rotation() {
        let old = ring(A);
        let sealed = old.seal("t.f:1", "DE123456789");
        assert!(sealed.starts_with("enc1:a:"));
        assert!(!sealed.contains("DE123456789"));
        let rotated = ring(&format!("{B},{A}"));
        assert_eq!(rotated.open("t.f:1", &sealed).unwrap(), "DE123456789");
        assert!(!sealed.starts_with(&rotated.current_prefix()));
        let resealed = rotated.reseal("t.f:1", &sealed).unwrap();
        assert!(resealed.starts_with(&rotated.current_prefix()));
        assert_eq!(rotated.open("t.f:1", &resealed).unwrap(), "DE123456789");
        let legacy = rotated.reseal("t.f:1", "DE123456789").unwrap();
        assert_eq!(rotated.open("t.f:1", &legacy).unwrap(), "DE123456789");
    }

    #[test]
    fn wrong_context_key_or_text_fail_cleanly() {
        let sealed = ring(A).seal("t.f:1", "secret");
        assert_eq!(
            ring(A).open("t.f:2", &sealed),
            Err(CryptoError::Unauthentic)
        );
        assert_eq!(
            ring(B).open("t.f:1", &sealed),
            Err(CryptoError::UnknownKey("a".into()))
        );
        let impostor = ring(&format!("a:{}", "22".repeat(32))).open("t.f:1", &sealed);
        assert_eq!(impostor, Err(CryptoError::Unauthentic));
        assert_eq!(ring(A).open("t.f:1", "secret"), Err(CryptoError::Malformed));
    }

    #[test]
    fn configuration_errors_name_the_variable() {
        let bad = |keys: &str, index: &str| {
            Keyring::parse(&Secret::new(keys), &Secret::new(index))
                .unwrap_err()
                .to_string()
        };
        let good_index = "11".repeat(32);
        assert!(bad("a:00", &good_index).starts_with("configuration: ENCRYPTION_KEYS "));
        assert!(bad(&format!("{A},{A}"), &good_index).contains("twice"));
        assert!(bad(A, "short").starts_with("configuration: BLIND_INDEX_KEY "));
        let config = ServerConfig::load(Some(&Default::default())).unwrap();
        let err = Keyring::from_config(&config, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: ENCRYPTION_KEYS is required when services run in separate processes"
        );
    }

    #[test]
    fn blind_index_is_keyed_and_separated_by_purpose() {
        let ring = ring(A);
        assert_eq!(ring.blind_index("p", "x"), ring.blind_index("p", "x"));
        assert_ne!(ring.blind_index("p", "x"), ring.blind_index("q", "x"));
        assert_eq!(ring.blind_index("p", "x").len(), 64);
        assert!(!format!("{ring:?}").contains("0000"));
    }
}
