//! `reviewEvidence` (ours, SPEC §D): case workers' decisions on the
//! documents of an application's case.

use super::body::{invalid, read_body};
use super::plan::{self, CasePlan, Part};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::evidence::{self, Reviewed};
use crate::wire::batch::{parts_response, EvidenceReviewResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome};
use crate::wire::flow::EvidenceDecision;
use actix_web::{web, HttpRequest, HttpResponse};

/// The roll-up messages.
pub const REVIEW: Messages = Messages {
    success: "Evidence review was successful.",
    partial: "Evidence review was partially successful.",
    failed: "Evidence review failed.",
};

/// The message of a decision recorded.
pub const REVIEWED: &str = "Evidence reviewed successfully.";
/// The message of a document that is not evidence on the case.
pub const NOT_ON_CASE: &str = "Invalid documentId: is not evidence on the case.";

impl Part for EvidenceDecision {
    const KEY: &'static str = "evidence";
    const ID: &'static str = "documentId";

    fn id(&self) -> &str {
        self.document_id.as_str()
    }

    fn refusal(&self) -> Option<String> {
        self.violation()
            .map(|(field, message)| invalid(field, &message))
    }
}

/// Review the documents of application cases (ours, SPEC §D).
///
/// An array of `{caseId, evidence: [{documentId, decision, comments}]}`.
/// `ACCEPT` marks the action the document answers `Reviewed` for the
/// applicant; `REJECT` (comments required, at most 2000 characters) sends
/// it back, `Rejected`, with the comments as its `ReviewComment`. Each
/// decision is recorded on its own, with who made it and when; the audit
/// trail keeps the decision before and after (`evidenceReviewed`), and
/// user-action is told in the same transaction (`evidence.accepted` or
/// `evidence.rejected`). A case worker may review any document of the
/// case, whatever its action's `NeedsReview` says. A closed case, or one
/// another user holds the lock of, is refused.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/reviewEvidence", tag = "ECM (ours)",
    request_body(content = Vec<crate::wire::batch::CaseEvidenceInput>, description = "The cases and the decisions on their documents"),
    responses(
        (status = 200, description = "Every decision recorded (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = EvidenceReviewResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every decision failed on its input (a document not on the case, a decision other than ACCEPT or REJECT, a REJECT without comments, comments too long: the message names the field)", body = Envelope),
        (status = 409, description = "Every decision failed, at least one because another user holds its case's lock (\"Case is locked by another user X.\"), with `RESULTARRAY`", body = EvidenceReviewResponse),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn review_evidence(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(&req, payload, &state).await?;
    let plans = plan::plan::<EvidenceDecision>(&body, state.max_customers)?;
    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let plans = plan::settle_each(&state, plans, "reviewEvidence", move |conn, case_id, d| {
        Ok(
            match evidence::review(conn, &keyring, case_id, d, &change)? {
                Reviewed::Done => Outcome::done(REVIEWED),
                Reviewed::NotOnCase => Outcome::refused(NOT_ON_CASE),
                Reviewed::Locked(locked) => Outcome::locked(&locked.holder),
            },
        )
    })
    .await?;
    state.outbox.wake();
    let (status, answer): (_, EvidenceReviewResponse) = parts_response(
        REVIEW,
        plans.into_iter().map(CasePlan::into_result).collect(),
    );
    tracing::info!(%status, "evidence reviewed");
    Ok(HttpResponse::build(status).json(answer))
}
