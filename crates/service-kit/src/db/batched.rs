//! Work that many requests ask for at once, done for all those waiting by
//! one thread at a time: on PostgreSQL, the revision of an application
//! before its cached listing is served, read for every listing waiting in
//! one statement; on either backend, the creates waiting (parties, and
//! user-action's intents and applications) written by one transaction
//! ([`write_together`]: group commit).
//!
//! Why: each request's own round trip, with a hand-off to a blocking thread
//! and back around it, and each transaction's own commit, cost more under
//! load than the work (bench/README.md). Here the requests that arrive
//! while a batch is being done wait for the next batch, and that batch is
//! begun after they arrived: a read is never older than its request, as a
//! read of its own would be, and a write is answered once its batch is
//! committed. With one request at a time a batch is that request, and costs
//! what it did alone.

use super::{checkout, write_transaction, Backend, Database, DbConnection, GroupFailure};
use crate::failure::is_connection_lost;
use crate::failure::Failure;
use diesel::QueryResult;
use parking_lot::Mutex;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use tokio::sync::oneshot;

/// The most items one batch holds; more wait for the next batch.
const MAX_BATCH: usize = 256;

/// Does the work of `items`: an outcome for each, in order, or a failure
/// of them all.
type Work<I, O> = dyn Fn(&mut DbConnection, Vec<I>) -> Result<Vec<O>, Failure> + Send + Sync;

/// Work by item, done a batch at a time (see the module's docs). Made by
/// [`Database::batched`].
pub struct Batched<I, O> {
    shared: Arc<Shared<I, O>>,
}

struct Shared<I, O> {
    db: Database,
    work: Box<Work<I, O>>,
    queue: Mutex<Queue<I, O>>,
}

/// The requests waiting for the next batch, and whether a thread is
/// doing batches now (the only one that may).
struct Queue<I, O> {
    waiting: Vec<(I, oneshot::Sender<Outcome<O>>)>,
    working: bool,
}

type Outcome<O> = Result<O, Failure>;

impl Database {
    /// Work by item that `work` does for several items at once, in one
    /// batch for all the requests waiting ([`Batched::run`]), or, for a
    /// short read, on SQLite for each request alone ([`Batched::read`]).
    pub fn batched<I, O>(
        &self,
        work: impl Fn(&mut DbConnection, Vec<I>) -> Result<Vec<O>, Failure> + Send + Sync + 'static,
    ) -> Batched<I, O> {
        Batched {
            shared: Arc::new(Shared {
                db: self.clone(),
                work: Box::new(work),
                queue: Mutex::new(Queue {
                    waiting: Vec::new(),
                    working: false,
                }),
            }),
        }
    }
}

impl<I: Send + 'static, O: Send + 'static> Batched<I, O> {
    /// The outcome of `item`, done in the next batch: begun after this call
    /// began, with every item waiting then.
    pub async fn run(&self, item: I) -> Outcome<O> {
        let shared = &self.shared;
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queue = shared.queue.lock();
            queue.waiting.push((item, answer));
            !std::mem::replace(&mut queue.working, true)
        };
        if start {
            let shared = shared.clone();
            tokio::task::spawn_blocking(move || shared.work_while_waiting());
        }
        answered
            .await
            .unwrap_or_else(|_| Err(Failure::internal(anyhow::anyhow!("batch: no answer"))))
    }

    /// As [`run`](Self::run), for a short read. On SQLite, whose reads take
    /// microseconds in this process (less than a hand-off), each is done
    /// alone, on this thread when a pooled connection is idle
    /// ([`Database::run_short_read`]).
    pub async fn read(&self, item: I) -> Outcome<O> {
        if self.shared.db.backend() != Backend::Sqlite {
            return self.run(item).await;
        }
        let shared = self.shared.clone();
        self.shared
            .db
            .run_short_read(move |conn| {
                (shared.work)(conn, vec![item])?
                    .pop()
                    .ok_or_else(|| Failure::internal(anyhow::anyhow!("batch: no outcome")))
            })
            .await
    }
}

impl<I, O> Shared<I, O> {
    /// Does batches until no request waits.
    fn work_while_waiting(&self) {
        loop {
            let batch: Vec<_> = {
                let mut queue = self.queue.lock();
                if queue.waiting.is_empty() {
                    queue.working = false;
                    return;
                }
                let taken = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..taken).collect()
            };
            let (items, answers): (Vec<I>, Vec<_>) = batch.into_iter().unzip();
            match self.work_on(items) {
                Ok(outcomes) => {
                    for (answer, outcome) in answers.into_iter().zip(outcomes) {
                        let _ = answer.send(Ok(outcome)); // Its request was dropped.
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

    /// The outcomes of `items`, in order, on a pooled connection. Work that
    /// panics fails its batch, not the batches after it.
    fn work_on(&self, items: Vec<I>) -> Result<Vec<O>, Failure> {
        let count = items.len();
        let mut conn = checkout(&self.db.pool)?;
        let outcomes = catch_unwind(AssertUnwindSafe(|| (self.work)(&mut conn, items)))
            .map_err(|_| Failure::internal(anyhow::anyhow!("batch: panicked")))??;
        if outcomes.len() != count {
            return Err(Failure::internal(anyhow::anyhow!(
                "batch: {} outcomes for {count} items",
                outcomes.len()
            )));
        }
        Ok(outcomes)
    }
}

/// Writes the items of a batch ([`Batched::run`]) together: all of them
/// with `all`, in one transaction, so that one commit serves them; should
/// one of its statements fail (an id taken, a row another request
/// removed), each alone with `alone`, getting what it would have had alone.
/// `written` is the outcome of an item written with the others. A batch of
/// one is written alone. A lost connection, or a failed begin or commit
/// (whether it committed is then not known), fails every item alike, and
/// none is written again.
pub fn write_together<I, O>(
    conn: &mut DbConnection,
    items: Vec<I>,
    all: impl FnOnce(&mut DbConnection, &[I]) -> QueryResult<()>,
    mut alone: impl FnMut(&mut DbConnection, I) -> O,
    written: impl Fn(I) -> O,
) -> Result<Vec<O>, Failure> {
    if items.len() == 1 {
        return Ok(items.into_iter().map(|item| alone(conn, item)).collect());
    }
    let outcome = write_transaction(conn, |conn| {
        all(conn, &items).map_err(GroupFailure::Statement)
    });
    match outcome {
        Ok(()) => Ok(items.into_iter().map(written).collect()),
        Err(GroupFailure::Statement(e)) if !is_connection_lost(&e) => {
            tracing::info!(items = items.len(), error = %e, "a batch failed as a whole; writing each alone");
            Ok(items.into_iter().map(|item| alone(conn, item)).collect())
        }
        Err(GroupFailure::Statement(e) | GroupFailure::Transaction(e)) => Err(e.into()),
    }
}
