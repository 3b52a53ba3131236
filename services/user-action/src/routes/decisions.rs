//! The bank's decisions on an application's case, an internal API
//! (internal credential; SPEC §D): case-service delivers each from its
//! outbox, at least once, and each is applied once, by its id.

use super::AppState;
use crate::store::decisions::{self, Decided};
use crate::wire::{DecisionApplied, MAX_DECISION_BYTES, MAX_RESPONSE_CHARS};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::flow::{kinds, CaseDecision, CaseDecisionData};
use serde::Deserialize;
use serde_json::Value;
use service_kit::auth::InternalPeer;
use service_kit::body::{parse_json_object, read_json};
use service_kit::error::Problem;
use service_kit::{InputError, ProblemError};

/// The longest id, case id or case status accepted.
const MAX_ID_CHARS: usize = 64;
/// The longest actor (a case worker's subject) accepted.
const MAX_ACTOR_CHARS: usize = 255;

/// Apply a case decision.
///
/// `evidence.rejected` sends the action the document answers back to the
/// applicant, `Rejected` with the comments as its `ReviewComment`;
/// `evidence.accepted` makes it `Reviewed`; `case.status_changed` to `APR`
/// or `REJ` makes the application `Approved` or `Rejected`, and `RFI`
/// shows it pending with the customer (`PendingWithCustomer` in
/// getUserActions). Each is audited in the application's trail by the
/// decision's `actor`. Applied once by `id`: a repeat answers as the first
/// time and changes nothing. A decision on an application not before the
/// bank (in progress, withdrawn, decided or erased) is recorded and changes
/// nothing (`ignored`).
#[utoipa::path(
    post, path = "/user-action/v1/applications/{applicationId}/decisions", tag = "decisions (internal)",
    params(("applicationId" = String, Path, description = "The application (`Application_id`)")),
    request_body(content = CaseDecision, example = json!({
        "id": "0b7f6a53-4e43-4d0f-9c55-0c5d6f3f1a00", "occurredAt": "2026-12-07T10:00:00Z",
        "actor": "analyst-1", "caseId": "CA0000000001", "kind": "evidence.rejected",
        "data": {"documentId": "3b18b79d-2fd5-4197-844b-87be10302a3e", "comments": "The scan is unreadable"}})),
    responses(
        (status = 200, description = "Applied, now or before (by id): what became of it", body = DecisionApplied,
         example = json!({"id": "0b7f6a53-4e43-4d0f-9c55-0c5d6f3f1a00", "outcome": "applied"})),
        (status = 400, description = "The body is not a decision, or a field is invalid (named)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid internal credential", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The action changed while the decision was applied: nothing was applied; retry", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 32 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`data.documentId` is not attached to the application: nothing was recorded", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Our own fault; the cause is logged, not told", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable: nothing was applied; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn decide(
    _caller: InternalPeer,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ProblemError> {
    let application_id = path.into_inner();
    if application_id.chars().count() > MAX_ID_CHARS {
        return Err(ProblemError::NotFound("application"));
    }
    let decision = parse(read_json(&req, payload, MAX_DECISION_BYTES).await?)?;
    check(&decision)?;
    let request_id = service_kit::observe::current_request_id();
    let (keyring, id, kind) = (
        state.keyring.clone(),
        application_id.clone(),
        kind(&decision),
    );
    let decision_id = decision.id.clone();
    let decided = state
        .db
        .run(move |conn| {
            decisions::decide(conn, &keyring, &id, &decision, request_id.as_deref())
                .map_err(ProblemError::from)
        })
        .await?;
    let outcome = match decided {
        Decided::Repeat(outcome) => outcome,
        Decided::Missing => return Err(ProblemError::NotFound("application")),
        Decided::UnknownDocument => {
            return Err(ProblemError::Rule {
                rule: "document-not-on-application",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field: "data.documentId",
                message: "is not attached to this application".to_owned(),
            })
        }
        Decided::Changed => {
            return Err(ProblemError::Conflict(
                "the user action changed while the decision was applied; retry".to_owned(),
            ))
        }
        other => {
            let outcome = other.recorded().unwrap_or("unchanged");
            // Ids and codes only: never the comments.
            tracing::info!(application_id = %application_id, decision = %decision_id, kind, outcome, "case decision applied");
            outcome.to_owned()
        }
    };
    Ok(HttpResponse::Ok().json(DecisionApplied {
        id: decision_id,
        outcome,
    }))
}

/// A decision as read, its `data` still JSON: serde names a field of a
/// flattened, tagged enum without its place (`documentId`), so `data` is
/// read on its own, by `kind`, and its fields named `data.documentId`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sent {
    id: String,
    occurred_at: String,
    actor: String,
    case_id: String,
    kind: String,
    data: Value,
}

/// The decision `sent` holds, or its fields' errors, each named.
fn parse(sent: Sent) -> Result<CaseDecision, InputError> {
    let data =
        serde_json::to_vec(&sent.data).map_err(|e| InputError::field("data", e.to_string()))?;
    let in_data = |e: InputError| match e {
        InputError::Invalid(errors) => InputError::Invalid(
            errors
                .into_iter()
                .map(|e| {
                    let field = if e.field == "body" {
                        "data".to_owned()
                    } else {
                        format!("data.{}", e.field)
                    };
                    domain::FieldError::new(field, e.message)
                })
                .collect(),
        ),
        other => other,
    };
    let data = match sent.kind.as_str() {
        kinds::EVIDENCE_ACCEPTED => {
            CaseDecisionData::EvidenceAccepted(parse_json_object(&data).map_err(in_data)?)
        }
        kinds::EVIDENCE_REJECTED => {
            CaseDecisionData::EvidenceRejected(parse_json_object(&data).map_err(in_data)?)
        }
        kinds::CASE_STATUS_CHANGED => {
            CaseDecisionData::StatusChanged(parse_json_object(&data).map_err(in_data)?)
        }
        _ => {
            return Err(InputError::field(
                "kind",
                format!(
                    "must be {}, {} or {}",
                    kinds::EVIDENCE_ACCEPTED,
                    kinds::EVIDENCE_REJECTED,
                    kinds::CASE_STATUS_CHANGED
                ),
            ))
        }
    };
    Ok(CaseDecision {
        id: sent.id,
        occurred_at: sent.occurred_at,
        actor: sent.actor,
        case_id: sent.case_id,
        data,
    })
}

/// The decision's kind, for logs.
fn kind(decision: &CaseDecision) -> &'static str {
    match decision.data {
        CaseDecisionData::EvidenceAccepted(_) => kinds::EVIDENCE_ACCEPTED,
        CaseDecisionData::EvidenceRejected(_) => kinds::EVIDENCE_REJECTED,
        CaseDecisionData::StatusChanged(_) => kinds::CASE_STATUS_CHANGED,
    }
}

