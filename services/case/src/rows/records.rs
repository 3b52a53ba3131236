//! The rows of business records, on their own (`business_records`) and on
//! cases (`case_records`): a record is stored whole, as the JSON of its
//! documented fields, sealed with the keyring and bound to where it lies,
//! so a sealed value copied to another row does not open.

use super::stored::Corrupt;
use crate::schema::{business_records, business_records_staging, case_records};
use crate::wire::records::Record;
use diesel::prelude::*;
use service_kit::Keyring;

/// A `business_records` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = business_records, treat_none_as_default_value = false)]
pub struct BusinessRow {
    /// `account`, `externalEntity` or `transaction`.
    pub kind: String,
    /// The record's id.
    pub record_id: String,
    /// The record, sealed.
    pub details: String,
    /// When it was last loaded (RFC 3339, UTC).
    pub updated_at: String,
}

/// A business row as COPY stages it on PostgreSQL (see
/// `store::records::load_business`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = business_records_staging, treat_none_as_default_value = false)]
pub struct StagedRow<'a> {
    /// `account`, `externalEntity` or `transaction`.
    pub kind: &'a str,
    /// The record's id.
    pub record_id: &'a str,
    /// The record, sealed.
    pub details: &'a str,
    /// When it was loaded.
    pub updated_at: &'a str,
}

impl<'a> From<&'a BusinessRow> for StagedRow<'a> {
    fn from(row: &'a BusinessRow) -> Self {
        Self {
            kind: &row.kind,
            record_id: &row.record_id,
            details: &row.details,
            updated_at: &row.updated_at,
        }
    }
}

/// A `case_records` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_records, treat_none_as_default_value = false)]
pub struct CaseRecordRow {
    /// The case.
    pub case_id: String,
    /// `account`, `externalEntity` or `transaction`.
    pub kind: String,
    /// The record's id.
    pub record_id: String,
    /// Its type code, where its kind has one (a removal may name it).
    pub type_code: Option<String>,
    /// The record, sealed.
    pub details: String,
    /// When it was added (RFC 3339, UTC).
    pub created_at: String,
    /// Who added it.
    pub created_by: String,
}

/// The associated data of a business record: its kind and id. Ids are at
/// most 64 characters; the length makes the pair unambiguous.
fn business_context(kind: &str, id: &str) -> String {
    format!("business:{kind}:{}:{id}", id.len())
}

/// The associated data of a record on a case.
fn case_context(case_id: &str, kind: &str, id: &str) -> String {
    format!("case:{}:{case_id}:{kind}:{id}", case_id.len())
}

/// The JSON of a record: every documented field, exactly as sent (and as
/// a case shows it).
pub fn to_json<R: Record>(record: &R) -> String {
    // A record is plain data (strings, numbers, objects): writing it as
    // JSON cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

fn from_json<R: Record>(json: &str) -> Result<R, Corrupt> {
    serde_json::from_str(json).map_err(|e| Corrupt(e.to_string()))
}

/// The row of a business record, sealed, loaded at `at`.
pub fn business_row<R: Record>(keyring: &Keyring, record: &R, at: &str) -> BusinessRow {
    let context = business_context(R::KIND.as_str(), record.id());
    BusinessRow {
        kind: R::KIND.as_str().to_owned(),
        record_id: record.id().to_owned(),
        details: keyring.seal(&context, &to_json(record)),
        updated_at: at.to_owned(),
    }
}

/// The business record of a row.
pub fn business_record<R: Record>(keyring: &Keyring, row: &BusinessRow) -> Result<R, Corrupt> {
    let context = business_context(&row.kind, &row.record_id);
    let json = keyring
        .open(&context, &row.details)
        .map_err(|e| Corrupt(e.to_string()))?;
    from_json(&json)
}

/// The row of a record added to `case_id` by `by` at `at`, sealed.
pub fn case_row<R: Record>(
    keyring: &Keyring,
    case_id: &str,
    record: &R,
    by: &str,
    at: &str,
) -> CaseRecordRow {
    let context = case_context(case_id, R::KIND.as_str(), record.id());
    CaseRecordRow {
        case_id: case_id.to_owned(),
        kind: R::KIND.as_str().to_owned(),
        record_id: record.id().to_owned(),
        type_code: record.type_code().map(str::to_owned),
        details: keyring.seal(&context, &to_json(record)),
        created_at: at.to_owned(),
        created_by: by.to_owned(),
    }
}

/// The record of a case's row.
pub fn case_record<R: Record>(keyring: &Keyring, row: &CaseRecordRow) -> Result<R, Corrupt> {
    from_json(&case_json(keyring, row)?)
}

/// The record of a case's row as its JSON (see [`to_json`]), opened.
pub fn case_json(keyring: &Keyring, row: &CaseRecordRow) -> Result<String, Corrupt> {
    let context = case_context(&row.case_id, &row.kind, &row.record_id);
    keyring
        .open(&context, &row.details)
        .map_err(|e| Corrupt(e.to_string()))
}

/// A business record's stored text, sealed again under the active key.
pub fn reseal_business(
    keyring: &Keyring,
    kind: &str,
    id: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    let context = business_context(kind, id);
    keyring
        .reseal(&context, stored)
        .map_err(|e| Corrupt(e.to_string()))
}

/// A case record's stored text, sealed again under the active key.
pub fn reseal_case(
    keyring: &Keyring,
    case_id: &str,
    kind: &str,
    id: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    let context = case_context(case_id, kind, id);
    keyring
        .reseal(&context, stored)
        .map_err(|e| Corrupt(e.to_string()))
}
