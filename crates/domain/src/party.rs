//! Wire types of party-service, shared with its callers.
//!
//! [`PartyInput`] is what a caller writes (the create body, and the whole
//! shape a PATCH is merged into); [`Party`] is what party-service answers.

use crate::field_error::FieldError;
use crate::ids::PartyId;
use crate::text::{AddressText, Code, CountryCode, Email, Name, PastDate, Phone};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether a party is a natural person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum PartyKind {
    /// A natural person.
    Person,
    /// A company, trust or other legal entity.
    Organisation,
}

/// The channel of a contact point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum ContactChannel {
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
}

/// What a contact point or an address is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Usage {
    /// Home, personal.
    Home,
    /// Work, business.
    Work,
    /// Mobile phone.
    Mobile,
    /// Postal correspondence.
    Mailing,
    /// Anything else.
    Other,
}

/// One way to reach a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContactPoint {
    /// `email` or `phone`.
    pub channel: ContactChannel,
    /// The address or number; checked against the channel.
    #[schema(example = "kanand@temenos.com")]
    pub value: String,
    /// What it is used for.
    #[serde(default)]
    pub usage: Option<Usage>,
}

impl ContactPoint {
    /// Checks the value against its channel; the error says what is wrong.
    pub fn check_value(&self) -> Result<(), String> {
        match self.channel {
            ContactChannel::Email => Email::parse(&self.value).map(drop),
            ContactChannel::Phone => Phone::parse(&self.value).map(drop),
        }
    }
}

/// The kind of an official identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum IdentifierType {
    /// A tax identification number.
    TaxId,
    /// A national identity number.
    NationalId,
    /// A passport number.
    Passport,
    /// A driving licence number.
    DriverLicense,
    /// A company registration number.
    CompanyRegistration,
}

/// An official identifier, such as a tax id with its format code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identifier {
    /// The kind of identifier.
    #[serde(rename = "type")]
    pub kind: IdentifierType,
    /// The issuer's format code (ECM's `taxIdFormatCode`, for example `S`).
    #[serde(default)]
    pub format_code: Option<Code>,
    /// The identifier itself.
    pub value: Code,
    /// The issuing country.
    #[serde(default)]
    pub issuing_country: Option<CountryCode>,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Address {
    /// One to six address lines.
    #[schema(min_items = 1, max_items = 6)]
    pub lines: Vec<AddressText>,
    /// The city or town.
    #[serde(default)]
    pub city: Option<AddressText>,
    /// The state, county or province.
    #[serde(default)]
    pub state: Option<AddressText>,
    /// The postal code.
    #[serde(default)]
    pub postal_code: Option<Code>,
    /// The country.
    pub country_code: CountryCode,
    /// What the address is used for.
    #[serde(default)]
    pub usage: Option<Usage>,
}

/// How a person earns a living.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum EmploymentStatus {
    /// Employed by someone else.
    Employed,
    /// Self-employed.
    SelfEmployed,
    /// Not employed.
    Unemployed,
    /// Retired.
    Retired,
    /// In education.
    Student,
}

/// A person's employment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Employment {
    /// The employment status.
    pub status: EmploymentStatus,
    /// The employer's name.
    #[serde(default)]
    pub employer: Option<Name>,
    /// The occupation.
    #[serde(default)]
    pub occupation: Option<Name>,
}

/// The writable fields of a party: the body of a create, and the document a
/// PATCH (JSON merge patch) is applied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PartyInput {
    /// `person` or `organisation`.
    pub kind: PartyKind,
    /// Required for a person.
    #[serde(default)]
    pub first_name: Option<Name>,
    /// A person's middle name.
    #[serde(default)]
    pub middle_name: Option<Name>,
    /// Required for a person.
    #[serde(default)]
    pub last_name: Option<Name>,
    /// Required for an organisation.
    #[serde(default)]
    pub organisation_name: Option<Name>,
    /// A person's date of birth, `YYYY-MM-DD`, not in the future.
    #[serde(default)]
    pub date_of_birth: Option<PastDate>,
    /// A person's nationality.
    #[serde(default)]
    pub nationality: Option<CountryCode>,
    /// Emails and phone numbers.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub contact_points: Vec<ContactPoint>,
    /// Tax ids and other official identifiers.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub identifiers: Vec<Identifier>,
    /// Postal addresses.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub addresses: Vec<Address>,
    /// A person's employment.
    #[serde(default)]
    pub employment: Option<Employment>,
}

/// The most entries each list of a party may hold.
pub const MAX_LIST_ENTRIES: usize = 20;

impl PartyInput {
    /// Checks the rules that span fields (serde has already checked each
    /// field on its own). Returns every violation, in field order.
    pub fn violations(&self) -> Vec<FieldError> {
        let mut found = Vec::new();
        let person_only = [
            ("firstName", self.first_name.is_some()),
            ("middleName", self.middle_name.is_some()),
            ("lastName", self.last_name.is_some()),
            ("dateOfBirth", self.date_of_birth.is_some()),
            ("nationality", self.nationality.is_some()),
            ("employment", self.employment.is_some()),
        ];
        match self.kind {
            PartyKind::Person => {
                for (field, present) in [
                    ("firstName", self.first_name.is_some()),
                    ("lastName", self.last_name.is_some()),
                ] {
                    if !present {
                        found.push(FieldError::new(field, "is required for a person"));
                    }
                }
                if self.organisation_name.is_some() {
                    found.push(FieldError::new(
                        "organisationName",
                        "is not allowed for a person",
                    ));
                }
            }
            PartyKind::Organisation => {
                if self.organisation_name.is_none() {
                    found.push(FieldError::new(
                        "organisationName",
                        "is required for an organisation",
                    ));
                }
                for (field, present) in person_only {
                    if present {
                        found.push(FieldError::new(field, "is not allowed for an organisation"));
                    }
                }
            }
        }
        for (name, len) in [
            ("contactPoints", self.contact_points.len()),
            ("identifiers", self.identifiers.len()),
            ("addresses", self.addresses.len()),
        ] {
            if len > MAX_LIST_ENTRIES {
                found.push(FieldError::new(
                    name,
                    format!("must have at most {MAX_LIST_ENTRIES} entries"),
                ));
            }
        }
        for (i, point) in self.contact_points.iter().enumerate() {
            if let Err(message) = point.check_value() {
                found.push(FieldError::new(
                    format!("contactPoints[{i}].value"),
                    message,
                ));
            }
        }
        for (i, address) in self.addresses.iter().enumerate() {
            if !(1..=6).contains(&address.lines.len()) {
                found.push(FieldError::new(
                    format!("addresses[{i}].lines"),
                    "must have 1 to 6 lines",
                ));
            }
        }
        found
    }
}

/// A party as party-service stores and returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// The party id: ten digits.
    pub id: PartyId,
    /// The writable fields.
    #[serde(flatten)]
    pub input: PartyInput,
    /// When the party was created (RFC 3339, UTC).
    #[schema(example = "2026-11-22T08:00:00.000000Z")]
    pub created_at: String,
    /// When the party was last changed (RFC 3339, UTC).
    pub updated_at: String,
}

/// One page of a party list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartyPage {
    /// The parties of this page, by id.
    pub items: Vec<Party>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
