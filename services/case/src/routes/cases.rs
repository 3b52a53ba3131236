//! The cases resource: `getCaseStatusDetails` (ECM guide 4.7), and ours in
//! the ECM family's shape until the vendor's event APIs exist: `createCase`,
//! `updateCaseStatus`, `getCaseDetails` (a case with its customers) and
//! `getCustomerCases` (the cases that include a customer). Each read is a
//! page of at most 100, keyset-paginated by an indexed key.

use super::body::{invalid, items, page_request, page_request_with, parse_part, Item};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::rows::{ecm_time, CaseRow};
use crate::status;
use crate::store::audit::Change;
use crate::store::{cases, customers, events, records};
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::cases::{
    CaseDetailsResponse, CaseStatusResponse, CaseStatusResult, CaseSummary, CustomerCasesResponse,
    NewCase, StatusChange,
};
use crate::wire::envelope::{
    http_status, rollup, Envelope, Messages, Outcome, Status, NO_SUCH_CASE,
};
use crate::wire::values::Text;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::YesNo;
use serde_json::Value;

/// The roll-up messages of `createCase`.
pub const CREATION: Messages = Messages {
    success: "Cases creation was successful.",
    partial: "Cases creation was partially successful.",
    failed: "Cases creation failed.",
};

/// The roll-up messages of `updateCaseStatus`.
pub const STATUS_UPDATE: Messages = Messages {
    success: "Case status update was successful.",
    partial: "Case status update was partially successful.",
    failed: "Case status update failed.",
};

/// Each item's id as sent, and the item parsed as `T` (or why not).
fn parsed<T: serde::de::DeserializeOwned>(items: Vec<Item>) -> Vec<(String, Result<T, String>)> {
    items
        .into_iter()
        .map(|item| {
            let value = parse_part(&Value::Object(item.fields));
            (item.case_id, value)
        })
        .collect()
}

/// Create cases (ours: the vendor creates cases from events).
///
/// An array of `{caseId, caseTypeCode, caseDescription}`. A case starts in
/// status `NW` (New); its creation is the first entry of its audit trail.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/createCase", tag = "ECM (ours)",
    request_body(content = Vec<NewCase>, description = "The cases to create"),
    responses(
        (status = 200, description = "Every case created (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn create_case(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let items = items(
        &req,
        payload,
        &state,
        &["caseId", "caseTypeCode", "caseDescription"],
    )
    .await?;
    let cases = parsed::<NewCase>(items);
    let change = Change::now(&caller.subject);
    let outcomes = state
        .db
        .run(move |conn| {
            let mut outcomes = Vec::with_capacity(cases.len());
            for (case_id, new) in cases {
                let outcome = match new {
                    Err(message) => Outcome::refused(message),
                    Ok(new) => {
                        let row = CaseRow {
                            case_id: new.case_id.to_string(),
                            case_type_code: new.case_type_code.map(Text::into_string),
                            case_description: new.case_description.map(Text::into_string),
                            case_status_code: status::INITIAL.code.to_owned(),
                            status_changed_at: change.at.clone(),
                            created_at: change.at.clone(),
                            created_by: change.actor.clone(),
                            priority: None,
                            due_date: None,
                        };
                        if cases::insert(conn, &row, &change)? {
                            Outcome::done("Case created successfully.")
                        } else {
                            Outcome::refused("Case already exists.")
                        }
                    }
                };
                outcomes.push((case_id, outcome));
            }
            Ok::<_, EcmError>(outcomes)
        })
        .await?;
    let (status, response) = cases_response(CREATION, outcomes);
    tracing::info!(cases = response.results.len(), "cases created");
    Ok(HttpResponse::build(status).json(response))
}

/// How many times a status change re-reads a case that changed under it.
const STATUS_ATTEMPTS: usize = 3;

