//! The CAM operations: a module per resource, a handler per operation, and
//! what they share.

pub mod actions;
pub mod documents;
mod idempotency;
pub mod prospect;

pub use idempotency::once;

use crate::auth::{authenticate, Apps, Caller};
use crate::catalog::Catalog;
use crate::error::{CamError, Code};
use crate::rows::{ApplicantRow, ApplicationRow};
use crate::store;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use clients::{DocumentClient, PartyClient};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use service_kit::auth::TokenVerifier;
use service_kit::body::{is_json, parse_json_object, read_limited, DEFAULT_JSON_LIMIT};
use service_kit::{Database, InputError};

/// The base path of the CAM operations.
pub const BASE: &str = "/services/data/v1/CustomerActionsManagement/operations";

/// What the handlers share.
pub struct State {
    /// The service's database.
    pub db: Database,
    /// The action catalog.
    pub catalog: Catalog,
    /// The registered apps.
    pub apps: Apps,
    /// Verifies end-user tokens.
    pub tokens: TokenVerifier,
    /// party-service.
    pub party: PartyClient,
    /// document-service.
    pub documents: DocumentClient,
    /// The largest uploadDocument body.
    pub upload_limit: usize,
    /// The role that may review actions.
    pub reviewer_role: String,
    /// Rendered getUserActions answers.
    pub listings: crate::listing::Listings,
}

impl State {
    /// Authenticates the request.
    pub fn caller(&self, req: &HttpRequest) -> Result<Caller, CamError> {
        authenticate(req, &self.apps, &self.tokens)
    }

    /// Runs a database unit of work.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut service_kit::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
    ) -> Result<T, CamError> {
        self.db
            .run(move |conn| work(conn).map_err(service_kit::ProblemError::from))
            .await
            .map_err(CamError::from)
    }

    /// Runs a read of a row or two by index ([`Database::run_short_read`]).
    pub async fn short_read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut service_kit::DbConnection) -> diesel::QueryResult<T> + Send + 'static,
    ) -> Result<T, CamError> {
        self.db
            .run_short_read(move |conn| work(conn).map_err(service_kit::ProblemError::from))
            .await
            .map_err(CamError::from)
    }

    /// The caller's application (`id`, or their latest) and its applicants.
    pub async fn application_of(
        &self,
        caller: &Caller,
        id: Option<String>,
    ) -> Result<(ApplicationRow, Vec<ApplicantRow>), CamError> {
        let owner = caller.subject.clone();
        let found = self
            .db(move |conn| {
                let Some(application) = store::applications::of_owner(conn, &owner, id.as_deref())?
                else {
                    return Ok(None);
                };
                let applicants = store::applications::applicants_of(conn, &application.id)?;
                Ok(Some((application, applicants)))
            })
            .await?;
        found.ok_or_else(CamError::no_application)
    }
}

/// Reads a JSON object body of at most `limit` bytes.
pub async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(T, Vec<u8>), CamError> {
    if !is_json(req) {
        return Err(InputError::UnsupportedMediaType {
            expected: "application/json",
        }
        .into());
    }
    let bytes = read_limited(req, payload, limit).await?;
    let parsed = parse_json_object(&bytes)?;
    Ok((parsed, bytes.to_vec()))
}

/// Reads a small JSON object body.
pub async fn small_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(T, Vec<u8>), CamError> {
    json_body(req, payload, DEFAULT_JSON_LIMIT).await
}

/// A success in the Fabric envelope: `fields` plus `opstatus` 0 and
/// `httpStatusCode` 200.
pub fn ok(mut fields: Map<String, Value>) -> HttpResponse {
    fields.insert("opstatus".into(), Value::from(0));
    fields.insert("httpStatusCode".into(), Value::from(200));
    HttpResponse::Ok().json(fields)
}

/// Any other path under the CAM prefix.
pub async fn no_operation() -> Result<HttpResponse, CamError> {
    Err(CamError::new(
        Code::OperationNotFound,
        StatusCode::NOT_FOUND,
        "operation: no such operation",
    ))
}
