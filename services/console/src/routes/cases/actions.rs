//! The actions on a case (`case:write`, with the CSRF token): assignment,
//! status, narratives, evidence reviews and event risk decisions. Each is
//! one case-service operation on one case, so it is done whole or not at
//! all, and only by the case worker holding the case's lock (taken with
//! Edit): anyone else gets the page again with a 409 before anything is
//! asked of case-service. Done: a 303 back to the case (POST, redirect,
//! GET). Refused: the case page again, with what was wrong (naming the
//! field) in an alert.

use super::{acting, back_to, case_id, detail, read_failure, refusal, require_write, Screens};
use crate::caller::Analyst;
use crate::error::ConsoleError;
use crate::views::cases::{APPLICATION_STATUSES, GUARDED, SETTABLE};
use crate::wire::cases::{AssignForm, DecisionForm, NarrativeForm, ReviewForm, StatusForm};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use clients::ecm::{Ack, CaseDetails};
use serde_json::{json, Value};

/// What an action by a caller not holding the case's lock is answered.
const TAKE_IT_FIRST: &str = "Press Edit to take the case before changing it.";

/// The longest narrative case-service takes.
const NARRATIVE_MAX: usize = 10_000;

/// Checks the token and the role, runs `op` with `body` (unless the form
/// was refused with `invalid`), and answers a 303 to `tab`, or the page
/// with the refusal.
#[allow(clippy::too_many_arguments)]
async fn act(
    req: &HttpRequest,
    analyst: &Analyst,
    screens: &Screens,
    case_id: &str,
    csrf: &str,
    tab: &str,
    op: &str,
    body: Result<Value, String>,
) -> Result<HttpResponse, ConsoleError> {
    analyst.check_csrf(req, csrf)?;
    require_write(analyst)?;
    let lock = held_by_other(screens, analyst, case_id).await?;
    let shown = match (lock, body) {
        (Some(not_held), _) => (StatusCode::CONFLICT, not_held),
        (None, Err(invalid)) => (StatusCode::UNPROCESSABLE_ENTITY, invalid),
        (None, Ok(body)) => {
            let done: Result<Ack, _> = screens.ecm.op(op, &acting(analyst), &body).await;
            match done {
                Ok(_) => {
                    tracing::info!(op, "console: case changed");
                    return Ok(back_to(case_id, tab));
                }
                Err(e) => refusal(e)?,
            }
        }
    };
    detail::refused(screens, analyst, case_id, tab, shown).await
}

/// Why the caller may not act on case `case_id` now (`None`: they hold
/// its lock). Read first, so that a change is never made by someone who
/// did not press Edit, even where case-service would take it (a case
/// nobody holds); one getCaseDetails of one item a list.
async fn held_by_other(
    screens: &Screens,
    analyst: &Analyst,
    case_id: &str,
) -> Result<Option<String>, ConsoleError> {
    let body = json!({"caseId": case_id, "limit": 1});
    let details: CaseDetails = screens
        .ecm
        .op("getCaseDetails", &acting(analyst), &body)
        .await
        .map_err(read_failure)?;
    Ok(match details.lock {
        Some(lock) if lock.locked_by == analyst.session.subject => None,
        Some(lock) => Some(format!(
            "{} is editing this case. Wait until they are done, then press Edit to take it.",
            lock.locked_by
        )),
        None => Some(TAKE_IT_FIRST.to_owned()),
    })
}

