//! Waking the dispatcher when an event has been written.

use std::sync::Arc;
use tokio::sync::Notify;

/// Wakes the dispatcher: a writer calls [`Waker::wake`] once its
/// transaction with an outbox event has committed (on SQLite the only
/// wake-up; on PostgreSQL the trigger's NOTIFY does it too, and this one
/// is merely sooner for this process).
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Wakes the dispatcher, or makes its next wait end at once.
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Until woken (at once if woken since the last wait).
    pub(crate) async fn woken(&self) {
        self.0.notified().await;
    }
}
