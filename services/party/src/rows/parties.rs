//! The rows of a party (`parties` and its child tables), their blind
//! indexes, and their conversion to and from the party on the wire.
//!
//! A party's personal data is sealed: names, date of birth, nationality,
//! employment, contact point values, identifier values and address lines,
//! city, state and postal code. Each value is bound to its table, column
//! and row (`parties.last_name:<party>`,
//! `party_addresses.city:<party>:<position>`), so a value copied to
//! another place does not open. Codes that say what a value is (kind,
//! channel, usage, identifier type, country) stay plain, as do ids and
//! times. Filters match keyed blind indexes.

use super::{code, decode, decode_opt, Corrupt};
use crate::schema::{parties, party_addresses, party_contact_points, party_identifiers};
use diesel::prelude::*;
use domain::party::{
    Address, ContactChannel, ContactPoint, Employment, Identifier, Party, PartyInput,
};
use domain::PartyId;
use serde::de::DeserializeOwned;
use service_kit::{CryptoError, Keyring};

/// The columns of `parties` a caller writes: sealed, but for `kind` and
/// the blind indexes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = parties, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PartyFields {
    kind: String,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    last_name_key: Option<String>,
    organisation_name: Option<String>,
    date_of_birth: Option<String>,
    date_of_birth_key: Option<String>,
    nationality: Option<String>,
    employment_status: Option<String>,
    employer: Option<String>,
    occupation: Option<String>,
    /// False for a party written before personal data was sealed: its
    /// values (but for identifiers with a blind index) are plaintext.
    sealed: bool,
}

/// A whole `parties` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = parties, treat_none_as_default_value = false)]
pub struct PartyRow {
    /// The party id.
    pub id: String,
    #[diesel(embed)]
    fields: PartyFields,
    /// Bumped by every update, for optimistic concurrency.
    pub version: i64,
    created_at: String,
    updated_at: String,
}

impl PartyRow {
    /// The columns a caller writes.
    pub fn fields(&self) -> &PartyFields {
        &self.fields
    }
}

/// A `party_contact_points` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = party_contact_points, treat_none_as_default_value = false)]
pub struct ContactPointRow {
    party_id: String,
    position: i32,
    channel: String,
    /// Sealed.
    value: String,
    /// The blind index of the value: what the `email` filter matches.
    value_key: String,
    usage: Option<String>,
}

/// A `party_identifiers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = party_identifiers, primary_key(party_id, position), treat_none_as_default_value = false)]
pub struct IdentifierRow {
    party_id: String,
    position: i32,
    id_type: String,
    format_code: Option<String>,
    /// Sealed with the keyring, bound to the party and position.
    value: String,
    issuing_country: Option<String>,
    /// The blind index of the value: what `taxId` filters match.
    value_key: Option<String>,
}

/// A `party_addresses` row: lines (a JSON list), city, state and postal
/// code sealed.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = party_addresses, treat_none_as_default_value = false)]
pub struct AddressRow {
    party_id: String,
    position: i32,
    lines: String,
    city: Option<String>,
    state: Option<String>,
    postal_code: Option<String>,
    country_code: String,
    usage: Option<String>,
}

/// The blind index an email is found by: emails are compared
/// case-insensitively.
pub fn email_key(keyring: &Keyring, email: &str) -> String {
    keyring.blind_index("party.contact.email", &email.trim().to_lowercase())
}

/// The blind index a phone number is found by.
fn phone_key(keyring: &Keyring, phone: &str) -> String {
    keyring.blind_index("party.contact.phone", phone.trim())
}

/// The blind index a last name is found by: names are compared
/// case-insensitively.
pub fn name_key(keyring: &Keyring, name: &str) -> String {
    keyring.blind_index("party.last_name", &name.trim().to_lowercase())
}

/// The blind index a date of birth (`YYYY-MM-DD`) is found by.
pub fn date_of_birth_key(keyring: &Keyring, date: &str) -> String {
    keyring.blind_index("party.date_of_birth", date)
}

/// How a party's values are read: sealed, or plaintext in a party written
/// before personal data was sealed.
#[derive(Clone, Copy)]
enum Stored<'k> {
    Sealed(&'k Keyring),
    Plain,
}

impl Stored<'_> {
    /// The plaintext of `value`, stored in `column` of the row `row`.
    fn open(self, column: &str, row: &str, value: &str) -> Result<String, CryptoError> {
        match self {
            Self::Sealed(keyring) => keyring.open_field(column, row, value),
            Self::Plain => Ok(value.to_owned()),
        }
    }

    /// The value of an optional field, opened and parsed.
    fn field<T: DeserializeOwned>(
        self,
        column: &str,
        row: &str,
        value: &Option<String>,
    ) -> Result<Option<T>, Corrupt> {
        value
            .as_deref()
            .map(|v| decode(&self.open(column, row, v)?))
            .transpose()
    }
}

/// `value` sealed for `column` of the row `row`.
fn seal(keyring: &Keyring, column: &str, row: &str, value: &str) -> String {
    keyring.seal_field(column, row, value)
}