/// `POST /console/cases/{caseId}/assign`: to me, to another case worker,
/// or to no one.
pub async fn assign(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    let other = form.assignee.trim();
    let assignee = match form.to.as_str() {
        "me" => Ok(json!(analyst.session.subject)),
        "nobody" => Ok(Value::Null),
        "other" if !other.is_empty() && other.chars().count() <= 200 => Ok(json!(other)),
        "other" => {
            Err("Reassign to: enter the case worker's user id (at most 200 characters).".to_owned())
        }
        _ => Err(
            "Assignment: choose to assign to yourself, to another case worker, or to no one."
                .to_owned(),
        ),
    };
    let body = assignee.map(|assignee| json!([{"caseId": case_id, "assignee": assignee}]));
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        &form.tab,
        "assignCase",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/status`: a new status, with a comment
/// (required for `APR`, `REJ` and `RFI`).
pub async fn status(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    let code = form.status.as_str();
    let comment = form.comment.trim();
    let body = if !SETTABLE.contains(&code) && !APPLICATION_STATUSES.contains(&code) {
        Err("New status: choose one of the statuses listed.".to_owned())
    } else if APPLICATION_STATUSES.contains(&code) && comment.is_empty() {
        Err("Comment: say why, to approve, reject, or ask the customer for more.".to_owned())
    } else if comment.is_empty() {
        Ok(json!([{"caseId": case_id, "caseStatusCode": code}]))
    } else {
        Ok(json!([{"caseId": case_id, "caseStatusCode": code, "comment": form.comment}]))
    };
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        &form.tab,
        "updateCaseStatus",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/narratives`.
pub async fn narrative(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<NarrativeForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    let body = if form.narrative.trim().is_empty() {
        Err("New narrative: write something first.".to_owned())
    } else if form.narrative.chars().count() > NARRATIVE_MAX {
        Err(format!(
            "New narrative: at most {NARRATIVE_MAX} characters."
        ))
    } else {
        Ok(json!([{"caseId": case_id, "narrative": form.narrative}]))
    };
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        "narratives",
        "addNarrative",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/evidence/{documentId}/review`: accept,
/// or reject with a reason.
pub async fn review(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<(String, String)>,
    form: web::Form<ReviewForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (case_id, document_id) = path.into_inner();
    let case_id = self::case_id(&case_id)?;
    let reason = form.reason.trim();
    let review = match form.decision.as_str() {
        "ACCEPT" => Ok(json!({"documentId": document_id, "decision": "ACCEPT"})),
        "REJECT" if reason.is_empty() => {
            Err("Reason: say why the document is rejected; the applicant reads it.".to_owned())
        }
        "REJECT" => {
            Ok(json!({"documentId": document_id, "decision": "REJECT", "comments": reason}))
        }
        _ => Err("Decision: accept or reject the document.".to_owned()),
    };
    let body = review.map(|review| json!([{"caseId": case_id, "evidence": [review]}]));
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        "evidence",
        "reviewEvidence",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/events/{eventCode}/decision`: one of the
/// configured risk decisions, with comments.
pub async fn decide(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<(String, String)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, ConsoleError> {
    let (case_id, event_code) = path.into_inner();
    let case_id = self::case_id(&case_id)?;
    let code = form
        .decision
        .parse::<u32>()
        .ok()
        .filter(|code| screens.decisions.iter().any(|d| d.code == *code));
    let comments = form.comments.trim();
    let body = match code {
        None => Err("Decision: choose one of the decisions listed.".to_owned()),
        Some(code) => {
            let mut decision = json!({"eventCode": event_code, "eventDecisionCode": code});
            if !comments.is_empty() {
                decision["comments"] = json!(comments);
            }
            Ok(json!([{"caseId": case_id, "events": [decision]}]))
        }
    };
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        "events",
        "updateEventRiskDecision",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/recommendation`: four eyes' first case
/// worker recommends approving or rejecting, with why.
pub async fn recommend(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    let body = guarded_status(
        &case_id,
        &form,
        "Recommendation: recommend approval or rejection.",
        "Why you recommend it: say why; the case worker who approves reads it.",
    );
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        &form.tab,
        "recommendCaseStatus",
        body,
    )
    .await
}

/// `POST /console/cases/{caseId}/approval`: four eyes' second case worker
/// approves the open recommendation by setting its status, with a
/// comment. case-service checks that it is the status recommended, by
/// someone else.
pub async fn approve(
    req: HttpRequest,
    analyst: Analyst,
    screens: web::Data<Screens>,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, ConsoleError> {
    let case_id = case_id(&path)?;
    let body = guarded_status(
        &case_id,
        &form,
        "Approve recommendation: the recommendation is of approval or rejection; reload the page.",
        "Comment: say why you approve the recommendation.",
    );
    act(
        &req,
        &analyst,
        &screens,
        &case_id,
        &form.csrf,
        &form.tab,
        "updateCaseStatus",
        body,
    )
    .await
}

/// Four eyes' body for case `case_id`: `form`'s status, which must be one
/// four eyes guards (else `not_guarded`), with its comment, which must
/// say something (else `no_comment`).
fn guarded_status(
    case_id: &str,
    form: &StatusForm,
    not_guarded: &str,
    no_comment: &str,
) -> Result<Value, String> {
    let code = form.status.as_str();
    if !GUARDED.contains(&code) {
        Err(not_guarded.to_owned())
    } else if form.comment.trim().is_empty() {
        Err(no_comment.to_owned())
    } else {
        Ok(json!([{"caseId": case_id, "caseStatusCode": code, "comment": form.comment}]))
    }
}
