//! A sign-in under way through the OpenID provider.

use crate::schema::console_logins;
use diesel::prelude::*;

/// One sign-in between the redirect to the provider and the browser's
/// return. Neither the state nor the PKCE verifier is stored as sent.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = console_logins, treat_none_as_default_value = false)]
pub struct LoginRow {
    /// Hex SHA-256 of the state.
    pub state_hash: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE S256 challenge (the verifier is in the binding cookie).
    pub challenge: String,
    /// Where the analyst goes once signed in (a path under `/console/`).
    pub return_to: String,
    /// When the sign-in began.
    pub created_at: String,
}
