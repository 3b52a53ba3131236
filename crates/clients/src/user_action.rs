//! The user-action client: its internal decisions API (SPEC §D), for
//! case-service's deliveries of the bank's decisions.

use domain::flow::CaseDecision;
use reqwest::Method;
use service_kit::client::{CallError, InternalClient};
use service_kit::observe::REQUEST_ID_HEADER;
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
    /// any error (a 404 or 422 too) is the caller's to retry or report.
    pub async fn decision(
        &self,
        application_id: &str,
        decision: &CaseDecision,
    ) -> Result<(), CallError> {
        self.decision_for(application_id, decision, None).await
    }

    /// [`decision`](Self::decision), naming `request_id` (the request that
    /// made the decision, from its outbox row) as the call's `X-Request-Id`
    /// when no request is being served, so user-action's logs carry it.
    pub async fn decision_for(
        &self,
        application_id: &str,
        decision: &CaseDecision,
        request_id: Option<&str>,
    ) -> Result<(), CallError> {
        let path = format!("/user-action/v1/applications/{application_id}/decisions");
        let headers: Vec<(&str, &str)> = match request_id {
            Some(id) if service_kit::observe::current_request_id().is_none() => {
                vec![(REQUEST_ID_HEADER, id)]
            }
            _ => Vec::new(),
        };
        let _: serde_json::Value = self
            .http
            .json_with(Method::POST, &path, &headers, Some(decision))
            .await?;
        Ok(())
    }
}
