//! A case's description: `updateCaseDescription` (ECM guide 4.6).

use super::body::{case_id_of, invalid, parse_object, read_body, required_text};
use super::{case_answer, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::store::audit::Change;
use crate::store::{cases, Write};
use crate::wire::batch::CaseResult;
use crate::wire::cases::{CaseDescription, DescriptionChange};
use crate::wire::envelope::{locked_by, Envelope, NO_SUCH_CASE};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// Create or update a case's description.
///
/// One object, `{caseId, caseDescription}` (at most 2000 characters). The
/// change is written to the case's audit trail with the old and new
/// values. Refused (409) while another user holds the case's lock.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/updateCaseDescription", tag = "ECM",
    request_body(content = DescriptionChange),
    responses(
        (status = 200, description = "\"Case description updated successfully.\"", body = CaseResult),
        (status = 400, description = "With `caseId`: \"Input JSON data does not have caseDescription.\", \"Case does not exist.\", or the description is invalid. Without: the body is not the documented shape, or has no caseId or a bad one", body = Envelope),
        (status = 409, description = "\"Case is locked by another user X.\", with `caseId`: nothing changed", body = CaseResult),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn update_case_description(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let body = read_body(&req, payload, &state).await?;
    let fields = parse_object(&body, &["caseId", "caseDescription"])?;
    let case_id = case_id_of(&fields)?;
    let refused = |message: String| case_answer(StatusCode::BAD_REQUEST, &case_id, message);
    let description = match required_text(&fields, "caseDescription") {
        Ok(text) => text,
        Err(EcmError::Missing(field)) => {
            return Ok(refused(format!("Input JSON data does not have {field}.")))
        }
        Err(other) => return Err(other),
    };
    let description = match CaseDescription::parse(&description) {
        Ok(description) => description.into_string(),
        Err(why) => return Ok(refused(invalid("caseDescription", &why))),
    };
    let change = Change::now(&caller.subject);
    let id = case_id.clone();
    let written = state
        .db
        .run(move |conn| {
            Ok::<_, EcmError>(cases::set_description(conn, &id, &description, &change)?)
        })
        .await?;
    Ok(match written {
        Write::Done(()) => {
            tracing::info!("case description updated");
            case_answer(
                StatusCode::OK,
                &case_id,
                "Case description updated successfully.".to_owned(),
            )
        }
        Write::NoSuchCase => refused(NO_SUCH_CASE.to_owned()),
        Write::Locked(locked) => {
            case_answer(StatusCode::CONFLICT, &case_id, locked_by(&locked.holder))
        }
    })
}
