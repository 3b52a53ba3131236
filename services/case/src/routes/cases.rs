//! The cases resource: `getCaseStatusDetails` (ECM guide 4.7), and ours in
//! the ECM family's shape until the vendor's event APIs exist: `createCase`,
//! `updateCaseStatus`, `getCaseDetails` (a case with its customers) and
//! `getCustomerCases` (the cases that include a customer). Each read is a
//! page of at most 100, keyset-paginated by an indexed key.

use super::body::{invalid, items, page_request, parsed};
use super::{each_case, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::four_eyes::{self, FourEyes};
use crate::rows::{ecm_time, CaseRow};
use crate::status;
use crate::store::audit::Change;
use crate::store::cases::StatusSet;
use crate::store::{
    audit, cases, customers, events, evidence, locks, narratives, recommendations, records, Write,
};
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::cases::{
    CaseDetailsResponse, CaseStatusResponse, CaseStatusResult, CaseSummary, CustomerCasesResponse,
    NewCase, StatusChange,
};
use crate::wire::envelope::{
    http_status, rollup, Envelope, Messages, Outcome, Status, NO_SUCH_CASE,
};
use crate::wire::locks::CaseLock;
use crate::wire::records::{Account, ExternalEntity, Transaction};
use crate::wire::values::Text;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::YesNo;

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
    let outcomes = each_case(&state, cases, move |conn, new: NewCase| {
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
            application_id: None,
            assignee: None,
            assigned_at: None,
            focus_customer_id: None,
            priority_rank: None,
        };
        Ok(if cases::insert(conn, &row, &change)? {
            Outcome::done("Case created successfully.")
        } else {
            Outcome::refused("Case already exists.")
        })
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
/// (Investigation), `ESC` (Escalated), `CLS` (Closed), and for the case of
/// an application (SPEC §D) `APR` (Closed – Approved: the application is
/// approved), `REJ` (Closed – Rejected) and `RFI` (Pending with customer).
/// `APR` is refused while an action of the application that needs review
/// has no accepted document (the message names each). Every change is
/// recorded in the case's audit trail with the status before and after,
/// and a change of an application's case is sent to user-action
/// (`case.status_changed`, in the transaction of the change). An
/// optional `comment` (at most 2000 characters) says why; the audit entry
/// keeps it as its `newValue`. `WDN`
/// (Closed – Withdrawn) is the applicant's withdrawal alone.
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
    let fields = ["caseId", "caseStatusCode", "comment"];
    let items = items(&req, payload, &state, &fields).await?;
    let changes = parsed::<StatusChange>(items);
    let change = Change::now(&caller.subject);
    let rule = state.four_eyes;
    let keyring = state.keyring.clone();
    let outcomes = each_case(&state, changes, move |conn, wanted: StatusChange| {
        set_status(conn, &keyring, &wanted, &change, rule)
    })
    .await?;
    state.outbox.wake();
    let (status, response) = cases_response(STATUS_UPDATE, outcomes);
    tracing::info!(cases = response.results.len(), "case statuses updated");
    Ok(HttpResponse::build(status).json(response))
}

/// Sets one case's status, re-reading it if it changes concurrently;
/// four eyes (`rule`) may refuse it.
fn set_status(
    conn: &mut service_kit::DbConnection,
    keyring: &service_kit::Keyring,
    wanted: &StatusChange,
    change: &Change,
    rule: FourEyes,
) -> Result<Outcome, EcmError> {
    let to = wanted.case_status_code.as_str();
    if !status::by_code(to).is_some_and(|s| s.settable) {
        return Ok(Outcome::refused(invalid("caseStatusCode", &status::rule())));
    }
    for _ in 0..STATUS_ATTEMPTS {
        let Some(case) = cases::find(conn, wanted.case_id.as_str())? else {
            return Ok(Outcome::refused(NO_SUCH_CASE));
        };
        if case.case_status_code == to {
            return Ok(Outcome::done("Case status is unchanged."));
        }
        let comment = wanted.comment.as_ref().map(|c| c.as_str());
        let from = case.case_status_code.as_str();
        let set = |conn: &mut service_kit::DbConnection| {
            cases::set_status(conn, keyring, &case.case_id, from, to, comment, change)
        };
        match four_eyes::set_status(conn, rule, &case.case_id, to, change, set)? {
            Write::Done(Err(refusal)) => return Ok(Outcome::refused(refusal)),
            Write::Done(Ok(StatusSet::Changed)) => {
                return Ok(Outcome::done("Case status updated successfully."))
            }
            Write::Done(Ok(StatusSet::Stale)) => {}
            Write::Done(Ok(StatusSet::Unreviewed(actions))) => {
                return Ok(Outcome::refused(unreviewed(&actions)))
            }
            Write::Locked(locked) => return Ok(Outcome::locked(&locked.holder)),
            Write::NoSuchCase => return Ok(Outcome::refused(NO_SUCH_CASE)),
        }
    }
    Ok(Outcome::refused(
        "Case status was changed concurrently. Please try again.",
    ))
}

/// The refusal of `APR` while `actions` need review.
pub fn unreviewed(actions: &[String]) -> String {
    format!(
        "Case cannot be approved: no document is accepted for {}.",
        actions.join(", ")
    )
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

/// The cursors of `getCaseDetails`'s lists beside its customers.
const EVENTS_CURSOR: &str = "eventsCursor";
const NARRATIVES_CURSOR: &str = "narrativesCursor";
const ACCOUNTS_CURSOR: &str = "accountsCursor";
const EXTERNAL_ENTITIES_CURSOR: &str = "externalEntitiesCursor";
const TRANSACTIONS_CURSOR: &str = "transactionsCursor";
const AUDIT_CURSOR: &str = "auditCursor";

/// Read a whole case (ours).
///
/// `{caseId, limit, cursor, eventsCursor, narrativesCursor, accountsCursor,
/// externalEntitiesCursor, transactionsCursor, auditCursor}`: the case (its
/// description, priority and due date included), its lock while one is
/// held, its effective risk (its customers' highest), whether closing it
/// takes four eyes and its open recommendation, the application it was
/// opened for (SPEC §D: its evidence and requests for help), and a page of each of its lists: customers by customer id, each
/// with every field it was added with; events by event code, each with its
/// entities, details and risk decision; narratives, oldest first; accounts,
/// external entities and transactions by id; and the audit trail, oldest
/// first, as `getCaseAudit` pages it. `limit` sizes every page; each cursor
/// is the previous answer's `next...Cursor` of its list.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseDetails", tag = "ECM (ours)",
    request_body(content = crate::wire::cases::CasePageRequest),
    responses(
        (status = 200, description = "The case, its lock, and a page of each of its lists", body = CaseDetailsResponse),
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
    let page = page_request(
        &req,
        payload,
        &state,
        "caseId",
        &[
            EVENTS_CURSOR,
            NARRATIVES_CURSOR,
            ACCOUNTS_CURSOR,
            EXTERNAL_ENTITIES_CURSOR,
            TRANSACTIONS_CURSOR,
            AUDIT_CURSOR,
        ],
    )
    .await?;
    let after_narrative = page.id_cursor(NARRATIVES_CURSOR)?;
    let after_audit = page.id_cursor(AUDIT_CURSOR)?;
    let keyring = state.keyring.clone();
    let now = Change::now(&caller.subject).at;
    let (case, application, lock, found, found_events, notes, records, trail) = state
        .db
        .run(move |conn| {
            let case = cases::find(conn, &page.key)?.ok_or(EcmError::NoSuchCase)?;
            let application = match &case.application_id {
                Some(id) => Some(evidence::application(conn, &keyring, &page.key, id)?),
                None => None,
            };
            let lock = locks::current(conn, &page.key, &now)?;
            let found = customers::page(
                conn,
                &keyring,
                &page.key,
                page.cursor.as_deref(),
                page.limit,
            )?;
            let (key, limit) = (page.key.as_str(), page.limit);
            let found_events =
                events::page(conn, &keyring, key, page.text_cursor(EVENTS_CURSOR), limit)?;
            let notes = narratives::page(conn, &keyring, key, after_narrative, limit)?;
            let accounts = records::page(
                conn,
                &keyring,
                key,
                page.text_cursor(ACCOUNTS_CURSOR),
                limit,
            )?;
            let external_entities = records::page(
                conn,
                &keyring,
                key,
                page.text_cursor(EXTERNAL_ENTITIES_CURSOR),
                limit,
            )?;
            let transactions = records::page(
                conn,
                &keyring,
                key,
                page.text_cursor(TRANSACTIONS_CURSOR),
                limit,
            )?;
            let trail = audit::page(conn, &keyring, key, after_audit, limit)?;
            let four_eyes = (
                recommendations::effective_risk(conn, key)?,
                recommendations::open(conn, key)?
                    .map(|r| r.shown(&keyring))
                    .transpose()
                    .map_err(service_kit::Failure::from)?,
            );
            Ok::<_, EcmError>((
                case,
                application,
                (lock, four_eyes),
                found,
                found_events,
                notes,
                (accounts, external_entities, transactions),
                trail,
            ))
        })
        .await?;
    let (accounts, external_entities, transactions) = records;
    let (lock, (risk, recommendation)) = lock;
    let next_cursor = found.next_cursor(|c| c.customer_id.to_string());
    let next_audit_cursor = trail.next_cursor(|e| e.event_id.to_string());
    let next_events_cursor = found_events.next_cursor(|e| e.event.event_code.to_string());
    let next_narratives_cursor = notes.next_cursor(|n| n.narrative_id.to_string());
    let next_accounts_cursor = accounts.next_cursor(|r: &Account| r.account_id.to_string());
    let next_external_entities_cursor =
        external_entities.next_cursor(|r: &ExternalEntity| r.external_entity.to_string());
    let next_transactions_cursor =
        transactions.next_cursor(|r: &Transaction| r.transaction_reference_id.to_string());
    Ok(HttpResponse::Ok().json(CaseDetailsResponse {
        message: "Case details fetched successfully.".to_owned(),
        status: Status::Success,
        case: CaseSummary::from(case),
        application,
        lock: lock.map(CaseLock::from),
        four_eyes_required: state.four_eyes.required(risk.as_ref()),
        effective_risk: risk.map(|r| r.as_decimal().to_string()),
        recommendation,
        customers: found.items,
        next_cursor,
        events: found_events.items,
        next_events_cursor,
        narratives: notes.items,
        next_narratives_cursor,
        accounts: accounts.items,
        next_accounts_cursor,
        external_entities: external_entities.items,
        next_external_entities_cursor,
        transactions: transactions.items,
        next_transactions_cursor,
        audit: trail.items,
        next_audit_cursor,
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
    let page = page_request(&req, payload, &state, "customerId", &[]).await?;
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
