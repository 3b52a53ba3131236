//! Event suppression (ECM guide 4.5): the vendor's `getSuppressionRulesList`
//! (its misspelt `SupressionListRestService`), and ours to manage the
//! rules: `createSuppressionRule` (pending), `approveSuppressionRule` and
//! `rejectSuppressionRule` (by someone other than the creator).

use super::body::{bad_limit, invalid, parse_part, read_body, MAX_LIMIT};
use super::AppState;
use crate::caller::{Access, Caller};
use crate::error::EcmError;
use crate::rows::events::{sup_seq_id, NewRuleRow, RuleRow, APPROVED, PENDING, REJECTED};
use crate::store::audit::Change;
use crate::store::suppression::{self, Decided, Filter};
use crate::wire::envelope::Status;
use crate::wire::suppression::{
    NewRule, Rule, RuleDecision, RuleResponse, RulesFilter, RulesResponse,
};
use crate::wire::values::Text;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde_json::Value;
use service_kit::body::parse_value;

/// Reads a body that is one JSON object into `T`; a refusal names the field.
async fn object<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<T, EcmError> {
    let body = read_body(req, payload, state).await?;
    let value = match parse_value(&body) {
        Ok(value @ Value::Object(_)) => value,
        _ => return Err(EcmError::InvalidFormat),
    };
    parse_part(&value).map_err(EcmError::Invalid)
}

/// Today, `YYYY-MM-DD` (UTC).
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn rule_of(row: RuleRow) -> Result<Rule, EcmError> {
    row.into_wire(&today().to_string())
        .map_err(|e| EcmError::Internal(e.into()))
}

/// List suppression rules.
///
/// Every filter is optional: `domain`, `jurisdiction` (a comma-separated
/// list), and `fromDate`/`toDate` (`DD/MM/YYYY`, the days the rules were
/// created, both included). Ours: `limit` and `cursor` page the list by
/// `supSeqId`.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/SupressionListRestService/getSuppressionRulesList", tag = "ECM",
    request_body(content = RulesFilter),
    responses(
        (status = 200, description = "A page of the rules", body = RulesResponse),
        (status = 400, description = "The body is not the documented shape, or a filter is invalid (the message names it)", body = crate::wire::envelope::Envelope),
        crate::wire::envelope::ReadRefusals,
    )
)]
pub async fn get_suppression_rules_list(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Read)?;
    let filter: RulesFilter = object(&req, payload, &state).await?;
    let limit = filter.limit.unwrap_or(MAX_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad_limit());
    }
    if let (Some(from), Some(to)) = (filter.from_date, filter.to_date) {
        if from > to {
            return Err(EcmError::Invalid(invalid(
                "toDate",
                "must not be before fromDate",
            )));
        }
    }
    let jurisdictions = filter.jurisdiction.as_ref().map(|list| {
        list.as_str()
            .split(',')
            .map(|j| j.trim().to_owned())
            .filter(|j| !j.is_empty())
            .collect()
    });
    let stored = Filter {
        domain: filter.domain.map(Text::into_string),
        jurisdictions,
        from: filter.from_date.map(|d| d.0.to_string()),
        until: filter
            .to_date
            .and_then(|d| d.0.succ_opt())
            .map(|d| d.to_string()),
    };
    let after = filter.cursor;
    let page = state
        .db
        .run(move |conn| Ok::<_, EcmError>(suppression::page(conn, &stored, after, limit)?))
        .await?;
    let next_cursor = page
        .next_cursor(|r| r.id.to_string())
        .and_then(|c| c.parse().ok());
    let results = page
        .items
        .into_iter()
        .map(rule_of)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(RulesResponse {
        message: "Suppression rules fetched successfully.".to_owned(),
        status: Status::Success,
        results,
        next_cursor,
    }))
}

