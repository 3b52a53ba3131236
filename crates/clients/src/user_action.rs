//! The user-action client: its internal decisions API (SPEC §D), for
//! case-service's deliveries of the bank's decisions.

use domain::flow::CaseDecision;
use reqwest::Method;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;

/// A client of user-action-service's internal API.
#[derive(Clone, Debug)]
pub struct UserActionClient {
    http: InternalClient,
}

impl UserActionClient {
    /// A client of user-action-service at `base_url` (from
    /// `USER_ACTION_SERVICE_URL`, or this process when unset).
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, "user-action-service", base_url),
        }
    }

    /// Delivers `decision` about application `application_id`. `Ok` once
    /// user-action has applied it, now or before (it applies each id once);
    /// any error (a 404 or 422 too) is the caller's to retry or report. The
    /// current request id (`observe::with_request_id`, which the outbox's
    /// dispatcher sets to the one that wrote the event) goes as
    /// `X-Request-Id`, so user-action's logs carry it.
    pub async fn decision(
        &self,
        application_id: &str,
        decision: &CaseDecision,
    ) -> Result<(), CallError> {
        let path = format!("/user-action/v1/applications/{application_id}/decisions");
        let _: serde_json::Value = self.http.json(Method::POST, &path, Some(decision)).await?;
        Ok(())
    }
}
