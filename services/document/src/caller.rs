//! Who may call document-service, and for whom: a peer service presenting
//! the internal credential, acting for the owner its headers name. Every
//! operation is scoped to that owner: another owner's document answers
//! exactly like one that does not exist.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use domain::document::Owner;
use service_kit::auth::InternalPeer;
use service_kit::{InputError, ProblemError};
use std::future::{ready, Ready};

/// The headers naming the owner.
pub const OWNER_SYSTEM_HEADER: &str = "X-Owner-System";
/// See [`OWNER_SYSTEM_HEADER`].
pub const OWNER_SUBJECT_HEADER: &str = "X-Owner-Subject";

/// The owner every operation is scoped to, as the API document shows it
/// (the handlers read the headers through [`Caller`]).
#[derive(utoipa::IntoParams)]
#[into_params(names("X-Owner-System", "X-Owner-Subject"), parameter_in = Header)]
#[allow(dead_code)]
// The pattern is what `owner_of` takes: printable ASCII (a header value
// that is not ASCII does not read as text), not only spaces.
pub struct OwnerHeaders(
    /// The owning system, for example `user-action`: 1 to 256 printable
    /// ASCII characters, not all spaces.
    #[param(min_length = 1, max_length = 256, pattern = "^[ -~]*[!-~][ -~]*$")]
    String,
    /// The subject within it, for example the end user's id: 1 to 256
    /// printable ASCII characters, not all spaces.
    #[param(min_length = 1, max_length = 256, pattern = "^[ -~]*[!-~][ -~]*$")]
    String,
);

/// The authenticated caller of a document operation: a peer service (it
/// presented the internal credential) acting for `owner`.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The owner the request acts for.
    pub owner: Owner,
}

impl FromRequest for Caller {
    type Error = ProblemError;
    type Future = Ready<Result<Self, ProblemError>>;

    /// The credential first (401), and only then the owner headers (400):
    /// a stranger is told nothing about what a request must carry. The
    /// scope's middleware has normally refused a stranger already; checking
    /// here as well makes the signature's promise hold on its own.
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let peer = InternalPeer::from_request(req, payload).into_inner();
        ready(peer.and_then(|_| {
            Ok(Caller {
                owner: owner_of(req)?,
            })
        }))
    }
}

/// The owner a request acts for.
fn owner_of(req: &HttpRequest) -> Result<Owner, ProblemError> {
    let header = |name: &'static str| -> Result<String, ProblemError> {
        let value = req
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .unwrap_or("");
        if value.is_empty() || value.len() > 256 || value.chars().any(char::is_control) {
            return Err(
                InputError::field(name, "must name the owner (1 to 256 characters)").into(),
            );
        }
        Ok(value.to_owned())
    };
    Ok(Owner {
        system: header(OWNER_SYSTEM_HEADER)?,
        subject: header(OWNER_SUBJECT_HEADER)?,
    })
}
