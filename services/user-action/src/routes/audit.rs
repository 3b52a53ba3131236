//! The audit trail: getAuditEvents, a page at a time.

use super::body::small_body;
use super::AppState;
use crate::caller::Caller;
use crate::error::CamError;
use crate::store;
use crate::wire::{AuditEvent, AuditEvents, AuditQuery, Fabric, FabricError, MAX_AUDIT_PAGE};
use actix_web::{web, HttpRequest};
use serde_json::Value;
use service_kit::body::whole_number;

/// Who a change by the bank's staff (a reviewer) is shown as to the
/// applicant.
const BANK: &str = "bank";

/// Read the application's audit trail: consents and every change, oldest
/// first, a page at a time.
///
/// `{Application_id, limit, cursor}`: up to `limit` events (1 to 500,
/// default `USER_ACTION_AUDIT_PAGE_SIZE`, 100) after `cursor`. When more
/// follow, the answer's `nextCursor` is the next page's `cursor`; a trail
/// that fits in one page is answered without it.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/Audit/getAuditEvents", tag = "Audit",
    request_body = AuditQuery,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "A page of the events, oldest first", body = Fabric<AuditEvents>),
        (status = 401, description = "No app credentials or end-user token", body = FabricError),
        (status = 404, description = "The caller has no such application", body = FabricError),
    )
)]
pub async fn get_audit_events(
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<Fabric<AuditEvents>, CamError> {
    let (query, _): (AuditQuery, _) = small_body(&req, payload).await?;
    let limit = page_size(query.limit.as_ref(), state.audit_page_size)?;
    let after = cursor(query.cursor.as_ref())?;
    let (application, _) = state.application_of(&caller, query.application_id).await?;
    let id = application.id.clone();
    let (events, more) = state
        .db(move |conn| {
            let after = after.as_ref().map(|(at, id)| (at.as_str(), id.as_str()));
            store::audit_page(conn, &id, after, limit)
        })
        .await?;
    let next_cursor = more
        .then(|| events.last().map(|e| format!("{}_{}", e.at, e.id)))
        .flatten();
    // The trail keeps who made each change; the applicant sees their own
    // subject, and the bank's staff only as the bank.
    let audit_events: Vec<AuditEvent> = events
        .into_iter()
        .map(AuditEvent::from)
        .map(|mut event| {
            if event.subject != caller.subject {
                event.subject = BANK.to_owned();
            }
            event
        })
        .collect();
    Ok(Fabric::ok(AuditEvents {
        count: audit_events.len(),
        audit_events,
        application_id: application.id,
        next_cursor,
    }))
}

/// `limit`: the default when absent, else a whole number from 1 to
/// [`MAX_AUDIT_PAGE`].
fn page_size(limit: Option<&Value>, default: i64) -> Result<i64, CamError> {
    let Some(value) = limit else {
        return Ok(default);
    };
    whole_number(value, 1..=MAX_AUDIT_PAGE).ok_or_else(|| {
        CamError::invalid(
            "limit",
            format!("must be a whole number from 1 to {MAX_AUDIT_PAGE}"),
        )
    })
}

/// `cursor`: none when absent, else the time and id of the previous page's
/// last event, as its `nextCursor` wrote them (`{time}_{id}`). Any value of
/// that shape is a place in the trail; nothing else is.
fn cursor(cursor: Option<&Value>) -> Result<Option<(String, String)>, CamError> {
    let Some(value) = cursor else {
        return Ok(None);
    };
    value
        .as_str()
        .and_then(|text| text.split_once('_'))
        .filter(|(at, id)| super::is_timestamp(at) && domain::ids::is_hex24(id))
        .map(|(at, id)| Some((at.to_owned(), id.to_owned())))
        .ok_or_else(|| CamError::invalid("cursor", "must be the nextCursor of a previous page"))
}
