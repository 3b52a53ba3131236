//! `updateEventRiskDecision` (ECM guide 4.17): analysts' decisions on the
//! events of cases.

use super::body::{invalid, read_body};
use super::plan::{self, CasePlan, Part};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::decisions;
use crate::wire::batch::{parts_response, EventDecisionsResponse};
use crate::wire::decisions::EventDecision;
use crate::wire::envelope::{Envelope, Messages, Outcome};
use actix_web::{web, HttpRequest, HttpResponse};

/// The roll-up messages, in the vendor's words.
pub const UPDATION: Messages = Messages {
    success: "Event Decision updation was successful.",
    partial: "Event Decision updation was partially successful.",
    failed: "Event Decision updation failed.",
};

/// The message of a decision recorded.
pub const UPDATED: &str = "Event Decision updated successfully.";
/// The message of an event that is not the case's.
pub const NOT_IN_CASE: &str = "Event does not exist in case.";

impl Part for EventDecision {
    const KEY: &'static str = "events";
    const ID: &'static str = "eventCode";

    fn id(&self) -> &str {
        self.event_code.as_str()
    }

    fn refusal(&self) -> Option<String> {
        self.violation()
            .map(|(field, message)| invalid(field, &message))
    }
}

/// Record decisions on the events of cases (ECM guide 4.17).
///
/// An array of `{caseId, events}`. Each decision is recorded on its own,
/// with who made it and when, and the audit trail keeps the decision
/// before and after; an event that is not the case's (or not of the type
/// and data origin sent) fails alone.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/updateEventRiskDecision", tag = "ECM",
    request_body(content = Vec<crate::wire::batch::CaseEventDecisionsInput>, description = "The cases and the decisions on their events"),
    responses(
        (status = 200, description = "Every decision recorded (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = EventDecisionsResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        (status = 409, description = "Every decision failed, at least one because another user holds its case's lock (\"Case is locked by another user X.\"), with `RESULTARRAY`", body = EventDecisionsResponse),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn update_event_risk_decision(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(&req, payload, &state).await?;
    let plans = plan::plan::<EventDecision>(&body, state.max_customers)?;
    let change = Change::now(&caller.subject);
    let plans = plan::settle_each(
        &state,
        plans,
        "updateEventRiskDecision",
        move |conn, case_id, decision| {
            Ok(match decisions::decide(conn, case_id, decision, &change)? {
                Ok(true) => Outcome::done(UPDATED),
                Ok(false) => Outcome::refused(NOT_IN_CASE),
                Err(locked) => Outcome::locked(&locked.holder),
            })
        },
    )
    .await?;
    let (status, answer): (_, EventDecisionsResponse) = parts_response(
        UPDATION,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(%status, "event decisions recorded");
    Ok(HttpResponse::build(status).json(answer))
}
