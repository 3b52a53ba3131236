//! The real-time event operations (ECM guide 4.1-4.3, appendix C):
//! `saveEvents`, `saveEventsAndPromoteToCase` and `saveEventsAndExtendToCase`
//! take the same body (extend adds a top-level `caseId`), and answer in the
//! vendor's words: `saveEvents` in upper case (`MESSAGE`, `STATUS`), promote
//! and extend in lower case (`message`, `status`).
//!
//! Every field of the appendix C sample is documented here, and no other
//! is accepted: a typo must not silently drop data.

use super::envelope::Status;
use super::values::{GenericInformation, Id, LongText, Number, ShortText, Text};
use domain::{DateTimeSeconds, YesNo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most events one request may carry.
pub const MAX_EVENTS: usize = 100;
/// The most entities (top-level, or of one event) one request may carry.
pub const MAX_ENTITIES: usize = 100;
/// The most details one event may carry.
pub const MAX_DETAILS: usize = 100;

/// Free text of an event (comments, a detail's reason): at most 2000
/// characters.
pub type EventText = Text<2000>;

/// The body of the three operations.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventsRequest {
    /// The events, at least one, at most 100.
    #[schema(min_items = 1, max_items = 100)]
    #[serde(deserialize_with = "super::values::objects")]
    pub events: Vec<Event>,
    /// The entities the events name, with their details: `ECM_CUSTOMER`
    /// (a customer's fields) and `ECM_CUSTOMER_GENERIC` (its
    /// `genericInformation`), at most 100.
    #[serde(default, deserialize_with = "super::values::objects")]
    #[schema(max_items = 100)]
    pub entities: Vec<Entity>,
    /// `saveEventsAndExtendToCase` only: the case the events join.
    #[serde(default)]
    pub case_id: Option<Id>,
}

/// An event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// Its code: unique, for good (a code seen before is refused).
    pub event_code: Id,
    /// Its score, as sent (the sample sends `""`).
    #[serde(default)]
    pub event_score: Option<ShortText>,
    /// Where it comes from (`DLY`).
    #[serde(default)]
    pub data_origin: Option<ShortText>,
    /// Jurisdiction code.
    #[serde(default)]
    pub jurisdiction_code: Option<ShortText>,
    /// Business domain.
    #[serde(default)]
    pub business_domain: Option<ShortText>,
    /// Its type (`AML`): the type of the case it is promoted to.
    #[serde(default, rename = "type")]
    pub event_type: Option<ShortText>,
    /// Its priority, as sent.
    #[serde(default)]
    pub priority: Option<ShortText>,
    /// Scenario class.
    #[serde(default)]
    pub scenario_class: Option<ShortText>,
    /// Comments.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub comments: Option<EventText>,
    /// The entities it names; the one with `focusFlag: "Y"` is its focus
    /// customer, whose case it is promoted to.
    #[serde(default, deserialize_with = "super::values::objects")]
    #[schema(max_items = 100)]
    pub entities: Vec<EventEntity>,
    /// Its details: why it was raised, by which scenario.
    #[serde(default, deserialize_with = "super::values::objects")]
    #[schema(max_items = 100)]
    pub details: Vec<EventDetail>,
}

/// An entity an event names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventEntity {
    /// Its code.
    #[serde(default)]
    pub entity_code: Option<ShortText>,
    /// Its type (`CUSTOMER`).
    #[serde(default)]
    pub entity_type: Option<ShortText>,
    /// Its type code (`ECM_CUSTOMER`).
    #[serde(default)]
    pub entity_type_code: Option<ShortText>,
    /// Its name.
    #[serde(default)]
    pub entity_name: Option<LongText>,
    /// Jurisdiction.
    #[serde(default)]
    pub jurisdiction: Option<ShortText>,
    /// `Y`: the event's focus.
    #[serde(default)]
    pub focus_flag: Option<YesNo>,
    /// The customer it is: it becomes a customer of the event's case.
    #[serde(default)]
    pub cust_id: Option<Id>,
}

/// A detail of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventDetail {
    /// Why the event was raised.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub reason: Option<EventText>,
    /// The scenario that raised it: what a suppression rule matches.
    #[serde(default)]
    pub scenario_name: Option<LongText>,
}

