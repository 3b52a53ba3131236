//! The audit trail: getAuditEvents.

use super::body::small_body;
use super::AppState;
use crate::caller::Caller;
use crate::error::CamError;
use crate::store;
use crate::wire::{ApplicationQuery, AuditEvent, AuditEvents, Fabric, FabricError};
use actix_web::{web, HttpRequest};

/// Who a change by the bank's staff (a reviewer) is shown as to the
/// applicant.
const BANK: &str = "bank";

/// Read the application's audit trail: consents and every change.
#[utoipa::path(
    post, path = "/services/data/v1/CustomerActionsManagement/operations/Audit/getAuditEvents", tag = "Audit",
    request_body = ApplicationQuery,
    security(("appKey" = [], "appSecret" = [], "userToken" = [])),
    responses(
        (status = 200, description = "The events, oldest first", body = Fabric<AuditEvents>),
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
    let (query, _): (ApplicationQuery, _) = small_body(&req, payload).await?;
    let (application, _) = state.application_of(&caller, query.application_id).await?;
    let id = application.id.clone();
    let events = state.db(move |conn| store::audit_trail(conn, &id)).await?;
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
    }))
}
