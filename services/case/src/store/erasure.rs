//! Erasing a customer's personal data from every case it is on (issue 17,
//! "Retention and erasure"): the customer stays on the case as a skeleton
//! (its id, its type and status codes, its risk and PEP flags), its names
//! read as [`ERASED`], every other personal field and list is removed, and
//! the sealed values of its audit records become the tombstone. The
//! tombstone customer is written through the same row-building path as
//! any added customer, so whatever that path seals, it seals.

use super::audit::{self, Action, Change};
use super::customers::{complete, Rows};
use crate::rows::audit::{AuditRow, NEW_VALUE, OLD_VALUE};
use crate::rows::customer::CustomerRow;
use crate::schema::{case_audit, case_customers, event_entities};
use crate::wire::customer::Customer;
use crate::wire::values::LongText;
use diesel::prelude::*;
use domain::erasure::ERASED;
use service_kit::db::write_transaction;
use service_kit::{DbConnection, Keyring};

/// What an erasure changed in the case database.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Erased {
    /// Case customers whose personal fields were replaced.
    pub customers: usize,
    /// Audit values replaced with the tombstone (the customer's own, and
    /// the entity names of the events naming it).
    pub audit_values: usize,
    /// Events naming the customer in which its entity names or the
    /// entities sent about it were erased (see `store::event_erasure`).
    pub events: usize,
}

/// Whether `customer_id` is on any case, or named by an event.
pub fn is_customer(conn: &mut DbConnection, customer_id: &str) -> QueryResult<bool> {
    let on_case: bool = diesel::select(diesel::dsl::exists(
        case_customers::table.filter(case_customers::customer_id.eq(customer_id)),
    ))
    .get_result(conn)?;
    if on_case {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        event_entities::table.filter(event_entities::cust_id.eq(customer_id)),
    ))
    .get_result(conn)
}

/// Erases `customer_id` from every case it is on, by `actor`, one
/// transaction per case, then from the events naming it; a customer
/// already erased changes nothing.
pub fn erase(
    conn: &mut DbConnection,
    keyring: &Keyring,
    customer_id: &str,
    actor: &str,
) -> QueryResult<Erased> {
    let cases: Vec<String> = case_customers::table
        .filter(case_customers::customer_id.eq(customer_id))
        .order(case_customers::case_id)
        .select(case_customers::case_id)
        .load(conn)?;
    let mut erased = Erased::default();
    for case_id in cases {
        if erase_on(conn, keyring, &case_id, customer_id, actor)? {
            erased.customers += 1;
        }
    }
    erased.audit_values = erase_audit_values(conn, keyring, customer_id)?;
    let events = super::event_erasure::erase(conn, keyring, customer_id)?;
    erased.audit_values += events.audit_values;
    erased.events = events.events;
    Ok(erased)
}

/// Replaces the customer on one case with its tombstone; `false` when it
/// is one already (or gone).
fn erase_on(
    conn: &mut DbConnection,
    keyring: &Keyring,
    case_id: &str,
    customer_id: &str,
    actor: &str,
) -> QueryResult<bool> {
    write_transaction(conn, |conn| {
        let found: Option<CustomerRow> = case_customers::table
            .find((case_id, customer_id))
            .select(CustomerRow::as_select())
            .first(conn)
            .optional()?;
        let Some(row) = found else { return Ok(false) };
        // The customer row keeps who added it and when.
        let (at, added_by) = case_customers::table
            .find((case_id, customer_id))
            .select((case_customers::created_at, case_customers::created_by))
            .first(conn)?;
        let added = Change {
            actor: added_by,
            at,
            request_id: None,
        };
        let Some(customer) = complete(conn, keyring, case_id, vec![row])?.pop() else {
            return Ok(false);
        };
        let kept = tombstone(&customer);
        if kept == customer {
            return Ok(false);
        }
        diesel::delete(case_customers::table.find((case_id, customer_id))).execute(conn)?;
        let mut rows = Rows::of(keyring, case_id, &[&kept], &added);
        let mut record = Change::now(actor).record(case_id, Action::CustomerErased);
        record.customer_id = Some(customer_id.to_owned());
        rows.audit = vec![record];
        rows.insert(conn)?;
        Ok(true)
    })
}

