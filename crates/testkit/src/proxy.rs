//! A commit in doubt: a proxy between a service and its PostgreSQL
//! database that, once armed, passes a `COMMIT` on and then loses its
//! answer, cutting the connection. The transaction is committed; the
//! service is told only that the connection was lost, as when the network
//! or the server goes away right after a commit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The frontend's simple-query message `COMMIT` (diesel commits so).
const COMMIT: &[u8] = b"Q\0\0\0\x0bCOMMIT\0";
/// The tag of the server's answer to it (CommandComplete).
const COMMITTED: &[u8] = b"COMMIT\0";

/// A fresh database on the test PostgreSQL server, reached through a
/// proxy that can lose the answer to a commit. Dropped with the proxy.
pub struct CommitProxy {
    url: String,
    direct: String,
    armed: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
}

impl CommitProxy {
    /// Creates the database and starts the proxy in front of it.
    pub async fn start() -> Self {
        let admin = crate::postgres::server_url().expect("PostgreSQL is available");
        let direct = crate::postgres::create_database(admin);
        let (scheme, rest) = direct.split_once("://").expect("a URL");
        let (credentials, rest) = rest.rsplit_once('@').map_or(("", rest), |(c, r)| (c, r));
        let (address, database) = rest.split_once('/').expect("a database");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let port = listener.local_addr().expect("bound").port();
        let at = if credentials.is_empty() { "" } else { "@" };
        // Plain TCP, so that the proxy sees the messages.
        let url =
            format!("{scheme}://{credentials}{at}127.0.0.1:{port}/{database}?sslmode=disable");
        let (armed, lost) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (target, a, l) = (address.to_owned(), armed.clone(), lost.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&target).await else {
                    continue;
                };
                tokio::spawn(relay(client, server, a.clone(), l.clone()));
            }
        });
        Self {
            url,
            direct,
            armed,
            lost,
        }
    }

    /// The database's URL through the proxy, for the service.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's own URL, for what a test does behind the service's back.
    pub fn direct_url(&self) -> &str {
        &self.direct
    }

    /// Loses the answer to the next `COMMIT` sent through the proxy.
    pub fn lose_next_commit(&self) {
        self.armed.fetch_add(1, Ordering::SeqCst);
    }

    /// How many commits' answers were lost so far.
    pub fn lost(&self) -> usize {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for CommitProxy {
    fn drop(&mut self) {
        if let Ok(admin) = crate::postgres::server_url() {
            crate::postgres::drop_database(admin, &self.direct);
        }
    }
}

/// Takes one arming, if there is one.
fn disarm(armed: &AtomicUsize) -> bool {
    armed
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Relays one connection both ways. A `COMMIT` sent while armed dooms it:
/// the commit goes to the server, and once the server has answered that it
/// committed, both ends are closed and the answer is dropped.
async fn relay(
    client: TcpStream,
    server: TcpStream,
    armed: Arc<AtomicUsize>,
    lost: Arc<AtomicUsize>,
) {
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_server, mut to_server) = server.into_split();
    let (mut up, mut down) = (vec![0u8; 16384], vec![0u8; 16384]);
    // The last bytes each way, so that a message split between reads is
    // still seen.
    let (mut sent, mut answer) = (Vec::new(), Vec::new());
    let mut doomed = false;
    loop {
        tokio::select! {
            read = from_client.read(&mut up) => {
                let n = match read { Ok(0) | Err(_) => return, Ok(n) => n };
                sent.extend_from_slice(&up[..n]);
                if !doomed && contains(&sent, COMMIT) && disarm(&armed) {
                    doomed = true;
                }
                let keep = sent.len().saturating_sub(COMMIT.len());
                sent.drain(..keep);
                if to_server.write_all(&up[..n]).await.is_err() {
                    return;
                }
            }
            read = from_server.read(&mut down) => {
                let n = match read { Ok(0) | Err(_) => return, Ok(n) => n };
                if doomed {
                    answer.extend_from_slice(&down[..n]);
                    if contains(&answer, COMMITTED) {
                        lost.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    continue;
                }
                if to_client.write_all(&down[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}
