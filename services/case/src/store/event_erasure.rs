//! Erasing a customer from the events that name it (issue 17, "Retention
//! and erasure"). An event names a customer by `custId` in its entities,
//! so the match is exact: each such entity's name becomes the tombstone
//! (sealed as every entity name is), the request's entities about the
//! customer kept with the event (`event_customers`: its name, tax id,
//! alias, amounts, free-form information) are deleted, and the
//! `eventAdded` audit values of those events read the tombstone for its
//! entities' names. The event itself (codes, scores, scenarios, its
//! decision) is the case's skeleton and stays.

use super::audit::Action;
use crate::rows::audit::{AuditRow, NEW_VALUE};
use crate::rows::events::{open_entity_name, seal_entity_name};
use crate::schema::{case_audit, event_customers, event_entities, events};
use crate::wire::events::CaseEvent;
use crate::wire::values::LongText;
use diesel::prelude::*;
use domain::erasure::ERASED;
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Keyring};
use std::collections::BTreeSet;

/// What an erasure changed in the events.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ErasedEvents {
    /// Events in which something about the customer was erased.
    pub events: usize,
    /// `eventAdded` audit values whose entity names were replaced.
    pub audit_values: usize,
}

/// Erases `customer_id` from every event naming it, in one transaction;
/// a second run changes nothing and answers zeros.
pub fn erase(
    conn: &mut DbConnection,
    keyring: &Keyring,
    customer_id: &str,
) -> QueryResult<ErasedEvents> {
    write_transaction(conn, |conn| {
        let mut touched = BTreeSet::new();
        let sent = event_customers::table.filter(event_customers::customer_id.eq(customer_id));
        let codes: Vec<String> = sent.select(event_customers::event_code).load(conn)?;
        diesel::delete(sent).execute(conn)?;
        touched.extend(codes);
        let entities: Vec<(String, i32, Option<String>)> = event_entities::table
            .filter(event_entities::cust_id.eq(customer_id))
            .order((event_entities::event_code, event_entities::position))
            .select((
                event_entities::event_code,
                event_entities::position,
                event_entities::entity_name,
            ))
            .load(conn)?;
        let mut codes = BTreeSet::new();
        for (code, position, name) in entities {
            codes.insert(code.clone());
            let Some(stored) = name else { continue };
            if open_entity_name(keyring, &code, position, &stored).as_deref() == Some(ERASED) {
                continue;
            }
            diesel::update(event_entities::table.find((&code, position)))
                .set(
                    event_entities::entity_name
                        .eq(seal_entity_name(keyring, &code, position, ERASED)),
                )
                .execute(conn)?;
            touched.insert(code);
        }
        let mut audit_values = 0;
        let codes: Vec<String> = codes.into_iter().collect();
        for chunk in codes.chunks(super::IN_LIST_CHUNK) {
            // By their cases first: the trail is indexed by case.
            let cases: Vec<String> = events::table
                .filter(events::event_code.eq_any(chunk))
                .filter(events::case_id.is_not_null())
                .select(events::case_id.assume_not_null())
                .distinct()
                .load(conn)?;
            let rows: Vec<AuditRow> = case_audit::table
                .filter(case_audit::case_id.eq_any(&cases))
                .filter(case_audit::action.eq(Action::EventAdded.as_str()))
                .filter(case_audit::event_code.eq_any(chunk))
                .select(AuditRow::as_select())
                .load(conn)?;
            for row in rows {
                let shown = row
                    .clone()
                    .open(keyring, true)
                    .map_err(super::undecodable)?;
                let Some(replaced) = shown
                    .new_value
                    .as_deref()
                    .map(|json| without_names(json, customer_id))
                    .transpose()?
                    .flatten()
                else {
                    continue;
                };
                let sealed = row
                    .seal(keyring, NEW_VALUE, &replaced)
                    .map_err(super::undecodable)?;
                diesel::update(case_audit::table.find(row.id))
                    .set(case_audit::new_value.eq(sealed))
                    .execute(conn)?;
                audit_values += 1;
                touched.extend(row.event_code);
            }
        }
        Ok(ErasedEvents {
            events: touched.len(),
            audit_values,
        })
    })
}

/// The event as the audit trail keeps it (`json`) with the names of
/// `customer_id`'s entities replaced by the tombstone; `None` when none is
/// left to replace.
fn without_names(json: &str, customer_id: &str) -> QueryResult<Option<String>> {
    let mut shown: CaseEvent = serde_json::from_str(json)
        .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?;
    let mut changed = false;
    for entity in &mut shown.event.entities {
        let theirs = entity.cust_id.as_ref().map(|id| id.as_str()) == Some(customer_id);
        let named = entity
            .entity_name
            .as_ref()
            .is_some_and(|name| name.as_str() != ERASED);
        if theirs && named {
            entity.entity_name = LongText::parse(ERASED).ok();
            changed = true;
        }
    }
    // Serializing our own wire type cannot fail.
    Ok(changed.then(|| serde_json::to_string(&shown).unwrap_or_default()))
}
