//! Who is calling: the bearer token (JWT) every ECM operation requires,
//! verified with the chassis's [`TokenVerifier`], and what its roles allow;
//! or, on the acting scope alone (`/case/v1/ecm/...`, internal credential
//! required), the case worker a peer service (the console) acts for, as its
//! `X-Acting-Subject` and `X-Acting-Roles` headers name them.

use crate::error::EcmError;
use crate::wire::values::check_subject;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use service_kit::auth::TokenVerifier;
use service_kit::limit::Client;
use service_kit::{FieldError, ProblemError};
use std::future::{ready, Ready};

/// The role that allows reading cases.
pub const READ_ROLE: &str = "case:read";
/// The role that allows changing cases (and reading them).
pub const WRITE_ROLE: &str = "case:write";
/// Every role case-service knows.
pub const ROLES: [&str; 2] = [READ_ROLE, WRITE_ROLE];

/// The header naming the case worker a peer acts for.
pub const ACTING_SUBJECT: &str = "X-Acting-Subject";
/// The header listing that case worker's roles, comma-separated.
pub const ACTING_ROLES: &str = "X-Acting-Roles";

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

/// App data marking the acting scope: there, and only there, the caller is
/// the acting case worker the [`acting`] middleware read; a bearer token
/// counts for nothing.
#[derive(Debug, Clone, Copy)]
pub struct ActingScope;

/// The acting case worker, as the [`acting`] middleware keeps it in the
/// request: a type of its own, so that nothing else can pass for it.
#[derive(Debug, Clone)]
struct Acting(Caller);

impl FromRequest for Caller {
    type Error = EcmError;
    type Future = Ready<Result<Self, EcmError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if req.app_data::<web::Data<ActingScope>>().is_some() {
            let acting = req.extensions().get::<Acting>().map(|a| a.0.clone());
            return ready(acting.ok_or(EcmError::Unauthorized));
        }
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

/// Middleware of the acting scope, inside the internal credential's: reads
/// the case worker the peer acts for from `X-Acting-Subject` (1 to 200
/// printable characters) and `X-Acting-Roles` (a comma-separated list of
/// known roles), and refuses (400, problem+json naming the header) a
/// request without them or with bad ones, before any operation runs.
pub async fn acting<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    match acting_caller(req.request()) {
        Ok(caller) => {
            req.extensions_mut().insert(Acting(caller));
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        Err(error) => Ok(req
            .error_response(ProblemError::from(vec![error]))
            .map_into_right_body()),
    }
}

fn acting_caller(req: &HttpRequest) -> Result<Caller, FieldError> {
    let header = |name: &'static str| match req.headers().get(name) {
        None => Err(FieldError::new(name, "is required")),
        Some(value) => value
            .to_str()
            .map_err(|_| FieldError::new(name, "must be printable ASCII characters")),
    };
    let subject = header(ACTING_SUBJECT)?;
    check_subject(subject).map_err(|why| FieldError::new(ACTING_SUBJECT, why))?;
    let roles = header(ACTING_ROLES)?
        .split(',')
        .map(str::trim)
        .map(|role| {
            ROLES
                .contains(&role)
                .then(|| role.to_owned())
                .ok_or_else(|| {
                    FieldError::new(
                        ACTING_ROLES,
                        format!("must be a comma-separated list of {}", ROLES.join(", ")),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Caller {
        subject: subject.to_owned(),
        roles,
    })
}
