//! Assigning cases to case workers (ours, issue 15): `assignCase`.

use super::body::{items, parsed};
use super::{each_case, written, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::cases;
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome};
use crate::wire::inbox::Assignment;
use actix_web::{web, HttpRequest, HttpResponse};

/// The roll-up messages of `assignCase`.
pub const ASSIGNMENT: Messages = Messages {
    success: "Case assignment was successful.",
    partial: "Case assignment was partially successful.",
    failed: "Case assignment failed.",
};

/// Assign cases to case workers, reassign or unassign them (ours).
///
/// An array of `{caseId, assignee}`: `assignee` is a case worker's subject,
/// or `null` for no one. Each change is recorded in the case's audit trail
/// (`caseAssigned`, the assignees before and after); assigning a case to
/// whoever has it changes nothing. A case another user holds the lock of
/// is refused with the vendor's 409 "Case is locked by another user X.".
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/assignCase", tag = "ECM (ours)",
    request_body(content = Vec<Assignment>, description = "The cases and who works them"),
    responses(
        (status = 200, description = "Every case assigned (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        (status = 409, description = "Every case failed, some because another user holds its lock (\"Case is locked by another user X.\")", body = CasesResponse),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn assign_case(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let items = items(&req, payload, &state, &["caseId", "assignee"]).await?;
    let wanted = parsed::<Assignment>(items);
    let change = Change::now(&caller.subject);
    let outcomes = each_case(&state, wanted, move |conn, assignment: Assignment| {
        let assignee = assignment.assignee.as_ref().map(|a| a.as_str());
        let write = cases::assign(conn, assignment.case_id.as_str(), assignee, &change)?;
        Ok(written(write, |changed| match (changed, assignee) {
            (false, _) => Outcome::done("Case assignment is unchanged."),
            (true, Some(_)) => Outcome::done("Case assigned successfully."),
            (true, None) => Outcome::done("Case unassigned successfully."),
        }))
    })
    .await?;
    let (status, response) = cases_response(ASSIGNMENT, outcomes);
    tracing::info!(cases = response.results.len(), "cases assigned");
    Ok(HttpResponse::build(status).json(response))
}
