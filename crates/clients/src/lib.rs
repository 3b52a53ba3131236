//! Typed clients of the internal services. Each wraps the chassis's
//! [`InternalClient`](service_kit::client::InternalClient) (credential,
//! timeouts, retries, request id) and speaks the wire types of `domain`.

mod party;

pub use party::PartyClient;
pub use service_kit::client::CallError;
