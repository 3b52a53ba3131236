//! The dispatcher: a background task of the sending service that fans new
//! events out, claims eligible deliveries, sends them concurrently (one at
//! a time per destination and aggregate), and records what became of each.

use crate::store::{self, Attempted, Claimed, Outcome};
use crate::{listen, Destination, Settings, Waker};
use service_kit::db::{timestamp, Backend};
use service_kit::metrics::{record_outbox_delivery, set_outbox_pending};
use service_kit::observe::with_request_id;
use service_kit::{Database, ProblemError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tracing::Instrument;

/// How many new events one fan-out takes.
const FAN_OUT_BATCH: i64 = 500;

/// From how many pending deliveries a growing backlog refreshes the
/// table's statistics on PostgreSQL (then each time it doubles).
const ANALYZE_FROM: i64 = 1000;

/// How long a stopping dispatcher waits for the deliveries in flight; what
/// is not done by then is sent again once its lease runs out.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A sending service's outbox: its database, its destinations and how to
/// deliver to them. [`Outbox::start`] runs the dispatcher.
pub struct Outbox {
    service: &'static str,
    db: Database,
    destinations: Vec<Arc<dyn Destination>>,
    settings: Settings,
    waker: Waker,
}

impl Outbox {
    /// The outbox of `service` (its name, the metrics' label) in `db`,
    /// delivering to `destinations`, whose names must be unique, 1 to 100
    /// printable ASCII characters.
    pub fn new(
        service: &'static str,
        db: Database,
        destinations: Vec<Arc<dyn Destination>>,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        let mut names = HashSet::new();
        for destination in &destinations {
            let name = destination.name();
            anyhow::ensure!(
                (1..=100).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_graphic()),
                "outbox destination name {name:?}: 1 to 100 printable ASCII characters"
            );
            anyhow::ensure!(
                names.insert(name.to_owned()),
                "outbox destination name {name:?} is used twice"
            );
        }
        Ok(Self {
            service,
            db,
            destinations,
            settings,
            waker: Waker::default(),
        })
    }

    /// What wakes its dispatcher.
    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// The delivery log's state, for [`crate::api::register`].
    pub fn log(&self) -> crate::api::Log {
        crate::api::Log {
            db: self.db.clone(),
            waker: self.waker.clone(),
        }
    }

    /// Starts the dispatcher on the current Tokio runtime (and, on
    /// PostgreSQL, its LISTEN thread). It runs until [`Running::stop`].
    pub fn start(self) -> Running {
        let (stop, stopping) = watch::channel(false);
        let stopped = Arc::new(AtomicBool::new(false));
        if self.db.backend() == Backend::Postgres && !self.destinations.is_empty() {
            // A lost LISTEN connection is opened again soon: until then
            // only the poll interval finds new events.
            let retry = self.settings.poll_interval.min(Duration::from_secs(1));
            if let Err(e) =
                listen::spawn(self.db.clone(), self.waker.clone(), stopped.clone(), retry)
            {
                // The poll interval still finds every event.
                tracing::error!(error = %e, "outbox LISTEN thread could not start; polling only");
            }
        }
        let task = tokio::spawn(self.run(stopping));
        Running(Arc::new(Inner {
            stop,
            stopped,
            task: Mutex::new(Some(task)),
        }))
    }

    async fn run(self, mut stopping: watch::Receiver<bool>) {
        let dispatcher = Dispatcher::new(self);
        if dispatcher.outbox.destinations.is_empty() {
            // Events wait, not fanned out, for the destinations a later
            // configuration names.
            tracing::info!(
                service = dispatcher.outbox.service,
                "outbox: no destinations configured"
            );
            return;
        }
        dispatcher.dispatch(&mut stopping).await;
    }
}

/// A started dispatcher.
#[derive(Clone)]
pub struct Running(Arc<Inner>);

