//! Typed clients of the internal services. Each wraps the chassis's
//! [`InternalClient`](service_kit::client::InternalClient) (credential,
//! timeouts, retries, request id) and speaks the wire types of `domain`.

mod document;
mod party;

pub use document::{DocumentClient, NewDocument, Refusal, StoreError};
pub use party::PartyClient;
pub use service_kit::client::CallError;

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
