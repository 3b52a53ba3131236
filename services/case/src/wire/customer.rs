//! A customer of `addCustomer`, with every field the vendor documents (ECM
//! guide, table 4-15). The same type is read from a request and written
//! back when a case is read, so every field sent comes back; a field not
//! sent comes back as `null`, a list as `[]` (but for 4.9's
//! `identificationDocuments`, left out when empty).
//!
//! Undocumented fields are refused, naming the field: a typo must not
//! silently drop data. `genericInformation` is the place for anything else.

use super::values::{Digits, GenericInformation, Id, LongText, Number, ShortText};
use domain::text::{Date, PastDate};
use domain::{DateTimeSeconds, YesNo};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most entries each list of a customer may hold.
pub const MAX_LIST_ENTRIES: usize = 100;

/// A customer as added to a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Customer {
    /// The customer's identifier. With `businessAdd: "Y"`, a party id.
    pub customer_id: Id,
    /// `Y`: the customer comes from the bank's business records
    /// (party-service), which fill the details the request leaves out.
    /// `N` (or absent): the request's details are the customer.
    #[serde(default)]
    pub business_add: Option<YesNo>,
    /// The customer type code (`IND`, `ORG`, ...).
    #[serde(default)]
    pub customer_type_code: Option<ShortText>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<LongText>,
    /// Middle name.
    #[serde(default)]
    pub middle_name: Option<LongText>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<LongText>,
    /// The organisation's name.
    #[serde(default)]
    pub customer_organization_name: Option<LongText>,
    /// The tax id's format code.
    #[serde(default)]
    pub tax_id_format_code: Option<ShortText>,
    /// The tax id.
    #[serde(default)]
    pub tax_id: Option<ShortText>,
    /// Date of birth, `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "1990-12-01")]
    pub date_of_birth: Option<PastDate>,
    /// Gender code.
    #[serde(default)]
    pub gender_code: Option<ShortText>,
    /// Marital status code.
    #[serde(default)]
    pub marital_status_code: Option<ShortText>,
    /// Jurisdiction code.
    #[serde(default)]
    pub jurisdiction_code: Option<ShortText>,
    /// Business domain code.
    #[serde(default)]
    pub business_domain_code: Option<ShortText>,
    /// Primary citizenship country code.
    #[serde(default)]
    pub primary_citizenship_code: Option<ShortText>,
    /// Secondary citizenship country code.
    #[serde(default)]
    pub secondary_citizenship_code: Option<ShortText>,
    /// Legal structure.
    #[serde(default)]
    pub legal_structure: Option<ShortText>,
    /// Residence country code.
    #[serde(default)]
    pub residence_code: Option<ShortText>,
    /// When the customer was added, `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    pub added_on: Option<DateTimeSeconds>,
    /// Citizenship status.
    #[serde(default)]
    pub citizenship_status: Option<ShortText>,
    /// Estimated net worth.
    #[serde(default)]
    pub estimated_net_worth: Option<Number>,
    /// Estimated annual income.
    #[serde(default)]
    pub estimated_annual_income: Option<Number>,
    /// Estimated liquid net worth.
    #[serde(default)]
    pub estimated_liquid_net_worth: Option<Number>,
    /// Source of wealth.
    #[serde(default)]
    pub source_of_wealth: Option<LongText>,
    /// Credit rating.
    #[serde(default)]
    pub credit_rating: Option<ShortText>,
    /// Credit rating source.
    #[serde(default)]
    pub credit_rating_source: Option<ShortText>,
    /// Credit score.
    #[serde(default)]
    pub credit_score: Option<Number>,
    /// Has assets outside the US.
    #[serde(default, rename = "assetsOutsideOfUSCode")]
    pub assets_outside_of_us_code: Option<YesNo>,
    /// Is an employee.
    #[serde(default)]
    pub is_employee_code: Option<YesNo>,
    /// Works for a financial institution.
    #[serde(default)]
    pub works_for_financial_institution_code: Option<YesNo>,
    /// Employer.
    #[serde(default)]
    pub employer: Option<LongText>,
    /// Is a broker/dealer.
    #[serde(default)]
    pub is_broker_dealer_code: Option<YesNo>,
    /// Occupation code.
    #[serde(default)]
    pub occupation_code: Option<ShortText>,
    /// Customer status code.
    #[serde(default)]
    pub customer_status_code: Option<ShortText>,
    /// Is a politically exposed person.
    #[serde(default)]
    pub pep_flag_code: Option<YesNo>,
    /// Effective risk.
    #[serde(default)]
    pub effective_risk: Option<Number>,
    /// Business risk.
    #[serde(default)]
    pub business_risk: Option<Number>,
    /// List risk.
    #[serde(default)]
    pub list_risk: Option<Number>,
    /// Geography risk.
    #[serde(default)]
    pub geo_risk: Option<Number>,
    /// KYC risk.
    #[serde(default)]
    pub kyc_risk: Option<Number>,
    /// Addresses.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub addresses: Vec<Address>,
    /// Phones.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub phones: Vec<Phone>,
    /// Emails.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub emails: Vec<Email>,
    /// Accounts.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub accounts: Vec<Account>,
    /// Online accounts.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub online_accounts: Vec<OnlineAccount>,
    /// Anticipatory profiles.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    pub anticipatory_profiles: Vec<AnticipatoryProfile>,
    /// Identification documents (ECM guide 4.9): passports, identity
    /// cards, licences. Sealed at rest as a whole. Left out of an answer
    /// when there are none, so a customer added without them reads back
    /// exactly as sent.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schema(max_items = 100)]
    pub identification_documents: Vec<IdentificationDocument>,
    /// Free-form information: any JSON object, kept as sent.
    #[serde(default)]
    pub generic_information: Option<GenericInformation>,
}

