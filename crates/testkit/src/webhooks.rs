//! A webhook receiver for the tests: a real HTTP server on a random
//! loopback port, as the bank's systems run one, that verifies each request as a subscriber would, with
//! its own implementation of Standard Webhooks' check (not the crate's
//! signer): the `v1` HMAC-SHA256 of `id.timestamp.body` under each secret
//! it knows, compared in constant time, and the timestamp within five
//! minutes of its clock. It records every request.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How far a webhook's timestamp may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// What the receiver answers to a request it verified.
#[derive(Clone, Copy, Debug)]
pub enum Answer {
    /// This status.
    Status(u16),
    /// A 302 to `/moved` on the same server.
    Redirect,
    /// Nothing, for a minute.
    Hang,
}

/// One request, as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The request's path.
    pub path: String,
    /// Its headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// Its body.
    pub body: String,
    /// Which of the receiver's secrets verified it (its position), or why
    /// none did.
    pub verified: Result<usize, String>,
}

/// A running receiver; it stops with the test's runtime.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    answer: Arc<Mutex<Answer>>,
}

impl Receiver {
    /// Listens on 127.0.0.1, knowing `secrets` (`whsec_...`).
    pub async fn start(secrets: &[&str], answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let keys: Vec<Vec<u8>> = secrets
            .iter()
            .map(|s| BASE64.decode(s.strip_prefix("whsec_").unwrap()).unwrap())
            .collect();
        let answer = Arc::new(Mutex::new(answer));
        let (log, answers) = (received.clone(), answer.clone());
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let answer = *answers.lock().unwrap();
                tokio::spawn(serve(stream, keys.clone(), answer, log.clone()));
            }
        });
        Self {
            addr,
            received,
            answer,
        }
    }

    /// Answers `answer` from now on (a receiver failing for a while, then
    /// recovering).
    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// Its URL for `path` (`/hooks`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    keys: Vec<Vec<u8>>,
    answer: Answer,
    log: Arc<Mutex<Vec<Received>>>,
) {
    let Some((path, headers, body)) = read_request(&mut stream).await else {
        return;
    };
    let verified = verify(&keys, &headers, &body, chrono::Utc::now().timestamp());
    let ok = verified.is_ok();
    log.lock().unwrap().push(Received {
        path: path.clone(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        verified,
    });
    let response = match answer {
        _ if path == "/moved" => "HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n".to_owned(),
        _ if !ok => "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n".to_owned(),
        Answer::Status(status) => format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\nok"),
        Answer::Redirect => {
            "HTTP/1.1 302 Found\r\nlocation: /moved\r\ncontent-length: 0\r\n\r\n".to_owned()
        }
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
    };
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The request's path, headers (lowercase names) and body.
async fn read_request(
    stream: &mut TcpStream,
) -> Option<(String, HashMap<String, String>, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .map_or(Some(0), |v| v.parse().ok())?;
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((path, headers, body))
}

/// Standard Webhooks' verification, as a subscriber writes it.
fn verify(
    keys: &[Vec<u8>],
    headers: &HashMap<String, String>,
    body: &[u8],
    now: i64,
) -> Result<usize, String> {
    let header = |name: &str| headers.get(name).ok_or(format!("no {name}"));
    let id = header("webhook-id")?;
    let timestamp = header("webhook-timestamp")?;
    let signatures = header("webhook-signature")?;
    let at: i64 = timestamp
        .parse()
        .map_err(|_| "a bad timestamp".to_owned())?;
    if (now - at).abs() > TOLERANCE_SECS {
        return Err("the timestamp is outside the tolerance".into());
    }
    for (index, key) in keys.iter().enumerate() {
        for signature in signatures.split(' ') {
            let Some(encoded) = signature.strip_prefix("v1,") else {
                continue;
            };
            let Ok(given) = BASE64.decode(encoded) else {
                continue;
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(body);
            if mac.verify_slice(&given).is_ok() {
                return Ok(index);
            }
        }
    }
    Err("no signature matches".into())
}
