//! One kind of short read that many requests make at once (an
//! application's revision, before its cached listing is served), answered
//! on PostgreSQL by one statement for every request waiting.
//!
//! Why: on PostgreSQL each read of its own is a network round trip, with a
//! hand-off to a blocking thread and back around it, and under load those,
//! not the read, are the cost (bench/README.md, user-action). Here the
//! requests that arrive while a batch is being read wait for the next
//! batch, and that batch is read after they arrived: an answer is never
//! older than its request, as a read of its own would be. With one request
//! at a time a batch is that request, and costs what its own read did.
//!
//! On SQLite, whose reads take microseconds in this process, each request
//! reads on its own ([`Database::run_short_read`]).

use super::{checkout, Backend, Database, DbConnection};
use crate::failure::Failure;
use diesel::QueryResult;
use parking_lot::Mutex;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tokio::sync::oneshot;

/// The most keys one statement reads; more wait for the next batch.
const MAX_BATCH: usize = 256;

/// Reads the values of `keys`, one for each, in order (`None` for a key
/// with none).
type Read<K, V> = dyn Fn(&mut DbConnection, &[K]) -> QueryResult<Vec<Option<V>>> + Send + Sync;

/// A read by key, batched on PostgreSQL (see the module's docs). Made by
/// [`Database::batched`].
pub struct BatchedRead<K, V> {
    shared: Arc<Shared<K, V>>,
}

struct Shared<K, V> {
    db: Database,
    read: Box<Read<K, V>>,
    queue: Mutex<Queue<K, V>>,
}

/// The requests waiting for the next batch, and whether a thread is
/// reading batches now (the only one that may).
struct Queue<K, V> {
    waiting: Vec<(K, oneshot::Sender<Answer<V>>)>,
    reading: bool,
}

type Answer<V> = Result<Option<V>, Failure>;

impl Database {
    /// A read by key that `read` answers for several keys at once: on
    /// PostgreSQL, one statement for every request waiting.
    pub fn batched<K, V>(
        &self,
        read: impl Fn(&mut DbConnection, &[K]) -> QueryResult<Vec<Option<V>>> + Send + Sync + 'static,
    ) -> BatchedRead<K, V> {
        BatchedRead {
            shared: Arc::new(Shared {
                db: self.clone(),
                read: Box::new(read),
                queue: Mutex::new(Queue {
                    waiting: Vec::new(),
                    reading: false,
                }),
            }),
        }
    }
}

impl<K: Send + 'static, V: Send + 'static> BatchedRead<K, V> {
    /// The value of `key`, read after this call began.
    pub async fn get(&self, key: K) -> Answer<V> {
        let shared = &self.shared;
        if shared.db.backend() == Backend::Sqlite {
            let read = self.shared.clone();
            return shared
                .db
                .run_short_read(move |conn| {
                    let mut found = (read.read)(conn, std::slice::from_ref(&key))?;
                    Ok::<_, Failure>(found.pop().flatten())
                })
                .await;
        }
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queue = shared.queue.lock();
            queue.waiting.push((key, answer));
            !std::mem::replace(&mut queue.reading, true)
        };
        if start {
            let shared = shared.clone();
            tokio::task::spawn_blocking(move || shared.read_while_waiting());
        }
        answered.await.unwrap_or_else(|_| {
            Err(Failure::internal(anyhow::anyhow!(
                "batched read: no answer"
            )))
        })
    }
}

impl<K, V> Shared<K, V> {
    /// Reads batches until no request waits.
    fn read_while_waiting(&self) {
        loop {
            let batch: Vec<_> = {
                let mut queue = self.queue.lock();
                if queue.waiting.is_empty() {
                    queue.reading = false;
                    return;
                }
                let taken = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..taken).collect()
            };
            let (keys, answers): (Vec<K>, Vec<_>) = batch.into_iter().unzip();
            match self.read_batch(&keys) {
                Ok(values) => {
                    for (answer, value) in answers.into_iter().zip(values) {
                        let _ = answer.send(Ok(value)); // Its request was dropped.
                    }
                }
                Err(e) => {
                    for answer in answers {
                        let _ = answer.send(Err(e.copy()));
                    }
                }
            }
        }
    }

    /// The values of `keys`, in order, on a pooled connection. A read that
    /// panics fails its batch, not the batches after it.
    fn read_batch(&self, keys: &[K]) -> Result<Vec<Option<V>>, Failure> {
        let mut conn = checkout(&self.db.pool)?;
        let values = catch_unwind(AssertUnwindSafe(|| (self.read)(&mut conn, keys)))
            .map_err(|_| Failure::internal(anyhow::anyhow!("batched read: panicked")))??;
        if values.len() != keys.len() {
            return Err(Failure::internal(anyhow::anyhow!(
                "batched read: {} values for {} keys",
                values.len(),
                keys.len()
            )));
        }
        Ok(values)
    }
}
