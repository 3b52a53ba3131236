//! Large values (document content) in fixed-size chunks, with the STREAM
//! construction (`aead::stream`, big-endian 32-bit counter): each chunk is
//! authenticated on its own, so a reader decrypts as it goes, in bounded
//! memory, and truncation, reordering or a chunk from elsewhere fails.
//!
//! Layout: `OBE1`, the key id's length (one byte) and the key id, the
//! 7-byte nonce prefix, then chunks of [`CHUNK`] plaintext bytes plus a
//! 16-byte tag; the last chunk is shorter (possibly only its tag).

use super::{CryptoError, Keyring};
// `aead` with its `bytes` feature: chunks are sealed and opened in place
// in `BytesMut`, so neither direction copies a chunk it does not have to.
use aead::stream::{DecryptorBE32, EncryptorBE32};
use aes_gcm::Aes256Gcm;
use bytes::{Buf, Bytes, BytesMut};

/// The most bytes a header takes: enough to read the key id of an object.
pub const MAX_HEADER: usize = 4 + 1 + 32 + NONCE_PREFIX;

/// The id of the key an object was sealed with, from its first bytes
/// (at least [`MAX_HEADER`] of them, or the whole object); `None` when they
/// are not a sealed object's (legacy plaintext, written before sealing).
pub fn sealed_with(start: &[u8]) -> Option<&str> {
    let id_len = usize::from(*start.get(MAGIC.len())?);
    if !start.starts_with(MAGIC) {
        return None;
    }
    let id = start.get(MAGIC.len() + 1..MAGIC.len() + 1 + id_len)?;
    std::str::from_utf8(id).ok()
}

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 4] = b"OBE1";
const NONCE_PREFIX: usize = 7;

impl Keyring {
    /// Encrypts `plaintext` under the active key, bound to `context`, as
    /// one object, in a single allocation of exactly its size.
    pub fn seal_stream(&self, context: &str, plaintext: &[u8]) -> Bytes {
        let key = &self.keys[0];
        let prefix: [u8; NONCE_PREFIX] = rand::random();
        let chunks = plaintext.len().div_ceil(CHUNK).max(1);
        let header = MAGIC.len() + 1 + key.id.len() + NONCE_PREFIX;
        let mut object = BytesMut::with_capacity(header + plaintext.len() + chunks * TAG);
        object.extend_from_slice(MAGIC);
        object.extend_from_slice(&[
            u8::try_from(key.id.len()).expect("key ids are at most 32 bytes")
        ]);
        object.extend_from_slice(key.id.as_bytes());
        object.extend_from_slice(&prefix);
        let mut encryptor = EncryptorBE32::from_aead(key.cipher.clone(), &prefix.into());
        let aad = context.as_bytes();
        let failed = "AES-GCM encrypts any chunk";
        // An empty plaintext is one empty last chunk, so truncation still shows.
        let mut pieces = plaintext
            .chunks(CHUNK)
            .chain((plaintext.is_empty()).then_some(&[][..]));
        let mut next = pieces.next();
        while let Some(chunk) = next {
            next = pieces.next();
            // The chunk is copied to the end of the object and sealed there:
            // the split shares the allocation, and the tag fits its capacity.
            object.extend_from_slice(chunk);
            let mut sealed = object.split_off(object.len() - chunk.len());
            if next.is_some() {
                encryptor
                    .encrypt_next_in_place(aad, &mut sealed)
                    .expect(failed);
                object.unsplit(sealed);
            } else {
                encryptor
                    .encrypt_last_in_place(aad, &mut sealed)
                    .expect(failed);
                object.unsplit(sealed);
                break;
            }
        }
        object.freeze()
    }

    /// A decryptor for an object [`Keyring::seal_stream`] made for `context`.
    pub fn open_stream(&self, context: &str) -> StreamOpener {
        StreamOpener {
            ring: self.clone(),
            aad: context.as_bytes().to_vec(),
            decryptor: None,
            buffer: BytesMut::new(),
        }
    }
}

/// Decrypts an object as its bytes arrive: [`StreamOpener::push`] each
/// piece read, then [`StreamOpener::finish`]. Holds at most about one
/// chunk besides what it is given.
pub struct StreamOpener {
    ring: Keyring,
    aad: Vec<u8>,
    decryptor: Option<DecryptorBE32<Aes256Gcm>>,
    buffer: BytesMut,
}

