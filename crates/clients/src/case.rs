//! The case-service client: its internal erasure API, and the application
//! flow's events (SPEC §D).

use domain::erasure::CustomerErasure;
use domain::flow::{ApplicationEvent, ApplicationEventApplied};
use domain::PartyId;
use reqwest::Method;
use serde::Serialize;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;

/// A client of case-service's internal API.
#[derive(Clone, Debug)]
pub struct CaseClient {
    http: InternalClient,
}

/// The body of an erasure.
#[derive(Serialize)]
struct Erasure<'a> {
    actor: &'a str,
}

impl CaseClient {
    /// A client of case-service at `base_url` (from `CASE_SERVICE_URL`, or
    /// this process when unset).
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, "case-service", base_url),
        }
    }

    /// Erases the customer `party` from every case and event, recording
    /// `actor` on each case changed. Idempotent: a customer already erased,
    /// or on no case, answers zeros. Any failure (a 404 too: no
    /// case-service answers there) is an error, for the caller to retry.
    pub async fn erase_customer(
        &self,
        party: &PartyId,
        actor: &str,
    ) -> Result<CustomerErasure, CallError> {
        let path = format!("/case/v1/customers/{}/erasure", party.as_str());
        self.http
            .json(Method::POST, &path, Some(&Erasure { actor }))
            .await
    }

    /// Delivers `event` of the application `application_id` (user-action's
    /// outbox dispatcher): case-service applies it once, by its id, and
    /// answers the application's case once there is one. `request_id`, the
    /// request that wrote the event (the outbox row's), is sent as
    /// `X-Request-Id`, so case-service's logs of it carry the same id;
    /// without it, the request being served (if any) is the one sent.
    /// Never retried here (a POST): the dispatcher retries with backoff.
    /// A 422 names an applicant party-service does not know.
    pub async fn application_event(
        &self,
        application_id: &str,
        event: &ApplicationEvent,
        request_id: Option<&str>,
    ) -> Result<ApplicationEventApplied, CallError> {
        let path = format!("/case/v1/applications/{application_id}/events");
        let headers: Vec<(&str, &str)> = request_id
            .map(|id| (service_kit::observe::REQUEST_ID_HEADER, id))
            .into_iter()
            .collect();
        self.http
            .json_with(Method::POST, &path, &headers, Some(event))
            .await
    }
}
