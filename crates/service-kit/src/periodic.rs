//! Work a service repeats in the background, such as its sweeps.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

/// Runs `pass` now and then every `every` on the current Tokio runtime,
/// for as long as it lives or until the returned handle aborts it. A
/// failed pass is logged as `what` failing and tried again at the next
/// tick: a sweep's work is idempotent, and a database away now may be back
/// by then.
pub fn spawn<F, Fut, E>(
    what: &'static str,
    every: Duration,
    mut pass: F,
) -> tokio::task::AbortHandle
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), E>> + Send,
    E: Display,
{
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            if let Err(e) = pass().await {
                tracing::warn!(error = %e, "{what} failed");
            }
        }
    })
    .abort_handle()
}