/// An entity the request describes: a customer (`ECM_CUSTOMER`) or a
/// customer's `genericInformation` (`ECM_CUSTOMER_GENERIC`). Amounts and
/// risk come as strings, as in the vendor's sample.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// Its code.
    #[serde(default, rename = "entityCode")]
    pub entity_code: Option<ShortText>,
    /// Its type (`CUSTOMER`).
    #[serde(default, rename = "entityType")]
    pub entity_type: Option<ShortText>,
    /// `ECM_CUSTOMER` or `ECM_CUSTOMER_GENERIC`.
    #[serde(rename = "entityTypeCode")]
    #[schema(value_type = EntityTypeCode)]
    pub entity_type_code: ShortText,
    /// Its name.
    #[serde(default, rename = "entityName")]
    pub entity_name: Option<LongText>,
    /// Jurisdiction: the customer's `jurisdictionCode`.
    #[serde(default)]
    pub jurisdiction: Option<ShortText>,
    /// The customer it describes.
    #[serde(rename = "custId")]
    pub cust_id: Id,
    /// Where it comes from (`DLY`).
    #[serde(default, rename = "dataOrigin")]
    pub data_origin: Option<ShortText>,
    /// The customer's name: split at its first space into `firstName` and
    /// `lastName` (an `ORG` customer's is its `customerOrganizationName`).
    #[serde(default, rename = "customerName")]
    pub customer_name: Option<LongText>,
    /// `customerTypeCode` (`IND`, `ORG`).
    #[serde(default, rename = "customerType")]
    pub customer_type: Option<ShortText>,
    /// `taxId`.
    #[serde(default, rename = "taxID")]
    pub tax_id: Option<ShortText>,
    /// `legalStructure`.
    #[serde(default, rename = "legalStructCode")]
    pub legal_struct_code: Option<ShortText>,
    /// Alias (kept with the event).
    #[serde(default, rename = "aliasName")]
    pub alias_name: Option<LongText>,
    /// Income range (kept with the event).
    #[serde(default, rename = "incomeRange")]
    pub income_range: Option<ShortText>,
    /// Industry (kept with the event).
    #[serde(default)]
    pub industry: Option<ShortText>,
    /// Public company (kept with the event).
    #[serde(default, rename = "publicCompany")]
    pub public_company: Option<ShortText>,
    /// `estimatedNetWorth`: a decimal number written as a string (`""` for none).
    #[serde(default, rename = "estNetWorth")]
    #[schema(pattern = "^(-?[0-9]{1,16}(\\.[0-9]{1,16})?)?$")]
    pub est_net_worth: Option<ShortText>,
    /// ATM daily limit (kept with the event).
    #[serde(default, rename = "atmDailyLimit")]
    pub atm_daily_limit: Option<Number>,
    /// `estimatedAnnualIncome`: a decimal number written as a string.
    #[serde(default, rename = "estAnualIncome")]
    #[schema(pattern = "^(-?[0-9]{1,16}(\\.[0-9]{1,16})?)?$")]
    pub est_anual_income: Option<ShortText>,
    /// `addedOn`, `DD-MM-YYYY HH:MM:SS` (`""` for none).
    #[serde(default)]
    #[schema(example = "31-12-2014 00:00:00")]
    pub added: Option<ShortText>,
    /// Incorporation date (kept with the event).
    #[serde(default, rename = "incorporationDate")]
    pub incorporation_date: Option<ShortText>,
    /// `customerStatusCode`.
    #[serde(default)]
    pub customerstatus: Option<ShortText>,
    /// `effectiveRisk`: a decimal number written as a string.
    #[serde(default)]
    #[schema(pattern = "^(-?[0-9]{1,16}(\\.[0-9]{1,16})?)?$")]
    pub effectiverisk: Option<ShortText>,
    /// `businessDomainCode`.
    #[serde(default)]
    pub busdomain: Option<ShortText>,
    /// `ECM_CUSTOMER_GENERIC` only: the customer's free-form information.
    #[serde(default, rename = "genericInformation")]
    pub generic_information: Option<GenericInformation>,
}

/// The entity type codes taken.
#[derive(ToSchema)]
#[allow(dead_code, non_camel_case_types, clippy::upper_case_acronyms)]
pub enum EntityTypeCode {
    /// A customer's fields.
    ECM_CUSTOMER,
    /// A customer's `genericInformation`.
    ECM_CUSTOMER_GENERIC,
}

/// `ECM_CUSTOMER`.
pub const CUSTOMER: &str = "ECM_CUSTOMER";
/// `ECM_CUSTOMER_GENERIC`.
pub const CUSTOMER_GENERIC: &str = "ECM_CUSTOMER_GENERIC";

