//! Webhook subscriptions as destinations: each subscription of the
//! operator's file (`WEBHOOKS_FILE`, crate `webhooks`) is a [`Destination`]
//! that wants the kinds it subscribed to, sends one attempt through
//! [`Webhooks::send`] (signed, guarded), and gives up after the retry
//! window. The webhook's `data` is the outbox row's payload (ids and
//! statuses, no personal values), with the application's id.

use crate::{BoxFuture, DeliveryError, Destination, OutboxEvent};
use service_kit::config::{load_config, ConfigError};
use std::collections::HashMap;
use std::sync::Arc;
use webhooks::{SendOutcome, Subscription, Webhooks};

/// The prefix of a subscription's destination name, so that it never
/// takes an internal peer's name (`webhook:core-banking`).
const PREFIX: &str = "webhook:";

/// One subscription, as a destination.
struct Subscribed {
    name: String,
    subscription: Subscription,
    webhooks: Arc<Webhooks>,
}

/// The destinations of the operator's subscriptions (`WEBHOOKS_*` of
/// `vars`, the environment when `None`): none without `WEBHOOKS_FILE`.
pub fn destinations(
    vars: Option<&HashMap<String, String>>,
) -> Result<Vec<Arc<dyn Destination>>, ConfigError> {
    let config: webhooks::WebhooksConfig = load_config(vars)?;
    let webhooks =
        Webhooks::from_config(&config).map_err(|e| ConfigError::invalid(e.variable, e.why))?;
    let webhooks = Arc::new(webhooks);
    Ok(webhooks
        .subscriptions()
        .iter()
        .map(|subscription| {
            Arc::new(Subscribed {
                name: format!("{PREFIX}{}", subscription.name()),
                subscription: subscription.clone(),
                webhooks: webhooks.clone(),
            }) as Arc<dyn Destination>
        })
        .collect())
}

/// The webhook's `data` for `event`: its payload, with the application's
/// id (`Application_id`, as CAM spells it) where the payload has none.
fn data(event: &OutboxEvent) -> serde_json::Value {
    let mut data = event.payload.clone();
    if let Some(fields) = data.as_object_mut() {
        fields
            .entry("Application_id")
            .or_insert_with(|| event.aggregate_id.clone().into());
    }
    data
}

impl Destination for Subscribed {
    fn name(&self) -> &str {
        &self.name
    }

    fn family(&self) -> &'static str {
        "webhook"
    }

    fn wants(&self, kind: &str) -> bool {
        self.subscription.wants(kind)
    }

    fn gives_up(&self) -> bool {
        true
    }

    fn deliver<'a>(&'a self, event: &'a OutboxEvent) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let occurred_at = chrono::DateTime::parse_from_rfc3339(&event.created_at)
                .map_err(|_| DeliveryError::permanent("invalid-event-time"))?
                .with_timezone(&chrono::Utc);
            let outcome = self
                .webhooks
                .send(
                    &self.subscription,
                    &event.id,
                    &event.kind,
                    occurred_at,
                    &data(event),
                    chrono::Utc::now(),
                )
                .await;
            match outcome {
                SendOutcome::Delivered { .. } => Ok(()),
                SendOutcome::Failed {
                    class,
                    status,
                    retryable,
                    ..
                } => Err(DeliveryError {
                    retryable,
                    status,
                    class: status
                        .map_or_else(|| class.as_str().to_owned(), |s| format!("http-{s}")),
                }),
            }
        })
    }
}
