//! `getCaseStatusDetails` (ECM guide 4.7): the current status of cases.

use super::cases::items;
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::status;
use crate::store::cases;
use crate::wire::envelope::{http_status, rollup, Envelope, Messages, Status, NO_SUCH_CASE};
use actix_web::{web, HttpRequest, HttpResponse};
use domain::{DateTimeSeconds, YesNo};
use serde::Serialize;
use utoipa::ToSchema;

/// The roll-up messages; the success is the vendor's sample's.
pub const MESSAGES: Messages = Messages {
    success: "Case Status fetch Successful.",
    partial: "Case Status fetch was partially successful.",
    failed: "Case Status fetch failed.",
};

/// One case's status.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseStatusResult {
    /// "Case status fetched successfully." or "Case does not exist.".
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS` or `FAILED`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The case id as sent.
    #[schema(example = "CA100")]
    pub case_id: String,
    /// The status code (`null` when the case does not exist).
    #[schema(example = "INV")]
    pub case_status_code: Option<String>,
    /// The status name.
    #[schema(example = "Investigation")]
    pub case_status_name: Option<String>,
    /// When the status was set, `YYYY-MM-DD HH:MM:SS` in UTC.
    #[schema(value_type = Option<String>, example = "2022-06-24 10:28:48")]
    pub case_status_date_time: Option<DateTimeSeconds>,
    /// `Y` when the status is a closed one.
    pub case_closed_flag: Option<YesNo>,
}

/// The answer of `getCaseStatusDetails`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStatusResponse {
    /// The roll-up message.
    #[serde(rename = "MESSAGE")]
    #[schema(example = "Case Status fetch Successful.")]
    pub message: String,
    /// The roll-up of the cases.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The cases, in request order.
    #[serde(rename = "RESULTARRAY")]
    pub results: Vec<CaseStatusResult>,
}

/// Get the status of cases.
///
/// An array of `{caseId}`, as in the vendor's sample.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/getCaseStatusDetails", tag = "ECM",
    request_body(content = Vec<crate::openapi::CaseRef>, description = "The cases"),
    responses(
        (status = 200, description = "Every case found (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CaseStatusResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::openapi::ReadRefusals,
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
        message: MESSAGES.of(status).to_owned(),
        status,
        results,
    };
    Ok(HttpResponse::build(http_status(status, [])).json(response))
}

/// A stored RFC 3339 timestamp as ECM writes times (UTC, to the second).
pub fn ecm_time(stored: &str) -> Option<DateTimeSeconds> {
    chrono::DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|at| DateTimeSeconds::new(at.naive_utc()))
}
