//! A signed-in session's row.

use crate::schema::console_sessions;
use diesel::prelude::*;

/// One session: who signed in, with which roles, until when. The token
/// itself is never stored, only its hash (`id_hash`).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = console_sessions, treat_none_as_default_value = false)]
pub struct SessionRow {
    /// Hex SHA-256 of the session cookie's token.
    pub id_hash: String,
    /// Who signed in.
    pub subject: String,
    /// The name the pages show.
    pub display_name: String,
    /// The roles, space-separated.
    pub roles: String,
    /// The synchronizer token every state-changing form carries.
    pub csrf_token: String,
    /// When the session began.
    pub created_at: String,
    /// When it was last seen (written at most once a minute).
    pub last_seen_at: String,
    /// When it ends unless seen again.
    pub idle_expires_at: String,
    /// When it ends however busy it is.
    pub absolute_expires_at: String,
}

impl SessionRow {
    /// The roles, one by one.
    pub fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.split_whitespace()
    }
}
