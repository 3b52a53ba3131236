//! Who is calling: the bearer token (JWT) every ECM operation requires,
//! verified with the chassis's [`TokenVerifier`], and what its roles allow.

use crate::error::EcmError;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use service_kit::auth::TokenVerifier;
use service_kit::limit::Client;
use std::future::{ready, Ready};

/// The role that allows reading cases.
pub const READ_ROLE: &str = "case:read";
/// The role that allows changing cases (and reading them).
pub const WRITE_ROLE: &str = "case:write";

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading: `case:read` or `case:write`.
    Read,
    /// Changing: `case:write`.
    Write,
}

/// The verified caller of an ECM operation.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's subject: recorded as the actor of every change.
    pub subject: String,
    roles: Vec<String>,
}

impl Caller {
    /// Refuses (403) a caller whose roles do not give `access`.
    pub fn require(&self, access: Access) -> Result<&Self, EcmError> {
        let has = |role: &str| self.roles.iter().any(|r| r == role);
        let allowed = match access {
            Access::Read => has(READ_ROLE) || has(WRITE_ROLE),
            Access::Write => has(WRITE_ROLE),
        };
        if allowed {
            Ok(self)
        } else {
            Err(EcmError::Forbidden)
        }
    }
}

impl FromRequest for Caller {
    type Error = EcmError;
    type Future = Ready<Result<Self, EcmError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(caller) = req.extensions().get::<Caller>() {
            return ready(Ok(caller.clone()));
        }
        let verifier = req
            .app_data::<web::Data<TokenVerifier>>()
            .ok_or_else(|| EcmError::Internal(anyhow::anyhow!("no token verifier registered")));
        ready(verifier.and_then(|verifier| caller(req, verifier)))
    }
}

/// The client a request proves to be, for rate limiting: the bearer token's
/// subject. The token is verified here, before the handler, and the caller
/// kept in the request so that it is verified once.
pub fn rate_limit_client(req: &ServiceRequest, verifier: &TokenVerifier) -> Option<Client> {
    let caller = caller(req.request(), verifier).ok()?;
    let client = Client::Subject(caller.subject.clone());
    req.extensions_mut().insert(caller);
    Some(client)
}

fn caller(req: &HttpRequest, verifier: &TokenVerifier) -> Result<Caller, EcmError> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or(EcmError::Unauthorized)?;
    let claims = verifier.verify(token).map_err(|_| EcmError::Unauthorized)?;
    Ok(Caller {
        subject: claims.sub,
        roles: claims.roles,
    })
}