fn seal_opt(keyring: &Keyring, column: &str, row: &str, value: Option<String>) -> Option<String> {
    value.map(|v| seal(keyring, column, row, &v))
}

/// The blind index a `kind` identifier (its wire code) is found by. Tax ids
/// are written in many ways (`DE 123-456`, `de123456`), so they are matched
/// upper-cased, without spaces, dots, dashes and slashes.
pub fn identifier_key(keyring: &Keyring, kind: &str, value: &str) -> String {
    let normalised: String = value
        .chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-' | '/')))
        .flat_map(char::to_uppercase)
        .collect();
    keyring.blind_index(&format!("party.identifier.{kind}"), &normalised)
}

/// The associated data an identifier's value is sealed with: a value copied
/// to another party or position no longer opens.
fn identifier_context(party_id: &str, position: i32) -> String {
    format!("party_identifiers.value:{party_id}:{position}")
}

impl IdentifierRow {
    /// The row with its value sealed (again) under the active key and its
    /// blind index recomputed, from the plaintext `value`.
    pub fn sealed(mut self, keyring: &Keyring, value: &str) -> Self {
        self.value = keyring.seal(&identifier_context(&self.party_id, self.position), value);
        self.value_key = Some(identifier_key(keyring, &self.id_type, value));
        self
    }

    /// The plaintext value. A row written before identifiers were sealed
    /// has no blind index, and its value is plaintext.
    pub fn open(&self, keyring: &Keyring) -> Result<String, CryptoError> {
        match self.value_key {
            None => Ok(self.value.clone()),
            Some(_) => keyring.open(
                &identifier_context(&self.party_id, self.position),
                &self.value,
            ),
        }
    }

    /// The party the row belongs to.
    pub fn party_id(&self) -> &str {
        &self.party_id
    }
}

/// Every row of one party.
pub struct PartyRows {
    /// The main row.
    pub party: PartyRow,
    /// Its contact points, in order.
    pub contact_points: Vec<ContactPointRow>,
    /// Its identifiers, in order.
    pub identifiers: Vec<IdentifierRow>,
    /// Its addresses, in order.
    pub addresses: Vec<AddressRow>,
}

/// The writable columns of party `id` for `input`, sealed.
pub fn fields_of(keyring: &Keyring, id: &PartyId, input: &PartyInput) -> PartyFields {
    let row = id.as_str();
    let sealed = |column: &str, value: Option<String>| seal_opt(keyring, column, row, value);
    let text = |v: &Option<domain::text::Name>| v.as_ref().map(|n| n.to_string());
    let employment = input.employment.as_ref();
    PartyFields {
        kind: code(&input.kind),
        first_name: sealed("parties.first_name", text(&input.first_name)),
        middle_name: sealed("parties.middle_name", text(&input.middle_name)),
        last_name: sealed("parties.last_name", text(&input.last_name)),
        last_name_key: input
            .last_name
            .as_ref()
            .map(|n| name_key(keyring, n.as_str())),
        organisation_name: sealed("parties.organisation_name", text(&input.organisation_name)),
        date_of_birth: sealed(
            "parties.date_of_birth",
            input.date_of_birth.map(|d| d.to_string()),
        ),
        date_of_birth_key: input
            .date_of_birth
            .map(|d| date_of_birth_key(keyring, &d.to_string())),
        nationality: sealed("parties.nationality", input.nationality.as_ref().map(code)),
        employment_status: employment.map(|e| code(&e.status)),
        employer: sealed(
            "parties.employer",
            employment.and_then(|e| e.employer.as_ref().map(code)),
        ),
        occupation: sealed(
            "parties.occupation",
            employment.and_then(|e| e.occupation.as_ref().map(code)),
        ),
        sealed: true,
    }
}

/// Every row for a new party.
pub fn rows_of(keyring: &Keyring, id: &PartyId, input: &PartyInput, now: &str) -> PartyRows {
    let (contact_points, identifiers, addresses) = child_rows(keyring, id, input);
    PartyRows {
        party: PartyRow {
            id: id.to_string(),
            fields: fields_of(keyring, id, input),
            version: 1,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        },
        contact_points,
        identifiers,
        addresses,
    }
}