/// Change the status of cases (ours).
///
/// An array of `{caseId, caseStatusCode}`; the codes are `NW` (New), `INV`
/// (Investigation), `ESC` (Escalated) and `CLS` (Closed). Every change is
/// recorded in the case's audit trail with the status before and after.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/updateCaseStatus", tag = "ECM (ours)",
    request_body(content = Vec<StatusChange>, description = "The cases and their new status"),
    responses(
        (status = 200, description = "Every status set (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn update_case_status(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let items = items(&req, payload, &state, &["caseId", "caseStatusCode"]).await?;
    let changes = parsed::<StatusChange>(items);
    let change = Change::now(&caller.subject);
    let outcomes = state
        .db
        .run(move |conn| {
            let mut outcomes = Vec::with_capacity(changes.len());
            for (case_id, wanted) in changes {
                let outcome = match wanted {
                    Err(message) => Outcome::refused(message),
                    Ok(wanted) => set_status(conn, &wanted, &change)?,
                };
                outcomes.push((case_id, outcome));
            }
            Ok::<_, EcmError>(outcomes)
        })
        .await?;
    let (status, response) = cases_response(STATUS_UPDATE, outcomes);
    tracing::info!(cases = response.results.len(), "case statuses updated");
    Ok(HttpResponse::build(status).json(response))
}

/// Sets one case's status, re-reading it if it changes concurrently.
fn set_status(
    conn: &mut service_kit::DbConnection,
    wanted: &StatusChange,
    change: &Change,
) -> Result<Outcome, EcmError> {
    let to = wanted.case_status_code.as_str();
    if status::by_code(to).is_none() {
        return Ok(Outcome::refused(invalid("caseStatusCode", &status::rule())));
    }
    for _ in 0..STATUS_ATTEMPTS {
        let Some(case) = cases::find(conn, wanted.case_id.as_str())? else {
            return Ok(Outcome::refused(NO_SUCH_CASE));
        };
        if case.case_status_code == to {
            return Ok(Outcome::done("Case status is unchanged."));
        }
        if cases::set_status(conn, &case.case_id, &case.case_status_code, to, change)? {
            return Ok(Outcome::done("Case status updated successfully."));
        }
    }
    Ok(Outcome::refused(
        "Case status was changed concurrently. Please try again.",
    ))
}

/// The roll-up messages of `getCaseStatusDetails`; the success is the
/// vendor's sample's.
pub const STATUS_FETCH: Messages = Messages {
    success: "Case Status fetch Successful.",
    partial: "Case Status fetch was partially successful.",
    failed: "Case Status fetch failed.",
};

/// Get the status of cases.
///
/// An array of `{caseId}`, as in the vendor's sample.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseStatusDetails", tag = "ECM",
    request_body(content = Vec<crate::wire::cases::CaseRef>, description = "The cases"),
    responses(
        (status = 200, description = "Every case found (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CaseStatusResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn get_case_status_details(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let ids: Vec<String> = items(&req, payload, &state, &["caseId"])
        .await?
        .into_iter()
        .map(|item| item.case_id)
        .collect();
    let lookup = ids.clone();
    let found = state
        .db
        .run(move |conn| {
            let ids: Vec<&str> = lookup.iter().map(String::as_str).collect();
            Ok::<_, EcmError>(cases::find_many(conn, &ids)?)
        })
        .await?;
    let results = ids
        .into_iter()
        .map(|case_id| match found.get(&case_id) {
            None => CaseStatusResult {
                message: NO_SUCH_CASE.to_owned(),
                status: Status::Failed,
                case_id,
                case_status_code: None,
                case_status_name: None,
                case_status_date_time: None,
                case_closed_flag: None,
            },
            Some(case) => {
                let known = status::by_code(&case.case_status_code);
                CaseStatusResult {
                    message: "Case status fetched successfully.".to_owned(),
                    status: Status::Success,
                    case_id,
                    case_status_code: Some(case.case_status_code.clone()),
                    case_status_name: known.map(|s| s.name.to_owned()),
                    case_status_date_time: ecm_time(&case.status_changed_at),
                    case_closed_flag: known.map(|s| if s.closed { YesNo::Yes } else { YesNo::No }),
                }
            }
        })
        .collect::<Vec<_>>();
    let status = rollup(results.iter().map(|r| r.status));
    let response = CaseStatusResponse {
        message: STATUS_FETCH.of(status).to_owned(),
        status,
        results,
    };
    Ok(HttpResponse::build(http_status(status, [])).json(response))
}

/// Read a case with its customers and events (ours).
///
/// `{caseId, limit, cursor, eventsCursor}`: the case (with its priority
/// and due date), a page of its customers by customer id, each with every
/// field it was added with, and a page of its events by event code, each
/// with its entities, details and risk decision. `limit` sizes both pages;
/// `cursor` and `eventsCursor` are the previous answer's `nextCursor` and
/// `nextEventsCursor`.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseDetails", tag = "ECM (ours)",
    request_body(content = crate::wire::cases::CasePageRequest),
    responses(
        (status = 200, description = "The case, a page of its customers and a page of its events", body = CaseDetailsResponse),
        (status = 400, description = "The body is not the documented shape, has no caseId, or a bad limit or cursor", body = Envelope),
        (status = 404, description = "The case does not exist", body = Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn get_case_details(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let (page, cursors) =
        page_request_with(&req, payload, &state, "caseId", &["eventsCursor"]).await?;
    let events_cursor = cursors.into_iter().next().flatten();
    let keyring = state.keyring.clone();
    let (case, found, found_events, accounts, external_entities, transactions) = state
        .db
        .run(move |conn| {
            let case = cases::find(conn, &page.key)?.ok_or(EcmError::NoSuchCase)?;
            let found = customers::page(
                conn,
                &keyring,
                &page.key,
                page.cursor.as_deref(),
                page.limit,
            )?;
            let found_events = events::page(conn, &page.key, events_cursor.as_deref(), page.limit)?;
            let (key, limit) = (page.key.as_str(), page.limit);
            Ok::<_, EcmError>((
                case,
                found,
                found_events,
                records::page(conn, &keyring, key, None, limit)?.items,
                records::page(conn, &keyring, key, None, limit)?.items,
                records::page(conn, &keyring, key, None, limit)?.items,
            ))
        })
        .await?;
    let next_cursor = found.next_cursor(|c| c.customer_id.to_string());
    let next_events_cursor = found_events.next_cursor(|e| e.event.event_code.to_string());
    Ok(HttpResponse::Ok().json(CaseDetailsResponse {
        message: "Case details fetched successfully.".to_owned(),
        status: Status::Success,
        case: CaseSummary::from(case),
        customers: found.items,
        next_cursor,
        events: found_events.items,
        next_events_cursor,
        accounts,
        external_entities,
        transactions,
    }))
}

/// Find the cases that include a customer (ours).
///
/// `{customerId, limit, cursor}`: a page of the cases the customer is on,
/// by case id. A customer on no case gets an empty page.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCustomerCases", tag = "ECM (ours)",
    request_body(content = crate::wire::cases::CustomerPageRequest),
    responses(
        (status = 200, description = "A page of the customer's cases", body = CustomerCasesResponse),
        (status = 400, description = "The body is not the documented shape, has no customerId, or a bad limit or cursor", body = Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn get_customer_cases(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let page = page_request(&req, payload, &state, "customerId").await?;
    let customer_id = page.key.clone();
    let found = state
        .db
        .run(move |conn| {
            Ok::<_, EcmError>(cases::of_customer(
                conn,
                &page.key,
                page.cursor.as_deref(),
                page.limit,
            )?)
        })
        .await?;
    let next_cursor = found.next_cursor(|c| c.case_id.clone());
    Ok(HttpResponse::Ok().json(CustomerCasesResponse {
        message: "Cases fetched successfully.".to_owned(),
        status: Status::Success,
        customer_id,
        cases: found.items.into_iter().map(CaseSummary::from).collect(),
        next_cursor,
    }))
}
