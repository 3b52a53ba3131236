//! The rows of a party (`parties` and its child tables), their blind
//! indexes, and their conversion to and from the party on the wire.

use super::{code, decode, decode_opt, Corrupt};
use crate::schema::{parties, party_addresses, party_contact_points, party_identifiers};
use diesel::prelude::*;
use domain::party::{
    Address, ContactChannel, ContactPoint, Employment, Identifier, Party, PartyInput,
};
use domain::PartyId;
use service_kit::{CryptoError, Keyring};

/// The columns of `parties` a caller writes.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = parties, treat_none_as_null = true)]
pub struct PartyFields {
    kind: String,
    first_name: Option<String>,
    middle_name: Option<String>,
    last_name: Option<String>,
    last_name_key: Option<String>,
    organisation_name: Option<String>,
    date_of_birth: Option<String>,
    nationality: Option<String>,
    employment_status: Option<String>,
    employer: Option<String>,
    occupation: Option<String>,
}

/// A whole `parties` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = parties)]
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

/// A `party_contact_points` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = party_contact_points)]
pub struct ContactPointRow {
    party_id: String,
    position: i32,
    channel: String,
    value: String,
    value_key: String,
    usage: Option<String>,
}

/// A `party_identifiers` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = party_identifiers, primary_key(party_id, position))]
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

/// A `party_addresses` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = party_addresses)]
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

/// The key an email is matched by: emails are compared case-insensitively.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The key a last name is matched by.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
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

    /// The plaintext value.
    pub fn open(&self, keyring: &Keyring) -> Result<String, CryptoError> {
        keyring.open(
            &identifier_context(&self.party_id, self.position),
            &self.value,
        )
    }

    /// The row sealed again under the active key with its blind index
    /// recomputed, or `None` when there is nothing to do. A legacy row
    /// (written before encryption: no blind index, plaintext value) is always
    /// sealed; others only with `everything` (after a key rotation).
    pub fn resealed(self, keyring: &Keyring, everything: bool) -> Result<Option<Self>, Corrupt> {
        let plaintext = match &self.value_key {
            // Written before sealing: the value is plaintext.
            None => self.value.clone(),
            Some(_) if everything => self.open(keyring)?,
            Some(_) => return Ok(None),
        };
        Ok(Some(self.sealed(keyring, &plaintext)))
    }

    /// The value as stored: sealed, or plaintext in a legacy row.
    pub fn stored_value(&self) -> &str {
        &self.value
    }

    /// The party the row belongs to.
    pub fn party_id(&self) -> &str {
        &self.party_id
    }

    /// The row's position in its party's list.
    pub fn position(&self) -> i32 {
        self.position
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

/// The writable columns for `input`.
pub fn fields_of(input: &PartyInput) -> PartyFields {
    let text = |v: &Option<domain::text::Name>| v.as_ref().map(|n| n.to_string());
    PartyFields {
        kind: code(&input.kind),
        first_name: text(&input.first_name),
        middle_name: text(&input.middle_name),
        last_name: text(&input.last_name),
        last_name_key: input.last_name.as_ref().map(|n| name_key(n.as_str())),
        organisation_name: text(&input.organisation_name),
        date_of_birth: input.date_of_birth.map(|d| d.to_string()),
        nationality: input.nationality.as_ref().map(code),
        employment_status: input.employment.as_ref().map(|e| code(&e.status)),
        employer: input
            .employment
            .as_ref()
            .and_then(|e| e.employer.as_ref().map(code)),
        occupation: input
            .employment
            .as_ref()
            .and_then(|e| e.occupation.as_ref().map(code)),
    }
}

/// Every row for a new party.
pub fn rows_of(keyring: &Keyring, id: &PartyId, input: &PartyInput, now: &str) -> PartyRows {
    let (contact_points, identifiers, addresses) = child_rows(keyring, id, input);
    PartyRows {
        party: PartyRow {
            id: id.to_string(),
            fields: fields_of(input),
            version: 1,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
        },
        contact_points,
        identifiers,
        addresses,
    }
}

/// The child rows for `input`, positions in list order.
pub fn child_rows(
    keyring: &Keyring,
    id: &PartyId,
    input: &PartyInput,
) -> (Vec<ContactPointRow>, Vec<IdentifierRow>, Vec<AddressRow>) {
    let party_id = id.to_string();
    let position = |i: usize| i32::try_from(i).expect("lists are capped at 20 entries");
    let contact_points = input
        .contact_points
        .iter()
        .enumerate()
        .map(|(i, p)| ContactPointRow {
            party_id: party_id.clone(),
            position: position(i),
            channel: code(&p.channel),
            value: p.value.trim().to_owned(),
            value_key: match p.channel {
                ContactChannel::Email => email_key(&p.value),
                ContactChannel::Phone => p.value.trim().to_owned(),
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
        .map(|(i, a)| AddressRow {
            party_id: party_id.clone(),
            position: position(i),
            lines: serde_json::to_string(&a.lines).expect("a list of strings serializes"),
            city: a.city.as_ref().map(code),
            state: a.state.as_ref().map(code),
            postal_code: a.postal_code.as_ref().map(code),
            country_code: code(&a.country_code),
            usage: a.usage.as_ref().map(code),
        })
        .collect();
    (contact_points, identifiers, addresses)
}

impl PartyRows {
    /// The party these rows store.
    pub fn into_party(self, keyring: &Keyring) -> Result<Party, Corrupt> {
        let f = &self.party.fields;
        let employment = match &f.employment_status {
            Some(status) => Some(Employment {
                status: decode(status)?,
                employer: decode_opt(f.employer.as_deref())?,
                occupation: decode_opt(f.occupation.as_deref())?,
            }),
            None => None,
        };
        let input = PartyInput {
            kind: decode(&f.kind)?,
            first_name: decode_opt(f.first_name.as_deref())?,
            middle_name: decode_opt(f.middle_name.as_deref())?,
            last_name: decode_opt(f.last_name.as_deref())?,
            organisation_name: decode_opt(f.organisation_name.as_deref())?,
            date_of_birth: decode_opt(f.date_of_birth.as_deref())?,
            nationality: decode_opt(f.nationality.as_deref())?,
            contact_points: self
                .contact_points
                .iter()
                .map(|p| {
                    Ok(ContactPoint {
                        channel: decode(&p.channel)?,
                        value: p.value.clone(),
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
                    Ok(Address {
                        lines: serde_json::from_str(&a.lines)
                            .map_err(|e| Corrupt(e.to_string()))?,
                        city: decode_opt(a.city.as_deref())?,
                        state: decode_opt(a.state.as_deref())?,
                        postal_code: decode_opt(a.postal_code.as_deref())?,
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
