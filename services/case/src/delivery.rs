//! Delivering the bank's decisions to user-action (SPEC §D): user-action
//! as the destination of case-service's outbox. The [`domain::flow::CaseDecision`] an
//! outbox row stands for is built when it is delivered ([`decision`]), a
//! review's comments opened from their seal; the row holds ids and
//! statuses only.

use clients::UserActionClient;
use domain::flow::kinds;
use outbox::{BoxFuture, DeliveryError, Destination, OutboxEvent};
use service_kit::{Database, Failure, Keyring};

pub use crate::store::outbox::decision;

/// user-action as the outbox's destination: it takes the decisions on an
/// application's case (a review of its evidence, a change of status);
/// `case.opened` it learns from the answer to its submission. Never gives
/// up: nothing between services is lost.
pub struct ToUserAction {
    /// case-service's database, to build the decisions.
    pub db: Database,
    /// Opens a review's comments.
    pub keyring: Keyring,
    /// user-action-service.
    pub user_action: UserActionClient,
}

impl Destination for ToUserAction {
    fn name(&self) -> &str {
        "user-action-service"
    }

    fn family(&self) -> &'static str {
        "internal"
    }

    fn wants(&self, kind: &str) -> bool {
        matches!(
            kind,
            kinds::EVIDENCE_ACCEPTED | kinds::EVIDENCE_REJECTED | kinds::CASE_STATUS_CHANGED
        )
    }

    fn deliver<'a>(&'a self, event: &'a OutboxEvent) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let keyring = self.keyring.clone();
            let (id, kind, payload) = (
                event.id.clone(),
                event.kind.clone(),
                event.payload.to_string(),
            );
            let built = self
                .db
                .run(move |conn| decision(conn, &keyring, &id, &kind, &payload))
                .await
                .map_err(|_: Failure| DeliveryError::retryable("database"))?;
            let Some(built) = built else {
                return Ok(());
            };
            self.user_action
                .decision(&event.aggregate_id, &built)
                .await
                .map_err(|e| DeliveryError::from(&e))
        })
    }
}
