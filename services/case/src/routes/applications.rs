//! user-action's events about an application (SPEC §D), an internal API
//! (internal credential): a submission opens the application's KYC case,
//! a withdrawal closes it, requests for help and documents sent again
//! reach it. Each event is applied once, by its id; a repeat answers the
//! same and changes nothing.

use super::AppState;
use crate::business::{self, Lookup};
use crate::realtime::Batch;
use crate::store::audit::Change;
use crate::store::flow::{self, Applying};
use crate::wire::customer::Customer;
use crate::wire::events::Event;
use crate::wire::flow::{plain_id, violations};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::flow::{
    kinds, ApplicationEvent, ApplicationEventApplied, ApplicationEventData, Submission,
};
use serde_json::json;
use service_kit::auth::InternalPeer;
use service_kit::body::{is_json, parse_json, read_limited};
use service_kit::error::Problem;
use service_kit::{FieldError, InputError, ProblemError};
use std::collections::{BTreeMap, HashSet};

/// The longest application id: the event code of its case is
/// `APP-<applicationId>`, at most 64 characters.
pub const MAX_APPLICATION_ID: usize = 60;

/// Apply an event of an application.
///
/// user-action's outbox delivers each event of an application here, at
/// least once and in order. `application.submitted` opens the
/// application's case, of type `KYC`, through the same path as
/// `saveEventsAndPromoteToCase` (event code `APP-<applicationId>`, the
/// primary applicant its focus customer): its customers are the applicants
/// read from party-service (as `businessAdd: "Y"`), its evidence every
/// document, and it records the application (`applicationId` in
/// `getCaseDetails`); one case per application, also when deliveries
/// race. `application.withdrawn` closes the open case `WDN` (Closed –
/// Withdrawn). `rm.notified` keeps the request for the application's case
/// (shown once it is opened). `evidence.added` adds the documents to the
/// case's evidence, to be reviewed again. Each event is applied once by
/// its `id`: a repeat answers the same 200 and changes nothing.
#[utoipa::path(
    post, path = "/case/v1/applications/{applicationId}/events", tag = "application flow (internal)",
    params(("applicationId" = String, Path, pattern = "^[A-Za-z0-9._:-]{1,60}$", description = "The application (user-action's `Application_id`): 1 to 60 letters, digits, '-', '_', '.' or ':'")),
    request_body = ApplicationEvent,
    responses(
        (status = 200, description = "Applied, now or before: the application's case, once there is one", body = ApplicationEventApplied,
         example = json!({"caseId": "CA1000000001"})),
        (status = 400, description = "The application id or a field of the event is invalid (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is over `CASE_MAX_BODY_BYTES`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An applicant is not a party party-service knows (`unknown-applicant`, naming it); nothing was applied", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database or party-service is unavailable; nothing was applied, a retry applies it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn apply(
    _caller: InternalPeer,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let application_id = application_id(path)?;
    if !is_json(&req) {
        return Err(InputError::UnsupportedMediaType {
            expected: "application/json",
        }
        .into());
    }
    let body = read_limited(&req, payload, state.max_body).await?;
    let event: ApplicationEvent = parse_json(&body)?;
    let refused: Vec<FieldError> = violations(&event)
        .into_iter()
        .map(|(field, why)| FieldError::new(field, why))
        .collect();
    if !refused.is_empty() {
        return Err(refused.into());
    }
    let kind = kind_of(&event.data);
    // A repeat is answered before party-service is asked anything.
    let (id, application) = (event.id.clone(), application_id.clone());
    let earlier = state
        .db
        .run(move |conn| {
            Ok::<_, ProblemError>(if flow::applied(conn, &id)? {
                Some(flow::case_of(conn, &application)?.map(|(case_id, _)| case_id))
            } else {
                None
            })
        })
        .await?;
    let repeat = earlier.is_some();
    let case_id = match earlier {
        Some(case_id) => case_id,
        None => apply_once(&state, &application_id, event.clone(), kind).await?,
    };
    // Ids only: the request id is the span's, so one search follows the
    // application from its submission to its case.
    tracing::info!(
        application_id = %application_id, event_id = %event.id, kind,
        case_id = case_id.as_deref().unwrap_or("none"), repeat,
        "application event applied"
    );
    Ok(HttpResponse::Ok().json(ApplicationEventApplied { case_id }))
}

/// The path's application id, checked: a refusal names `applicationId`.
pub fn application_id(path: web::Path<String>) -> Result<String, InputError> {
    let id = path.into_inner();
    if plain_id(&id, MAX_APPLICATION_ID) {
        Ok(id)
    } else {
        Err(InputError::field(
            "applicationId",
            "must be 1 to 60 letters, digits, '-', '_', '.' or ':'",
        ))
    }
}

/// The kind of an event's data.
fn kind_of(data: &ApplicationEventData) -> &'static str {
    match data {
        ApplicationEventData::Submitted(_) => kinds::APPLICATION_SUBMITTED,
        ApplicationEventData::Withdrawn {} => kinds::APPLICATION_WITHDRAWN,
        ApplicationEventData::RmNotified(_) => kinds::RM_NOTIFIED,
        ApplicationEventData::EvidenceAdded { .. } => kinds::EVIDENCE_ADDED,
    }
}

/// Applies `event` once (a delivery racing this one may have first); the
/// application's case after it.
async fn apply_once(
    state: &AppState,
    application_id: &str,
    event: ApplicationEvent,
    kind: &'static str,
) -> Result<Option<String>, ProblemError> {
    let change = Change::now(flow::ACTOR);
    let keyring = state.keyring.clone();
    let application_id = application_id.to_owned();
    let opening = match &event.data {
        ApplicationEventData::Submitted(submission) => {
            let due =
                chrono::Utc::now().date_naive() + chrono::Days::new(u64::from(state.due_days));
            Some((
                applicants(state, &application_id, submission).await?,
                due.to_string(),
            ))
        }
        _ => None,
    };
    let case_id = state
        .db
        .run(move |conn| {
            let applying = Applying {
                id: &event.id,
                kind,
                application_id: &application_id,
            };
            let case_id = match (&event.data, opening) {
                (ApplicationEventData::Submitted(submission), Some((batch, due))) => {
                    flow::submit(conn, &keyring, applying, submission, &batch, &due, &change)?
                }
                (ApplicationEventData::Withdrawn {}, _) => flow::withdraw(conn, applying, &change)?,
                (ApplicationEventData::RmNotified(request), _) => {
                    flow::notify_rm(conn, &keyring, applying, request, &change)?
                }
                (ApplicationEventData::EvidenceAdded { documents }, _) => {
                    flow::add_evidence(conn, &keyring, applying, documents, &change)?
                }
                (ApplicationEventData::Submitted(_), None) => None,
            };
            Ok::<_, ProblemError>(case_id)
        })
        .await?;
    state.outbox.wake();
    Ok(case_id)
}

/// The promotion that opens the application's case: one event, of code
/// `APP-<applicationId>` and type `KYC`, naming each applicant (the
/// primary one, first, its focus), each a customer filled from its party.
async fn applicants(
    state: &AppState,
    application_id: &str,
    submission: &Submission,
) -> Result<Batch, ProblemError> {
    let mut seen = HashSet::new();
    let ids: Vec<String> = submission
        .applicants
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect();
    let found = business::look_up(&state.party, ids.clone()).await;
    let mut customers = BTreeMap::new();
    for id in &ids {
        let party = match found.get(id) {
            Some(Lookup::Found(party)) => party,
            Some(Lookup::Unavailable) => {
                return Err(ProblemError::Unavailable(anyhow::anyhow!(
                    "party-service could not be asked for the applicants"
                )))
            }
            Some(Lookup::Unknown) | None => {
                return Err(ProblemError::Rule {
                    rule: "unknown-applicant",
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    field: "data.applicants",
                    message: format!("party {id} does not exist in party-service"),
                })
            }
        };
        let mut customer: Customer =
            serde_json::from_value(json!({"customerId": id, "businessAdd": "Y"}))
                .map_err(|e| ProblemError::Internal(e.into()))?;
        business::fill_from(&mut customer, party);
        customers.insert(id.clone(), customer);
    }
    let entities: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({"entityType": "CUSTOMER", "entityTypeCode": "ECM_CUSTOMER",
                   "focusFlag": if i == 0 { "Y" } else { "N" }, "custId": id})
        })
        .collect();
    let application_event: Event = serde_json::from_value(json!({
        "eventCode": flow::event_code(application_id),
        "type": "KYC", "dataOrigin": "CAM", "entities": entities
    }))
    .map_err(|e| ProblemError::Internal(e.into()))?;
    Ok(Batch {
        events: vec![application_event],
        customers,
        entities: BTreeMap::new(),
        case_id: None,
    })
}
