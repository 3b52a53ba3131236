//! Narratives: `addNarrative` (ECM guide 4.18) adds free text to cases.

use super::body::{items, parsed};
use super::{each_case, written, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::narratives;
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome};
use crate::wire::narratives::NewNarrative;
use actix_web::{web, HttpRequest, HttpResponse};

/// The roll-up messages of `addNarrative`, in the vendor's words.
pub const ADDITION: Messages = Messages {
    success: "Narrative addition was successful.",
    partial: "Narrative addition was partially successful.",
    failed: "Narrative addition failed.",
};

/// The message of a narrative added.
pub const ADDED: &str = "Narrative added successfully.";

/// Add narratives to cases.
///
/// An array of `{caseId, narrative}`: each narrative (plain text, at most
/// 10,000 characters) is added on its own, sealed at rest, with its author
/// and time, and never changes. Several items may name the same case.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/addNarrative", tag = "ECM",
    request_body(content = Vec<NewNarrative>, description = "The narratives, each with its case"),
    responses(
        (status = 200, description = "Every narrative added (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every item failed on its input", body = Envelope),
        (status = 409, description = "Every item failed, at least one because another user holds its case's lock (\"Case is locked by another user X.\"), with `RESULTARRAY`", body = CasesResponse),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn add_narrative(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let items = items(&req, payload, &state, &["caseId", "narrative"]).await?;
    let notes = parsed::<NewNarrative>(items);
    let change = Change::now(&caller.subject);
    let keyring = state.keyring.clone();
    let outcomes = each_case(&state, notes, move |conn, note: NewNarrative| {
        let text = note.narrative.into_string();
        let write = narratives::add(conn, &keyring, note.case_id.as_str(), &text, &change)?;
        Ok(written(write, |_| Outcome::done(ADDED)))
    })
    .await?;
    let (status, response) = cases_response(ADDITION, outcomes);
    tracing::info!(items = response.results.len(), "narratives added");
    Ok(HttpResponse::build(status).json(response))
}
