//! The two rows of a customer's own fields: `case_customers` (identity, KYC
//! and risk: what compliance queries) and `case_customer_details` (the
//! financial and employment profile and `genericInformation`).
//!
//! Three fields are sealed with the keyring, each bound to its case and
//! customer: `taxId`, `identificationDocuments` as a whole (passport and
//! identity card numbers), and `genericInformation` as a whole. The latter is the
//! vendor's free-form place for anything else; its keys are the caller's
//! (the guide's sample sends `"Customer Details": {"Victim Name", "Victim
//! SSN"}`), so no list of sensitive key names could be trusted to catch
//! them, and nothing queries inside it: sealing all of it costs nothing.

use super::decimal::{get_number, put_number, StoredNumber};
use super::stored::{get, put, Corrupt};
use crate::schema::{case_customer_details, case_customers};
use crate::wire::customer::Customer;
use crate::wire::values::{GenericInformation, Id};
use diesel::prelude::*;
use service_kit::Keyring;

/// A `case_customers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_customers, treat_none_as_default_value = false)]
pub struct CustomerRow {
    /// The case.
    pub case_id: String,
    /// The customer.
    pub customer_id: String,
    business_add: Option<String>,
    customer_type_code: Option<String>,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    customer_organization_name: Option<String>,
    tax_id_format_code: Option<String>,
    tax_id: Option<String>,
    date_of_birth: Option<String>,
    gender_code: Option<String>,
    marital_status_code: Option<String>,
    jurisdiction_code: Option<String>,
    business_domain_code: Option<String>,
    primary_citizenship_code: Option<String>,
    secondary_citizenship_code: Option<String>,
    legal_structure: Option<String>,
    residence_code: Option<String>,
    added_on: Option<String>,
    citizenship_status: Option<String>,
    occupation_code: Option<String>,
    customer_status_code: Option<String>,
    pep_flag_code: Option<String>,
    effective_risk: Option<StoredNumber>,
    business_risk: Option<StoredNumber>,
    list_risk: Option<StoredNumber>,
    geo_risk: Option<StoredNumber>,
    kyc_risk: Option<StoredNumber>,
    created_at: String,
    created_by: String,
}

/// A `case_customer_details` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_customer_details, treat_none_as_default_value = false)]
pub struct DetailsRow {
    /// The case.
    pub case_id: String,
    /// The customer.
    pub customer_id: String,
    estimated_net_worth: Option<StoredNumber>,
    estimated_annual_income: Option<StoredNumber>,
    estimated_liquid_net_worth: Option<StoredNumber>,
    source_of_wealth: Option<String>,
    credit_rating: Option<String>,
    credit_rating_source: Option<String>,
    credit_score: Option<StoredNumber>,
    assets_outside_of_us_code: Option<String>,
    is_employee_code: Option<String>,
    works_for_financial_institution_code: Option<String>,
    employer: Option<String>,
    is_broker_dealer_code: Option<String>,
    generic_information: Option<String>,
    identification_documents: Option<String>,
}

