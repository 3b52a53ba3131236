//! Virus scanning, a pluggable step before anything is stored. Off by
//! default; with `DOCUMENT_CLAMD_ADDRESS` every upload is streamed to ClamAV's
//! `clamd` with its INSTREAM command, and a file it flags is refused.
//! When scanning is on and the scanner cannot answer, uploads fail (503)
//! rather than store unscanned files.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a scan may take.
const SCAN_TIMEOUT: Duration = Duration::from_secs(30);
/// The chunk size sent to clamd (below its default StreamMaxLength chunks).
const CHUNK: usize = 64 * 1024;

/// What the scanner said.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing found (or scanning is off).
    Clean,
    /// The scanner flagged the content; the signature name is for the log.
    Infected(String),
}

/// The scanner in use.
#[derive(Debug, Clone)]
pub enum Scanner {
    /// No scanning.
    Off,
    /// ClamAV's clamd at `HOST:PORT`.
    Clamd(String),
}

impl Scanner {
    /// The scanner the configuration names.
    pub fn from_config(address: Option<&str>) -> Self {
        address.map_or(Self::Off, |a| Self::Clamd(a.to_owned()))
    }

    /// Scans `content`.
    pub async fn scan(&self, content: &[u8]) -> anyhow::Result<Verdict> {
        match self {
            Self::Off => Ok(Verdict::Clean),
            Self::Clamd(address) => {
                tokio::time::timeout(SCAN_TIMEOUT, clamd_instream(address, content))
                    .await
                    .map_err(|_| anyhow::anyhow!("clamd did not answer within {SCAN_TIMEOUT:?}"))?
            }
        }
    }
}

/// clamd's INSTREAM: `zINSTREAM\0`, then chunks each prefixed by its length
/// (4 bytes, big-endian), then a zero length; the reply is
/// `stream: OK` or `stream: <signature> FOUND`.
async fn clamd_instream(address: &str, content: &[u8]) -> anyhow::Result<Verdict> {
    let mut stream = TcpStream::connect(address).await?;
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in content.chunks(CHUNK) {
        stream
            .write_all(&u32::try_from(chunk.len())?.to_be_bytes())
            .await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).await?;
    let reply = String::from_utf8_lossy(&reply);
    let reply = reply.trim_end_matches(['\0', '\n']);
    match reply.strip_prefix("stream: ") {
        Some("OK") => Ok(Verdict::Clean),
        Some(found) if found.ends_with(" FOUND") => Ok(Verdict::Infected(
            found.trim_end_matches(" FOUND").to_owned(),
        )),
        _ => anyhow::bail!("clamd answered {reply:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A clamd that speaks INSTREAM and flags content containing "EICAR".
    async fn fake_clamd() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("addr").to_string();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(async move {
                    let mut command = [0u8; 10];
                    socket.read_exact(&mut command).await.expect("command");
                    assert_eq!(&command, b"zINSTREAM\0");
                    let mut received = Vec::new();
                    loop {
                        let mut len = [0u8; 4];
                        socket.read_exact(&mut len).await.expect("length");
                        let len = u32::from_be_bytes(len) as usize;
                        if len == 0 {
                            break;
                        }
                        let mut chunk = vec![0u8; len];
                        socket.read_exact(&mut chunk).await.expect("chunk");
                        received.extend(chunk);
                    }
                    let infected = received.windows(5).any(|w| w == b"EICAR");
                    let reply: &[u8] = if infected {
                        b"stream: Eicar-Test-Signature FOUND\0"
                    } else {
                        b"stream: OK\0"
                    };
                    socket.write_all(reply).await.expect("reply");
                });
            }
        });
        address
    }

    #[tokio::test]
    async fn clamd_verdicts_are_read() {
        let scanner = Scanner::Clamd(fake_clamd().await);
        assert_eq!(
            scanner.scan(&vec![b'a'; 200_000]).await.expect("scanned"),
            Verdict::Clean
        );
        let mut flagged = vec![b'a'; 100_000];
        flagged.extend_from_slice(b"EICAR");
        assert_eq!(
            scanner.scan(&flagged).await.expect("scanned"),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert_eq!(
            Scanner::Off.scan(b"EICAR").await.expect("off"),
            Verdict::Clean
        );
    }

    #[tokio::test]
    async fn an_unreachable_clamd_is_an_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("addr")
            .port();
        assert!(Scanner::Clamd(format!("127.0.0.1:{port}"))
            .scan(b"x")
            .await
            .is_err());
    }
}
