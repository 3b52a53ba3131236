//! The rows of events, the entities they name, the customers' entities
//! they carry (sealed), and suppression rules; and their conversions.

use super::sealed::{self, Sealed};
use super::stored::{get, put, Corrupt};
use crate::schema::{event_customers, event_entities, events, suppression_rules};
use crate::wire::events::{CaseEvent, Entity, Event, EventEntity};
use crate::wire::suppression::{Rule, VendorDate};
use crate::wire::values::Id;
use diesel::prelude::*;
use service_kit::Keyring;

/// An `events` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events, treat_none_as_default_value = false)]
pub struct EventRow {
    /// The event code.
    pub event_code: String,
    /// The case it belongs to, if any.
    pub case_id: Option<String>,
    event_score: Option<String>,
    data_origin: Option<String>,
    jurisdiction_code: Option<String>,
    business_domain: Option<String>,
    event_type: Option<String>,
    priority: Option<String>,
    scenario_class: Option<String>,
    comments: Option<String>,
    details: String,
    /// The rule that kept it from being promoted.
    pub suppressed_by: Option<i64>,
    event_decision_code: Option<i64>,
    standard_comment_id: Option<String>,
    decision_comments: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
    created_at: String,
    created_by: String,
}

/// An `event_entities` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_entities, treat_none_as_default_value = false)]
pub struct EntityRow {
    /// The event.
    pub event_code: String,
    position: i32,
    entity_code: Option<String>,
    entity_type: Option<String>,
    entity_type_code: Option<String>,
    entity_name: Option<String>,
    jurisdiction: Option<String>,
    focus_flag: Option<String>,
    cust_id: Option<String>,
}

/// An `event_customers` row: the request's entities about one customer an
/// event names, as sent, sealed.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = event_customers, treat_none_as_default_value = false)]
pub struct EventCustomerRow {
    event_code: String,
    customer_id: String,
    entities: String,
}

/// The sealed `event_entities` column.
pub const ENTITY_NAME: &str = "event_entities.entity_name";

/// A stored `entity_name` of the entity at `position` of `event_code`,
/// sealed again under the active key (legacy plaintext as it is).
pub fn reseal_entity(
    keyring: &Keyring,
    (event_code, position): &(String, i32),
    stored: &str,
) -> Result<String, Corrupt> {
    sealed::reseal(
        &Sealed::entity(keyring, event_code, *position),
        ENTITY_NAME,
        stored,
    )
}

/// `name` sealed as the `entity_name` of the entity at `position` of
/// `event_code` (the erasure's tombstone).
pub fn seal_entity_name(keyring: &Keyring, event_code: &str, position: i32, name: &str) -> String {
    Sealed::entity(keyring, event_code, position).seal(ENTITY_NAME, name)
}

/// A stored `entity_name`, opened; `None` when it does not open (legacy
/// plaintext, or corrupt): the erasure replaces it all the same.
pub fn open_entity_name(
    keyring: &Keyring,
    event_code: &str,
    position: i32,
    stored: &str,
) -> Option<String> {
    Sealed::entity(keyring, event_code, position)
        .open(ENTITY_NAME, stored)
        .ok()
}

/// The sealed `event_customers` column.
pub const EVENT_CUSTOMER_ENTITIES: &str = "event_customers.entities";

/// The rows of `event`, saved by `actor` at `now` (in no case yet).
pub fn rows_of(
    keyring: &Keyring,
    event: &Event,
    now: &str,
    actor: &str,
) -> (EventRow, Vec<EntityRow>) {
    let code = event.event_code.as_str().to_owned();
    let entities = event
        .entities
        .iter()
        .zip(0..)
        .map(|(e, position)| EntityRow {
            event_code: code.clone(),
            position,
            entity_code: put(&e.entity_code),
            entity_type: put(&e.entity_type),
            entity_type_code: put(&e.entity_type_code),
            // The name of a person or business: sealed to its entity.
            entity_name: Sealed::entity(keyring, &code, position).put(ENTITY_NAME, &e.entity_name),
            jurisdiction: put(&e.jurisdiction),
            focus_flag: put(&e.focus_flag),
            cust_id: put(&e.cust_id),
        })
        .collect();
    let row = EventRow {
        event_code: code,
        case_id: None,
        event_score: put(&event.event_score),
        data_origin: put(&event.data_origin),
        jurisdiction_code: put(&event.jurisdiction_code),
        business_domain: put(&event.business_domain),
        event_type: put(&event.event_type),
        priority: put(&event.priority),
        scenario_class: put(&event.scenario_class),
        comments: put(&event.comments),
        // Serializing our own wire type cannot fail.
        details: serde_json::to_string(&event.details).unwrap_or_default(),
        suppressed_by: None,
        event_decision_code: None,
        standard_comment_id: None,
        decision_comments: None,
        decided_by: None,
        decided_at: None,
        created_at: now.to_owned(),
        created_by: actor.to_owned(),
    };
    (row, entities)
}

/// The row keeping `entities` (about `customer_id`) with `event_code`, sealed.
pub fn customer_row(
    keyring: &Keyring,
    event_code: &str,
    customer_id: &str,
    entities: &[&Entity],
) -> EventCustomerRow {
    let json = serde_json::to_string(entities).unwrap_or_default();
    EventCustomerRow {
        event_code: event_code.to_owned(),
        customer_id: customer_id.to_owned(),
        entities: keyring.seal(&sealing_context(event_code, customer_id), &json),
    }
}