/// The two rows of `customer`'s own fields on `case_id`.
pub fn rows_of(
    keyring: &Keyring,
    case_id: &str,
    c: &Customer,
    now: &str,
    actor: &str,
) -> (CustomerRow, DetailsRow) {
    let sealed = Sealed::new(keyring, case_id, c.customer_id.as_str());
    let customer = CustomerRow {
        case_id: case_id.to_owned(),
        customer_id: c.customer_id.as_str().to_owned(),
        business_add: put(&c.business_add),
        customer_type_code: put(&c.customer_type_code),
        first_name: put(&c.first_name),
        middle_name: put(&c.middle_name),
        last_name: put(&c.last_name),
        customer_organization_name: put(&c.customer_organization_name),
        tax_id_format_code: put(&c.tax_id_format_code),
        tax_id: put(&c.tax_id).map(|t| sealed.seal(TAX_ID, &t)),
        date_of_birth: put(&c.date_of_birth),
        gender_code: put(&c.gender_code),
        marital_status_code: put(&c.marital_status_code),
        jurisdiction_code: put(&c.jurisdiction_code),
        business_domain_code: put(&c.business_domain_code),
        primary_citizenship_code: put(&c.primary_citizenship_code),
        secondary_citizenship_code: put(&c.secondary_citizenship_code),
        legal_structure: put(&c.legal_structure),
        residence_code: put(&c.residence_code),
        added_on: put(&c.added_on),
        citizenship_status: put(&c.citizenship_status),
        occupation_code: put(&c.occupation_code),
        customer_status_code: put(&c.customer_status_code),
        pep_flag_code: put(&c.pep_flag_code),
        effective_risk: put_number(c.effective_risk),
        business_risk: put_number(c.business_risk),
        list_risk: put_number(c.list_risk),
        geo_risk: put_number(c.geo_risk),
        kyc_risk: put_number(c.kyc_risk),
        created_at: now.to_owned(),
        created_by: actor.to_owned(),
    };
    let details = DetailsRow {
        case_id: case_id.to_owned(),
        customer_id: c.customer_id.as_str().to_owned(),
        estimated_net_worth: put_number(c.estimated_net_worth),
        estimated_annual_income: put_number(c.estimated_annual_income),
        estimated_liquid_net_worth: put_number(c.estimated_liquid_net_worth),
        source_of_wealth: put(&c.source_of_wealth),
        credit_rating: put(&c.credit_rating),
        credit_rating_source: put(&c.credit_rating_source),
        credit_score: put_number(c.credit_score),
        assets_outside_of_us_code: put(&c.assets_outside_of_us_code),
        is_employee_code: put(&c.is_employee_code),
        works_for_financial_institution_code: put(&c.works_for_financial_institution_code),
        employer: put(&c.employer),
        is_broker_dealer_code: put(&c.is_broker_dealer_code),
        generic_information: c
            .generic_information
            .as_ref()
            .map(|g| sealed.seal(GENERIC_INFORMATION, &g.to_json())),
        // Nothing stored for none, so a customer without documents reads
        // back the same as one stored before they were kept.
        identification_documents: (!c.identification_documents.is_empty()).then(|| {
            let json =
                serde_json::to_string(&c.identification_documents).expect("documents serialise");
            sealed.seal(IDENTIFICATION_DOCUMENTS, &json)
        }),
    };
    (customer, details)
}

