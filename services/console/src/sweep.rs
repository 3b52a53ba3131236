//! The sweep: deletes expired sessions (idle or absolute), at start and
//! then periodically, so that the table holds live sessions only. A
//! session is refused once expired whether or not the sweep has run.

use crate::store::sessions;
use service_kit::db::timestamp;
use service_kit::metrics::record_swept;
use service_kit::{Database, Failure};
use std::time::Duration;

/// How often the sweep runs.
pub const EVERY: Duration = Duration::from_secs(300);

/// One sweep; how many sessions it deleted.
pub async fn sweep_once(db: &Database) -> Result<usize, Failure> {
    let now = timestamp(chrono::Utc::now());
    db.run(move |conn| sessions::sweep(conn, &now).map_err(Failure::from))
        .await
}

/// Starts sweeping every `every` on the current runtime; the handle stops
/// it (with the server).
pub fn spawn(db: Database, every: Duration) -> tokio::task::AbortHandle {
    service_kit::periodic::spawn("console session sweep", every, move || {
        let db = db.clone();
        async move {
            let removed = sweep_once(&db).await?;
            if removed > 0 {
                tracing::info!(removed, "expired console sessions deleted");
                record_swept(crate::NAME, "session", removed as u64);
            }
            Ok::<_, Failure>(())
        }
    })
}