struct Inner {
    stop: watch::Sender<bool>,
    stopped: Arc<AtomicBool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Running {
    /// Stops it: no more claims; the deliveries in flight are given a few
    /// seconds to finish and be recorded. Later calls return at once.
    pub async fn stop(&self) {
        self.0.stopped.store(true, Ordering::Relaxed);
        let _ = self.0.stop.send(true);
        let task = self.0.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

/// The dispatcher's working state.
struct Dispatcher {
    outbox: Outbox,
    names: Vec<String>,
    /// This dispatcher's part of every lease's owner.
    owner: String,
    round: u64,
    permits: Arc<Semaphore>,
    done: mpsc::UnboundedSender<Attempted>,
    finished: mpsc::UnboundedReceiver<Attempted>,
    in_flight: JoinSet<()>,
    /// Outcomes not recorded yet (the database was away): kept, and
    /// recorded with the next.
    unrecorded: Vec<Attempted>,
    /// Whether the last unit of work failed: its recovery is logged once.
    failing: bool,
    counted: Option<Instant>,
    /// The pending deliveries when the statistics were last refreshed.
    analyzed_for: i64,
}

impl Dispatcher {
    fn new(outbox: Outbox) -> Self {
        let (done, finished) = mpsc::unbounded_channel();
        let id = uuid::Uuid::new_v4().simple().to_string();
        Self {
            names: outbox
                .destinations
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
            owner: format!("{}-{}", std::process::id(), &id[..8]),
            permits: Arc::new(Semaphore::new(outbox.settings.concurrency)),
            outbox,
            round: 0,
            done,
            finished,
            in_flight: JoinSet::new(),
            unrecorded: Vec::new(),
            failing: false,
            counted: None,
            analyzed_for: 0,
        }
    }

    async fn dispatch(mut self, stopping: &mut watch::Receiver<bool>) {
        let waker = self.outbox.waker.clone();
        while !*stopping.borrow() {
            let busy = match self.step().await {
                Ok(busy) => {
                    if self.failing {
                        tracing::info!(service = self.outbox.service, "outbox dispatcher back");
                        self.failing = false;
                    }
                    busy
                }
                Err(e) => {
                    if !self.failing {
                        tracing::warn!(service = self.outbox.service, error = %e,
                            "outbox dispatcher cannot reach its database; will retry");
                    }
                    self.failing = true;
                    false
                }
            };
            while self.in_flight.try_join_next().is_some() {}
            if busy {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                _ = waker.woken() => {}
                _ = tokio::time::sleep(self.outbox.settings.poll_interval) => {}
                Some(attempted) = self.finished.recv() => self.unrecorded.push(attempted),
                _ = stopping.changed() => {}
            }
        }
        // Stopping: the deliveries in flight finish (or not) and are recorded.
        let _ = tokio::time::timeout(STOP_GRACE, async {
            while self.in_flight.join_next().await.is_some() {}
        })
        .await;
        self.in_flight.abort_all();
        let _ = self.record().await;
    }

    /// One round: records finished attempts, fans out, claims and starts
    /// deliveries. `true` when there may be more to do at once.
    async fn step(&mut self) -> Result<bool, ProblemError> {
        let recorded = self.record().await?;
        let fanned = self.fan_out().await?;
        let free = self.permits.available_permits();
        let claimed = if free > 0 { self.claim(free).await? } else { 0 };
        self.count_pending().await?;
        Ok(recorded > 0 || fanned == FAN_OUT_BATCH as usize || (free > 0 && claimed == free))
    }

    async fn record(&mut self) -> Result<usize, ProblemError> {
        while let Ok(attempted) = self.finished.try_recv() {
            self.unrecorded.push(attempted);
        }
        if self.unrecorded.is_empty() {
            return Ok(0);
        }
        let attempts = self.unrecorded.clone();
        self.outbox
            .db
            .run(move |conn| store::record(conn, &attempts).map_err(ProblemError::from))
            .await?;
        Ok(std::mem::take(&mut self.unrecorded).len())
    }

    async fn fan_out(&self) -> Result<usize, ProblemError> {
        let destinations = self.outbox.destinations.clone();
        let now = timestamp(chrono::Utc::now());
        self.outbox
            .db
            .run(move |conn| {
                store::fan_out(conn, &destinations, &now, FAN_OUT_BATCH).map_err(ProblemError::from)
            })
            .await
    }

    async fn claim(&mut self, free: usize) -> Result<usize, ProblemError> {
        self.round += 1;
        let owner = format!("{}.{}", self.owner, self.round);
        let now = chrono::Utc::now();
        let lease =
            chrono::Duration::from_std(self.outbox.settings.lease).unwrap_or(chrono::Duration::MAX);
        let (names, token, now, until) = (
            self.names.clone(),
            owner.clone(),
            timestamp(now),
            timestamp(now + lease),
        );
        let claimed = self
            .outbox
            .db
            .run(move |conn| {
                store::claim(conn, &names, &token, &now, &until, free as i64)
                    .map_err(ProblemError::from)
            })
            .await?;
        let count = claimed.len();
        for delivery in claimed {
            let Some(destination) = self
                .outbox
                .destinations
                .iter()
                .find(|d| d.name() == delivery.destination)
                .cloned()
            else {
                continue;
            };
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                break;
            };
            let attempt = Attempt {
                service: self.outbox.service,
                destination,
                settings: self.outbox.settings.clone(),
                owner: owner.clone(),
                delivery,
            };
            let done = self.done.clone();
            self.in_flight.spawn(async move {
                let attempted = attempt.run().await;
                drop(permit);
                let _ = done.send(attempted);
            });
        }
        Ok(count)
    }

    /// Sets the pending gauge, once per poll interval at most.
    async fn count_pending(&mut self) -> Result<(), ProblemError> {
        if self
            .counted
            .is_some_and(|at| at.elapsed() < self.outbox.settings.poll_interval)
        {
            return Ok(());
        }
        let pending = self
            .outbox
            .db
            .run(|conn| store::pending(conn).map_err(ProblemError::from))
            .await?;
        set_outbox_pending(self.outbox.service, pending.max(0) as u64);
        self.counted = Some(Instant::now());
        // A backlog that arrived at once (an outage's, a burst's) is planned
        // for the table as it was unless the statistics are refreshed
        // (`store::analyze`): once it reaches ANALYZE_FROM, and each time it
        // doubles; a few ANALYZEs of a sample, however large it grows.
        if pending >= ANALYZE_FROM.max(2 * self.analyzed_for) {
            self.outbox
                .db
                .run(|conn| store::analyze(conn).map_err(ProblemError::from))
                .await?;
            self.analyzed_for = pending;
        } else if pending < self.analyzed_for / 4 {
            self.analyzed_for = pending;
        }
        Ok(())
    }
}

/// One delivery attempt.
struct Attempt {
    service: &'static str,
    destination: Arc<dyn Destination>,
    settings: Settings,
    owner: String,
    delivery: Claimed,
}

impl Attempt {
    /// Sends the event (as the request that wrote it, so that its id
    /// follows), and says what became of it.
    async fn run(self) -> Attempted {
        let event = &self.delivery.event;
        let request_id = event.request_id.clone().unwrap_or_default();
        let span = tracing::info_span!("outbox delivery", request_id = %request_id,
            event_id = %event.id, destination = %self.destination.name());
        let sent = self.destination.deliver(event).instrument(span.clone());
        let result = match &event.request_id {
            Some(id) => with_request_id(id.clone(), sent).await,
            None => sent.await,
        };
        let now = chrono::Utc::now();
        let (outcome, status, error) = match &result {
            Ok(()) => (Outcome::Delivered, None, None),
            Err(e) => {
                let outcome = if !e.retryable || self.out_of_time(now) {
                    Outcome::Failed
                } else {
                    let delay = self.settings.backoff(event.attempt);
                    let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                    Outcome::Retry(timestamp(now + delay))
                };
                (outcome, e.status, Some(e.class.clone()))
            }
        };
        let label = match &outcome {
            Outcome::Delivered => "delivered",
            Outcome::Retry(_) => "retry",
            Outcome::Failed => "failed",
        };
        record_outbox_delivery(self.service, self.destination.family(), label);
        span.in_scope(|| match (&outcome, &result) {
            (Outcome::Delivered, _) => tracing::info!(kind = %event.kind,
                aggregate_id = %event.aggregate_id, attempt = event.attempt, "outbox event delivered"),
            (Outcome::Retry(at), Err(e)) => tracing::warn!(kind = %event.kind,
                aggregate_id = %event.aggregate_id, attempt = event.attempt, error = %e,
                next_attempt_at = %at, "outbox delivery failed; will retry"),
            (_, Err(e)) => tracing::error!(kind = %event.kind,
                aggregate_id = %event.aggregate_id, attempt = event.attempt, error = %e,
                "outbox delivery failed for good"),
            _ => {}
        });
        Attempted {
            event_seq: event.seq,
            destination: self.delivery.destination,
            owner: self.owner,
            at: timestamp(now),
            outcome,
            status,
            error,
        }
    }

    /// Whether a destination that gives up has been tried for its whole
    /// retry window.
    fn out_of_time(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        if !self.destination.gives_up() {
            return false;
        }
        let window =
            chrono::Duration::from_std(self.settings.retry_window).unwrap_or(chrono::Duration::MAX);
        chrono::DateTime::parse_from_rfc3339(&self.delivery.retry_from)
            .map(|from| now >= from.with_timezone(&chrono::Utc) + window)
            .unwrap_or(true)
    }
}
