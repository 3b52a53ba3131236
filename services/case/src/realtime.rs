//! Real-time events (ECM guide 4.1-4.3): reading a request into a batch
//! of events and the customers their entities describe, checked field by
//! field, before anything is written.
//!
//! A customer is built from the request's `ECM_CUSTOMER` entity of its
//! `custId` (its fields mapped onto the customer's), its
//! `ECM_CUSTOMER_GENERIC` entity (`genericInformation`), or, when the
//! request describes it no further, from the event's own entity (its name
//! and jurisdiction). The entities are kept with the events as sent.

use crate::wire::customer::Customer;
use crate::wire::events::{
    added_on, amount, Entity, Event, EventsRequest, CUSTOMER, CUSTOMER_GENERIC, MAX_DETAILS,
    MAX_ENTITIES, MAX_EVENTS,
};
use crate::wire::values::{Id, LongText};
use std::collections::{BTreeMap, HashSet};

/// Which operation a request is for: what it must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `saveEvents`: events alone.
    Save,
    /// `saveEventsAndPromoteToCase`: each event has one focus customer.
    Promote,
    /// `saveEventsAndExtendToCase`: a top-level `caseId`.
    Extend,
}

/// A request, checked: its events and the customers they name.
#[derive(Debug, Clone)]
pub struct Batch {
    /// The events, in request order.
    pub events: Vec<Event>,
    /// Each customer an event names, by id, as it joins a case.
    pub customers: BTreeMap<String, Customer>,
    /// The request's entities about each customer, as sent.
    pub entities: BTreeMap<String, Vec<Entity>>,
    /// Extend: the case.
    pub case_id: Option<String>,
}

/// The message of a field refused: "Invalid <field>: <why>.".
fn invalid(field: &str, why: &str) -> String {
    format!("Invalid {field}: {why}.")
}

impl Batch {
    /// Checks a parsed request for `operation`; a refusal names the field.
    pub fn check(request: EventsRequest, operation: Operation) -> Result<Self, String> {
        let EventsRequest {
            events,
            entities,
            case_id,
        } = request;
        match (operation, &case_id) {
            (Operation::Extend, None) => {
                return Err("Input JSON data does not have caseId.".to_owned())
            }
            (Operation::Save | Operation::Promote, Some(_)) => {
                return Err(invalid(
                    "caseId",
                    "is taken by saveEventsAndExtendToCase only",
                ))
            }
            _ => {}
        }
        bounded("events", events.len(), MAX_EVENTS)?;
        bounded("entities", entities.len(), MAX_ENTITIES)?;
        let mut codes = HashSet::new();
        for (i, event) in events.iter().enumerate() {
            bounded(
                &format!("events[{i}].entities"),
                event.entities.len(),
                MAX_ENTITIES,
            )?;
            bounded(
                &format!("events[{i}].details"),
                event.details.len(),
                MAX_DETAILS,
            )?;
            if !codes.insert(event.event_code.as_str()) {
                return Err(invalid(
                    &format!("events[{i}].eventCode"),
                    "appears twice in the request",
                ));
            }
            if operation == Operation::Promote {
                focus_of(event).map_err(|why| invalid(&format!("events[{i}].entities"), why))?;
            }
        }
        let (customers, kept) = customers_of(&events, &entities)?;
        Ok(Self {
            events,
            customers,
            entities: kept,
            case_id: case_id.map(|c| c.as_str().to_owned()),
        })
    }

    /// The customer ids an event names, in order, once each.
    pub fn customers_of(event: &Event) -> Vec<&str> {
        let mut seen = HashSet::new();
        event
            .entities
            .iter()
            .filter_map(|e| e.cust_id.as_ref().map(Id::as_str))
            .filter(|id| seen.insert(*id))
            .collect()
    }
}

/// An event's focus customer: the `custId` of its one entity with
/// `focusFlag: "Y"`.
pub fn focus_of(event: &Event) -> Result<&str, &'static str> {
    let mut focus = event
        .entities
        .iter()
        .filter(|e| e.focus_flag.is_some_and(|f| f.is_yes()));
    match (focus.next(), focus.next()) {
        (Some(entity), None) => entity
            .cust_id
            .as_ref()
            .map(Id::as_str)
            .ok_or("the entity with focusFlag Y must have a custId"),
        (None, _) => Err("one entity must have focusFlag Y to promote the event"),
        (Some(_), Some(_)) => Err("only one entity may have focusFlag Y"),
    }
}

fn bounded(field: &str, len: usize, max: usize) -> Result<(), String> {
    if len > max {
        return Err(invalid(field, &format!("must have at most {max} entries")));
    }
    Ok(())
}

