//! The two rows of a customer's own fields: `case_customers` (identity, KYC
//! and risk: what compliance queries) and `case_customer_details` (the
//! financial and employment profile and `genericInformation`).
//!
//! Personal fields are sealed with the keyring, each bound to its table,
//! column, case and customer (`rows::sealed`): names, date of birth, tax
//! id, source of wealth, employer, credit rating and score, the estimated
//! worth and income (exact decimal text), `identificationDocuments` as a
//! whole (passport and identity card numbers), and `genericInformation` as
//! a whole. Codes, risks, times and ids stay plain. The latter is the
//! vendor's free-form place for anything else; its keys are the caller's
//! (the guide's sample sends `"Customer Details": {"Victim Name", "Victim
//! SSN"}`), so no list of sensitive key names could be trusted to catch
//! them, and nothing queries inside it: sealing all of it costs nothing.

use super::decimal::{get_number, put_number, StoredNumber};
use super::sealed::{self, Sealed};
use super::stored::{get, put, Corrupt};
use crate::schema::{case_customer_details, case_customer_names, case_customers};
use crate::wire::customer::Customer;
use crate::wire::values::{GenericInformation, Id};
use diesel::prelude::*;
use domain::erasure::ERASED;
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
    estimated_net_worth: Option<String>,
    estimated_annual_income: Option<String>,
    estimated_liquid_net_worth: Option<String>,
    source_of_wealth: Option<String>,
    credit_rating: Option<String>,
    credit_rating_source: Option<String>,
    credit_score: Option<String>,
    assets_outside_of_us_code: Option<String>,
    is_employee_code: Option<String>,
    works_for_financial_institution_code: Option<String>,
    employer: Option<String>,
    is_broker_dealer_code: Option<String>,
    generic_information: Option<String>,
    identification_documents: Option<String>,
}

/// A `case_customer_names` row: one blind index a customer is found by.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_customer_names, treat_none_as_default_value = false)]
pub struct NameRow {
    /// The case.
    pub case_id: String,
    /// The customer.
    pub customer_id: String,
    /// The blind index of one of its names ([`name_indexes`]).
    pub name_index: String,
}

/// The name rows of `customer` on `case_id`.
pub fn name_rows_of(keyring: &Keyring, case_id: &str, c: &Customer) -> Vec<NameRow> {
    let indexes = name_indexes(
        keyring,
        put(&c.first_name).as_deref(),
        put(&c.last_name).as_deref(),
        put(&c.customer_organization_name).as_deref(),
    );
    name_rows(case_id, c.customer_id.as_str(), indexes)
}

/// The rows of `indexes` of `customer_id` on `case_id`.
fn name_rows(case_id: &str, customer_id: &str, indexes: Vec<String>) -> Vec<NameRow> {
    indexes
        .into_iter()
        .map(|name_index| NameRow {
            case_id: case_id.to_owned(),
            customer_id: customer_id.to_owned(),
            name_index,
        })
        .collect()
}

