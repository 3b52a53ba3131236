//! `businessAdd: "Y"`: the customer comes from the bank's business records,
//! which party-service keeps. Its `customerId` is looked up there; the
//! party's details fill what the request leaves out (what the request
//! sends is kept as sent).

use crate::wire::customer::{
    Address, Customer, Email, EmailAddress, IdentificationDocument, Phone,
};
use crate::wire::values::{Digits, DigitsForm, LongText, ShortText};
use clients::{CallError, PartyClient};
use domain::party::{ContactChannel, IdentifierType, Party, PartyKind};
use domain::PartyId;
use futures_util::{stream, StreamExt};
use std::collections::HashMap;

/// How many party lookups one request runs at once.
const LOOKUP_CONCURRENCY: usize = 8;

/// What party-service said of a customer id.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// The party.
    Found(Box<Party>),
    /// No such party (or the id cannot be a party id).
    Unknown,
    /// party-service could not be asked.
    Unavailable,
}

/// Looks each distinct id up, a few at a time.
pub async fn look_up(party: &PartyClient, ids: Vec<String>) -> HashMap<String, Lookup> {
    stream::iter(ids)
        .map(|id| async move {
            let lookup = match PartyId::parse(&id) {
                Err(_) => Lookup::Unknown,
                Ok(party_id) => match party.get(party_id.as_str()).await {
                    Ok(Some(found)) => Lookup::Found(Box::new(found)),
                    Ok(None) => Lookup::Unknown,
                    Err(e) => {
                        log_failure(&e);
                        Lookup::Unavailable
                    }
                },
            };
            (id, lookup)
        })
        .buffer_unordered(LOOKUP_CONCURRENCY)
        .collect()
        .await
}

fn log_failure(e: &CallError) {
    tracing::error!(error = %e, "party lookup failed");
}

/// Fills the fields `customer` leaves out from `party`.
pub fn fill_from(customer: &mut Customer, party: &Party) {
    let p = &party.input;
    let long = |text: &str| LongText::parse(text).ok();
    let code = |text: &str| ShortText::parse(text).ok();
    if customer.customer_type_code.is_none() {
        customer.customer_type_code = code(match p.kind {
            PartyKind::Person => "IND",
            PartyKind::Organisation => "ORG",
        });
    }
    let names = [
        (&mut customer.first_name, &p.first_name),
        (&mut customer.middle_name, &p.middle_name),
        (&mut customer.last_name, &p.last_name),
        (
            &mut customer.customer_organization_name,
            &p.organisation_name,
        ),
    ];
    for (field, name) in names {
        if field.is_none() {
            *field = name.as_ref().and_then(|n| long(n.as_str()));
        }
    }
    if customer.date_of_birth.is_none() {
        customer.date_of_birth = p.date_of_birth;
    }
    if customer.tax_id.is_none() {
        if let Some(tax) = p
            .identifiers
            .iter()
            .find(|i| i.kind == IdentifierType::TaxId)
        {
            customer.tax_id = code(tax.value.as_str());
            if customer.tax_id_format_code.is_none() {
                customer.tax_id_format_code =
                    tax.format_code.as_ref().and_then(|c| code(c.as_str()));
            }
        }
    }
    if customer.primary_citizenship_code.is_none() {
        customer.primary_citizenship_code = p.nationality.as_ref().and_then(|c| code(c.as_str()));
    }
    if customer.employer.is_none() {
        customer.employer = p
            .employment
            .as_ref()
            .and_then(|e| e.employer.as_ref())
            .and_then(|n| long(n.as_str()));
    }
    if customer.addresses.is_empty() {
        customer.addresses = p
            .addresses
            .iter()
            .map(|a| {
                let line = |i: usize| a.lines.get(i).and_then(|l| long(l.as_str()));
                Address {
                    address_line1: line(0),
                    address_line2: line(1),
                    address_line3: line(2),
                    address_line4: line(3),
                    address_line5: line(4),
                    address_line6: line(5),
                    city: a.city.as_ref().and_then(|c| long(c.as_str())),
                    state: a.state.as_ref().and_then(|s| long(s.as_str())),
                    postal_code: a.postal_code.as_ref().and_then(|c| code(c.as_str())),
                    country_code: code(a.country_code.as_str()),
                    region_name: None,
                    address_usage_code: None,
                }
            })
            .collect();
    }
    let contacts = |channel: ContactChannel| {
        p.contact_points
            .iter()
            .filter(move |c| c.channel == channel)
            .map(|c| c.value.clone())
    };
    if customer.emails.is_empty() {
        customer.emails = contacts(ContactChannel::Email)
            .filter_map(|v| EmailAddress::parse(&v).ok())
            .map(|email| Email {
                email_id: Some(email),
            })
            .collect();
    }
    if customer.identification_documents.is_empty() {
        customer.identification_documents = p
            .identifiers
            .iter()
            .filter_map(|i| {
                let kind = match i.kind {
                    IdentifierType::Passport => "PASSPORT",
                    IdentifierType::NationalId => "NATIONAL_ID",
                    IdentifierType::DriverLicense => "DRIVER_LICENSE",
                    IdentifierType::TaxId | IdentifierType::CompanyRegistration => return None,
                };
                Some(IdentificationDocument {
                    document_type_code: code(kind),
                    document_number: code(i.value.as_str()),
                    issued_by: None,
                    issuing_country_code: i.issuing_country.as_ref().and_then(|c| code(c.as_str())),
                    issue_date: None,
                    expiry_date: None,
                })
            })
            .collect();
    }
    if customer.phones.is_empty() {
        customer.phones = contacts(ContactChannel::Phone)
            .map(|number| Phone {
                phone_number: Some(Digits::new(number, DigitsForm::Text)),
                extension_number: None,
                phone_usage_code: None,
            })
            .collect();
    }
}