/// An amount or score the vendor writes as a string, as the customer field
/// takes it: `""` is none. The one place that converts them, so the
/// customer's number type can change here alone.
pub fn amount(text: &str) -> Result<Option<Number>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let (whole, fraction) = text
        .strip_prefix('-')
        .unwrap_or(text)
        .split_once('.')
        .unwrap_or((text.strip_prefix('-').unwrap_or(text), "0"));
    let digits = |s: &str| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return Err("must be a decimal number written as a string, like \"1182552.50\"".into());
    }
    Number::parse(text).map(Some)
}

/// The vendor's `added` (`DD-MM-YYYY HH:MM:SS`) as the customer's
/// `addedOn`; `""` is none.
pub fn added_on(text: &str) -> Result<Option<DateTimeSeconds>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    chrono::NaiveDateTime::parse_from_str(text, "%d-%m-%Y %H:%M:%S")
        .map(|at| Some(DateTimeSeconds::new(at)))
        .map_err(|_| "must be a date and time written DD-MM-YYYY HH:MM:SS".to_owned())
}

/// One case opened by a promotion.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromotedCase {
    /// The new case (`CA` and a number).
    #[schema(example = "CA1")]
    pub case_id: String,
    /// The events promoted to it.
    pub event_codes: Vec<String>,
}

/// An event saved but not promoted: an approved suppression rule matched.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressedEvent {
    /// The event.
    pub event_code: String,
    /// The rule that matched (`supCode`).
    pub sup_code: String,
}

/// The answer of `saveEvents`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedResponse {
    /// "Event(s) saved successfully."
    #[serde(rename = "MESSAGE")]
    pub message: String,
    /// `SUCCESS`.
    #[serde(rename = "STATUS")]
    pub status: Status,
    /// The events saved, comma-separated.
    #[serde(rename = "Event Id(s)")]
    #[schema(example = "POSTARJ1")]
    pub event_ids: String,
}

/// The answer of `saveEventsAndPromoteToCase` and
/// `saveEventsAndExtendToCase`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasesOfEventsResponse {
    /// "Event(s) saved and promoted to case successfully.", "Event(s) saved
    /// and extended to case successfully.", or, when every event was
    /// suppressed, "Event(s) saved successfully. Event(s) suppressed, not
    /// promoted to case."
    pub message: String,
    /// `SUCCESS`.
    pub status: Status,
    /// The events saved, comma-separated.
    #[serde(rename = "Event Id(s)")]
    #[schema(example = "POSTARJ1")]
    pub event_ids: String,
    /// The cases the events were promoted or extended to.
    pub cases: Vec<PromotedCase>,
    /// Promote only, and only when a rule matched: the events saved but
    /// not promoted.
    #[serde(rename = "suppressedEvents", skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedEvent>,
}

/// A real-time failure in lower case (promote, extend).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LowerEnvelope {
    /// What happened.
    #[schema(example = "Event lookup entry already exists.")]
    pub message: String,
    /// `FAILED`.
    pub status: Status,
}

/// An event as a case shows it (`getCaseDetails`), with its risk decision
/// once `updateEventRiskDecision` has made one. Read back from the audit
/// trail by the erasure, which tombstones a customer's entity names there.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CaseEvent {
    /// The event as it was saved (its own fields, as sent).
    pub event: Event,
    /// The rule that kept it from being promoted, if one did.
    pub suppressed_by: Option<String>,
    /// The risk decision code (4.17), `null` until decided.
    pub event_decision_code: Option<i64>,
    /// The decision's standard comment ids, comma-separated.
    pub standard_comment_id: Option<String>,
    /// The decision's comments.
    pub decision_comments: Option<String>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (RFC 3339, UTC).
    pub decided_at: Option<String>,
    /// When it was saved (RFC 3339, UTC).
    pub saved_at: String,
    /// Who saved it.
    pub saved_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_written() {
        assert_eq!(amount(""), Ok(None));
        for exact in ["1182552", "-0.5", "10.50"] {
            assert_eq!(
                amount(exact).map(|n| n.map(|n| n.to_string())),
                Ok(Some(exact.to_owned()))
            );
        }
        for bad in ["1e5", "abc", "1.", ".5", "--1", " 1", "12345678901234567"] {
            assert!(amount(bad).is_err(), "{bad}");
        }
        assert!(added_on("31-12-2014 00:00:00").expect("valid").is_some());
        assert!(added_on("2014-12-31 00:00:00").is_err());
    }
}
