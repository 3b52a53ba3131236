//! The sweeper: removes what a crash or a failed undo left behind — a party
//! or a document made in another service for a request that never recorded
//! it (its intent is still there after the grace period) — and expired
//! Idempotency-Keys and abandoned claims. It runs at start and then
//! periodically; every removal is logged by id and counted in
//! `sweep_removed_total`.
//!
//! With a retention period set (`USER_ACTION_RETENTION_DAYS`), it also
//! erases withdrawn and rejected applications unchanged for that long
//! (issue 17, "Retention and erasure"): their documents, parties and case
//! customers (with the events naming them) over the internal APIs, then
//! their personal values here, as `onboarding erase` does. The cases
//! themselves and their trails stay, as the erasure's skeleton.

use crate::rows::document_owner;
use crate::store::erasure::{self, Plan};
use crate::store::idempotency::{self, Lifetimes};
use crate::store::intents::{self, Intent};
use clients::{CaseClient, DocumentClient, PartyClient};
use service_kit::db::timestamp;
use service_kit::metrics::record_swept;
use service_kit::{Database, Keyring, ProblemError};
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
    /// case-service's internal erasure API.
    pub cases: CaseClient,
    /// How old an intent must be before what it names is removed.
    pub grace: Duration,
    /// How long Idempotency-Keys live and claims hold.
    pub idempotency: Lifetimes,
    /// How long a withdrawn or rejected application is kept unchanged
    /// before it is erased; never when `None`.
    pub retention: Option<Duration>,
    /// Seals the tombstones.
    pub keyring: Keyring,
}

/// The statuses whose applications the retention purge erases: decided
/// against, or given up by the applicant.
pub const RETAINED_STATUSES: [&str; 2] = ["Withdrawn", "Rejected"];

/// Who the retention purge records as the erasure's actor.
pub const RETENTION_ACTOR: &str = "retention-purge";

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
        Ok(removed + keys + self.purge_expired().await?)
    }

    /// Erases the applications past their retention; how many.
    async fn purge_expired(&self) -> Result<usize, ProblemError> {
        let Some(retention) = self.retention else {
            return Ok(0);
        };
        let age = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
        let before = timestamp(chrono::Utc::now() - age);
        let expired = self
            .db
            .run(move |conn| {
                erasure::expired(conn, &RETAINED_STATUSES, &before, BATCH)
                    .map_err(ProblemError::from)
            })
            .await?;
        let mut erased = 0;
        for id in expired {
            let target = id.clone();
            let plan = self
                .db
                .run(move |conn| {
                    erasure::plan(conn, erasure::Target::Application(&target))
                        .map_err(ProblemError::from)
                })
                .await?;
            let Some(plan) = plan else { continue };
            match self.erase(plan).await {
                Ok(()) => erased += 1,
                // The next sweep tries again: every step is idempotent.
                Err(e) => {
                    tracing::warn!(application_id = %id, error = %e, "retention purge could not erase; will retry");
                }
            }
        }
        if erased > 0 {
            record_swept(crate::NAME, "expired-application", erased as u64);
        }
        Ok(erased)
    }

    /// Erases one application: its documents, parties, case customers and
    /// values on its case in their services, then its personal values here
    /// with the audit event, only once every other service has succeeded (so that the
    /// next sweep, which finds the application by that event's absence,
    /// finishes a run cut short).
    async fn erase(&self, plan: Plan) -> Result<(), ProblemError> {
        let owner = document_owner(&plan.owner_subject);
        for id in &plan.document_ids {
            self.documents
                .delete(&owner, id)
                .await
                .map_err(|e| ProblemError::Internal(anyhow::anyhow!("document {id}: {e}")))?;
        }
        for id in &plan.party_ids {
            self.party
                .delete(id)
                .await
                .map_err(|e| ProblemError::Internal(anyhow::anyhow!("party {id}: {e}")))?;
        }
        for id in &plan.party_ids {
            let party = domain::PartyId::parse(id)
                .map_err(|e| ProblemError::Internal(anyhow::anyhow!("party {id}: {e}")))?;
            self.cases
                .erase_customer(&party, RETENTION_ACTOR)
                .await
                .map_err(|e| ProblemError::Internal(anyhow::anyhow!("case customer {id}: {e}")))?;
        }
        self.cases
            .erase_application(&plan.application_id, RETENTION_ACTOR)
            .await
            .map_err(|e| ProblemError::Internal(anyhow::anyhow!("case application: {e}")))?;
        let (keyring, erased) = (self.keyring.clone(), plan.clone());
        self.db
            .run(move |conn| {
                erasure::tombstone(conn, &keyring, &erased, RETENTION_ACTOR)
                    .map_err(ProblemError::from)
            })
            .await?;
        // Ids only: never a value that was erased.
        tracing::info!(application_id = %plan.application_id, parties = plan.party_ids.len(),
            documents = plan.document_ids.len(), "retention purge erased an application");
        Ok(())
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
    service_kit::periodic::spawn("user-action sweep", interval, move || {
        let sweeper = sweeper.clone();
        async move { sweeper.sweep_once().await.map(drop) }
    });
}
