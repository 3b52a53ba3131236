//! Our read operations (the vendor's guide has none that fit): a case with
//! its customers, the cases that include a customer, a case's audit trail.
//! Each is a page of at most 100, keyset-paginated by an indexed key.

use super::{read_body, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::rows::CaseRow;
use crate::status;
use crate::store::{audit, cases, customers};
use crate::wire::envelope::{Envelope, Status};
use crate::wire::reads::{
    AuditEvent, CaseAuditResponse, CaseDetailsResponse, CaseSummary, CustomerCasesResponse,
};
use crate::wire::request::{invalid, parse_object, required_text};
use actix_web::{web, HttpRequest, HttpResponse};
use domain::YesNo;
use serde_json::{Map, Value};

/// The default and the largest page size.
const DEFAULT_LIMIT: i64 = 20;
const MAX_LIMIT: i64 = 100;

/// A page request: the key field, `limit` and `cursor`.
struct PageRequest {
    key: String,
    limit: i64,
    cursor: Option<String>,
}

/// Reads `{<key>, limit, cursor}`.
async fn page_request(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    key: &'static str,
) -> Result<PageRequest, EcmError> {
    let body = read_body(req, payload, state).await?;
    let fields: Map<String, Value> = parse_object(&body, &[key, "limit", "cursor"])?;
    let key_value = required_text(&fields, key)?;
    let limit = match fields.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(value) => value
            .as_i64()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                EcmError::Invalid(invalid(
                    "limit",
                    &format!("must be a whole number from 1 to {MAX_LIMIT}"),
                ))
            })?,
    };
    let cursor = match fields.get("cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(EcmError::Invalid(invalid(
                "cursor",
                "must be the nextCursor of the previous page",
            )))
        }
    };
    Ok(PageRequest {
        key: key_value,
        limit,
        cursor,
    })
}

/// A case's summary, as every read shows it.
pub fn summary(case: CaseRow) -> CaseSummary {
    let known = status::by_code(&case.case_status_code);
    CaseSummary {
        case_type_code: case.case_type_code,
        case_description: case.case_description,
        case_status_name: known.map(|s| s.name.to_owned()),
        case_status_date_time: super::status_details::ecm_time(&case.status_changed_at),
        case_closed_flag: known.map(|s| if s.closed { YesNo::Yes } else { YesNo::No }),
        created_on: super::status_details::ecm_time(&case.created_at),
        created_by: case.created_by,
        case_status_code: case.case_status_code,
        case_id: case.case_id,
    }
}

/// Read a case with its customers (ours).
///
/// `{caseId, limit, cursor}`: the case, and a page of its customers by
/// customer id, each with every field it was added with.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseDetails", tag = "ECM (ours)",
    request_body(content = crate::openapi::CasePageRequest),
    responses(
        (status = 200, description = "The case and a page of its customers", body = CaseDetailsResponse),
        (status = 400, description = "The body is not the documented shape, has no caseId, or a bad limit or cursor", body = Envelope),
        (status = 404, description = "The case does not exist", body = Envelope),
        crate::openapi::ReadRefusals,
    )
)]
pub async fn get_case_details(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let page = page_request(&req, payload, &state, "caseId").await?;
    let keyring = state.keyring.clone();
    let (case, found) = state
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
            Ok::<_, EcmError>((case, found))
        })
        .await?;
    let next_cursor = found.next_cursor(|c| c.customer_id.to_string());
    Ok(HttpResponse::Ok().json(CaseDetailsResponse {
        message: "Case details fetched successfully.".to_owned(),
        status: Status::Success,
        case: summary(case),
        customers: found.items,
        next_cursor,
    }))
}

/// Find the cases that include a customer (ours).
///
/// `{customerId, limit, cursor}`: a page of the cases the customer is on,
/// by case id. A customer on no case gets an empty page.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCustomerCases", tag = "ECM (ours)",
    request_body(content = crate::openapi::CustomerPageRequest),
    responses(
        (status = 200, description = "A page of the customer's cases", body = CustomerCasesResponse),
        (status = 400, description = "The body is not the documented shape, has no customerId, or a bad limit or cursor", body = Envelope),
        crate::openapi::ReadRefusals,
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
        cases: found.items.into_iter().map(summary).collect(),
        next_cursor,
    }))
}

/// Read a case's audit trail (ours).
///
/// `{caseId, limit, cursor}`: a page of the changes to the case, oldest
/// first: who (the token's subject), when, and what.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseAudit", tag = "ECM (ours)",
    request_body(content = crate::openapi::CasePageRequest),
    responses(
        (status = 200, description = "A page of the case's audit trail", body = CaseAuditResponse),
        (status = 400, description = "The body is not the documented shape, has no caseId, or a bad limit or cursor", body = Envelope),
        (status = 404, description = "The case does not exist", body = Envelope),
        crate::openapi::ReadRefusals,
    )
)]
pub async fn get_case_audit(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let page = page_request(&req, payload, &state, "caseId").await?;
    let after = match page.cursor.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            return Err(EcmError::Invalid(invalid(
                "cursor",
                "must be the nextCursor of the previous page",
            )))
        }
    };
    let case_id = page.key.clone();
    let found = state
        .db
        .run(move |conn| {
            cases::find(conn, &page.key)?.ok_or(EcmError::NoSuchCase)?;
            Ok::<_, EcmError>(audit::page(conn, &page.key, after, page.limit)?)
        })
        .await?;
    let next_cursor = found.next_cursor(|e| e.id.to_string());
    Ok(HttpResponse::Ok().json(CaseAuditResponse {
        message: "Case audit fetched successfully.".to_owned(),
        status: Status::Success,
        case_id,
        events: found.items.into_iter().map(AuditEvent::from).collect(),
        next_cursor,
    }))
}
