//! The case-service client: its internal erasure API, and the application
//! flow's events (SPEC §D).

use domain::erasure::{ApplicationErasure, CustomerErasure};
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

    /// Erases application `application_id`'s values from its case (its
    /// evidence's file names and comments, its requests' messages),
    /// recording `actor` on the case. Idempotent: an application erased
    /// before, or unknown there, answers zeros. Any failure is an error,
    /// for the caller to retry.
    pub async fn erase_application(
        &self,
        application_id: &str,
        actor: &str,
    ) -> Result<ApplicationErasure, CallError> {
        let path = format!("/case/v1/applications/{application_id}/erasure");
        self.http
            .json(Method::POST, &path, Some(&Erasure { actor }))
            .await
    }

    /// Delivers `event` of the application `application_id` (user-action's
    /// outbox dispatcher): case-service applies it once, by its id, and
    /// answers the application's case once there is one. The current
    /// request id (`observe::with_request_id`, which the dispatcher sets to
    /// the one that wrote the event) is sent as `X-Request-Id`, so
    /// case-service's logs of it carry the same id.
    /// Never retried here (a POST): the dispatcher retries with backoff.
    /// A 422 names an applicant party-service does not know.
    pub async fn application_event(
        &self,
        application_id: &str,
        event: &ApplicationEvent,
    ) -> Result<ApplicationEventApplied, CallError> {
        let path = format!("/case/v1/applications/{application_id}/events");
        self.http.json(Method::POST, &path, Some(event)).await
    }
}