/// The two rows of `customer`'s own fields on `case_id`.
pub fn rows_of(
    keyring: &Keyring,
    case_id: &str,
    c: &Customer,
    now: &str,
    actor: &str,
) -> (CustomerRow, DetailsRow) {
    let sealed = Sealed::customer(keyring, case_id, c.customer_id.as_str());
    let customer = CustomerRow {
        case_id: case_id.to_owned(),
        customer_id: c.customer_id.as_str().to_owned(),
        business_add: put(&c.business_add),
        customer_type_code: put(&c.customer_type_code),
        first_name: sealed.put(FIRST_NAME, &c.first_name),
        middle_name: sealed.put(MIDDLE_NAME, &c.middle_name),
        last_name: sealed.put(LAST_NAME, &c.last_name),
        customer_organization_name: sealed.put(ORGANIZATION_NAME, &c.customer_organization_name),
        tax_id_format_code: put(&c.tax_id_format_code),
        tax_id: sealed.put(TAX_ID, &c.tax_id),
        date_of_birth: sealed.put(DATE_OF_BIRTH, &c.date_of_birth),
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
        estimated_net_worth: sealed.put_number(NET_WORTH, c.estimated_net_worth),
        estimated_annual_income: sealed.put_number(ANNUAL_INCOME, c.estimated_annual_income),
        estimated_liquid_net_worth: sealed
            .put_number(LIQUID_NET_WORTH, c.estimated_liquid_net_worth),
        source_of_wealth: sealed.put(SOURCE_OF_WEALTH, &c.source_of_wealth),
        credit_rating: sealed.put(CREDIT_RATING, &c.credit_rating),
        credit_rating_source: put(&c.credit_rating_source),
        credit_score: sealed.put_number(CREDIT_SCORE, c.credit_score),
        assets_outside_of_us_code: put(&c.assets_outside_of_us_code),
        is_employee_code: put(&c.is_employee_code),
        works_for_financial_institution_code: put(&c.works_for_financial_institution_code),
        employer: sealed.put(EMPLOYER, &c.employer),
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
    let sealed = Sealed::customer(keyring, &row.case_id, &row.customer_id);
    let generic_information = details
        .generic_information
        .map(|g| sealed.open(GENERIC_INFORMATION, &g))
        .transpose()?
        .as_deref()
        .map(GenericInformation::from_json)
        .transpose()
        .map_err(|e| Corrupt(e.to_string()))?;
    let identification_documents = match details.identification_documents {
        Some(stored) => serde_json::from_str(&sealed.open(IDENTIFICATION_DOCUMENTS, &stored)?)
            .map_err(|e| Corrupt(e.to_string()))?,
        None => Vec::new(),
    };
    Ok(Customer {
        customer_id: Id::parse(&row.customer_id).map_err(Corrupt)?,
        business_add: get(row.business_add)?,
        customer_type_code: get(row.customer_type_code)?,
        first_name: sealed.get(FIRST_NAME, row.first_name)?,
        middle_name: sealed.get(MIDDLE_NAME, row.middle_name)?,
        last_name: sealed.get(LAST_NAME, row.last_name)?,
        customer_organization_name: sealed
            .get(ORGANIZATION_NAME, row.customer_organization_name)?,
        tax_id_format_code: get(row.tax_id_format_code)?,
        tax_id: sealed.get(TAX_ID, row.tax_id)?,
        date_of_birth: sealed.get(DATE_OF_BIRTH, row.date_of_birth)?,
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
        estimated_net_worth: sealed.get_number(NET_WORTH, details.estimated_net_worth)?,
        estimated_annual_income: sealed
            .get_number(ANNUAL_INCOME, details.estimated_annual_income)?,
        estimated_liquid_net_worth: sealed
            .get_number(LIQUID_NET_WORTH, details.estimated_liquid_net_worth)?,
        source_of_wealth: sealed.get(SOURCE_OF_WEALTH, details.source_of_wealth)?,
        credit_rating: sealed.get(CREDIT_RATING, details.credit_rating)?,
        credit_rating_source: get(details.credit_rating_source)?,
        credit_score: sealed.get_number(CREDIT_SCORE, details.credit_score)?,
        assets_outside_of_us_code: get(details.assets_outside_of_us_code)?,
        is_employee_code: get(details.is_employee_code)?,
        works_for_financial_institution_code: get(details.works_for_financial_institution_code)?,
        employer: sealed.get(EMPLOYER, details.employer)?,
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

/// The purpose of the blind indexes of customers' names (`searchCases`).
pub const NAME_INDEX: &str = "case.customer.name";

/// A name as `searchCases` compares it: trimmed, lower-cased, and each run
/// of white space one space, so that "  Jane   DOE " finds "Jane Doe".
pub fn normalised_name(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The blind index a search text is compared with, as [`name_indexes`]
/// stores them; `None` for blank text.
pub fn name_key(keyring: &Keyring, text: &str) -> Option<String> {
    let name = normalised_name(text);
    (!name.is_empty()).then(|| keyring.blind_index(NAME_INDEX, &name))
}

/// A customer's name indexes: of its full name (first and last name, the
/// name a person goes by: middle names are left out; an organisation's
/// name when it has neither), and of its last name; one when they are
/// the same. None once its names are erased: an erased customer is found
/// by no name.
pub fn name_indexes(
    keyring: &Keyring,
    first: Option<&str>,
    last: Option<&str>,
    organization: Option<&str>,
) -> Vec<String> {
    if [first, last, organization].contains(&Some(ERASED)) {
        return Vec::new();
    }
    let personal: Vec<&str> = [first, last].into_iter().flatten().collect();
    let full = if personal.is_empty() {
        organization.map(str::to_owned)
    } else {
        Some(personal.join(" "))
    };
    let mut indexes: Vec<String> = [full.as_deref(), last]
        .into_iter()
        .flatten()
        .filter_map(|name| name_key(keyring, name))
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    indexes
}

impl CustomerRow {
    /// Its name rows under `keyring`'s blind index key, from its names
    /// opened: what `onboarding rekey` (a new `BLIND_INDEX_KEY`) and the
    /// start-up pass (customers stored before the indexes) store.
    pub fn current_name_rows(&self, keyring: &Keyring) -> Result<Vec<NameRow>, Corrupt> {
        let sealed = Sealed::customer(keyring, &self.case_id, &self.customer_id);
        let first = sealed.get_text(FIRST_NAME, self.first_name.clone())?;
        let last = sealed.get_text(LAST_NAME, self.last_name.clone())?;
        let organization =
            sealed.get_text(ORGANIZATION_NAME, self.customer_organization_name.clone())?;
        let indexes = name_indexes(
            keyring,
            first.as_deref(),
            last.as_deref(),
            organization.as_deref(),
        );
        Ok(name_rows(&self.case_id, &self.customer_id, indexes))
    }
}

/// The sealed `case_customers` columns.
pub const TAX_ID: &str = "case_customers.tax_id";
/// A sealed `case_customers` column.
pub const FIRST_NAME: &str = "case_customers.first_name";
/// A sealed `case_customers` column.
pub const MIDDLE_NAME: &str = "case_customers.middle_name";
/// A sealed `case_customers` column.
pub const LAST_NAME: &str = "case_customers.last_name";
/// A sealed `case_customers` column.
pub const ORGANIZATION_NAME: &str = "case_customers.customer_organization_name";
/// A sealed `case_customers` column.
pub const DATE_OF_BIRTH: &str = "case_customers.date_of_birth";
/// The sealed `case_customer_details` column of `genericInformation`.
pub const GENERIC_INFORMATION: &str = "case_customer_details.generic_information";
/// The sealed `case_customer_details` column of `identificationDocuments`.
pub const IDENTIFICATION_DOCUMENTS: &str = "case_customer_details.identification_documents";
/// A sealed `case_customer_details` column.
pub const NET_WORTH: &str = "case_customer_details.estimated_net_worth";
/// A sealed `case_customer_details` column.
pub const ANNUAL_INCOME: &str = "case_customer_details.estimated_annual_income";
/// A sealed `case_customer_details` column.
pub const LIQUID_NET_WORTH: &str = "case_customer_details.estimated_liquid_net_worth";
/// A sealed `case_customer_details` column.
pub const SOURCE_OF_WEALTH: &str = "case_customer_details.source_of_wealth";
/// A sealed `case_customer_details` column.
pub const CREDIT_RATING: &str = "case_customer_details.credit_rating";
/// A sealed `case_customer_details` column.
pub const CREDIT_SCORE: &str = "case_customer_details.credit_score";
/// A sealed `case_customer_details` column.
pub const EMPLOYER: &str = "case_customer_details.employer";

/// A stored `field` (one of the constants above) of `customer_id` on
/// `case_id`, sealed again under the active key (legacy plaintext as it is).
pub fn reseal(
    keyring: &Keyring,
    field: &str,
    case_id: &str,
    customer_id: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    sealed::reseal(
        &Sealed::customer(keyring, case_id, customer_id),
        field,
        stored,
    )
}
