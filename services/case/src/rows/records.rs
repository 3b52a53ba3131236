//! The rows of business records, on their own (`business_records`) and on
//! cases (`case_records`): a record is stored whole, as the JSON of its
//! documented fields, sealed with the keyring and bound to where it lies,
//! so a sealed value copied to another row does not open.
//!
//! A record's id (an account id is personal data, issue 17 finding 5) is
//! kept only sealed, in `record_id`. Rows are found, kept unique and
//! joined by `record_key`, the id's keyed blind index ([`record_key`]);
//! the sealed id is bound to its row's key, so it opens only there.

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
    /// The blind index of the record's id ([`record_key`]).
    pub record_key: String,
    /// The record's id, sealed.
    pub record_id: String,
    /// The record, sealed.
    pub details: String,
    /// When it was last loaded (RFC 3339, UTC).
    pub updated_at: String,
}

/// A business row as COPY stages it on PostgreSQL (see
/// `store::records::upsert_business`).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = business_records_staging, treat_none_as_default_value = false)]
pub struct StagedRow<'a> {
    /// `account`, `externalEntity` or `transaction`.
    pub kind: &'a str,
    /// The blind index of the record's id.
    pub record_key: &'a str,
    /// The record's id, sealed.
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
            record_key: &row.record_key,
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
    /// The blind index of the record's id ([`record_key`]).
    pub record_key: String,
    /// The record's id, sealed.
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

/// The blind index a record's id is found by: the id exactly as sent
/// (ids are compared exactly). One purpose for every kind and table, so a
/// record on a case and the bank's record of the same id share their key.
pub fn record_key(keyring: &Keyring, id: &str) -> String {
    keyring.blind_index("case.record_id", id)
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

/// The associated data of a business record's sealed id: its row's kind
/// and key (a blind index: 64 hex characters).
fn business_id_context(kind: &str, key: &str) -> String {
    format!("business_records.record_id:{kind}:{key}")
}

/// The associated data of a case record's sealed id: its row's case, kind
/// and key.
fn case_id_context(case_id: &str, kind: &str, key: &str) -> String {
    format!(
        "case_records.record_id:{}:{case_id}:{kind}:{key}",
        case_id.len()
    )
}

/// A stored id, opened. A row written before ids were sealed holds its id
/// in both `record_key` and `record_id` (the migration's placeholder, which
/// a sealed row never has: its key is hex, its id `enc1:...`), until the
/// start-up pass seals it.
fn open_id(keyring: &Keyring, context: &str, key: &str, stored: &str) -> Result<String, Corrupt> {
    if key == stored {
        return Ok(stored.to_owned());
    }
    keyring
        .open(context, stored)
        .map_err(|e| Corrupt(e.to_string()))
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
    business_sealed(keyring, R::KIND.as_str(), record.id(), &to_json(record), at)
}

/// The business row of kind `kind` and id `id` holding `json`, sealed.
fn business_sealed(keyring: &Keyring, kind: &str, id: &str, json: &str, at: &str) -> BusinessRow {
    let key = record_key(keyring, id);
    BusinessRow {
        kind: kind.to_owned(),
        record_id: keyring.seal(&business_id_context(kind, &key), id),
        record_key: key,
        details: keyring.seal(&business_context(kind, id), json),
        updated_at: at.to_owned(),
    }
}

/// The id and JSON of a business row, opened.
fn business_opened(keyring: &Keyring, row: &BusinessRow) -> Result<(String, String), Corrupt> {
    let context = business_id_context(&row.kind, &row.record_key);
    let id = open_id(keyring, &context, &row.record_key, &row.record_id)?;
    let json = keyring
        .open(&business_context(&row.kind, &id), &row.details)
        .map_err(|e| Corrupt(e.to_string()))?;
    Ok((id, json))
}

/// The business record of a row.
pub fn business_record<R: Record>(keyring: &Keyring, row: &BusinessRow) -> Result<R, Corrupt> {
    from_json(&business_opened(keyring, row)?.1)
}

/// The row of a record added to `case_id` by `by` at `at`, sealed.
pub fn case_row<R: Record>(
    keyring: &Keyring,
    case_id: &str,
    record: &R,
    by: &str,
    at: &str,
) -> CaseRecordRow {
    let (kind, id) = (R::KIND.as_str(), record.id());
    let key = record_key(keyring, id);
    CaseRecordRow {
        case_id: case_id.to_owned(),
        kind: kind.to_owned(),
        record_id: keyring.seal(&case_id_context(case_id, kind, &key), id),
        record_key: key,
        type_code: record.type_code().map(str::to_owned),
        details: keyring.seal(&case_context(case_id, kind, id), &to_json(record)),
        created_at: at.to_owned(),
        created_by: by.to_owned(),
    }
}

/// The id of a case's row, opened.
pub fn case_id_of(keyring: &Keyring, row: &CaseRecordRow) -> Result<String, Corrupt> {
    case_record_id(
        keyring,
        &row.case_id,
        &row.kind,
        &row.record_key,
        &row.record_id,
    )
}

/// The `stored` id of the record of kind `kind` and key `key` on
/// `case_id`, opened.
pub fn case_record_id(
    keyring: &Keyring,
    case_id: &str,
    kind: &str,
    key: &str,
    stored: &str,
) -> Result<String, Corrupt> {
    open_id(keyring, &case_id_context(case_id, kind, key), key, stored)
}

/// The record of a case's row.
pub fn case_record<R: Record>(keyring: &Keyring, row: &CaseRecordRow) -> Result<R, Corrupt> {
    from_json(&case_json(keyring, row)?)
}

/// The record of a case's row as its JSON (see [`to_json`]), opened.
pub fn case_json(keyring: &Keyring, row: &CaseRecordRow) -> Result<String, Corrupt> {
    let id = case_id_of(keyring, row)?;
    keyring
        .open(&case_context(&row.case_id, &row.kind, &id), &row.details)
        .map_err(|e| Corrupt(e.to_string()))
}

/// A business row as it is stored under the active key: its id and record
/// sealed again (legacy plaintext sealed), its key recomputed (the
/// blind-index key may have changed), its load time kept.
pub fn resealed_business(keyring: &Keyring, row: &BusinessRow) -> Result<BusinessRow, Corrupt> {
    let context = business_id_context(&row.kind, &row.record_key);
    let id = open_id(keyring, &context, &row.record_key, &row.record_id)?;
    let details = keyring
        .reseal(&business_context(&row.kind, &id), &row.details)
        .map_err(|e| Corrupt(e.to_string()))?;
    let key = record_key(keyring, &id);
    Ok(BusinessRow {
        record_id: keyring.seal(&business_id_context(&row.kind, &key), &id),
        record_key: key,
        details,
        ..row.clone()
    })
}

/// A case's row as it is stored under the active key (see
/// [`resealed_business`]).
pub fn resealed_case(keyring: &Keyring, row: &CaseRecordRow) -> Result<CaseRecordRow, Corrupt> {
    let id = case_id_of(keyring, row)?;
    let details = keyring
        .reseal(&case_context(&row.case_id, &row.kind, &id), &row.details)
        .map_err(|e| Corrupt(e.to_string()))?;
    let key = record_key(keyring, &id);
    Ok(CaseRecordRow {
        record_id: keyring.seal(&case_id_context(&row.case_id, &row.kind, &key), &id),
        record_key: key,
        details,
        ..row.clone()
    })
}
