//! Personal values sealed at rest (issue 17, finding 5): an applicant's
//! names, an action's answer, a document's file name, file info and client
//! id, and a stored Idempotency-Key answer. Each value is bound to its
//! table, column and row (`applicants.first_name:<entity id>`), so a value
//! copied to another place does not open. Ids, codes, statuses and times
//! stay plain, as do the audit trail's values (statuses, ids and the
//! consent's acceptance status: no personal data).

use diesel::result::Error;
use diesel::QueryResult;
use service_kit::Keyring;

/// `value` of `column` (`table.column`) in row `row`, sealed.
pub fn seal(keyring: &Keyring, column: &str, row: &str, value: &str) -> String {
    keyring.seal(&format!("{column}:{row}"), value)
}

/// What [`seal`] made for the same `column` and `row`, opened. A value
/// that does not open (a missing key, tampering) fails the read as a row
/// that cannot be decoded; the error names neither the value nor the row.
pub fn open(keyring: &Keyring, column: &str, row: &str, sealed: &str) -> QueryResult<String> {
    keyring
        .open(&format!("{column}:{row}"), sealed)
        .map_err(|e| Error::DeserializationError(Box::new(e)))
}
