//! Typed clients of the internal services (party, document, case's and
//! user-action's internal APIs). Each wraps the chassis's
//! [`InternalClient`](service_kit::client::InternalClient) (credential,
//! timeouts, retries, request id) and speaks the wire types of `domain`.

mod case;
mod document;
pub mod ecm;
mod party;
mod user_action;

pub use case::CaseClient;
pub use document::{DocumentClient, NewDocument, Refusal, StoreError};
pub use ecm::{Acting, EcmClient, EcmError};
pub use party::PartyClient;
pub use service_kit::client::CallError;
pub use user_action::{ApplicationsQuery, UserActionClient};

/// The chassis's client of `service` at `base_url` (from its
/// `*_SERVICE_URL`), or this process when unset, with the configured
/// internal-call timeout and the internal credential.
pub(crate) fn peer(
    ctx: &service_kit::server::Context,
    service: &'static str,
    base_url: Option<&str>,
) -> service_kit::client::InternalClient {
    let base = base_url.unwrap_or(&ctx.self_url);
    let timeout = std::time::Duration::from_millis(ctx.config.internal_call_timeout_ms);
    service_kit::client::InternalClient::new(service, base, ctx.credential.clone(), timeout)
}

/// Reads a 404 from a peer as "there is none".
pub(crate) fn absent_on_404<T>(result: Result<T, CallError>) -> Result<Option<T>, CallError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(CallError::Status {
            status: reqwest::StatusCode::NOT_FOUND,
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}
