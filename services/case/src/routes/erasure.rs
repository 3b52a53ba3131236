//! Erasing a customer's personal data from every case and event, and an
//! application's values from its case, internal APIs (internal credential;
//! issue 17, "Retention and erasure"): user-action's retention purge calls
//! the first for each party of an application it erases, then the second.
//! The same store functions `onboarding erase` runs.

use super::AppState;
use crate::store::{application_erasure, erasure};
use crate::wire::erasure::ErasureRequest;
use crate::wire::values::Id;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::erasure::{ApplicationErasure, CustomerErasure};
use service_kit::auth::InternalPeer;
use service_kit::body::{read_json, DEFAULT_JSON_LIMIT};
use service_kit::error::Problem;
use service_kit::{InputError, ProblemError};

/// Erase a customer.
///
/// Replaces the customer's personal fields on every case it is on with the
/// tombstone `[erased]` (names) or nothing (every other personal field and
/// list), and its audit values and the names of the event entities naming
/// it likewise; records `customerErased` by `actor` on each case changed.
/// Idempotent: a customer already erased, or on no case, answers zeros.
#[utoipa::path(
    post, path = "/case/v1/customers/{customerId}/erasure", tag = "erasure (internal)",
    params(("customerId" = String, Path, description = "The customer (a party id for applicants)")),
    request_body = ErasureRequest,
    responses(
        (status = 200, description = "Erased (or nothing was left to erase): what changed", body = CustomerErasure,
         example = json!({"customers": 1, "auditValues": 2, "events": 1})),
        (status = 400, description = "The customer id or a field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; what was erased stays erased, and a retry finishes", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erase(
    _caller: InternalPeer,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let customer =
        Id::parse(&path.into_inner()).map_err(|why| InputError::field("customerId", why))?;
    let request: ErasureRequest = read_json(&req, payload, DEFAULT_JSON_LIMIT).await?;
    let (keyring, id) = (state.keyring.clone(), customer.as_str().to_owned());
    let erased = state
        .db
        .run(move |conn| {
            erasure::erase(conn, &keyring, &id, request.actor.as_str()).map_err(ProblemError::from)
        })
        .await?;
    let answer = CustomerErasure {
        customers: erased.customers,
        audit_values: erased.audit_values,
        events: erased.events,
    };
    // Ids and counts only: never a value that was erased.
    tracing::info!(customer_id = %customer.as_str(), customers = answer.customers,
        audit_values = answer.audit_values, events = answer.events, "customer erased");
    Ok(HttpResponse::Ok().json(answer))
}

/// Erase an application's values from its case.
///
/// The file names of the application's documents on its case's evidence,
/// the reviewers' comments on them (shown on the case, and sent back to
/// the applicant), and the messages of its requests for help (kept before
/// its case opened too) become the tombstone `[erased]`; the rows stay,
/// with their ids, types, sizes, SHA-256 and decisions. Records
/// `applicationErased` by `actor` on the case when anything changed.
/// Idempotent: an application erased before, or unknown here, answers
/// zeros. Its applicants are erased as customers, by the call above.
#[utoipa::path(
    post, path = "/case/v1/applications/{applicationId}/erasure", tag = "erasure (internal)",
    params(("applicationId" = String, Path, pattern = "^[A-Za-z0-9._:-]{1,60}$", description = "The application (user-action's `Application_id`): 1 to 60 letters, digits, '-', '_', '.' or ':'")),
    request_body = ErasureRequest,
    responses(
        (status = 200, description = "Erased (or nothing was left to erase): what changed", body = ApplicationErasure,
         example = json!({"fileNames": 2, "comments": 1, "requests": 1})),
        (status = 400, description = "The application id or a field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable; nothing was erased, a retry erases", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erase_application(
    _caller: InternalPeer,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let application_id = super::applications::application_id(path)?;
    let request: ErasureRequest = read_json(&req, payload, DEFAULT_JSON_LIMIT).await?;
    let (keyring, id) = (state.keyring.clone(), application_id.clone());
    let erased = state
        .db
        .run(move |conn| {
            application_erasure::erase(conn, &keyring, &id, request.actor.as_str())
                .map_err(ProblemError::from)
        })
        .await?;
    // Ids and counts only: never a value that was erased.
    tracing::info!(application_id = %application_id, file_names = erased.file_names,
        comments = erased.comments, requests = erased.requests, "application erased from its case");
    Ok(HttpResponse::Ok().json(erased))
}