/// A customer's address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// Line 1.
    #[serde(default)]
    pub address_line1: Option<LongText>,
    /// Line 2.
    #[serde(default)]
    pub address_line2: Option<LongText>,
    /// Line 3.
    #[serde(default)]
    pub address_line3: Option<LongText>,
    /// Line 4.
    #[serde(default)]
    pub address_line4: Option<LongText>,
    /// Line 5.
    #[serde(default)]
    pub address_line5: Option<LongText>,
    /// Line 6.
    #[serde(default)]
    pub address_line6: Option<LongText>,
    /// City.
    #[serde(default)]
    pub city: Option<LongText>,
    /// State.
    #[serde(default)]
    pub state: Option<LongText>,
    /// Postal code.
    #[serde(default)]
    pub postal_code: Option<ShortText>,
    /// Country code.
    #[serde(default)]
    pub country_code: Option<ShortText>,
    /// Region name.
    #[serde(default)]
    pub region_name: Option<LongText>,
    /// Usage code.
    #[serde(default)]
    pub address_usage_code: Option<ShortText>,
}

/// A customer's phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Phone {
    /// The number: a JSON number or a string.
    #[serde(default)]
    pub phone_number: Option<Digits>,
    /// The extension: a JSON number or a string.
    #[serde(default)]
    pub extension_number: Option<Digits>,
    /// Usage code.
    #[serde(default)]
    pub phone_usage_code: Option<ShortText>,
}

/// A customer's email address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Email {
    /// The address.
    #[serde(default)]
    pub email_id: Option<EmailAddress>,
}