/// Create a suppression rule (ours).
///
/// `{customerId, scenario, expiryDate, domain, jurisdiction, eventCode,
/// caseId}`: events of this customer (as their focus) whose details name
/// this scenario are not promoted to cases, once someone other than the
/// creator approves the rule, until its expiry date (included). The rule
/// starts pending (`SUPPND`).
#[utoipa::path(
    post, path = "/rest-api/CMRestService/SupressionListRestService/createSuppressionRule", tag = "ECM (ours)",
    request_body(content = NewRule),
    responses(
        (status = 200, description = "The rule, pending", body = RuleResponse),
        (status = 400, description = "The body is not the documented shape, or a field is invalid (the message names it)", body = crate::wire::envelope::Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn create_suppression_rule(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let rule: NewRule = object(&req, payload, &state).await?;
    if rule.scenario.as_str().trim().is_empty() {
        return Err(EcmError::Invalid(invalid("scenario", "must not be blank")));
    }
    if rule.expiry_date.0 < today() {
        return Err(EcmError::Invalid(invalid(
            "expiryDate",
            "must be today or later",
        )));
    }
    let change = Change::now(&caller.subject);
    let row = NewRuleRow {
        customer_id: rule.customer_id.as_str().to_owned(),
        scenario: rule.scenario.into_string(),
        domain: rule.domain.map(Text::into_string),
        jurisdiction: rule.jurisdiction.map(Text::into_string),
        event_code: rule.event_code.map(|e| e.as_str().to_owned()),
        case_id: rule.case_id.map(|c| c.as_str().to_owned()),
        status_code: PENDING.to_owned(),
        expires_on: rule.expiry_date.0.to_string(),
        created_at: change.at,
        created_by: change.actor,
    };
    let stored = state
        .db
        .run(move |conn| Ok::<_, EcmError>(suppression::insert(conn, &row)?))
        .await?;
    tracing::info!(rule = stored.id, "suppression rule created");
    Ok(HttpResponse::Ok().json(RuleResponse {
        message: "Suppression rule created successfully.".to_owned(),
        status: Status::Success,
        rule: rule_of(stored)?,
    }))
}

/// Approve a pending suppression rule (ours): `{supCode}`. The approver
/// must not be its creator.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/SupressionListRestService/approveSuppressionRule", tag = "ECM (ours)",
    request_body(content = RuleDecision),
    responses(
        (status = 200, description = "The rule, approved (`SUPAPP`)", body = RuleResponse),
        (status = 400, description = "The body is not the documented shape, or supCode is invalid", body = crate::wire::envelope::Envelope),
        (status = 404, description = "No such rule", body = crate::wire::envelope::Envelope),
        (status = 409, description = "The rule is no longer pending", body = crate::wire::envelope::Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn approve_suppression_rule(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    decide(req, payload, caller, state, APPROVED).await
}

/// Reject a pending suppression rule (ours): `{supCode}`. The rejecter
/// must not be its creator.
#[utoipa::path(
    post, path = "/rest-api/CMRestService/SupressionListRestService/rejectSuppressionRule", tag = "ECM (ours)",
    request_body(content = RuleDecision),
    responses(
        (status = 200, description = "The rule, rejected (`SUPREJ`)", body = RuleResponse),
        (status = 400, description = "The body is not the documented shape, or supCode is invalid", body = crate::wire::envelope::Envelope),
        (status = 404, description = "No such rule", body = crate::wire::envelope::Envelope),
        (status = 409, description = "The rule is no longer pending", body = crate::wire::envelope::Envelope),
        crate::wire::envelope::ChangeRefusals,
    )
)]
pub async fn reject_suppression_rule(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, EcmError> {
    decide(req, payload, caller, state, REJECTED).await
}

/// The rule's own creator may not decide it (four eyes).
pub const OWN_RULE: &str = "A suppression rule is decided by someone other than its creator.";

async fn decide(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    state: web::Data<AppState>,
    to: &'static str,
) -> Result<HttpResponse, EcmError> {
    caller.require(Access::Write)?;
    let decision: RuleDecision = object(&req, payload, &state).await?;
    let id = sup_seq_id(decision.sup_code.as_str())
        .ok_or_else(|| EcmError::Invalid(invalid("supCode", "must be SUP followed by a number")))?;
    let change = Change::now(&caller.subject);
    let decided = state
        .db
        .run(move |conn| {
            Ok::<_, EcmError>(suppression::decide(
                conn,
                id,
                to,
                &change.actor,
                &change.at,
            )?)
        })
        .await?;
    let rule = match decided {
        Decided::Done(rule) => rule,
        Decided::Unknown => {
            return Err(EcmError::NotFound(
                "Suppression rule does not exist.".to_owned(),
            ))
        }
        Decided::OwnRule => return Err(EcmError::NotAllowed(OWN_RULE.to_owned())),
        Decided::NotPending(rule) => {
            return Err(EcmError::Conflict(format!(
                "Suppression rule is not pending: it is {}.",
                rule_of(rule)?.sup_status_code
            )))
        }
    };
    let word = if to == APPROVED {
        "approved"
    } else {
        "rejected"
    };
    tracing::info!(rule = id, decision = word, "suppression rule decided");
    Ok(HttpResponse::Ok().json(RuleResponse {
        message: format!("Suppression rule {word} successfully."),
        status: Status::Success,
        rule: rule_of(rule)?,
    }))
}
