//! Failures that are not the caller's fault, told apart in one place: a
//! dependency unavailable (the database, a peer: worth a retry, a 503) or
//! our own fault (a 500).
//!
//! Every store error and every API's error type converts from [`Failure`],
//! so a lost database connection gets the same answer on every route of
//! every service, each in its API's own envelope.

/// A unit of work that failed through no fault of the caller's.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// A dependency is unavailable: the caller may retry later.
    #[error("unavailable: {0:#}")]
    Unavailable(anyhow::Error),
    /// Our own fault.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl Failure {
    /// Our own fault, for `cause`.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self::Internal(cause.into())
    }

    /// A dependency unavailable, for `cause`.
    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(cause.into())
    }

    /// The same failure again, for another waiter on the same work: of the
    /// same kind, with the same message.
    pub(crate) fn copy(&self) -> Self {
        match self {
            Self::Unavailable(e) => Self::Unavailable(anyhow::anyhow!("{e:#}")),
            Self::Internal(e) => Self::Internal(anyhow::anyhow!("{e:#}")),
        }
    }
}

impl From<diesel::result::Error> for Failure {
    /// A lost database connection is the database being unavailable (a
    /// retry may succeed); any other database error is ours.
    fn from(e: diesel::result::Error) -> Self {
        if is_connection_lost(&e) {
            Self::Unavailable(e.into())
        } else {
            Self::Internal(e.into())
        }
    }
}

/// Whether `e` is the connection to the database being lost (closed, cut
/// by a server shutting down or restarting) rather than a statement failing.
pub fn is_connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _) => true,
        // PostgreSQL's admin_shutdown and crash_shutdown (57P01, 57P02):
        // diesel reports them as Unknown, so they are told by their message.
        Error::DatabaseError(_, info) => info.message().starts_with("terminating connection"),
        _ => false,
    }
}