/// The associated data a customer's entities are sealed under: bound to
/// the event and the customer (the length makes the pair unambiguous).
pub fn sealing_context(event_code: &str, customer_id: &str) -> String {
    format!(
        "{EVENT_CUSTOMER_ENTITIES}:{}:{event_code}:{customer_id}",
        event_code.len()
    )
}

/// A stored `event_customers.entities`, sealed again under the active key
/// (legacy plaintext as it is).
pub fn reseal(
    keyring: &Keyring,
    event_code: &str,
    customer_id: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    keyring
        .reseal(&sealing_context(event_code, customer_id), stored)
        .map_err(|e| Corrupt(e.to_string()))
}

/// An event as a case shows it, from its row and its entities' rows (in
/// position order).
pub fn case_event(
    keyring: &Keyring,
    row: EventRow,
    entities: Vec<EntityRow>,
) -> Result<CaseEvent, Corrupt> {
    let entities = entities
        .into_iter()
        .map(|e| {
            let entity_name = Sealed::entity(keyring, &e.event_code, e.position)
                .get(ENTITY_NAME, e.entity_name)?;
            Ok(EventEntity {
                entity_code: get(e.entity_code)?,
                entity_type: get(e.entity_type)?,
                entity_type_code: get(e.entity_type_code)?,
                entity_name,
                jurisdiction: get(e.jurisdiction)?,
                focus_flag: get(e.focus_flag)?,
                cust_id: get(e.cust_id)?,
            })
        })
        .collect::<Result<Vec<_>, Corrupt>>()?;
    let details = serde_json::from_str(&row.details).map_err(|e| Corrupt(e.to_string()))?;
    Ok(CaseEvent {
        event: Event {
            event_code: Id::parse(&row.event_code).map_err(Corrupt)?,
            event_score: get(row.event_score)?,
            data_origin: get(row.data_origin)?,
            jurisdiction_code: get(row.jurisdiction_code)?,
            business_domain: get(row.business_domain)?,
            event_type: get(row.event_type)?,
            priority: get(row.priority)?,
            scenario_class: get(row.scenario_class)?,
            comments: get(row.comments)?,
            entities,
            details,
        },
        suppressed_by: row.suppressed_by.map(sup_code),
        event_decision_code: row.event_decision_code,
        standard_comment_id: row.standard_comment_id,
        decision_comments: row.decision_comments,
        decided_by: row.decided_by,
        decided_at: row.decided_at,
        saved_at: row.created_at,
        saved_by: row.created_by,
    })
}

/// A rule's code: `SUP` and its sequence id.
pub fn sup_code(id: i64) -> String {
    format!("SUP{id}")
}

/// A rule's sequence id from its code, if it is one.
pub fn sup_seq_id(code: &str) -> Option<i64> {
    code.strip_prefix("SUP")
        .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())
}

/// A `suppression_rules` row as read.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = suppression_rules)]
pub struct RuleRow {
    /// Its sequence id.
    pub id: i64,
    customer_id: String,
    scenario: String,
    domain: Option<String>,
    jurisdiction: Option<String>,
    event_code: Option<String>,
    case_id: Option<String>,
    /// `SUPPND`, `SUPAPP` or `SUPREJ` (expiry is read, not stored).
    pub status_code: String,
    /// Its last day, `YYYY-MM-DD`.
    pub expires_on: String,
    effective_on: Option<String>,
    created_at: String,
    /// Who created it.
    pub created_by: String,
}

/// A `suppression_rules` row to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = suppression_rules, treat_none_as_default_value = false)]
pub struct NewRuleRow {
    /// The customer.
    pub customer_id: String,
    /// The scenario.
    pub scenario: String,
    /// Business domain.
    pub domain: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// The event that prompted it.
    pub event_code: Option<String>,
    /// The case that prompted it.
    pub case_id: Option<String>,
    /// `SUPPND`.
    pub status_code: String,
    /// Its last day, `YYYY-MM-DD`.
    pub expires_on: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Who.
    pub created_by: String,
}

/// Pending.
pub const PENDING: &str = "SUPPND";
/// Approved.
pub const APPROVED: &str = "SUPAPP";
/// Rejected.
pub const REJECTED: &str = "SUPREJ";
/// Approved, and past its last day (shown, never stored).
pub const EXPIRED: &str = "SUPEXP";

/// A stored `YYYY-MM-DD` or RFC 3339 value as the vendor's date.
fn vendor_date(stored: &str) -> Result<VendorDate, Corrupt> {
    let day = stored.get(..10).unwrap_or(stored);
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(VendorDate)
        .map_err(|e| Corrupt(format!("a stored date {stored:?}: {e}")))
}

impl RuleRow {
    /// The rule as the vendor's list shows it, on `today` (`YYYY-MM-DD`):
    /// an approved rule past its last day is `SUPEXP`.
    pub fn into_wire(self, today: &str) -> Result<Rule, Corrupt> {
        let status = if self.status_code == APPROVED && self.expires_on.as_str() < today {
            EXPIRED.to_owned()
        } else {
            self.status_code
        };
        Ok(Rule {
            sup_code: sup_code(self.id),
            sup_seq_id: self.id,
            sup_create_id: self.created_by,
            sup_create_date: vendor_date(&self.created_at)?,
            sup_effective_date: self.effective_on.as_deref().map(vendor_date).transpose()?,
            sup_exprn_date: vendor_date(&self.expires_on)?,
            sup_status_code: status,
            sup_event_code: self.event_code,
            sup_case_id: self.case_id,
            sup_scenario_skey: self.scenario,
            customer_id: self.customer_id,
            domain: self.domain,
            jurisdiction: self.jurisdiction,
        })
    }
}