/// The customer as an erasure keeps it.
fn tombstone(c: &Customer) -> Customer {
    let erased = || LongText::parse(ERASED).ok();
    let name = |v: &Option<LongText>| v.as_ref().and_then(|_| erased());
    Customer {
        customer_id: c.customer_id.clone(),
        business_add: c.business_add,
        customer_type_code: c.customer_type_code.clone(),
        first_name: name(&c.first_name),
        middle_name: name(&c.middle_name),
        last_name: name(&c.last_name),
        customer_organization_name: name(&c.customer_organization_name),
        tax_id_format_code: None,
        tax_id: None,
        date_of_birth: None,
        gender_code: None,
        marital_status_code: None,
        jurisdiction_code: c.jurisdiction_code.clone(),
        business_domain_code: c.business_domain_code.clone(),
        primary_citizenship_code: None,
        secondary_citizenship_code: None,
        legal_structure: c.legal_structure.clone(),
        residence_code: None,
        added_on: c.added_on,
        citizenship_status: None,
        estimated_net_worth: None,
        estimated_annual_income: None,
        estimated_liquid_net_worth: None,
        source_of_wealth: None,
        credit_rating: None,
        credit_rating_source: None,
        credit_score: None,
        assets_outside_of_us_code: None,
        is_employee_code: None,
        works_for_financial_institution_code: None,
        employer: None,
        is_broker_dealer_code: None,
        occupation_code: None,
        customer_status_code: c.customer_status_code.clone(),
        pep_flag_code: c.pep_flag_code,
        effective_risk: c.effective_risk,
        business_risk: c.business_risk,
        list_risk: c.list_risk,
        geo_risk: c.geo_risk,
        kyc_risk: c.kyc_risk,
        addresses: Vec::new(),
        phones: Vec::new(),
        emails: Vec::new(),
        accounts: Vec::new(),
        online_accounts: Vec::new(),
        anticipatory_profiles: Vec::new(),
        identification_documents: Vec::new(),
        generic_information: None,
    }
}

/// Replaces the sealed values (the customer's JSON) of the customer's
/// audit records with the tombstone, sealed the same way; how many.
fn erase_audit_values(
    conn: &mut DbConnection,
    keyring: &Keyring,
    customer_id: &str,
) -> QueryResult<usize> {
    let sealed = audit::sealed_names();
    write_transaction(conn, |conn| {
        let rows: Vec<AuditRow> = case_audit::table
            .filter(case_audit::customer_id.eq(customer_id))
            .filter(case_audit::action.eq_any(sealed))
            .select(AuditRow::as_select())
            .load(conn)?;
        let mut replaced = 0;
        for row in rows {
            let shown = row
                .clone()
                .open(keyring, true)
                .map_err(super::undecodable)?;
            let mut old = row.old_value.clone();
            let mut new = row.new_value.clone();
            for (value, was, column) in [
                (&mut old, &shown.old_value, OLD_VALUE),
                (&mut new, &shown.new_value, NEW_VALUE),
            ] {
                if was.as_deref().is_some_and(|v| v != ERASED) {
                    *value = Some(
                        row.seal(keyring, column, ERASED)
                            .map_err(super::undecodable)?,
                    );
                    replaced += 1;
                }
            }
            if (&old, &new) != (&row.old_value, &row.new_value) {
                diesel::update(case_audit::table.find(row.id))
                    .set((case_audit::old_value.eq(old), case_audit::new_value.eq(new)))
                    .execute(conn)?;
            }
        }
        Ok(replaced)
    })
}
