//! `Idempotency-Key`: a create sent again with the same key is done once,
//! and every repeat gets the first answer.

use super::AppState;
use crate::caller::Caller;
use crate::error::{CamError, ErrorCode};
use crate::store;
use actix_web::HttpRequest;
use serde::de::DeserializeOwned;
use serde::Serialize;
use service_kit::{Database, Keyring, ProblemError};
use sha2::Digest;
use std::time::Duration;

/// The header that makes a create idempotent.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// How long a repeat waits for the first request with its key to finish.
const IDEMPOTENCY_WAIT: Duration = Duration::from_secs(10);

/// Runs `work` once per `Idempotency-Key` (when the request has one): a
/// repeat, even a concurrent one, gets the first request's answer. A failed
/// request releases its key so that a retry does the work. A key is kept
/// for the configured time to live, then is fresh again; a claim older
/// than its lease (its process died mid-request) is taken over by a retry. The answer is
/// kept as JSON: a replica of another version reads it as long as the
/// answer's fields keep their names.
pub async fn once<T, F, Fut>(
    state: &AppState,
    req: &HttpRequest,
    caller: &Caller,
    operation: &'static str,
    body: &[u8],
    work: F,
) -> Result<T, CamError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<T, CamError>>,
{
    let Some(key) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return work().await;
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            CamError::invalid(IDEMPOTENCY_HEADER, "must be 1 to 255 visible characters")
        })?
        .to_owned();
    let fingerprint = hex::encode(sha2::Sha256::digest(body));
    let started = std::time::Instant::now();
    let claimed_at = loop {
        let (owner, k, f) = (caller.subject.clone(), key.clone(), fingerprint.clone());
        let (ages, keyring) = (state.idempotency.ages(), state.keyring.clone());
        let (claim, stored) = state
            .db(move |conn| {
                store::idempotency::claim(conn, &keyring, &owner, operation, &k, &f, &ages)
            })
            .await?;
        if stored != fingerprint {
            return Err(CamError::new(
                ErrorCode::IdempotencyMismatch,
                format!("{IDEMPOTENCY_HEADER}: was used for a different request"),
            ));
        }
        match claim {
            store::idempotency::Claim::Fresh(claimed_at) => break claimed_at,
            store::idempotency::Claim::Done(answer) => {
                return serde_json::from_str(&answer).map_err(CamError::internal);
            }
            store::idempotency::Claim::Running if started.elapsed() < IDEMPOTENCY_WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            store::idempotency::Claim::Running => {
                return Err(CamError::new(
                    ErrorCode::IdempotencyInProgress,
                    format!(
                        "{IDEMPOTENCY_HEADER}: a request with this key is still being processed"
                    ),
                ));
            }
        }
    };
    let claim = Claimed {
        db: state.db.clone(),
        keyring: state.keyring.clone(),
        owner: caller.subject.clone(),
        operation,
        key,
        claimed_at,
    };
    match work().await {
        Ok(answer) => {
            let text = serde_json::to_string(&answer).map_err(CamError::internal)?;
            // The work is done and durable: its answer is the caller's even
            // when the key's record has to wait for the database.
            claim.settle(Some(text)).await;
            Ok(answer)
        }
        Err(e) => {
            claim.settle(None).await;
            Err(e)
        }
    }
}

/// How often, and how far apart, settling a key is tried again in the
/// background (about two minutes in all).
const SETTLE_ATTEMPTS: u32 = 240;
const SETTLE_PAUSE: Duration = Duration::from_millis(500);

/// A key this request claimed.
struct Claimed {
    db: Database,
    keyring: Keyring,
    owner: String,
    operation: &'static str,
    key: String,
    /// When it was claimed: settling touches the claim only while it is
    /// still this one (not taken over after its lease).
    claimed_at: String,
}

impl Claimed {
    /// Stores the answer (`Some`) or releases the key (`None`). When the
    /// database is unavailable (the very failure that may have failed the
    /// request), this goes on in the background until it is back: a key
    /// left claimed would answer every retry "still being processed".
    async fn settle(self, answer: Option<String>) {
        if let Err(e) = self.try_settle(&answer).await {
            tracing::warn!(error = %e, key = %self.key, "idempotency key not settled yet; retrying in the background");
            actix_web::rt::spawn(async move {
                for _ in 0..SETTLE_ATTEMPTS {
                    tokio::time::sleep(SETTLE_PAUSE).await;
                    if self.try_settle(&answer).await.is_ok() {
                        tracing::info!(key = %self.key, "idempotency key settled");
                        return;
                    }
                }
                tracing::error!(key = %self.key, owner = %self.owner, "could not settle an idempotency key");
            });
        }
    }

    async fn try_settle(&self, answer: &Option<String>) -> Result<(), ProblemError> {
        let (keyring, owner, operation, key, at, answer) = (
            self.keyring.clone(),
            self.owner.clone(),
            self.operation,
            self.key.clone(),
            self.claimed_at.clone(),
            answer.clone(),
        );
        self.db
            .run(move |conn| {
                match &answer {
                    Some(text) => {
                        let (owner, key) = (owner.as_str(), key.as_str());
                        store::idempotency::complete(
                            conn, &keyring, owner, operation, key, &at, text,
                        )
                    }
                    None => store::idempotency::release(conn, &owner, operation, &key, &at),
                }
                .map_err(ProblemError::from)
            })
            .await
    }
}
