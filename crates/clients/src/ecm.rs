//! The case management operations over case-service's acting scope
//! (`POST /case/v1/ecm/CaseManagementService/{op}`): the internal
//! credential, and the case worker the caller acts for in
//! `X-Acting-Subject`/`X-Acting-Roles`. For the console.
//!
//! The answers are read into the structs below, which keep only the
//! fields the console shows (unknown fields are ignored), so the console
//! never depends on the `case` crate. The shapes are case-service's
//! (proto-docs/case.json).

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use service_kit::client::{CallError, InternalClient};
use service_kit::server::Context;

/// Where the acting scope serves the operations.
const ACTING_PATH: &str = "/case/v1/ecm/CaseManagementService";

/// The case roles case-service knows: the only ones sent as acting roles
/// (it refuses any other).
pub const CASE_ROLES: [&str; 2] = ["case:read", "case:write"];

/// The case worker a call acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acting {
    /// Their subject: the actor in the audit trail, "mine" in the inbox.
    pub subject: String,
    /// Their case roles (`case:read`, `case:write`); others are not sent.
    pub roles: Vec<String>,
}

impl Acting {
    /// `X-Acting-Roles`: the case roles, comma-separated.
    fn roles_header(&self) -> String {
        self.roles
            .iter()
            .filter(|role| CASE_ROLES.contains(&role.as_str()))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Why an operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum EcmError {
    /// case-service refused it, in the ECM envelope: the HTTP status (400,
    /// 403, 409 for another user's lock) and the most specific message
    /// (an item's part, else the item, else the envelope's).
    #[error("case-service refused ({status}): {message}")]
    Refused {
        /// The HTTP status (a number: the caller's `http` may be another
        /// version than reqwest's).
        status: u16,
        /// What case-service said, in its words.
        message: String,
    },
    /// It could not be asked, or answered something else.
    #[error(transparent)]
    Call(#[from] CallError),
}

/// A client of case-service's acting scope.
#[derive(Clone, Debug)]
pub struct EcmClient {
    http: InternalClient,
}

impl EcmClient {
    /// A client of case-service at `base_url` (from `CASE_SERVICE_URL`, or
    /// this process when unset).
    pub fn new(ctx: &Context, base_url: Option<&str>) -> Self {
        Self {
            http: crate::peer(ctx, "case-service", base_url),
        }
    }

    /// Calls operation `name` with `body` for `acting`, reading a success
    /// as `T`. Never retried (a POST).
    pub async fn op<B: Serialize, T: DeserializeOwned>(
        &self,
        name: &str,
        acting: &Acting,
        body: &B,
    ) -> Result<T, EcmError> {
        let path = format!("{ACTING_PATH}/{name}");
        let roles = acting.roles_header();
        let headers = [
            ("X-Acting-Subject", acting.subject.as_str()),
            ("X-Acting-Roles", roles.as_str()),
        ];
        self.http
            .json_with(Method::POST, &path, &headers, Some(body))
            .await
            .map_err(refusal)
    }
}

/// A 4xx answered in the ECM envelope as [`EcmError::Refused`]; anything
/// else as the call's error.
fn refusal(error: CallError) -> EcmError {
    match error {
        CallError::Status { status, body, .. } if status.is_client_error() => {
            match most_specific(&body) {
                Some(message) => EcmError::Refused {
                    status: status.as_u16(),
                    message,
                },
                None => EcmError::Call(CallError::Status {
                    service: "case-service",
                    status,
                    body,
                }),
            }
        }
        other => EcmError::Call(other),
    }
}

/// The message of the first failed part of the first failed item of an
/// ECM envelope, else that item's, else the envelope's own.
fn most_specific(body: &serde_json::Value) -> Option<String> {
    let failed = |v: &&serde_json::Value| v["STATUS"] != "SUCCESS";
    let message = |v: &serde_json::Value| v["MESSAGE"].as_str().map(str::to_owned);
    let item = body["RESULTARRAY"]
        .as_array()
        .and_then(|items| items.iter().find(failed));
    let part = item.and_then(|item| {
        item.as_object()?
            .values()
            .filter_map(serde_json::Value::as_array)
            .flatten()
            .find(failed)
    });
    part.and_then(message)
        .or_else(|| item.and_then(message))
        .or_else(|| message(body))
}

/// The answer of an operation whose envelope is all the console reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Ack {
    /// What happened.
    #[serde(rename = "MESSAGE")]
    pub message: String,
}

/// A page of `searchCases`.
#[derive(Debug, Clone, Deserialize)]
pub struct SearchPage {
    /// How many cases match, or the count's cap when `total_capped`.
    pub total: i64,
    /// More cases match than `total` (case-service counts up to a cap).
    #[serde(default, rename = "totalCapped")]
    pub total_capped: bool,
    /// The page size used.
    pub limit: i64,
    /// The cases skipped.
    pub offset: i64,
    /// The page.
    pub cases: Vec<InboxCase>,
}

/// A case as the inbox lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxCase {
    /// The case, as every read shows it.
    #[serde(flatten)]
    pub case: CaseSummary,
    /// Due before today (UTC) and not closed.
    #[serde(default)]
    pub overdue: bool,
    /// The customer it was opened for.
    #[serde(default)]
    pub focus_customer_id: Option<String>,
    /// That customer's name, where case-service gives it.
    #[serde(default)]
    pub focus_customer_name: Option<String>,
    /// Who holds its lock, while someone does.
    #[serde(default)]
    pub locked_by: Option<String>,
}

/// A case, as every read shows it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    /// Its id.
    pub case_id: String,
    /// Its type code.
    #[serde(default)]
    pub case_type_code: Option<String>,
    /// Its description.
    #[serde(default)]
    pub case_description: Option<String>,
    /// Its status code.
    pub case_status_code: String,
    /// Its status name.
    #[serde(default)]
    pub case_status_name: Option<String>,
    /// `Y` when closed.
    #[serde(default)]
    pub case_closed_flag: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Its priority.
    #[serde(default)]
    pub priority: Option<String>,
    /// When it is due, `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// The application it was opened for.
    #[serde(default)]
    pub application_id: Option<String>,
    /// Who works it.
    #[serde(default)]
    pub assignee: Option<String>,
}

