//! The sweep: deletes expired sessions (idle or absolute) and stale
//! sign-ins under way, at start and then periodically, so that the tables
//! hold live rows only. A session or sign-in is refused once expired
//! whether or not the sweep has run.

use crate::store::{logins, sessions};
use service_kit::db::timestamp;
use service_kit::metrics::record_swept;
use service_kit::{Database, Failure};
use std::time::Duration;

/// How often the sweep runs.
pub const EVERY: Duration = Duration::from_secs(300);

/// How long a sign-in through the OpenID provider may take, from the
/// redirect to the provider to the browser's return.
pub const LOGIN_TTL: chrono::Duration = chrono::Duration::minutes(10);

/// One sweep; how many sessions it deleted (stale sign-ins under way are
/// deleted too, and counted in the metric).
pub async fn sweep_once(db: &Database) -> Result<usize, Failure> {
    let now = chrono::Utc::now();
    let (removed, logins) = db
        .run(move |conn| {
            let removed = sessions::sweep(conn, &timestamp(now))?;
            let logins = logins::sweep(conn, &timestamp(now - LOGIN_TTL))?;
            Ok::<_, Failure>((removed, logins))
        })
        .await?;
    if logins > 0 {
        record_swept(crate::NAME, "login", logins as u64);
    }
    Ok(removed)
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