/// The customer its two rows store, with empty lists (the caller adds
/// them) but for the identification documents, sealed in its details.
pub fn customer_of(
    keyring: &Keyring,
    row: CustomerRow,
    details: DetailsRow,
) -> Result<Customer, Corrupt> {
    let sealed = Sealed::new(keyring, &row.case_id, &row.customer_id);
    let generic_information = details
        .generic_information
        .map(|g| sealed.open(GENERIC_INFORMATION, &g))
        .transpose()?
        .as_deref()
        .map(GenericInformation::from_json)
        .transpose()
        .map_err(|e| Corrupt(e.to_string()))?;
    let tax_id = row.tax_id.map(|t| sealed.open(TAX_ID, &t)).transpose()?;
    let identification_documents = match details.identification_documents {
        Some(stored) => serde_json::from_str(&sealed.open(IDENTIFICATION_DOCUMENTS, &stored)?)
            .map_err(|e| Corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Customer {
        customer_id: Id::parse(&row.customer_id).map_err(Corrupt)?,
        business_add: get(row.business_add)?,
        customer_type_code: get(row.customer_type_code)?,
        first_name: get(row.first_name)?,
        middle_name: get(row.middle_name)?,
        last_name: get(row.last_name)?,
        customer_organization_name: get(row.customer_organization_name)?,
        tax_id_format_code: get(row.tax_id_format_code)?,
        tax_id: get(tax_id)?,
        date_of_birth: get(row.date_of_birth)?,
        gender_code: get(row.gender_code)?,
        marital_status_code: get(row.marital_status_code)?,
        jurisdiction_code: get(row.jurisdiction_code)?,
        business_domain_code: get(row.business_domain_code)?,
        primary_citizenship_code: get(row.primary_citizenship_code)?,
        secondary_citizenship_code: get(row.secondary_citizenship_code)?,
        legal_structure: get(row.legal_structure)?,
        residence_code: get(row.residence_code)?,
        added_on: get(row.added_on)?,
        citizenship_status: get(row.citizenship_status)?,
        estimated_net_worth: get_number(details.estimated_net_worth),
        estimated_annual_income: get_number(details.estimated_annual_income),
        estimated_liquid_net_worth: get_number(details.estimated_liquid_net_worth),
        source_of_wealth: get(details.source_of_wealth)?,
        credit_rating: get(details.credit_rating)?,
        credit_rating_source: get(details.credit_rating_source)?,
        credit_score: get_number(details.credit_score),
        assets_outside_of_us_code: get(details.assets_outside_of_us_code)?,
        is_employee_code: get(details.is_employee_code)?,
        works_for_financial_institution_code: get(details.works_for_financial_institution_code)?,
        employer: get(details.employer)?,
        is_broker_dealer_code: get(details.is_broker_dealer_code)?,
        occupation_code: get(row.occupation_code)?,
        customer_status_code: get(row.customer_status_code)?,
        pep_flag_code: get(row.pep_flag_code)?,
        effective_risk: get_number(row.effective_risk),
        business_risk: get_number(row.business_risk),
        list_risk: get_number(row.list_risk),
        geo_risk: get_number(row.geo_risk),
        kyc_risk: get_number(row.kyc_risk),
        addresses: Vec::new(),
        phones: Vec::new(),
        emails: Vec::new(),
        accounts: Vec::new(),
        online_accounts: Vec::new(),
        anticipatory_profiles: Vec::new(),
        identification_documents,
        generic_information,
    })
}

/// The sealed `case_customers` column.
pub const TAX_ID: &str = "case_customers.tax_id";
/// The sealed `case_customer_details` column of `genericInformation`.
pub const GENERIC_INFORMATION: &str = "case_customer_details.generic_information";
/// The sealed `case_customer_details` column of `identificationDocuments`.
pub const IDENTIFICATION_DOCUMENTS: &str = "case_customer_details.identification_documents";

/// A stored `field` (one of the constants above) of `customer_id` on
/// `case_id`, sealed again under the active key (legacy plaintext as it is).
pub fn reseal(
    keyring: &Keyring,
    field: &str,
    case_id: &str,
    customer_id: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    let context = Sealed::new(keyring, case_id, customer_id).context(field);
    keyring
        .reseal(&context, stored)
        .map_err(|e| Corrupt(e.to_string()))
}

/// Seals and opens the fields of one customer on one case.
struct Sealed<'a> {
    keyring: &'a Keyring,
    row: String,
}

impl<'a> Sealed<'a> {
    fn new(keyring: &'a Keyring, case_id: &str, customer_id: &str) -> Self {
        // Ids are at most 64 characters of text; the length makes the pair
        // unambiguous whatever they contain.
        let row = format!("{}:{case_id}:{customer_id}", case_id.len());
        Self { keyring, row }
    }

    /// The associated data of `field` of this customer on this case.
    fn context(&self, field: &str) -> String {
        format!("{field}:{}", self.row)
    }

    fn seal(&self, field: &str, plaintext: &str) -> String {
        self.keyring.seal(&self.context(field), plaintext)
    }

    fn open(&self, field: &str, sealed: &str) -> Result<String, Corrupt> {
        self.keyring
            .open(&self.context(field), sealed)
            .map_err(|e| Corrupt(e.to_string()))
    }
}