/// The customers the events name, built from the entities, and the
/// entities kept for each.
#[allow(clippy::type_complexity)]
fn customers_of(
    events: &[Event],
    entities: &[Entity],
) -> Result<(BTreeMap<String, Customer>, BTreeMap<String, Vec<Entity>>), String> {
    let mut customers: BTreeMap<String, Customer> = BTreeMap::new();
    let mut kept: BTreeMap<String, Vec<Entity>> = BTreeMap::new();
    let mut generic_seen = HashSet::new();
    for (i, entity) in entities.iter().enumerate() {
        let field = |name: &str| format!("entities[{i}].{name}");
        let id = entity.cust_id.as_str();
        match entity.entity_type_code.as_str() {
            CUSTOMER => {
                if entity.generic_information.is_some() {
                    return Err(invalid(
                        &field("genericInformation"),
                        "is carried by an ECM_CUSTOMER_GENERIC entity",
                    ));
                }
                if customers.contains_key(id) {
                    return Err(invalid(
                        &field("custId"),
                        "has a second ECM_CUSTOMER entity in the request",
                    ));
                }
                let mut customer = mapped(entity, &field)?;
                if let Some(generic) = kept
                    .get(id)
                    .and_then(|list| list.iter().find_map(|e| e.generic_information.clone()))
                {
                    customer.generic_information = Some(generic);
                }
                customers.insert(id.to_owned(), customer);
            }
            CUSTOMER_GENERIC => {
                let Some(generic) = entity.generic_information.clone() else {
                    return Err(format!(
                        "Input JSON data does not have {}.",
                        field("genericInformation")
                    ));
                };
                if !generic_seen.insert(id) {
                    return Err(invalid(
                        &field("custId"),
                        "has a second ECM_CUSTOMER_GENERIC entity in the request",
                    ));
                }
                if let Some(customer) = customers.get_mut(id) {
                    customer.generic_information = Some(generic);
                }
            }
            _ => {
                return Err(invalid(
                    &field("entityTypeCode"),
                    "must be ECM_CUSTOMER or ECM_CUSTOMER_GENERIC",
                ))
            }
        }
        kept.entry(id.to_owned()).or_default().push(entity.clone());
    }
    // A customer the request describes only by a generic entity, or only
    // in an event, is built from what the events say of it.
    let mut named = HashSet::new();
    for event in events {
        for entity in &event.entities {
            let Some(id) = entity.cust_id.as_ref() else {
                continue;
            };
            named.insert(id.as_str().to_owned());
            customers.entry(id.as_str().to_owned()).or_insert_with(|| {
                let mut customer = bare(id.clone());
                let (first, last) = split_name(entity.entity_name.as_ref());
                customer.first_name = first;
                customer.last_name = last;
                customer.jurisdiction_code = entity.jurisdiction.clone();
                customer.generic_information = kept
                    .get(id.as_str())
                    .and_then(|list| list.iter().find_map(|e| e.generic_information.clone()));
                customer
            });
        }
    }
    if let Some((i, entity)) = entities
        .iter()
        .enumerate()
        .find(|(_, e)| !named.contains(e.cust_id.as_str()))
    {
        return Err(invalid(
            &format!("entities[{i}].custId"),
            &format!("no event names customer {}", entity.cust_id),
        ));
    }
    Ok((customers, kept))
}

/// A customer with an id and nothing else.
fn bare(id: Id) -> Customer {
    // Every other field is optional: an object with the id alone reads.
    let mut customer: Customer =
        serde_json::from_value(serde_json::json!({"customerId": id.as_str()}))
            .unwrap_or_else(|_| unreachable!("a customer needs only its id"));
    customer.customer_id = id;
    customer
}

/// A customer's name split at its first space: `ANDREW ELEVENTH` is first
/// name `ANDREW`, last name `ELEVENTH`; a name of one word is a last name.
/// The two parts joined by a space give the name back as sent.
fn split_name(name: Option<&LongText>) -> (Option<LongText>, Option<LongText>) {
    let Some(name) = name.filter(|n| !n.as_str().is_empty()) else {
        return (None, None);
    };
    match name.as_str().split_once(' ') {
        Some((first, last)) => (LongText::parse(first).ok(), LongText::parse(last).ok()),
        None => (None, Some(name.clone())),
    }
}

/// The customer an `ECM_CUSTOMER` entity describes.
fn mapped(entity: &Entity, field: &dyn Fn(&str) -> String) -> Result<Customer, String> {
    let text = |value: &Option<crate::wire::values::ShortText>| {
        value
            .as_ref()
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default()
    };
    let number = |name: &str, value: &Option<crate::wire::values::ShortText>| {
        amount(&text(value)).map_err(|why| invalid(&field(name), &why))
    };
    let mut customer = bare(entity.cust_id.clone());
    let organisation = entity
        .customer_type
        .as_ref()
        .is_some_and(|t| t.as_str() == "ORG");
    if organisation {
        customer.customer_organization_name = entity
            .customer_name
            .clone()
            .filter(|n| !n.as_str().is_empty());
    } else {
        let (first, last) = split_name(entity.customer_name.as_ref());
        customer.first_name = first;
        customer.last_name = last;
    }
    customer.customer_type_code = entity.customer_type.clone();
    customer.tax_id = entity.tax_id.clone();
    customer.legal_structure = entity.legal_struct_code.clone();
    customer.jurisdiction_code = entity.jurisdiction.clone();
    customer.business_domain_code = entity.busdomain.clone();
    customer.customer_status_code = entity.customerstatus.clone();
    customer.estimated_net_worth = number("estNetWorth", &entity.est_net_worth)?;
    customer.estimated_annual_income = number("estAnualIncome", &entity.est_anual_income)?;
    customer.effective_risk = number("effectiverisk", &entity.effectiverisk)?;
    customer.added_on =
        added_on(&text(&entity.added)).map_err(|why| invalid(&field("added"), &why))?;
    Ok(customer)
}
