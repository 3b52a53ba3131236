//! The party-service client.

use crate::absent_on_404;
use domain::party::{Party, PartyInput};
use domain::PartyId;
use reqwest::Method;
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;

/// A client of party-service.
#[derive(Clone, Debug)]
pub struct PartyClient {
    http: InternalClient,
}

impl PartyClient {
    /// A client of party-service at `base_url` (from `PARTY_SERVICE_URL`, or
    /// this process when unset).
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, "party-service", base_url),
        }
    }

    /// Reads a party; `None` when there is no such party.
    pub async fn get(&self, id: &str) -> Result<Option<Party>, CallError> {
        absent_on_404(self.http.get_json(&format!("/party/v1/parties/{id}")).await)
    }

    /// Creates a party under `id`, which the caller chose (and recorded)
    /// so that it can delete the party even when the answer is lost: a
    /// failed create must be followed by [`delete`](Self::delete). Not
    /// retried by the client, so a 409 (the id is taken, or was deleted)
    /// never means the party was made by this call.
    pub async fn create(&self, id: &PartyId, input: &PartyInput) -> Result<Party, CallError> {
        self.http
            .json_with(
                Method::POST,
                "/party/v1/parties",
                &[("X-Party-Id", id.as_str())],
                Some(input),
            )
            .await
    }

    /// Deletes a party; `false` when there was none.
    pub async fn delete(&self, id: &str) -> Result<bool, CallError> {
        let path = format!("/party/v1/parties/{id}");
        absent_on_404(self.http.send(Method::DELETE, &path, None).await).map(|r| r.is_some())
    }

    /// Applies a JSON merge patch to a party.
    pub async fn update(&self, id: &str, patch: &serde_json::Value) -> Result<Party, CallError> {
        self.http
            .json(
                Method::PATCH,
                &format!("/party/v1/parties/{id}"),
                Some(patch),
            )
            .await
    }
}
