//! A case's audit trail (ours: the vendor's guide has no read that fits),
//! a page of at most 100 changes, keyset-paginated by the event id.

use super::body::page_request;
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::{audit, cases};
use crate::wire::audit::CaseAuditResponse;
use crate::wire::envelope::{Envelope, Status};
use actix_web::{web, HttpRequest, HttpResponse};

/// Read a case's audit trail (ours).
///
/// `{caseId, limit, cursor}`: a page of the changes to the case, oldest
/// first: who (the token's subject), when, and what, with the values
/// before and after.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseAudit", tag = "ECM (ours)",
    request_body(content = crate::wire::cases::AuditPageRequest),
    responses(
        (status = 200, description = "A page of the case's audit trail", body = CaseAuditResponse),
        (status = 400, description = "The body is not the documented shape, has no caseId, or a bad limit or cursor", body = Envelope),
        (status = 404, description = "The case does not exist", body = Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn get_case_audit(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let page = page_request(&req, payload, &state, "caseId", &[]).await?;
    let after = page.id_cursor("cursor")?;
    let case_id = page.key.clone();
    let keyring = state.keyring.clone();
    let found = state
        .db
        .run(move |conn| {
            cases::find(conn, &page.key)?.ok_or(EcmError::NoSuchCase)?;
            Ok::<_, EcmError>(audit::page(conn, &keyring, &page.key, after, page.limit)?)
        })
        .await?;
    let next_cursor = found.next_cursor(|e| e.event_id.to_string());
    Ok(HttpResponse::Ok().json(CaseAuditResponse {
        message: "Case audit fetched successfully.".to_owned(),
        status: Status::Success,
        case_id,
        events: found.items,
        next_cursor,
    }))
}