/// An email address, checked and kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String, format = Email, example = "a@a.com")]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address (RFC 5321 syntax, at most 254 characters).
    pub fn parse(s: &str) -> Result<Self, String> {
        domain::text::Email::parse(s).map(|_| Self(s.to_owned()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A customer's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// The account id.
    #[serde(default)]
    pub account_id: Option<ShortText>,
    /// The customer's role on the account.
    #[serde(default)]
    pub account_role_code: Option<ShortText>,
}

/// A customer's online account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnlineAccount {
    /// The online account id.
    #[serde(default)]
    pub online_account_id: Option<ShortText>,
    /// The online account's user id.
    #[serde(default)]
    pub online_account_user_id: Option<ShortText>,
    /// The account it gives access to.
    #[serde(default)]
    pub account_id: Option<ShortText>,
    /// Since when, `YYYY-MM-DD HH:MM:SS`.
    #[serde(default)]
    pub relationship_date: Option<DateTimeSeconds>,
}

/// A customer's anticipatory profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnticipatoryProfile {
    /// Profile metric code.
    #[serde(default)]
    pub profile_metric_code: Option<ShortText>,
    /// Average transaction amount.
    #[serde(default)]
    pub average_transaction_amount: Option<Number>,
    /// `D`ebit or `C`redit.
    #[serde(default)]
    pub debit_or_credit_code: Option<ShortText>,
    /// Total amount.
    #[serde(default)]
    pub total_amount: Option<Number>,
    /// Period type code.
    #[serde(default)]
    pub period_type_code: Option<ShortText>,
    /// Source of funds: country code.
    #[serde(default)]
    pub source_of_fund_country_code: Option<ShortText>,
    /// Average transaction count.
    #[serde(default)]
    pub average_transaction_count: Option<Number>,
    /// Source of funds: institution id.
    #[serde(default)]
    pub source_of_fund_institution_id: Option<ShortText>,
}

/// One of a customer's identification documents (ECM guide 4.9: "Passport
/// ID, Issued By and Other Identity Details"). The guide's field table for
/// them is not in our copy; these names are ours, in the style of the
/// guide's (see docs/decisions.md, "Identification documents").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdentificationDocument {
    /// What kind of document (`PASSPORT`, `NATIONAL_ID`, `DRIVING_LICENSE`,
    /// ...).
    #[serde(default)]
    #[schema(example = "PASSPORT")]
    pub document_type_code: Option<ShortText>,
    /// The document's number (a passport's id).
    #[serde(default)]
    #[schema(example = "P1234567")]
    pub document_number: Option<ShortText>,
    /// The authority that issued it.
    #[serde(default)]
    pub issued_by: Option<LongText>,
    /// The country that issued it.
    #[serde(default)]
    pub issuing_country_code: Option<ShortText>,
    /// When it was issued, `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2020-01-31")]
    pub issue_date: Option<PastDate>,
    /// When it expires, `YYYY-MM-DD`; an expired document is kept (the
    /// analyst needs to see it), but it cannot expire before it was issued.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date, example = "2030-01-30")]
    pub expiry_date: Option<Date>,
}

impl IdentificationDocument {
    /// The rule serde cannot check, as an account's dates have theirs: it
    /// cannot expire before it was issued.
    fn violation(&self) -> Option<(&'static str, String)> {
        match (&self.issue_date, &self.expiry_date) {
            (Some(issued), Some(expires)) if expires.date() < issued.date() => {
                Some(("expiryDate", "must not be before issueDate".to_owned()))
            }
            _ => None,
        }
    }
}

/// A list sent as `null` is an empty list.
fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<Vec<T>>::deserialize(d).map(Option::unwrap_or_default)
}

impl Customer {
    /// The rules serde cannot check: list lengths, and documents that
    /// expire before they were issued. The first violation, as `(field,
    /// message)`.
    pub fn violation(&self) -> Option<(String, String)> {
        let too_long = [
            ("addresses", self.addresses.len()),
            ("phones", self.phones.len()),
            ("emails", self.emails.len()),
            ("accounts", self.accounts.len()),
            ("onlineAccounts", self.online_accounts.len()),
            ("anticipatoryProfiles", self.anticipatory_profiles.len()),
            (
                "identificationDocuments",
                self.identification_documents.len(),
            ),
        ]
        .into_iter()
        .find(|(_, len)| *len > MAX_LIST_ENTRIES)
        .map(|(field, _)| {
            (
                field.to_owned(),
                format!("must have at most {MAX_LIST_ENTRIES} entries"),
            )
        });
        too_long.or_else(|| {
            self.identification_documents
                .iter()
                .enumerate()
                .find_map(|(i, d)| {
                    d.violation().map(|(field, message)| {
                        (format!("identificationDocuments[{i}].{field}"), message)
                    })
                })
        })
    }
}