impl StreamOpener {
    /// Takes the next bytes of the object; returns the plaintext now known
    /// (possibly empty: the last chunk is only decrypted by `finish`).
    pub fn push(&mut self, bytes: &[u8]) -> Result<Bytes, CryptoError> {
        self.buffer.extend_from_slice(bytes);
        if self.decryptor.is_none() && !self.read_header()? {
            return Ok(Bytes::new());
        }
        let decryptor = self.decryptor.as_mut().expect("the header was read");
        let mut plaintext = BytesMut::new();
        // A full chunk is decrypted only once more follows: until the end,
        // it could be the last one, which is sealed differently.
        while self.buffer.len() > CHUNK + TAG {
            let mut chunk = self.buffer.split_to(CHUNK + TAG);
            decryptor
                .decrypt_next_in_place(&self.aad, &mut chunk)
                .map_err(|_| CryptoError::Unauthentic)?;
            // One chunk (the usual case) is handed on as it is.
            plaintext.unsplit(chunk);
        }
        Ok(plaintext.freeze())
    }

    /// Ends the object: decrypts and checks the last chunk.
    pub fn finish(mut self) -> Result<Bytes, CryptoError> {
        if self.decryptor.is_none() && !self.read_header()? {
            return Err(CryptoError::Malformed);
        }
        let decryptor = self.decryptor.take().expect("the header was read");
        decryptor
            .decrypt_last_in_place(&self.aad, &mut self.buffer)
            .map_err(|_| CryptoError::Unauthentic)?;
        Ok(self.buffer.freeze())
    }

    /// Reads the header once enough bytes are there; false while not.
    fn read_header(&mut self) -> Result<bool, CryptoError> {
        let Some(&id_len) = self.buffer.get(MAGIC.len()) else {
            return Ok(false);
        };
        if &self.buffer[..MAGIC.len()] != MAGIC {
            return Err(CryptoError::Malformed);
        }
        let id_end = MAGIC.len() + 1 + usize::from(id_len);
        if self.buffer.len() < id_end + NONCE_PREFIX {
            return Ok(false);
        }
        let id = std::str::from_utf8(&self.buffer[MAGIC.len() + 1..id_end])
            .map_err(|_| CryptoError::Malformed)?;
        let cipher = self.ring.cipher(id)?.clone();
        let prefix = &self.buffer[id_end..id_end + NONCE_PREFIX];
        self.decryptor = Some(DecryptorBE32::from_aead(cipher, prefix.into()));
        self.buffer.advance(id_end + NONCE_PREFIX);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::ring;
    use super::*;

    const A: &str = "a:0000000000000000000000000000000000000000000000000000000000000001";
    const B: &str = "b:0000000000000000000000000000000000000000000000000000000000000002";

    fn open_in_pieces(
        ring: &Keyring,
        ctx: &str,
        object: &[u8],
        piece: usize,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut opener = ring.open_stream(ctx);
        let mut out = Vec::new();
        for bytes in object.chunks(piece) {
            out.extend_from_slice(&opener.push(bytes)?);
        }
        out.extend_from_slice(&opener.finish()?);
        Ok(out)
    }

    #[test]
    fn content_round_trips_in_any_pieces_across_rotation() {
        let old = ring(A);
        let rotated = ring(&format!("{B},{A}"));
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK] {
            let plaintext: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let object = old.seal_stream("doc:1", &plaintext);
            assert_eq!(
                object.len(),
                4 + 1 + 1 + 7 + len + TAG * len.div_ceil(CHUNK).max(1)
            );
            for piece in [1000, 7919, CHUNK + TAG, usize::MAX] {
                let piece = piece.min(object.len().max(1));
                assert_eq!(
                    open_in_pieces(&rotated, "doc:1", &object, piece).unwrap(),
                    plaintext
                );
            }
        }
    }

    #[test]
    fn tampering_truncation_and_other_contexts_fail() {
        let ring = ring(A);
        let plaintext = vec![7u8; 2 * CHUNK + 10];
        let object = ring.seal_stream("doc:1", &plaintext);
        let err = |object: &[u8], ctx: &str| open_in_pieces(&ring, ctx, object, 4096).unwrap_err();
        assert_eq!(err(&object, "doc:2"), CryptoError::Unauthentic);
        assert_eq!(
            err(&object[..object.len() - 26], "doc:1"),
            CryptoError::Unauthentic
        );
        assert_eq!(
            err(&object[..13 + CHUNK + TAG], "doc:1"),
            CryptoError::Unauthentic
        );
        let mut flipped = object.to_vec();
        flipped[100] ^= 1;
        assert_eq!(err(&flipped, "doc:1"), CryptoError::Unauthentic);
        assert_eq!(err(b"plain text", "doc:1"), CryptoError::Malformed);
        assert_eq!(sealed_with(&object), Some("a"));
        assert_eq!(sealed_with(b"%PDF-1.4 ..."), None);
        let other = super::super::tests::ring(B);
        let e = open_in_pieces(&other, "doc:1", &object, 4096).unwrap_err();
        assert_eq!(e, CryptoError::UnknownKey("a".into()));
    }
}