/// Refuses a decision whose fields are blank, too long or not what they
/// say, naming each field.
fn check(decision: &CaseDecision) -> Result<(), InputError> {
    let mut texts: Vec<(&str, &str, usize)> = vec![
        ("id", &decision.id, MAX_ID_CHARS),
        ("actor", &decision.actor, MAX_ACTOR_CHARS),
        ("caseId", &decision.case_id, MAX_ID_CHARS),
    ];
    let mut errors = Vec::new();
    match &decision.data {
        CaseDecisionData::EvidenceAccepted(review) | CaseDecisionData::EvidenceRejected(review) => {
            texts.push(("data.documentId", &review.document_id, MAX_ID_CHARS));
            if let Some(comments) = &review.comments {
                if domain::text::longer_than(comments, MAX_RESPONSE_CHARS) {
                    errors.push(domain::FieldError::new(
                        "data.comments",
                        format!("must be at most {MAX_RESPONSE_CHARS} characters"),
                    ));
                }
            }
        }
        CaseDecisionData::StatusChanged(change) => {
            texts.push(("data.oldStatus", &change.old_status, MAX_ID_CHARS));
            texts.push(("data.newStatus", &change.new_status, MAX_ID_CHARS));
        }
    }
    for (field, value, max) in texts {
        if value.trim().is_empty() {
            errors.push(domain::FieldError::new(field, "is required"));
        } else if domain::text::longer_than(value, max) {
            errors.push(domain::FieldError::new(
                field,
                format!("must be at most {max} characters"),
            ));
        }
    }
    if chrono::DateTime::parse_from_rfc3339(&decision.occurred_at).is_err() {
        errors.push(domain::FieldError::new(
            "occurredAt",
            "must be an RFC 3339 date and time",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputError::Invalid(errors))
    }
}
