//! The sweeper: finishes what an interrupted upload or deletion left —
//! content without visible metadata, or metadata without content — so that
//! nothing half-written stays. It runs at start and then periodically.

use crate::content::ContentStore;
use crate::store::documents;
use service_kit::db::timestamp;
use service_kit::{Database, ProblemError};
use std::time::Duration;

/// How many documents one sweep handles at most.
const BATCH: i64 = 500;

/// Removes the content and then the metadata of every unfinished document.
/// Returns how many were cleaned up.
pub async fn sweep_once(
    db: &Database,
    content: &ContentStore,
    grace: Duration,
) -> Result<usize, ProblemError> {
    Sweep::find(db, grace).await?.finish(db, content).await
}

/// One sweep: the documents it found unfinished, and the cutoff it found
/// them by.
pub struct Sweep {
    cutoff: String,
    ids: Vec<String>,
}

impl Sweep {
    /// Lists up to a batch of unfinished documents: being deleted, or
    /// pending (or a tombstone) for longer than `grace`.
    pub async fn find(db: &Database, grace: Duration) -> Result<Self, ProblemError> {
        let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
        let cutoff = timestamp(chrono::Utc::now() - grace);
        let listed_by = cutoff.clone();
        let ids = db
            .run(move |conn| {
                documents::unfinished(conn, &listed_by, BATCH).map_err(ProblemError::from)
            })
            .await?;
        Ok(Self { cutoff, ids })
    }

    /// The ids found.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Removes each document found that is still unfinished. Each is first
    /// claimed (marked as being deleted, if still unfinished) and only then
    /// removed: an upload that finished since the listing keeps its
    /// document, and one that finishes after the claim is refused. Returns
    /// how many were removed.
    pub async fn finish(
        self,
        db: &Database,
        content: &ContentStore,
    ) -> Result<usize, ProblemError> {
        let mut cleaned = 0;
        for id in self.ids {
            let (claim, cutoff) = (id.clone(), self.cutoff.clone());
            let claimed = db
                .run(move |conn| {
                    documents::claim_unfinished(conn, &claim, &cutoff).map_err(ProblemError::from)
                })
                .await?;
            if !claimed {
                continue;
            }
            if let Err(e) = content.delete(&id).await {
                tracing::warn!(document_id = %id, error = %e, "sweep could not remove content; will retry");
                continue;
            }
            let row = id.clone();
            db.run(move |conn| documents::delete_row(conn, &row).map_err(ProblemError::from))
                .await?;
            cleaned += 1;
        }
        if cleaned > 0 {
            tracing::info!(cleaned, "swept unfinished documents");
        }
        Ok(cleaned)
    }
}

/// Sweeps now and every `interval`, for as long as the runtime lives.
pub fn spawn(db: Database, content: ContentStore, interval: Duration, grace: Duration) {
    service_kit::periodic::spawn("document sweep", interval, move || {
        let (db, content) = (db.clone(), content.clone());
        async move { sweep_once(&db, &content, grace).await.map(drop) }
    });
}