/// Who holds a case's lock, since and until when (RFC 3339).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseLock {
    /// The holder's subject.
    pub locked_by: String,
    /// Since when.
    pub locked_at: String,
    /// Until when, unless renewed.
    pub locked_until: String,
}

/// `getCaseDetails`: the case and a page of each of its lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetails {
    /// The case.
    pub case: CaseSummary,
    /// The application it was opened for, if one.
    #[serde(default)]
    pub application: Option<CaseApplication>,
    /// Its lock, while held.
    #[serde(default)]
    pub lock: Option<CaseLock>,
    /// Its effective risk (its customers' highest), a decimal string;
    /// `None` when no customer has one.
    #[serde(default)]
    pub effective_risk: Option<String>,
    /// Whether closing it as approved or rejected takes two case workers
    /// (four eyes).
    #[serde(default)]
    pub four_eyes_required: bool,
    /// Its open recommendation of a closing status, if one.
    #[serde(default)]
    pub recommendation: Option<Recommendation>,
    /// Its customers.
    #[serde(default)]
    pub customers: Vec<Customer>,
    /// The next page of customers.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// Its events.
    #[serde(default)]
    pub events: Vec<CaseEvent>,
    /// The next page of events.
    #[serde(default)]
    pub next_events_cursor: Option<String>,
    /// Its narratives, oldest first.
    #[serde(default)]
    pub narratives: Vec<Narrative>,
    /// The next page of narratives.
    #[serde(default)]
    pub next_narratives_cursor: Option<String>,
    /// Its accounts.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// The next page of accounts.
    #[serde(default)]
    pub next_accounts_cursor: Option<String>,
    /// Its external entities.
    #[serde(default)]
    pub external_entities: Vec<ExternalEntity>,
    /// The next page of external entities.
    #[serde(default)]
    pub next_external_entities_cursor: Option<String>,
    /// Its transactions.
    #[serde(default)]
    pub transactions: Vec<Transaction>,
    /// The next page of transactions.
    #[serde(default)]
    pub next_transactions_cursor: Option<String>,
}

/// A case worker's open recommendation of a case's closing status
/// (four eyes): another case worker approves it by setting that status.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// `APR` or `REJ`.
    pub case_status_code: String,
    /// Who recommended it.
    pub recommended_by: String,
    /// When (RFC 3339).
    pub recommended_at: String,
    /// Why.
    pub comment: String,
}

/// The application a case was opened for.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseApplication {
    /// Its id.
    pub application_id: String,
    /// The actions that need a reviewed document.
    #[serde(default)]
    pub needs_review: Vec<String>,
    /// Its documents, with their reviews.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// A document of an application, as evidence on its case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// The document.
    pub document_id: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub file_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// The action it answers.
    pub user_action_identifier: String,
    /// When it was added.
    pub added_at: String,
    /// `ACCEPT`, `REJECT`, or not yet reviewed.
    #[serde(default)]
    pub decision: Option<String>,
    /// The reviewer's comments.
    #[serde(default)]
    pub comments: Option<String>,
    /// Who reviewed it.
    #[serde(default)]
    pub decided_by: Option<String>,
}

/// A customer of a case (the fields the console shows).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// Its id.
    pub customer_id: String,
    /// `IND`, `ORG`, ...
    #[serde(default)]
    pub customer_type_code: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// An organisation's name.
    #[serde(default)]
    pub customer_organization_name: Option<String>,
    /// Date of birth.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// `Y` for a politically exposed person.
    #[serde(default)]
    pub pep_flag_code: Option<String>,
    /// The effective risk, as sent.
    #[serde(default)]
    pub effective_risk: Option<serde_json::Number>,
}

