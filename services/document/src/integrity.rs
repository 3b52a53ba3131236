//! Content checked against its metadata on every read (issue 17, finding
//! 4): the size and SHA-256 recorded at upload are what a read must give
//! back, whatever the object store holds now. A stream is checked as it
//! goes and its last piece held back until the check passes, so a reader
//! of a mismatch never receives a complete-looking answer.

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use sha2::{Digest, Sha256};

/// What a document's metadata says its content is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The size in bytes.
    pub size: u64,
    /// The SHA-256, lower-case hex.
    pub sha256: String,
}

/// How stored content failed its check. Never carries the content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// Not sealed in our format, and not the legacy plaintext the metadata
    /// describes.
    #[error("the object is not sealed, and is not the content recorded for it")]
    Unsealed,
    /// Another size than recorded.
    #[error("the content's size differs from the one recorded")]
    Size,
    /// Another digest than recorded.
    #[error("the content's SHA-256 differs from the one recorded")]
    Digest,
}

impl Mismatch {
    /// The label of the integrity-failure metric.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Unsealed => "unsealed",
            Self::Size => "size",
            Self::Digest => "sha256",
        }
    }
}

impl Expected {
    /// Whether `content`, whole, is what was recorded.
    pub fn check(&self, content: &[u8]) -> Result<(), Mismatch> {
        let mut check = Check::new(self);
        check.add(content)?;
        check.finish()
    }

    /// `pieces`, checked: each piece is passed on once the next has
    /// arrived, and the last only once size and digest match; a mismatch
    /// ends the stream in error instead.
    pub fn verify<E>(
        &self,
        pieces: BoxStream<'static, Result<Bytes, E>>,
    ) -> BoxStream<'static, Result<Bytes, E>>
    where
        E: From<Mismatch> + Send + 'static,
    {
        let state = (pieces, Some(Check::new(self)), None::<Bytes>);
        stream::try_unfold(state, |(mut pieces, mut check, mut held)| async move {
            let Some(running) = check.as_mut() else {
                return Ok(None);
            };
            while let Some(piece) = pieces.next().await {
                let piece = piece?;
                if piece.is_empty() {
                    continue;
                }
                running.add(&piece)?;
                if let Some(ready) = held.replace(piece) {
                    return Ok(Some((ready, (pieces, check, held))));
                }
            }
            check.take().expect("checked above").finish()?;
            Ok(held.map(|last| (last, (pieces, None, None))))
        })
        .boxed()
    }
}

/// A running check: bytes seen and their digest so far.
struct Check {
    size: u64,
    sha256: String,
    seen: u64,
    digest: Sha256,
}

impl Check {
    fn new(expected: &Expected) -> Self {
        Self {
            size: expected.size,
            sha256: expected.sha256.to_ascii_lowercase(),
            seen: 0,
            digest: Sha256::new(),
        }
    }

    /// Counts and digests a piece; too many bytes fail at once, so that
    /// content longer than recorded is never passed on.
    fn add(&mut self, piece: &[u8]) -> Result<(), Mismatch> {
        self.seen += piece.len() as u64;
        if self.seen > self.size {
            return Err(Mismatch::Size);
        }
        self.digest.update(piece);
        Ok(())
    }

    fn finish(self) -> Result<(), Mismatch> {
        if self.seen != self.size {
            return Err(Mismatch::Size);
        }
        if hex::encode(self.digest.finalize()) != self.sha256 {
            return Err(Mismatch::Digest);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(content: &[u8]) -> Expected {
        Expected {
            size: content.len() as u64,
            sha256: hex::encode(Sha256::digest(content)),
        }
    }

    async fn read(expected: &Expected, pieces: &[&'static [u8]]) -> (Vec<u8>, Option<Mismatch>) {
        let source = stream::iter(
            pieces
                .iter()
                .map(|p| Ok::<_, Mismatch>(Bytes::from_static(p)))
                .collect::<Vec<_>>(),
        )
        .boxed();
        let mut out = Vec::new();
        let mut verified = expected.verify(source);
        while let Some(piece) = verified.next().await {
            match piece {
                Ok(bytes) => out.extend_from_slice(&bytes),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[actix_web::test]
    async fn content_as_recorded_passes_whole() {
        let wanted = expected(b"abcdef");
        assert_eq!(
            read(&wanted, &[b"ab", b"", b"cd", b"ef"]).await,
            (b"abcdef".to_vec(), None)
        );
        assert_eq!(wanted.check(b"abcdef"), Ok(()));
    }

    #[actix_web::test]
    async fn a_mismatch_never_gives_the_last_piece() {
        let wanted = expected(b"abcdef");
        assert_eq!(
            read(&wanted, &[b"ab", b"cd", b"eX"]).await,
            (b"abcd".to_vec(), Some(Mismatch::Digest))
        );
        assert_eq!(
            read(&wanted, &[b"ab", b"cd"]).await,
            (b"ab".to_vec(), Some(Mismatch::Size))
        );
        assert_eq!(
            read(&wanted, &[b"abc", b"def", b"ghi"]).await,
            (b"abc".to_vec(), Some(Mismatch::Size))
        );
        assert_eq!(wanted.check(b"abcdefg"), Err(Mismatch::Size));
        assert_eq!(wanted.check(b"abcdeX"), Err(Mismatch::Digest));
    }
}
