//! Four eyes (ours, issue 15): `recommendCaseStatus`, a case worker's
//! recommendation of a case's closing status, which a second case worker
//! approves by setting it (`updateCaseStatus`; see `four_eyes`).

use super::body::{invalid, items, parsed};
use super::{each_case, written, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::four_eyes::GUARDED;
use crate::store::audit::Change;
use crate::store::recommendations::{self, Recommended};
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome};
use crate::wire::recommendations::NewRecommendation;
use actix_web::{web, HttpRequest, HttpResponse};

/// The roll-up messages of `recommendCaseStatus`.
pub const RECOMMENDATION: Messages = Messages {
    success: "Case status recommendation was successful.",
    partial: "Case status recommendation was partially successful.",
    failed: "Case status recommendation failed.",
};

/// Recommend a closing status for cases (ours).
///
/// An array of `{caseId, caseStatusCode, comment}`: `caseStatusCode` is
/// `APR` or `REJ`, `comment` (1 to 2000 characters) says why. A case has at
/// most one open recommendation: a new one replaces it. Each is recorded
/// in the case's audit trail (`statusRecommended`: the code replaced and
/// the code recommended as the statuses, their comments as the values).
/// When `CASE_FOUR_EYES_RISK_THRESHOLD` is set and the case's effective
/// risk is at least it, `updateCaseStatus` to `APR` or `REJ` needs an open
/// recommendation of that status by another case worker, who approves it
/// by setting it (`recommendationApproved`). A closed case is refused, and
/// so is a case another user holds the lock of (409 "Case is locked by
/// another user X.").
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/recommendCaseStatus", tag = "ECM (ours)",
    request_body(content = Vec<NewRecommendation>, description = "The cases, the status recommended and why"),
    responses(
        (status = 200, description = "Every recommendation recorded (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        (status = 409, description = "Every case failed, some because another user holds its lock (\"Case is locked by another user X.\")", body = CasesResponse),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn recommend_case_status(
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
        &["caseId", "caseStatusCode", "comment"],
    )
    .await?;
    let wanted = parsed::<NewRecommendation>(items);
    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let outcomes = each_case(&state, wanted, move |conn, item: NewRecommendation| {
        let code = item.case_status_code.as_str();
        if !GUARDED.contains(&code) {
            let rule = format!("must be one of {}", GUARDED.join(", "));
            return Ok(Outcome::refused(invalid("caseStatusCode", &rule)));
        }
        let comment = item.comment.into_string();
        let write = recommendations::recommend(
            conn,
            &keyring,
            item.case_id.as_str(),
            code,
            &comment,
            &change,
        )?;
        Ok(written(write, |made| match made {
            Recommended::Made => Outcome::done("Case status recommended successfully."),
            Recommended::CaseClosed => {
                Outcome::refused("Case is closed: its status cannot be recommended.")
            }
        }))
    })
    .await?;
    let (status, response) = cases_response(RECOMMENDATION, outcomes);
    tracing::info!(cases = response.results.len(), "case statuses recommended");
    Ok(HttpResponse::build(status).json(response))
}