/// An account of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Its id.
    pub account_id: String,
    /// Its name.
    #[serde(default)]
    pub account_name: Option<String>,
    /// Its owner type.
    #[serde(default)]
    pub owner_type_code: Option<String>,
    /// When it was opened.
    #[serde(default)]
    pub open_date: Option<String>,
}

/// An external entity of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalEntity {
    /// Its id.
    pub external_entity: String,
    /// Its type code.
    #[serde(default)]
    pub external_entity_type_code: Option<String>,
    /// Its institution's name.
    #[serde(default)]
    pub institution_name: Option<String>,
    /// Its risk rating.
    #[serde(default)]
    pub risk_rating: Option<serde_json::Number>,
}

/// A transaction of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Its reference.
    pub transaction_reference_id: String,
    /// Its type code.
    #[serde(default)]
    pub transaction_type_code: Option<String>,
    /// The account.
    #[serde(default)]
    pub account_id: Option<String>,
    /// When.
    #[serde(default)]
    pub transaction_date_time: Option<String>,
    /// `D` or `C`.
    #[serde(default)]
    pub debit_or_credit_code: Option<String>,
    /// The amount.
    #[serde(default)]
    pub base_amount: Option<serde_json::Number>,
}

/// An event of a case, with its risk decision once made.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseEvent {
    /// The event as saved.
    pub event: Event,
    /// The decision code, once decided.
    #[serde(default)]
    pub event_decision_code: Option<i64>,
    /// The decision's comments.
    #[serde(default)]
    pub decision_comments: Option<String>,
    /// Who decided.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// When (RFC 3339).
    #[serde(default)]
    pub decided_at: Option<String>,
}

/// An event's own fields (those shown).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Its code.
    pub event_code: String,
    /// Its type.
    #[serde(default, rename = "type")]
    pub event_type: Option<String>,
    /// Its score.
    #[serde(default)]
    pub event_score: Option<String>,
    /// Its scenario class.
    #[serde(default)]
    pub scenario_class: Option<String>,
}

/// A narrative of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Narrative {
    /// Its id.
    pub narrative_id: i64,
    /// The text.
    pub narrative: String,
    /// When, `YYYY-MM-DD HH:MM:SS` UTC.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Who.
    pub created_by: String,
}

/// A page of `getCaseAudit`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// The changes, oldest first.
    pub events: Vec<AuditEvent>,
    /// The next page's cursor.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// One change to a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Its sequence number.
    pub event_id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What (`statusChanged`, ...).
    pub action: String,
    /// The customer concerned.
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The status before.
    #[serde(default)]
    pub from_status: Option<String>,
    /// The status after.
    #[serde(default)]
    pub to_status: Option<String>,
    /// The record concerned.
    #[serde(default)]
    pub record_id: Option<String>,
    /// The event concerned.
    #[serde(default)]
    pub event_code: Option<String>,
    /// The value before.
    #[serde(default)]
    pub old_value: Option<String>,
    /// The value after.
    #[serde(default)]
    pub new_value: Option<String>,
}

/// The answer of `lockCase`.
#[derive(Debug, Clone, Deserialize)]
pub struct Locked {
    /// The lock the caller now holds.
    pub lock: CaseLock,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_most_specific_message_is_read() {
        let part = json!({"MESSAGE": "Evidence review failed.", "STATUS": "FAILED", "RESULTARRAY": [
            {"MESSAGE": "Evidence review failed.", "STATUS": "FAILED", "caseId": "CA1",
             "evidence": [{"MESSAGE": "Invalid comments: are required.", "STATUS": "FAILED", "documentId": "d1"}]}]});
        assert_eq!(
            most_specific(&part).as_deref(),
            Some("Invalid comments: are required.")
        );
        let item = json!({"MESSAGE": "Case status update failed.", "STATUS": "FAILED", "RESULTARRAY": [
            {"MESSAGE": "Case is locked by another user a.", "STATUS": "FAILED", "caseId": "CA1"}]});
        assert_eq!(
            most_specific(&item).as_deref(),
            Some("Case is locked by another user a.")
        );
        let whole = json!({"MESSAGE": "Case does not exist.", "STATUS": "FAILED"});
        assert_eq!(
            most_specific(&whole).as_deref(),
            Some("Case does not exist.")
        );
        assert_eq!(most_specific(&json!({"title": "x"})), None);
    }

    #[test]
    fn only_case_roles_are_sent() {
        let acting = Acting {
            subject: "a".to_owned(),
            roles: vec![
                "application:read".into(),
                "case:read".into(),
                "case:write".into(),
            ],
        };
        assert_eq!(acting.roles_header(), "case:read,case:write");
    }
}
