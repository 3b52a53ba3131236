//! The sweeper: removes what a crash or a failed undo left behind — a party
//! or a document made in another service for a request that never recorded
//! it (its intent is still there after the grace period) — and expired
//! Idempotency-Keys and abandoned claims. It runs at start and then
//! periodically; every removal is logged by id and counted in
//! `sweep_removed_total`.

use crate::rows::document_owner;
use crate::store::idempotency::{self, Lifetimes};
use crate::store::intents::{self, Intent};
use clients::{DocumentClient, PartyClient};
use service_kit::db::timestamp;
use service_kit::metrics::record_swept;
use service_kit::{Database, ProblemError};
use std::time::Duration;

/// How many intents one sweep handles at most.
const BATCH: i64 = 500;

/// What the sweep works on.
#[derive(Clone)]
pub struct Sweeper {
    /// user-action's database.
    pub db: Database,
    /// party-service.
    pub party: PartyClient,
    /// document-service.
    pub documents: DocumentClient,
    /// How old an intent must be before what it names is removed.
    pub grace: Duration,
    /// How long Idempotency-Keys live and claims hold.
    pub idempotency: Lifetimes,
}

impl Sweeper {
    /// One sweep: removes what every overdue intent names, then the
    /// intent; then purges old Idempotency-Keys. Returns how many things
    /// (parties, documents, keys) were removed.
    pub async fn sweep_once(&self) -> Result<usize, ProblemError> {
        let grace = chrono::Duration::from_std(self.grace).unwrap_or(chrono::Duration::MAX);
        let cutoff = timestamp(chrono::Utc::now() - grace);
        let listed_by = cutoff.clone();
        let overdue = self
            .db
            .run(move |conn| intents::overdue(conn, &listed_by, BATCH).map_err(ProblemError::from))
            .await?;
        let mut removed = 0;
        for intent in overdue {
            if self.remove(intent, &cutoff).await? {
                removed += 1;
            }
        }
        let ages = self.idempotency.ages();
        let keys = self
            .db
            .run(move |conn| idempotency::purge(conn, &ages).map_err(ProblemError::from))
            .await?;
        if keys > 0 {
            // Keys are the clients' own strings: counted, not logged.
            tracing::info!(keys, "swept expired idempotency keys and abandoned claims");
            record_swept(crate::NAME, "idempotency-key", keys as u64);
        }
        Ok(removed + keys)
    }

    /// Takes the intent (so that no late request records what it names),
    /// removes the thing from its service, then forgets the intent. `false`
    /// when the intent was recorded meanwhile, or the removal failed (then
    /// the next sweep tries again).
    async fn remove(&self, intent: Intent, cutoff: &str) -> Result<bool, ProblemError> {
        let (claim, cutoff) = (intent.clone(), cutoff.to_owned());
        let claimed = self
            .db
            .run(move |conn| intents::claim(conn, &claim, &cutoff).map_err(ProblemError::from))
            .await?;
        if !claimed {
            return Ok(false);
        }
        let (kind, deleted) = match intent.kind.as_str() {
            intents::PARTY => (intents::PARTY, self.party.delete(&intent.id).await),
            intents::DOCUMENT => {
                let owner = document_owner(&intent.owner_subject);
                (
                    intents::DOCUMENT,
                    self.documents.delete(&owner, &intent.id).await,
                )
            }
            other => {
                tracing::error!(kind = other, id = %intent.id, "an intent of an unknown kind");
                return Ok(false);
            }
        };
        let existed = match deleted {
            Ok(existed) => existed,
            Err(e) => {
                tracing::warn!(kind, id = %intent.id, error = %e, "sweep could not remove; will retry");
                return Ok(false);
            }
        };
        let (forgotten, id) = (intent.kind.clone(), intent.id.clone());
        self.db
            .run(move |conn| intents::forget(conn, &forgotten, &[id]).map_err(ProblemError::from))
            .await?;
        tracing::info!(kind, id = %intent.id, existed, "swept what a request left behind");
        record_swept(crate::NAME, kind, 1);
        Ok(true)
    }
}

/// Sweeps now and every `interval`, for as long as the runtime lives.
pub fn spawn(sweeper: Sweeper, interval: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            if let Err(e) = sweeper.sweep_once().await {
                tracing::warn!(error = %e, "user-action sweep failed");
            }
        }
    });
}
