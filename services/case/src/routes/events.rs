//! Real-time events (ECM guide 4.1-4.3): `saveEvents`,
//! `saveEventsAndPromoteToCase` and `saveEventsAndExtendToCase`, served
//! under `/rest-api/CMRestService/RealTimeCaseCreationService/` and the
//! guide's `/restapi/...` spelling. Each request is all or nothing.

use super::body::{parse_part, read_body};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::{Casing, EcmError, RealTimeError, EVENT_EXISTS, NO_EVENTS};
use crate::realtime::{Batch, Operation};
use crate::store::audit::Change;
use crate::store::events::{self, Saved, Target};
use crate::wire::envelope::{Status, NO_SUCH_CASE};
use crate::wire::events::{
    CasesOfEventsResponse, EventsRequest, PromotedCase, SavedResponse, SuppressedEvent,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use service_kit::body::parse_value;

/// `saveEvents`' success.
pub const SAVED: &str = "Event(s) saved successfully.";
/// `saveEventsAndPromoteToCase`'s success.
pub const PROMOTED: &str = "Event(s) saved and promoted to case successfully.";
/// `saveEventsAndExtendToCase`'s success.
pub const EXTENDED: &str = "Event(s) saved and extended to case successfully.";
/// A promotion whose every event a suppression rule matched.
pub const ALL_SUPPRESSED: &str =
    "Event(s) saved successfully. Event(s) suppressed, not promoted to case.";
/// Extending a closed case.
pub const CASE_CLOSED: &str = "Case is closed.";

/// Create events.
///
/// The appendix C body: `events`, each with its `entities` and `details`,
/// and the top-level `entities` that describe the customers. The events
/// are saved without a case.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/RealTimeCaseCreationService/saveEvents", tag = "ECM",
    request_body(content = EventsRequest, description = "The events (appendix C); no caseId"),
    responses(
        (status = 200, description = "Every event saved", body = SavedResponse),
        crate::wire::envelope::ChangeRefusals,
        (status = 500, description = "The vendor's real-time failures: the body is not the documented shape (\"Invalid JSON Input format. Please correct the data.\"), has no events (\"Input JSON data does not have events array.\"), a field is invalid (the message names it), an eventCode was seen before (\"Event lookup entry already exists.\"); or an internal error. Nothing is saved.", body = crate::wire::envelope::Envelope),
    )
)]
pub async fn save_events(
    req: HttpRequest,
    payload: web::Payload,
    caller: Result<Caller, EcmError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, RealTimeError> {
    let casing = Casing::Upper;
    let (batch, change) = read(&req, payload, caller, &state, Operation::Save, casing).await?;
    let ids = event_ids(&batch);
    run(&state, batch, Target::Nowhere, change, casing).await?;
    tracing::info!(events = ids.split(',').count(), "events saved");
    Ok(HttpResponse::Ok().json(SavedResponse {
        message: SAVED.to_owned(),
        status: Status::Success,
        event_ids: ids,
    }))
}

/// Create events and promote them to cases.
///
/// The appendix C body. One case is opened per distinct focus customer
/// (the event entity with `focusFlag: "Y"`), of the events' `type`, with
/// priority Low and due `CASE_DUE_DAYS` days later; the customers the
/// events name become its customers. An event that an approved, unexpired
/// suppression rule matches (same focus customer, a detail's scenarioName
/// the rule's) is saved but not promoted, and listed in `suppressedEvents`.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndPromoteToCase", tag = "ECM",
    request_body(content = EventsRequest, description = "The events (appendix C); no caseId"),
    responses(
        (status = 200, description = "Every event saved; the cases opened", body = CasesOfEventsResponse),
        crate::wire::envelope::ChangeRefusals,
        (status = 500, description = "The vendor's real-time failures, in lower case: the body is not the documented shape, has no events, a field is invalid (named), an event has no single focus customer, an eventCode was seen before (\"Event lookup entry already exists.\"); or an internal error. Nothing is saved.", body = crate::wire::events::LowerEnvelope),
    )
)]
pub async fn promote(
    req: HttpRequest,
    payload: web::Payload,
    caller: Result<Caller, EcmError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, RealTimeError> {
    let casing = Casing::Lower;
    let (batch, change) = read(&req, payload, caller, &state, Operation::Promote, casing).await?;
    let ids = event_ids(&batch);
    let now = chrono::Utc::now().date_naive();
    let target = Target::NewCases {
        due_date: (now + chrono::Days::new(u64::from(state.due_days))).to_string(),
        today: now.to_string(),
    };
    let (cases, suppressed) = run(&state, batch, target, change, casing).await?;
    let message = if cases.is_empty() {
        ALL_SUPPRESSED
    } else {
        PROMOTED
    };
    tracing::info!(
        cases = cases.len(),
        suppressed = suppressed.len(),
        "events promoted"
    );
    Ok(HttpResponse::Ok().json(answer(message, ids, cases, suppressed)))
}

/// Create events and extend an existing case with them.
///
/// The appendix C body with a top-level `caseId`: the events join that
/// case, and the customers they name that are not on it yet are added.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/RealTimeCaseCreationService/saveEventsAndExtendToCase", tag = "ECM",
    request_body(content = EventsRequest, description = "The events (appendix C) and the caseId"),
    responses(
        (status = 200, description = "Every event saved and attached to the case", body = CasesOfEventsResponse),
        crate::wire::envelope::ChangeRefusals,
        (status = 500, description = "The vendor's real-time failures, in lower case: as promote's, and \"Input JSON data does not have caseId.\", \"Case does not exist.\", \"Case is closed.\". Nothing is saved.", body = crate::wire::events::LowerEnvelope),
    )
)]
pub async fn extend(
    req: HttpRequest,
    payload: web::Payload,
    caller: Result<Caller, EcmError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, RealTimeError> {
    let casing = Casing::Lower;
    let (batch, change) = read(&req, payload, caller, &state, Operation::Extend, casing).await?;
    let ids = event_ids(&batch);
    let case_id = batch.case_id.clone().unwrap_or_default();
    let (cases, _) = run(&state, batch, Target::Case(case_id), change, casing).await?;
    tracing::info!(events = ids.split(',').count(), "events extended to a case");
    Ok(HttpResponse::Ok().json(answer(EXTENDED, ids, cases, Vec::new())))
}

/// Checks the caller and reads the body into a checked batch.
async fn read(
    req: &HttpRequest,
    payload: web::Payload,
    caller: Result<Caller, EcmError>,
    state: &AppState,
    operation: Operation,
    casing: Casing,
) -> Result<(Batch, Change), RealTimeError> {
    let wrap = |error| RealTimeError { casing, error };
    let caller = caller.map_err(wrap)?;
    caller.require(Access::Write).map_err(wrap)?;
    let body = read_body(req, payload, state).await.map_err(wrap)?;
    let Ok(Value::Object(fields)) = parse_value(&body) else {
        return Err(wrap(EcmError::InvalidFormat));
    };
    match fields.get("events") {
        Some(Value::Array(events)) if !events.is_empty() => {}
        _ => return Err(RealTimeError::refused(casing, NO_EVENTS)),
    }
    let request: EventsRequest = parse_part(&Value::Object(fields))
        .map_err(|message| RealTimeError::refused(casing, message))?;
    let batch = Batch::check(request, operation)
        .map_err(|message| RealTimeError::refused(casing, message))?;
    Ok((batch, Change::now(&caller.subject)))
}

/// Saves the batch; the cases and the suppressed events, or the refusal.
async fn run(
    state: &AppState,
    batch: Batch,
    target: Target,
    change: Change,
    casing: Casing,
) -> Result<(Vec<(String, Vec<String>)>, Vec<(String, i64)>), RealTimeError> {
    let keyring = state.keyring.clone();
    let saved = state
        .db
        .run(move |conn| Ok::<_, EcmError>(events::save(conn, &keyring, &batch, &target, &change)?))
        .await
        .map_err(|error| RealTimeError { casing, error })?;
    match saved {
        Saved::Done { cases, suppressed } => Ok((cases, suppressed)),
        Saved::EventExists => Err(RealTimeError::refused(casing, EVENT_EXISTS)),
        Saved::NoSuchCase => Err(RealTimeError::refused(casing, NO_SUCH_CASE)),
        Saved::CaseClosed => Err(RealTimeError::refused(casing, CASE_CLOSED)),
        Saved::CaseLocked(locked) => Err(RealTimeError::refused(
            casing,
            crate::wire::envelope::locked_by(&locked.holder),
        )),
    }
}

/// The event codes of a batch, comma-separated, in request order.
fn event_ids(batch: &Batch) -> String {
    batch
        .events
        .iter()
        .map(|e| e.event_code.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn answer(
    message: &str,
    event_ids: String,
    cases: Vec<(String, Vec<String>)>,
    suppressed: Vec<(String, i64)>,
) -> CasesOfEventsResponse {
    CasesOfEventsResponse {
        message: message.to_owned(),
        status: Status::Success,
        event_ids,
        cases: cases
            .into_iter()
            .map(|(case_id, event_codes)| PromotedCase {
                case_id,
                event_codes,
            })
            .collect(),
        suppressed: suppressed
            .into_iter()
            .map(|(event_code, rule)| SuppressedEvent {
                event_code,
                sup_code: crate::rows::events::sup_code(rule),
            })
            .collect(),
    }
}
