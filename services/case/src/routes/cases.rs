//! Our case operations, in the ECM family's shape, until the vendor's event
//! APIs exist: `createCase` and `updateCaseStatus`.

use super::{read_body, AppState};
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::rows::CaseRow;
use crate::status;
use crate::store::audit::Change;
use crate::store::cases;
use crate::wire::batch::{cases_response, CasesResponse};
use crate::wire::envelope::{Envelope, Messages, Outcome, NO_SUCH_CASE};
use crate::wire::request::{invalid, parse_items, parse_part, Item};
use crate::wire::values::{Code, Id, Text};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

/// A case to create.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCase {
    /// The case id, chosen by the caller (`CA100`).
    pub case_id: Id,
    /// The case type code.
    #[serde(default)]
    pub case_type_code: Option<Code>,
    /// A description of the case, at most 2000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub case_description: Option<Text<2000>>,
}

/// A status change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// The case.
    pub case_id: Id,
    /// The new status: `NW`, `INV`, `ESC` or `CLS`.
    #[schema(example = "INV")]
    pub case_status_code: Code,
}

/// The roll-up messages of `createCase`.
pub const CREATION: Messages = Messages {
    success: "Cases creation was successful.",
    partial: "Cases creation was partially successful.",
    failed: "Cases creation failed.",
};

/// The roll-up messages of `updateCaseStatus`.
pub const STATUS_UPDATE: Messages = Messages {
    success: "Case status update was successful.",
    partial: "Case status update was partially successful.",
    failed: "Case status update failed.",
};

/// Reads a batch of case items, at most as many as customers are allowed.
pub(super) async fn items(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    allowed: &[&str],
) -> Result<Vec<Item>, EcmError> {
    let body = read_body(req, payload, state).await?;
    let items = parse_items(&body, allowed)?;
    if items.len() > state.max_customers {
        return Err(EcmError::TooLarge(format!(
            "The request carries {} cases; at most {} are accepted per request.",
            items.len(),
            state.max_customers
        )));
    }
    Ok(items)
}

/// Each item's id as sent, and the item parsed as `T` (or why not).
fn parsed<T: serde::de::DeserializeOwned>(items: Vec<Item>) -> Vec<(String, Result<T, String>)> {
    items
        .into_iter()
        .map(|item| {
            let value = parse_part(&Value::Object(item.fields));
            (item.case_id, value)
        })
        .collect()
}

/// Create cases (ours: the vendor creates cases from events).
///
/// An array of `{caseId, caseTypeCode, caseDescription}`. A case starts in
/// status `NW` (New); its creation is the first entry of its audit trail.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/createCase", tag = "ECM (ours)",
    request_body(content = Vec<NewCase>, description = "The cases to create"),
    responses(
        (status = 200, description = "Every case created (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::openapi::ChangeRefusals,
    )
)]
pub async fn create_case(
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
        &["caseId", "caseTypeCode", "caseDescription"],
    )
    .await?;
    let cases = parsed::<NewCase>(items);
    let change = Change::now(&caller.subject);
    let outcomes = state
        .db
        .run(move |conn| {
            let mut outcomes = Vec::with_capacity(cases.len());
            for (case_id, new) in cases {
                let outcome = match new {
                    Err(message) => Outcome::refused(message),
                    Ok(new) => {
                        let row = CaseRow {
                            case_id: new.case_id.to_string(),
                            case_type_code: new.case_type_code.map(Text::into_string),
                            case_description: new.case_description.map(Text::into_string),
                            case_status_code: status::INITIAL.code.to_owned(),
                            status_changed_at: change.at.clone(),
                            created_at: change.at.clone(),
                            created_by: change.actor.clone(),
                        };
                        if cases::insert(conn, &row, &change)? {
                            Outcome::done("Case created successfully.")
                        } else {
                            Outcome::refused("Case already exists.")
                        }
                    }
                };
                outcomes.push((case_id, outcome));
            }
            Ok::<_, EcmError>(outcomes)
        })
        .await?;
    let (status, response) = cases_response(CREATION, outcomes);
    tracing::info!(cases = response.results.len(), "cases created");
    Ok(HttpResponse::build(status).json(response))
}

/// How many times a status change re-reads a case that changed under it.
const STATUS_ATTEMPTS: usize = 3;

/// Change the status of cases (ours).
///
/// An array of `{caseId, caseStatusCode}`; the codes are `NW` (New), `INV`
/// (Investigation), `ESC` (Escalated) and `CLS` (Closed). Every change is
/// recorded in the case's audit trail with the status before and after.
#[utoipa::path(
    post, path = "/rest-api/ECMService/CaseManagementService/updateCaseStatus", tag = "ECM (ours)",
    request_body(content = Vec<StatusChange>, description = "The cases and their new status"),
    responses(
        (status = 200, description = "Every status set (`SUCCESS`) or some (`PARTIALSUCCESS`)", body = CasesResponse),
        (status = 400, description = "The body is not the documented shape, or an item has no caseId; with `RESULTARRAY` when every part failed on its input", body = Envelope),
        crate::openapi::ChangeRefusals,
    )
)]
pub async fn update_case_status(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let items = items(&req, payload, &state, &["caseId", "caseStatusCode"]).await?;
    let changes = parsed::<StatusChange>(items);
    let change = Change::now(&caller.subject);
    let outcomes = state
        .db
        .run(move |conn| {
            let mut outcomes = Vec::with_capacity(changes.len());
            for (case_id, wanted) in changes {
                let outcome = match wanted {
                    Err(message) => Outcome::refused(message),
                    Ok(wanted) => set_status(conn, &wanted, &change)?,
                };
                outcomes.push((case_id, outcome));
            }
            Ok::<_, EcmError>(outcomes)
        })
        .await?;
    let (status, response) = cases_response(STATUS_UPDATE, outcomes);
    tracing::info!(cases = response.results.len(), "case statuses updated");
    Ok(HttpResponse::build(status).json(response))
}

/// Sets one case's status, re-reading it if it changes concurrently.
fn set_status(
    conn: &mut service_kit::DbConnection,
    wanted: &StatusChange,
    change: &Change,
) -> Result<Outcome, EcmError> {
    let to = wanted.case_status_code.as_str();
    if status::by_code(to).is_none() {
        return Ok(Outcome::refused(invalid("caseStatusCode", &status::rule())));
    }
    for _ in 0..STATUS_ATTEMPTS {
        let Some(case) = cases::find(conn, wanted.case_id.as_str())? else {
            return Ok(Outcome::refused(NO_SUCH_CASE));
        };
        if case.case_status_code == to {
            return Ok(Outcome::done("Case status is unchanged."));
        }
        if cases::set_status(conn, &case.case_id, &case.case_status_code, to, change)? {
            return Ok(Outcome::done("Case status updated successfully."));
        }
    }
    Ok(Outcome::refused(
        "Case status was changed concurrently. Please try again.",
    ))
}
