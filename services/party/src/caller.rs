//! Who may call party-service: a peer service presenting the internal
//! credential. There is no per-caller identity: every peer may do anything.

/// The authenticated caller of a party operation: a peer service. Each
/// handler names it in its signature, so that who may call is stated where
/// the operation is; the scope's middleware has already refused a stranger
/// (401) before routing, so that one learns nothing of which paths exist.
pub type Caller = service_kit::auth::InternalPeer;
