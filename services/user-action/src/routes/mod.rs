//! The CAM operations: a module per resource, a handler per operation, and
//! what they share.

pub mod actions;
pub mod documents;
pub mod prospect;

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
use sha2::Digest;
use std::time::Duration;

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

/// The header that makes a create idempotent.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// How long a repeat waits for the first request with its key to finish.
const IDEMPOTENCY_WAIT: Duration = Duration::from_secs(10);

/// Runs `work` once per `Idempotency-Key` (when the request has one): a
/// repeat, even a concurrent one, gets the first request's answer. A failed
/// request releases its key so that a retry does the work.
pub async fn once<F, Fut>(
    state: &State,
    req: &HttpRequest,
    caller: &Caller,
    operation: &'static str,
    body: &[u8],
    work: F,
) -> Result<Map<String, Value>, CamError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Map<String, Value>, CamError>>,
{
    let Some(key) = req.headers().get(IDEMPOTENCY_HEADER) else {
        return work().await;
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            CamError::invalid(IDEMPOTENCY_HEADER, "must be 1 to 255 visible characters")
        })?
        .to_owned();
    let fingerprint = hex::encode(sha2::Sha256::digest(body));
    let started = std::time::Instant::now();
    loop {
        let (owner, k, f) = (caller.subject.clone(), key.clone(), fingerprint.clone());
        let (claim, stored) = state
            .db(move |conn| store::idempotency::claim(conn, &owner, operation, &k, &f))
            .await?;
        if stored != fingerprint {
            return Err(CamError::new(
                Code::IdempotencyMismatch,
                StatusCode::CONFLICT,
                format!("{IDEMPOTENCY_HEADER}: was used for a different request"),
            ));
        }
        match claim {
            store::idempotency::Claim::Fresh => break,
            store::idempotency::Claim::Done(answer) => {
                return serde_json::from_str(&answer).map_err(CamError::internal);
            }
            store::idempotency::Claim::Running if started.elapsed() < IDEMPOTENCY_WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            store::idempotency::Claim::Running => {
                return Err(CamError::new(
                    Code::IdempotencyInProgress,
                    StatusCode::CONFLICT,
                    format!(
                        "{IDEMPOTENCY_HEADER}: a request with this key is still being processed"
                    ),
                ));
            }
        }
    }
    let (owner, k) = (caller.subject.clone(), key.clone());
    match work().await {
        Ok(answer) => {
            let text = serde_json::to_string(&answer).map_err(CamError::internal)?;
            state
                .db(move |conn| store::idempotency::complete(conn, &owner, operation, &k, &text))
                .await?;
            Ok(answer)
        }
        Err(e) => {
            if let Err(release) = state
                .db(move |conn| store::idempotency::release(conn, &owner, operation, &k))
                .await
            {
                tracing::warn!(error = %release, "could not release an idempotency key");
            }
            Err(e)
        }
    }
}

/// Any other path under the CAM prefix.
pub async fn no_operation() -> Result<HttpResponse, CamError> {
    Err(CamError::new(
        Code::OperationNotFound,
        StatusCode::NOT_FOUND,
        "operation: no such operation",
    ))
}