/// The child rows for `input`, positions in list order, sealed.
pub fn child_rows(
    keyring: &Keyring,
    id: &PartyId,
    input: &PartyInput,
) -> (Vec<ContactPointRow>, Vec<IdentifierRow>, Vec<AddressRow>) {
    let party_id = id.to_string();
    let position = |i: usize| i32::try_from(i).expect("lists are capped at 20 entries");
    let row = |i: usize| format!("{party_id}:{i}");
    let contact_points = input
        .contact_points
        .iter()
        .enumerate()
        .map(|(i, p)| ContactPointRow {
            party_id: party_id.clone(),
            position: position(i),
            channel: code(&p.channel),
            value: seal(
                keyring,
                "party_contact_points.value",
                &row(i),
                p.value.trim(),
            ),
            value_key: match p.channel {
                ContactChannel::Email => email_key(keyring, &p.value),
                ContactChannel::Phone => phone_key(keyring, &p.value),
            },
            usage: p.usage.as_ref().map(code),
        })
        .collect();
    let identifiers = input
        .identifiers
        .iter()
        .enumerate()
        .map(|(i, x)| {
            IdentifierRow {
                party_id: party_id.clone(),
                position: position(i),
                id_type: code(&x.kind),
                format_code: x.format_code.as_ref().map(code),
                value: String::new(),
                issuing_country: x.issuing_country.as_ref().map(code),
                value_key: None,
            }
            .sealed(keyring, &code(&x.value))
        })
        .collect();
    let addresses = input
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let sealed =
                |column: &str, value: Option<String>| seal_opt(keyring, column, &row(i), value);
            AddressRow {
                party_id: party_id.clone(),
                position: position(i),
                lines: seal(
                    keyring,
                    "party_addresses.lines",
                    &row(i),
                    &serde_json::to_string(&a.lines).expect("a list of strings serializes"),
                ),
                city: sealed("party_addresses.city", a.city.as_ref().map(code)),
                state: sealed("party_addresses.state", a.state.as_ref().map(code)),
                postal_code: sealed(
                    "party_addresses.postal_code",
                    a.postal_code.as_ref().map(code),
                ),
                country_code: code(&a.country_code),
                usage: a.usage.as_ref().map(code),
            }
        })
        .collect();
    (contact_points, identifiers, addresses)
}

impl PartyRows {
    /// The party these rows store.
    pub fn into_party(self, keyring: &Keyring) -> Result<Party, Corrupt> {
        let f = &self.party.fields;
        let stored = if f.sealed {
            Stored::Sealed(keyring)
        } else {
            Stored::Plain
        };
        let id = self.party.id.as_str();
        let employment = match &f.employment_status {
            Some(status) => Some(Employment {
                status: decode(status)?,
                employer: stored.field("parties.employer", id, &f.employer)?,
                occupation: stored.field("parties.occupation", id, &f.occupation)?,
            }),
            None => None,
        };
        let input = PartyInput {
            kind: decode(&f.kind)?,
            first_name: stored.field("parties.first_name", id, &f.first_name)?,
            middle_name: stored.field("parties.middle_name", id, &f.middle_name)?,
            last_name: stored.field("parties.last_name", id, &f.last_name)?,
            organisation_name: stored.field(
                "parties.organisation_name",
                id,
                &f.organisation_name,
            )?,
            date_of_birth: stored.field("parties.date_of_birth", id, &f.date_of_birth)?,
            nationality: stored.field("parties.nationality", id, &f.nationality)?,
            contact_points: self
                .contact_points
                .iter()
                .map(|p| {
                    let row = format!("{id}:{}", p.position);
                    Ok(ContactPoint {
                        channel: decode(&p.channel)?,
                        value: stored.open("party_contact_points.value", &row, &p.value)?,
                        usage: decode_opt(p.usage.as_deref())?,
                    })
                })
                .collect::<Result<_, Corrupt>>()?,
            identifiers: self
                .identifiers
                .iter()
                .map(|x| {
                    Ok(Identifier {
                        kind: decode(&x.id_type)?,
                        format_code: decode_opt(x.format_code.as_deref())?,
                        value: decode(&x.open(keyring)?)?,
                        issuing_country: decode_opt(x.issuing_country.as_deref())?,
                    })
                })
                .collect::<Result<_, Corrupt>>()?,
            addresses: self
                .addresses
                .iter()
                .map(|a| {
                    let row = format!("{id}:{}", a.position);
                    Ok(Address {
                        lines: serde_json::from_str(&stored.open(
                            "party_addresses.lines",
                            &row,
                            &a.lines,
                        )?)
                        .map_err(|e| Corrupt(e.to_string()))?,
                        city: stored.field("party_addresses.city", &row, &a.city)?,
                        state: stored.field("party_addresses.state", &row, &a.state)?,
                        postal_code: stored.field(
                            "party_addresses.postal_code",
                            &row,
                            &a.postal_code,
                        )?,
                        country_code: decode(&a.country_code)?,
                        usage: decode_opt(a.usage.as_deref())?,
                    })
                })
                .collect::<Result<_, Corrupt>>()?,
            employment,
        };
        Ok(Party {
            id: decode(&self.party.id)?,
            input,
            created_at: self.party.created_at,
            updated_at: self.party.updated_at,
        })
    }

    /// The same party's rows sealed (again) under the active key, with its
    /// blind indexes recomputed; its version and times kept.
    pub fn resealed(self, keyring: &Keyring) -> Result<Self, Corrupt> {
        let version = self.party.version;
        let party = self.into_party(keyring)?;
        let mut rows = rows_of(keyring, &party.id, &party.input, &party.created_at);
        rows.party.version = version;
        rows.party.updated_at = party.updated_at;
        Ok(rows)
    }
}

impl ContactPointRow {
    /// The party the row belongs to.
    pub fn party_id(&self) -> &str {
        &self.party_id
    }
}

impl AddressRow {
    /// The party the row belongs to.
    pub fn party_id(&self) -> &str {
        &self.party_id
    }
}
